//! The simulator's in-memory Odin: a catalog of services built from the real examples, and
//! each user's four resources.
//!
//! Users share the example settings of every service they have not changed (an `Arc` per
//! service, copied on first write), so 10,000 users fit in a few hundred megabytes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use super::{ImpSpelling, NestedWrites};
use crate::schema::{self, Schema, SchemaError};

/// Licence names whose settings Odin files under another key (API.md §4, quirk 7).
const SETTINGS_KEY_OF: [(&str, &str); 1] = [("Integrated IM&P", "Integrated IMP")];

/// What every simulated user can have: services, their example settings, service packs.
#[derive(Debug)]
pub(crate) struct Catalog {
    /// The field schema writes are checked against.
    pub schema: Schema,
    /// Services with settings, in the examples' order, with their example settings.
    pub settings: Vec<(String, Arc<Value>)>,
    settings_index: HashMap<String, usize>,
    /// User service names, sorted; `services_settings[i]` is the settings entry of service i.
    pub services: Vec<String>,
    services_index: HashMap<String, usize>,
    services_settings: Vec<Option<usize>>,
    /// Service packs: (name, description), with the example's assignment.
    pub packs: Vec<(String, String, bool)>,
    packs_index: HashMap<String, usize>,
    /// The example user record and policy.
    pub user: Value,
    pub policy: Arc<Value>,
}

impl Catalog {
    /// Build the catalog from the embedded Odin examples, with the licence `Integrated IM&P`
    /// named as `imp` spells it in listings (and accepted in writes by that name only). The
    /// call center licences (`Call Center - Basic|Standard|Premium`) are listed only with
    /// `call_centers`: a services listing shows what the group is authorised for, and a
    /// group without call centers is not authorised for them.
    pub fn builtin(imp: ImpSpelling, call_centers: bool) -> Result<Catalog, SchemaError> {
        let parse = |text: &str| -> Result<Value, SchemaError> {
            serde_json::from_str(text).map_err(|e| SchemaError::Embedded(e.to_string()))
        };
        let schema = Schema::builtin()?;
        let mut settings_doc = parse(schema::SETTINGS)?;
        let settings: Vec<(String, Arc<Value>)> = match settings_doc.as_object_mut() {
            Some(map) => {
                map.remove("userId");
                std::mem::take(map)
                    .into_iter()
                    .map(|(name, value)| (name, Arc::new(value)))
                    .collect()
            }
            None => Vec::new(),
        };
        let settings_index: HashMap<String, usize> = settings
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), i))
            .collect();
        let aliased: Vec<&str> = SETTINGS_KEY_OF.iter().map(|(_, key)| *key).collect();
        let services: Vec<String> = schema
            .user_services()
            .filter(|name| !aliased.contains(name))
            .filter(|name| call_centers || !name.starts_with("Call Center - "))
            .map(|name| {
                if name == ImpSpelling::ImAndP.name() {
                    imp.name()
                } else {
                    name
                }
            })
            .map(str::to_string)
            .collect();
        let services_settings = services
            .iter()
            .map(|name| {
                let key = SETTINGS_KEY_OF
                    .iter()
                    .find(|(licence, _)| licence == name)
                    .map_or(name.as_str(), |(_, key)| key);
                settings_index.get(key).copied()
            })
            .collect();
        let services_index = index_of(services.iter());
        let services_doc = parse(schema::SERVICES)?;
        let packs: Vec<(String, String, bool)> = services_doc["servicePackServices"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|p| {
                        Some((
                            p["serviceName"].as_str()?.to_string(),
                            p["description"].as_str().unwrap_or_default().to_string(),
                            p["assigned"].as_bool().unwrap_or(false),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let packs_index = index_of(packs.iter().map(|(name, _, _)| name));
        let mut policy = parse(schema::POLICY)?;
        if let Some(map) = policy.as_object_mut() {
            map.remove("userId");
        }
        Ok(Catalog {
            schema,
            settings,
            settings_index,
            services,
            services_index,
            services_settings,
            packs,
            packs_index,
            user: parse(schema::USER)?,
            policy: Arc::new(policy),
        })
    }

    /// The index of a service with settings.
    pub fn settings_service(&self, name: &str) -> Option<usize> {
        self.settings_index.get(name).copied()
    }

    /// The index of a user service.
    pub fn service(&self, name: &str) -> Option<usize> {
        self.services_index.get(name).copied()
    }

    /// The settings entry of user service `service`, if it has settings.
    pub fn settings_of_service(&self, service: usize) -> Option<usize> {
        self.services_settings[service]
    }

    /// The index of a service pack.
    pub fn pack(&self, name: &str) -> Option<usize> {
        self.packs_index.get(name).copied()
    }
}

fn index_of<'a>(names: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
    names.enumerate().map(|(i, n)| (n.clone(), i)).collect()
}

/// One user's four resources.
#[derive(Debug, Clone)]
pub(crate) struct UserState {
    /// The user record, identity keys included.
    pub user: Value,
    /// The call processing policy (without `userId`), shared until changed.
    pub policy: Arc<Value>,
    /// Settings per catalog settings service; `None` while the service is unassigned.
    pub settings: Vec<Option<Arc<Value>>>,
    /// Assignment per catalog user service.
    pub services: Vec<bool>,
    /// Assignment per catalog service pack.
    pub packs: Vec<bool>,
    /// The write-only credentials (API.md §11), never in a view: tests read them through
    /// [`crate::sim::Simulator::credentials`].
    pub credentials: SimCredentials,
}

/// A user's credentials as the simulator holds them: `None` until written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimCredentials {
    /// The SIP authentication user name.
    pub sip_user_name: Option<String>,
    /// The SIP authentication password.
    pub sip_password: Option<String>,
    /// The web (login) password.
    pub web_password: Option<String>,
    /// The voice portal passcode.
    pub portal_passcode: Option<String>,
}

