//! One write to one resource of a user, and the one definition of the order a user's steps
//! run in (DESIGN.md section 2).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::credentials::CredentialChanges;
use crate::resource::Resource;
use crate::services::{ServiceChanges, ServiceRef};

/// One write to one resource of a user.
///
/// In a plan file a step is `{"resource": …, "patch": {…}}`; a services patch maps
/// `userServices.<name>` / `servicePackServices.<name>` to whether it ends up assigned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StepFile", into = "StepFile")]
pub enum Step {
    /// Fields of the user record, the policy or the service settings.
    Fields {
        /// The resource written (never [`Resource::Services`]).
        resource: Resource,
        /// Field path inside the resource (`Call Forwarding Always.isActive`) → value to set.
        patch: Patch,
    },
    /// Services and packs assigned or unassigned.
    Services(ServiceChanges),
    /// Write-only credentials (API.md §11); a plan file holds the SIP user name and
    /// `<generate>` as written and every secret as `********`.
    Credentials(CredentialChanges),
    /// Entries of one of the user's lists ([`Resource::is_list`]: SCA endpoints by line
    /// port): entry id → the entry wanted (an object of the fields the sheet gives; those it
    /// does not give keep their live values), or null to remove it.
    Entries {
        /// The list written.
        resource: Resource,
        /// Entry id → entry, or null.
        entries: Patch,
    },
}

impl Step {
    /// A step setting `patch` in `resource`; a services patch is read as one.
    pub fn from_patch(resource: Resource, patch: Map<String, Value>) -> Result<Step, String> {
        match resource {
            Resource::Services => ServiceChanges::from_patch(&patch)
                .map(Step::Services)
                .map_err(|e| e.to_string()),
            Resource::Credentials => CredentialChanges::from_patch(&patch).map(Step::Credentials),
            resource if resource.is_list() => {
                if let Some((id, _)) = patch.iter().find(|(_, v)| !v.is_object() && !v.is_null()) {
                    return Err(format!(
                        "`{id}`: an entry of {resource} is an object of its fields, or null"
                    ));
                }
                Ok(Step::Entries {
                    resource,
                    entries: Patch::from(patch),
                })
            }
            resource => Ok(Step::Fields {
                resource,
                patch: Patch::from(patch),
            }),
        }
    }

    /// The resource it writes.
    pub fn resource(&self) -> Resource {
        match self {
            Step::Fields { resource, .. } => *resource,
            Step::Services(_) => Resource::Services,
            Step::Credentials(_) => Resource::Credentials,
            Step::Entries { resource, .. } => *resource,
        }
    }

    /// The step as a plan file patch: key → value it sets.
    pub fn patch(&self) -> Cow<'_, Map<String, Value>> {
        match self {
            Step::Fields { patch, .. } => Cow::Owned(patch.to_map()),
            Step::Services(changes) => Cow::Owned(changes.to_patch()),
            Step::Credentials(changes) => Cow::Owned(changes.to_patch()),
            Step::Entries { entries, .. } => Cow::Owned(entries.to_map()),
        }
    }

    /// Whether it sets plan key `key` (a field path, or a service's key), without building
    /// its patch.
    pub fn sets(&self, key: &str) -> bool {
        match self {
            Step::Fields { patch, .. } => patch.get(key).is_some(),
            Step::Services(changes) => changes.entries().iter().any(|(s, _)| s.key() == key),
            Step::Credentials(changes) => changes.0.keys().any(|c| c.name() == key),
            Step::Entries { entries, .. } => entries.get(key).is_some(),
        }
    }

    /// How many fields (or services) it sets.
    pub fn len(&self) -> usize {
        match self {
            Step::Fields { patch, .. } => patch.len(),
            Step::Services(changes) => changes.len(),
            Step::Credentials(changes) => changes.len(),
            Step::Entries { entries, .. } => entries.len(),
        }
    }

    /// Whether it sets nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Field path → value, in path order: a step's patch. Kept as a sorted list rather than a
/// map because a plan holds one per user and resource, and most hold a handful of fields
/// (a `BTreeMap` allocates room for eleven).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch(Vec<(String, Value)>);

impl Patch {
    /// The fields in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The field paths in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The value set at `path`.
    pub fn get(&self, path: &str) -> Option<&Value> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(path))
            .ok()
            .map(|at| &self.0[at].1)
    }

    /// How many fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it sets nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        self.0.iter().cloned().collect()
    }
}

impl From<Map<String, Value>> for Patch {
    fn from(map: Map<String, Value>) -> Patch {
        // A map iterates in key order: the list is sorted as it is built.
        let mut fields: Vec<(String, Value)> = map.into_iter().collect();
        fields.shrink_to_fit();
        Patch(fields)
    }
}

impl FromIterator<(String, Value)> for Patch {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Patch {
        Patch::from(iter.into_iter().collect::<Map<String, Value>>())
    }
}

/// A step as plan files hold it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    resource: Resource,
    patch: Map<String, Value>,
}

impl TryFrom<StepFile> for Step {
    type Error = String;

    fn try_from(file: StepFile) -> Result<Step, String> {
        Step::from_patch(file.resource, file.patch)
    }
}

impl From<Step> for StepFile {
    fn from(step: Step) -> StepFile {
        let resource = step.resource();
        let patch = match step {
            Step::Fields { patch, .. } => patch.to_map(),
            Step::Services(changes) => changes.to_patch(),
            Step::Credentials(changes) => changes.to_patch(),
            Step::Entries { entries, .. } => entries.to_map(),
        };
        StepFile { resource, patch }
    }
}

