//! Compensation across attempts: a resumed user whose step fails for good also has the steps
//! an earlier attempt applied undone, from the rollback entry that attempt recorded. Each
//! such step is undone with just the part of the entry that restores what it changed, diffed
//! against the user's live state read just before, so only what differs is written.

use serde_json::{Map, Value};

use super::diff::{StepDiff, diff};
use super::undo::{Compensation, restores};
use crate::odin::OdinClient;
use crate::odin::resources::UserIdentity;
use crate::plan::{Patch, Step, UserPlan};
use crate::resource::Resource;
use crate::rundir::Status;
use crate::services::{ServiceChanges, settings_service};

/// What earlier attempts left of a resumed user.
#[derive(Debug, Clone, Default)]
pub(crate) struct Earlier {
    /// Its first step still to run; the ones before finished.
    pub start: usize,
    /// Its rollback entry, when one is recorded already (it gets no second one).
    pub entry: Option<UserPlan>,
    /// How its steps before `start` ended.
    pub kept: Vec<Status>,
}

/// Undo the steps of `user` that earlier attempts applied (`kept` says how its first steps
/// ended), last first, from its rollback `entry`. A step that cannot be undone stays
/// applied; its outcome says why. Writes are stamped with `identity`, completed from the
/// entry (this attempt may not have read the user record).
pub(super) async fn undo_earlier(
    user: &UserPlan,
    kept: &[Status],
    entry: Option<&UserPlan>,
    client: &OdinClient,
    identity: &UserIdentity,
) -> Vec<Compensation> {
    let mut outcomes = Vec::new();
    for (index, step) in user.steps.iter().enumerate().take(kept.len()).rev() {
        if kept[index] != Status::Applied {
            continue;
        }
        let outcome = match entry {
            Some(entry) => {
                let identity = UserIdentity::resolve(
                    &user.user_id,
                    identity
                        .service_provider_id
                        .as_deref()
                        .or(entry.service_provider_id.as_deref()),
                    identity.group_id.as_deref().or(entry.group_id.as_deref()),
                    None,
                );
                undo_step(user, &undo_of(step, entry), client, &identity).await
            }
            None => Err("could not undo this step: its rollback entry is missing".to_string()),
        };
        outcomes.push(Compensation { index, outcome });
    }
    outcomes
}

/// Write `undo` in order, each step diffed against its resource read just before.
async fn undo_step(
    user: &UserPlan,
    undo: &[Step],
    client: &OdinClient,
    identity: &UserIdentity,
) -> Result<(), String> {
    for step in undo {
        let resource = step.resource();
        let call = crate::operation::read(client, resource, identity).await;
        let live = call.result.map_err(|error| {
            format!("undoing this step failed too: reading {resource}: {error}")
        })?;
        let change = diff(step, &live).map_err(|e| format!("could not undo this step: {e}"))?;
        let Some(body) = change.body else {
            continue;
        };
        let identity = match resource {
            Resource::User => UserIdentity::resolve(
                &user.user_id,
                identity.service_provider_id.as_deref(),
                identity.group_id.as_deref(),
                Some(&live),
            ),
            _ => identity.clone(),
        };
        let call = crate::operation::write(client, &identity, resource, &body, &live).await;
        if let Err(error) = call.result {
            tracing::warn!(user = %user.user_id, %resource, %error, "compensation failed");
            return Err(format!("undoing this step failed too: {error}"));
        }
    }
    Ok(())
}