impl UserState {
    /// The user id, service provider and group of the record.
    pub fn identity(&self) -> (&str, &str, &str) {
        let field = |key: &str| self.user[key].as_str().unwrap_or_default();
        (
            field("userId"),
            field("serviceProviderId"),
            field("groupId"),
        )
    }

    /// `GET /users/services/settings`: `userId` and one key per assigned service.
    pub fn settings_view(&self, catalog: &Catalog) -> SettingsView {
        SettingsView {
            user_id: self.identity().0.to_string(),
            services: self
                .settings
                .iter()
                .enumerate()
                .filter_map(|(i, s)| Some((catalog.settings[i].0.clone(), s.clone()?)))
                .collect(),
        }
    }

    /// `GET /users/call-processing-policy`: the policy plus `userId`.
    pub fn policy_view(&self) -> Value {
        let mut policy = (*self.policy).clone();
        if let Some(map) = policy.as_object_mut() {
            map.insert(
                "userId".into(),
                Value::String(self.identity().0.to_string()),
            );
        }
        policy
    }

    /// `GET /users/services`: every service and pack with its assignment.
    pub fn services_view(&self, catalog: &Catalog) -> Value {
        let (user_id, sp, group) = self.identity();
        let user_services: Vec<Value> = catalog
            .services
            .iter()
            .zip(&self.services)
            .map(|(name, assigned)| {
                serde_json::json!({"serviceName": name, "assigned": assigned, "tags": [], "alias": name})
            })
            .collect();
        let packs: Vec<Value> = catalog
            .packs
            .iter()
            .zip(&self.packs)
            .map(|((name, description, _), assigned)| {
                serde_json::json!({"assigned": assigned, "description": description, "serviceName": name, "alias": name})
            })
            .collect();
        serde_json::json!({
            "userId": user_id,
            "serviceProviderId": sp,
            "groupId": group,
            "userServices": user_services,
            "servicePackServices": packs,
        })
    }

    /// All four resources in their GET shapes, for `/__sim/state`.
    /// `settings` is the settings document as the simulator shows it.
    pub fn state_view(&self, catalog: &Catalog, settings: SettingsView) -> Value {
        let settings = serde_json::to_value(settings).unwrap_or(Value::Null);
        serde_json::json!({
            "user": self.user,
            "services": self.services_view(catalog),
            "settings": settings,
            "policy": self.policy_view(),
        })
    }
}

/// The settings document, serialised straight from the shared values (no deep copy).
#[derive(Debug, Clone)]
pub(crate) struct SettingsView {
    pub user_id: String,
    pub services: Vec<(String, Arc<Value>)>,
}

impl Serialize for SettingsView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.services.len() + 1))?;
        map.serialize_entry("userId", &self.user_id)?;
        for (name, value) in &self.services {
            map.serialize_entry(name, value.as_ref())?;
        }
        map.end()
    }
}