/// What a user's steps change, gathered in any order; [`Changes::into_steps`] puts them in
/// the order they run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Services and packs to assign.
    pub assign: Vec<ServiceRef>,
    /// Fields to set, by resource (user, policy, settings); for a list, its entries.
    pub fields: BTreeMap<Resource, Map<String, Value>>,
    /// Services and packs to unassign.
    pub unassign: Vec<ServiceRef>,
    /// Credentials to set.
    pub credentials: CredentialChanges,
}

impl Changes {
    /// What a sheet's `user.phoneNumber` and `user.phoneNumberActivated` ask of the user's
    /// group's lists (API.md §12): the number in the group (`numbers`), and its activation
    /// (`activation`, keyed by the number the sheet gives, else `""`: the number the user
    /// holds) instead of a field of the user record, which activation is not written
    /// through.
    pub fn derive_numbers(&mut self) {
        let Some(user) = self.fields.get_mut(&Resource::User) else {
            return;
        };
        let number = match user.get("phoneNumber") {
            Some(Value::String(text)) => Some(crate::operation::numbers::national(text)),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
        .filter(|n| !n.is_empty());
        // The country code the sheet wrote, checked against the group's numbers'.
        let country_code = match user.get("phoneNumber") {
            Some(Value::String(text)) => crate::operation::numbers::country_code_of(text),
            _ => None,
        };
        // A record holds its number as national digits: so does the plan, whatever spelling
        // the sheet used, so that it compares with what Odin answers (API.md §12).
        if let Some(number) = &number {
            user.insert("phoneNumber".into(), Value::String(number.clone()));
        }
        // The CLID number too (API.md §12: one of the group's numbers).
        if let Some(Value::String(text)) = user.get("callingLineIdPhoneNumber") {
            let clid = crate::operation::numbers::national(text);
            if !clid.is_empty() {
                user.insert("callingLineIdPhoneNumber".into(), Value::String(clid));
            }
        }
        let activated = user.remove("phoneNumberActivated");
        if user.is_empty() {
            self.fields.remove(&Resource::User);
        }
        if let Some(number) = &number {
            let mut entry = Map::new();
            if let Some(cc) = country_code {
                entry.insert(
                    crate::operation::numbers::COUNTRY_CODE.into(),
                    Value::String(cc),
                );
            }
            self.fields
                .entry(Resource::Numbers)
                .or_default()
                .insert(number.clone(), Value::Object(entry));
        }
        if let Some(activated) = activated {
            let mut entry = Map::new();
            entry.insert("activated".into(), activated);
            self.fields
                .entry(Resource::Activation)
                .or_default()
                .insert(number.unwrap_or_default(), Value::Object(entry));
        }
    }

    /// The steps, in the order of DESIGN.md section 2 — services assigned → numbers added
    /// to the group → user → policy → settings → credentials → lists (SCA endpoints, hunt
    /// groups, call centers: [`Resource::LISTS`]) →
    /// number activation → numbers removed from the group → services unassigned — leaving
    /// out the empty ones. A service is assigned before its settings change, and its settings
    /// change before it is unassigned; the Authentication service is assigned before its
    /// password is set; the Shared Call Appearance service before its endpoints are added
    /// (API.md §13), and they are removed before it is unassigned.
    pub fn into_steps(mut self) -> Vec<Step> {
        let services = |assign: Vec<ServiceRef>, unassign: Vec<ServiceRef>| {
            Step::Services(ServiceChanges { assign, unassign })
        };
        // A user is created before anything else of it is written, and deleted after
        // everything else (API.md §14); a rollback's steps keep the same order.
        let (deleted, created): (Map<String, Value>, Map<String, Value>) = self
            .fields
            .remove(&Resource::Account)
            .unwrap_or_default()
            .into_iter()
            .partition(|(_, entry)| entry.is_null());
        let mut steps = vec![
            Step::Entries {
                resource: Resource::Account,
                entries: Patch::from(created),
            },
            services(std::mem::take(&mut self.assign), Vec::new()),
        ];
        // A number is in the user's group before the user record takes it (API.md §12).
        let (removed, added): (Map<String, Value>, Map<String, Value>) = self
            .fields
            .remove(&Resource::Numbers)
            .unwrap_or_default()
            .into_iter()
            .partition(|(_, entry)| entry.is_null());
        steps.push(Step::Entries {
            resource: Resource::Numbers,
            entries: Patch::from(added),
        });
        for resource in [Resource::User, Resource::Policy, Resource::Settings] {
            steps.push(Step::Fields {
                resource,
                patch: Patch::from(self.fields.remove(&resource).unwrap_or_default()),
            });
        }
        steps.push(Step::Credentials(self.credentials));
        for resource in Resource::LISTS {
            steps.push(Step::Entries {
                resource,
                entries: Patch::from(self.fields.remove(&resource).unwrap_or_default()),
            });
        }
        steps.push(Step::Entries {
            resource: Resource::Activation,
            entries: Patch::from(
                self.fields
                    .remove(&Resource::Activation)
                    .unwrap_or_default(),
            ),
        });
        steps.push(Step::Entries {
            resource: Resource::Account,
            entries: Patch::from(deleted),
        });
        // Numbers leave the group once nobody holds them.
        steps.push(Step::Entries {
            resource: Resource::Numbers,
            entries: Patch::from(removed),
        });
        steps.push(services(Vec::new(), self.unassign));
        steps.retain(|step| !step.is_empty());
        // A plan holds one of these per user, most with one or two steps: the room the
        // pushes above grew (sixteen steps) is given back.
        steps.shrink_to_fit();
        steps
    }
}

#[cfg(test)]
mod tests;