/// The part of rollback `entry` that undoes `step`: its fields' before-values; or for a
/// services step, its services back to their former assignment, then the captured settings
/// of those assigned again (all captured settings when a pack is).
fn undo_of(step: &Step, entry: &UserPlan) -> Vec<Step> {
    match step {
        Step::Fields { resource, patch } => {
            let keys: Vec<&str> = patch.iter().map(|(key, _)| key.as_str()).collect();
            fields_of(entry, *resource, |key| keys.iter().any(|k| covers(key, k)))
                .into_iter()
                .collect()
        }
        Step::Services(changes) => {
            let recorded = services_of(entry);
            let again = ServiceChanges {
                assign: kept(&recorded.assign, &changes.unassign),
                unassign: kept(&recorded.unassign, &changes.assign),
            };
            let settings = fields_of(entry, Resource::Settings, |key| {
                restores(&again.assign, settings_service(key))
            });
            let services = (!again.is_empty()).then_some(Step::Services(again));
            services.into_iter().chain(settings).collect()
        }
        // The entry's before-values of the entries the step sets.
        Step::Entries { resource, entries } => {
            let restore: Map<String, Value> = entry
                .steps
                .iter()
                .filter(|s| s.resource() == *resource)
                .flat_map(|s| s.patch().into_owned())
                .filter(|(key, _)| entries.get(key).is_some())
                .collect();
            (!restore.is_empty())
                .then(|| Step::Entries {
                    resource: *resource,
                    entries: Patch::from(restore),
                })
                .into_iter()
                .collect()
        }
        // A credential cannot be restored (API.md §11).
        Step::Credentials(_) => Vec::new(),
    }
}