/// Merge `patch` into `target` field by field: objects merge recursively, `null` removes a
/// field, anything else (lists included) replaces it.
pub(crate) fn merge(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch) {
        (Some(target), Value::Object(patch)) => {
            for (key, value) in patch {
                match value {
                    Value::Null => {
                        target.remove(key);
                    }
                    Value::Object(_) => {
                        let slot = target
                            .entry(key.clone())
                            .or_insert_with(|| Value::Object(Map::new()));
                        if !slot.is_object() {
                            *slot = Value::Object(Map::new());
                        }
                        merge(slot, value);
                    }
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// A write of `patch` into the stored `target` (a user record, or one service's settings),
/// as the server of `nested` would take it: top-level keys field by field (`null` removes
/// one), and a nested object either replacing the stored one whole or merged into it
/// ([`merge`]). Which Odin does is unknown (API.md §3): tests run both.
pub(crate) fn write(target: &mut Value, patch: &Value, nested: NestedWrites) {
    match nested {
        NestedWrites::Merge => merge(target, patch),
        NestedWrites::Replace => match (target.as_object_mut(), patch) {
            (Some(target), Value::Object(patch)) => {
                for (key, value) in patch {
                    if value.is_null() {
                        target.remove(key);
                    } else {
                        target.insert(key.clone(), without_nulls(value));
                    }
                }
            }
            _ => *target = patch.clone(),
        },
    }
}

/// `value` without its null members, inside nested objects too: a field set to null is
/// unset, and an unset field is omitted (API.md §4, quirk 1).
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Users by id, user ids by (service provider, group) in seeding order, the numbers and
/// extensions (`lines`), and the devices and SCA endpoints (`appearances`).
#[derive(Debug, Default)]
pub(crate) struct Directory {
    pub users: HashMap<String, UserState>,
    pub groups: BTreeMap<(String, String), Vec<String>>,
    pub lines: super::lines::Lines,
    pub appearances: super::appearances::Appearances,
    /// Hunt groups and call centers (API.md §15).
    pub members: super::members::Members,
    /// Per (service provider, group): the most users it may hold (`userLimit`, API.md §7a).
    pub user_limits: HashMap<(String, String), usize>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_is_field_by_field_and_null_removes() {
        let mut doc = json!({"a": 1, "o": {"x": 1, "y": 2}, "l": [1, 2]});
        merge(
            &mut doc,
            &json!({"a": null, "o": {"y": 3, "z": 4}, "l": [9], "n": {"k": true}}),
        );
        assert_eq!(
            doc,
            json!({"o": {"x": 1, "y": 3, "z": 4}, "l": [9], "n": {"k": true}})
        );
    }

    #[test]
    fn nested_objects_are_replaced_or_merged_as_the_switch_says() {
        let stored = json!({"extension": "1", "address": {"city": "A", "country": "US"}});
        let patch = json!({"address": {"city": "B", "state": null}, "extension": null});
        let mut replaced = stored.clone();
        write(&mut replaced, &patch, NestedWrites::Replace);
        assert_eq!(replaced, json!({"address": {"city": "B"}}));
        let mut merged = stored;
        write(&mut merged, &patch, NestedWrites::Merge);
        assert_eq!(merged, json!({"address": {"city": "B", "country": "US"}}));
    }

    #[test]
    fn catalog_links_licences_to_settings() {
        for (spelling, listed, other) in [
            (ImpSpelling::Imp, "Integrated IMP", "Integrated IM&P"),
            (ImpSpelling::ImAndP, "Integrated IM&P", "Integrated IMP"),
        ] {
            let catalog = Catalog::builtin(spelling, false).unwrap();
            let imp = catalog.service(listed).unwrap();
            let settings = catalog.settings_of_service(imp).unwrap();
            assert_eq!(catalog.settings[settings].0, "Integrated IMP");
            assert!(catalog.service(other).is_none());
            assert!(catalog.services.is_sorted());
        }
        let catalog = Catalog::builtin(ImpSpelling::default(), false).unwrap();
        assert_eq!(catalog.settings.len(), 73);
        let three_way = catalog.service("Three-Way Call").unwrap();
        assert_eq!(catalog.settings_of_service(three_way), None);
        assert!(catalog.pack("SIP-DID").is_some());
    }
}