/// Whether rollback-entry key `unit` restores plan key `key`: the same field, or the whole
/// object or list it lies in (entries restore nested objects whole, see `diff::unit_len`).
fn covers(unit: &str, key: &str) -> bool {
    key == unit
        || key
            .strip_prefix(unit)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// What `step` changed when an earlier attempt's write of it reached Odin, found from the
/// user's rollback `entry` and its `live` document (which holds the step's values now):
/// the step diffed against the live document with the entry's before-values put back.
/// `None` when the entry restores nothing of the step (the write changed nothing).
pub(super) fn landed(step: &Step, entry: &UserPlan, live: &Value) -> Option<StepDiff> {
    // The part of the entry that would undo the step (`undo_of`, of the step's own
    // resource) holds what the live document held before it.
    let mut before = live.clone();
    let mut recorded = false;
    for undo in undo_of(step, entry)
        .iter()
        .filter(|undo| undo.resource() == step.resource())
    {
        recorded = true;
        match undo {
            Step::Fields { patch, .. } => {
                for (key, value) in patch.iter() {
                    let path = crate::notation::parse_relative(key).ok()?;
                    crate::notation::set(&mut before, &path, value.clone());
                }
            }
            Step::Services(again) => {
                for service in &again.assign {
                    service.set_assigned(&mut before, true);
                }
                for service in &again.unassign {
                    service.set_assigned(&mut before, false);
                }
            }
            Step::Entries { entries, .. } => {
                if !before.is_object() {
                    before = Value::Object(Map::new());
                }
                if let Value::Object(list) = &mut before {
                    for (id, value) in entries.iter() {
                        match value {
                            Value::Null => list.remove(id),
                            value => list.insert(id.clone(), value.clone()),
                        };
                    }
                }
            }
            // Nothing shows whether a credential write landed: it is written again.
            Step::Credentials(_) => return None,
        }
    }
    if !recorded {
        return None;
    }
    diff(step, &before)
        .ok()
        .filter(|change| change.body.is_some())
}

/// The entry's fields of `resource` whose key is `wanted`, as one step (none when empty).
fn fields_of(entry: &UserPlan, resource: Resource, wanted: impl Fn(&str) -> bool) -> Option<Step> {
    let fields: Map<String, Value> = entry
        .steps
        .iter()
        .filter(|step| step.resource() == resource)
        .flat_map(|step| step.patch().into_owned())
        .filter(|(key, _)| wanted(key))
        .collect();
    (!fields.is_empty()).then(|| Step::Fields {
        resource,
        patch: Patch::from(fields),
    })
}

/// Every service change of the entry.
fn services_of(entry: &UserPlan) -> ServiceChanges {
    let mut all = ServiceChanges::default();
    for step in &entry.steps {
        if let Step::Services(changes) = step {
            all.assign.extend(changes.assign.iter().cloned());
            all.unassign.extend(changes.unassign.iter().cloned());
        }
    }
    all
}

/// The services of `recorded` that `named` names too.
fn kept<T: PartialEq + Clone>(recorded: &[T], named: &[T]) -> Vec<T> {
    recorded
        .iter()
        .filter(|s| named.contains(s))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn step(resource: Resource, patch: Value) -> Step {
        Step::from_patch(resource, patch.as_object().cloned().unwrap_or_default()).unwrap()
    }

    /// A rollback entry of user `a@x` with `steps`.
    fn entry(steps: Vec<Step>) -> UserPlan {
        UserPlan {
            user_id: "a@x".into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: None,
            steps,
            before: None,
            not_restorable: Vec::new(),
            cells: Default::default(),
        }
    }

    #[test]
    fn a_write_that_landed_is_found_from_the_entry() {
        let entry = entry(vec![
            step(
                Resource::Services,
                json!({"userServices.Call Notify": false}),
            ),
            step(
                Resource::User,
                json!({"address": {"city": "Old", "country": "US"}, "extension": "1"}),
            ),
        ]);
        // The live record holds what the step wrote.
        let live = json!({"address": {"city": "New", "country": "US"}, "extension": "42"});
        let user_step = step(Resource::User, json!({"address.city": "New"}));
        let change = landed(&user_step, &entry, &live).expect("landed");
        assert_eq!(change.changes.len(), 1);
        assert_eq!(change.changes[0].before, Some(json!("Old")));
        assert_eq!(
            change.restore,
            [(
                "address".to_string(),
                Some(json!({"city": "Old", "country": "US"}))
            )]
        );
        let listing = json!({"userServices": [{"serviceName": "Call Notify", "assigned": true}]});
        let assign = step(
            Resource::Services,
            json!({"userServices.Call Notify": true}),
        );
        let change = landed(&assign, &entry, &listing).expect("landed");
        assert_eq!(change.changes[0].before, Some(json!(false)));
        // A step the entry restores nothing of changed nothing.
        let other = step(Resource::User, json!({"lastName": "X"}));
        assert!(landed(&other, &entry, &json!({"lastName": "X"})).is_none());
        assert!(covers("address", "address.city") && covers("aliases", "aliases[0]"));
        assert!(!covers("address", "addressLine") && !covers("ext", "extension"));
    }

    #[test]
    fn the_entry_is_restricted_to_what_the_step_changed() {
        let entry = entry(vec![
            step(
                Resource::Services,
                json!({"userServices.Call Notify": true, "userServices.Call Waiting": true}),
            ),
            step(Resource::User, json!({"extension": "1", "lastName": "X"})),
            step(
                Resource::Settings,
                json!({"Call Notify.criteria": [], "Do Not Disturb.isActive": false}),
            ),
            step(
                Resource::Services,
                json!({"userServices.Sequential Ring": false}),
            ),
        ]);
        let user_step = step(Resource::User, json!({"extension": "42"}));
        assert_eq!(
            undo_of(&user_step, &entry),
            [step(Resource::User, json!({"extension": "1"}))]
        );
        let services = step(
            Resource::Services,
            json!({"userServices.Call Notify": false}),
        );
        assert_eq!(
            undo_of(&services, &entry),
            [
                step(
                    Resource::Services,
                    json!({"userServices.Call Notify": true})
                ),
                step(Resource::Settings, json!({"Call Notify.criteria": []})),
            ]
        );
        let assigned = step(
            Resource::Services,
            json!({"userServices.Sequential Ring": true}),
        );
        assert_eq!(
            undo_of(&assigned, &entry),
            [step(
                Resource::Services,
                json!({"userServices.Sequential Ring": false})
            )]
        );
        let untouched = step(Resource::Policy, json!({"clidPolicy": "Use DN"}));
        assert!(undo_of(&untouched, &entry).is_empty());
    }
}
