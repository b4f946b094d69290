//! What undoes a user's changes: the rollback entry recorded before its first write, and
//! compensation when a later step of the user fails for good. Both start from the diffs,
//! which hold the before-values of exactly what the steps change.

use serde_json::{Map, Value};

use super::diff::{StepDiff, diff};
use crate::odin::OdinClient;
use crate::odin::group::BulkTarget;
use crate::odin::resources::UserIdentity;
use crate::plan::{Changes, Patch, Step, UserPlan};
use crate::resource::Resource;
use crate::rundir::{Status, StepResult};
use crate::services::{Kind, ServiceRef, settings_service};

/// The settings of the services in `doc` (a `GET /users/services/settings` document) as
/// field paths → values, one level into each service's fields (a nested object such as
/// `Voice Messaging User.Voice Messaging User` one level more), without the `userId` keys
/// Odin repeats inside; `wanted` picks the services by name. A service
/// whose settings are a list is one path. What is captured before a service is unassigned,
/// so that assigning it again can restore exactly these values.
pub(super) fn settings_of(doc: &Value, wanted: impl Fn(&str) -> bool) -> Map<String, Value> {
    let mut fields = Map::new();
    let Some(all) = doc.as_object() else {
        return fields;
    };
    for (service, settings) in all {
        if service == "userId" || !wanted(service) {
            continue;
        }
        flatten(service, settings, 2, &mut fields);
    }
    fields
}

/// Whether assigning `services` again restores the settings of `service`: one of them, or
/// any service when a pack is among them (Odin lists no pack's services). The one rule for
/// what is captured before an unassign, and for what rollback and compensation write back.
pub(super) fn restores(services: &[ServiceRef], service: &str) -> bool {
    services
        .iter()
        .any(|s| s.kind == Kind::Pack || s.is_named(service))
}

fn flatten(path: &str, value: &Value, depth: usize, into: &mut Map<String, Value>) {
    match value.as_object() {
        Some(object) if depth > 0 => {
            for (key, inner) in object.iter().filter(|(key, _)| *key != "userId") {
                flatten(&format!("{path}.{key}"), inner, depth - 1, into);
            }
        }
        _ => {
            into.insert(path.to_string(), value.clone());
        }
    }
}

/// The plan that undoes exactly what `diffs` change: before-values (null where a field was
/// absent; a nested object whole, as it was), services back to their former assignment, and the `captured` settings of the
/// services the user loses written back once they are assigned again; in the usual step
/// order.
pub(super) fn rollback_entry(
    user: &UserPlan,
    diffs: &[StepDiff],
    captured: &Map<String, Value>,
    identity: &UserIdentity,
) -> UserPlan {
    let mut undo = Changes::default();
    let mut not_restorable = Vec::new();
    if !captured.is_empty() {
        undo.fields.insert(Resource::Settings, captured.clone());
    }
    for (step, change) in user.steps.iter().zip(diffs) {
        match step {
            Step::Services(_) => {
                let reversed = change.services.reversed();
                undo.assign.extend(reversed.assign);
                undo.unassign.extend(reversed.unassign);
            }
            Step::Fields { resource, .. } | Step::Entries { resource, .. } => {
                // Whole units: a nested object is restored whole (see `diff::unit_len`), an
                // entry of a list whole (null: the run added it, so it is removed).
                let fields = undo.fields.entry(*resource).or_default();
                for (path, before) in &change.restore {
                    fields.insert(path.clone(), before.clone().unwrap_or(Value::Null));
                }
            }
            // Not restorable (API.md §11): named, never valued, in `not_restorable`.
            Step::Credentials(changes) if change.body.is_some() => {
                not_restorable.extend(changes.0.keys().copied());
            }
            Step::Credentials(_) => {}
        }
    }
    crate::operation::shape_undo(&mut undo, &mut not_restorable);
    let steps = undo.into_steps();
    let written = super::drift::after_values(user, diffs, &steps, captured);
    UserPlan {
        user_id: user.user_id.clone(),
        rows: user.rows.clone(),
        service_provider_id: identity.service_provider_id.clone(),
        group_id: identity.group_id.clone(),
        before: (!steps.is_empty()).then_some(written),
        steps,
        not_restorable,
        cells: Default::default(),
    }
}

/// The writes that undo `change` once it was written: the before-values of the units it
/// wrote (whole lists and nested objects) written back, diffed against what was written, or the services reversed
/// and then the `captured` settings of those assigned again.
fn undo_writes(
    step: &Step,
    change: &StepDiff,
    captured: &Map<String, Value>,
) -> Result<Vec<(Resource, Value)>, String> {
    let Some(written) = &change.body else {
        return Ok(Vec::new());
    };
    if let Step::Credentials(_) = step {
        return Err(
            "a credential cannot be restored: its old value was never readable \
                    (API.md §11)"
                .into(),
        );
    }
    if let Step::Services(_) = step {
        let again = change.services.reversed();
        let mut writes = vec![(Resource::Services, again.body())];
        let restore: Map<String, Value> = captured
            .iter()
            .filter(|(path, _)| restores(&again.assign, settings_service(path)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let settings = Step::Fields {
            resource: Resource::Settings,
            patch: Patch::from(restore),
        };
        if let Some(body) = diff(&settings, &Value::Null)
            .map_err(|e| e.to_string())?
            .body
        {
            writes.push((Resource::Settings, body));
        }
        return Ok(writes);
    }
    let restore: Patch = change
        .restore
        .iter()
        .map(|(path, before)| (path.clone(), before.clone().unwrap_or(Value::Null)))
        .collect();
    // A list's entries are restored as entries: an entry id (a line port) is no field path.
    let undo = match step.resource() {
        resource if resource.is_list() => Step::Entries {
            resource,
            entries: restore,
        },
        resource => Step::Fields {
            resource,
            patch: restore,
        },
    };
    let body = diff(&undo, written).map_err(|e| e.to_string())?;
    Ok(body
        .body
        .map(|body| (undo.resource(), body))
        .into_iter()
        .collect())
}

/// Step `step` failed on its own after a bulk write had given the user part of it (the
/// `landed` targets: the group read after the write showed them, or their write was taken
/// before another target's was refused): write those parts back, so that the failed step
/// leaves nothing behind, as a failed write of one user does.
pub(super) async fn undo_landed(
    step: &Step,
    change: &StepDiff,
    landed: &[BulkTarget],
    client: &OdinClient,
    identity: &UserIdentity,
) -> Result<(), String> {
    let mut part = change.clone();
    part.restore.retain(|(path, _)| {
        landed.iter().any(|target| match target {
            BulkTarget::UserRecord => step.resource() == Resource::User,
            BulkTarget::Service(service) => {
                step.resource() == Resource::Settings
                    && settings_service(path) == service.service_name()
            }
        })
    });
    for (resource, body) in undo_writes(step, &part, &Map::new())? {
        let call = client
            .write(resource, &identity.stamp(resource, &body))
            .await;
        call.result.map_err(|error| error.to_string())?;
    }
    Ok(())
}

/// What compensation did to one applied step: undone, or why not.
pub(super) struct Compensation {
    /// The step's index among the user's steps.
    pub index: usize,
    /// `Ok` when undone.
    pub outcome: Result<(), String>,
}

/// A later step (`failed_at`) failed for good: undo the user's applied steps, last first, by
/// writing back their before-values, so the user is all-or-nothing. A step that cannot be
/// undone stays applied (its rollback entry still holds it).
pub(super) async fn compensate(
    user: &UserPlan,
    client: &OdinClient,
    prepared: (&[StepDiff], &Map<String, Value>),
    results: &[StepResult],
    failed_at: usize,
    identity: &UserIdentity,
) -> Vec<Compensation> {
    let (diffs, captured) = prepared;
    let mut outcomes = Vec::new();
    for index in (0..failed_at).rev() {
        // A `drifted` step of a rollback wrote the fields it did not keep.
        let written = match results[index].status {
            Status::Applied => true,
            Status::Drifted => diffs[index].body.is_some(),
            _ => false,
        };
        if !written {
            continue;
        }
        let step = &user.steps[index];
        let writes = match undo_writes(step, &diffs[index], captured) {
            Ok(writes) if writes.is_empty() => continue,
            Ok(writes) => writes,
            Err(why) => {
                outcomes.push(Compensation {
                    index,
                    outcome: Err(format!("could not undo this step: {why}")),
                });
                continue;
            }
        };
        let mut outcome = Ok(());
        // What the step wrote is what its undo finds (a list's entries as written).
        let written = diffs[index].body.clone().unwrap_or(Value::Null);
        for (resource, body) in writes {
            let call = crate::operation::write(client, identity, resource, &body, &written).await;
            if let Err(error) = call.result {
                tracing::warn!(user = %user.user_id, %resource, %error, "compensation failed");
                outcome = Err(format!("undoing this step failed too: {error}"));
                break;
            }
        }
        outcomes.push(Compensation { index, outcome });
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::apply::diff::FieldChange;
    use crate::services::{ServiceChanges, ServiceRef};

    #[test]
    fn a_licence_restores_its_settings_under_either_spelling() {
        for listed in ["Integrated IM&P", "Integrated IMP"] {
            assert!(restores(&[ServiceRef::service(listed)], "Integrated IMP"));
        }
        assert!(!restores(
            &[ServiceRef::service("Integrated IM&P")],
            "Do Not Disturb"
        ));
        assert!(restores(&[ServiceRef::pack("SIP-DID")], "Do Not Disturb"));
    }

    #[test]
    fn rollback_restores_before_values_in_step_order() {
        let step = |resource, patch: Value| {
            Step::from_patch(resource, patch.as_object().cloned().unwrap()).unwrap()
        };
        let user = UserPlan {
            user_id: "a@x".into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: None,
            steps: vec![
                step(
                    Resource::Services,
                    json!({"userServices.Call Notify": true}),
                ),
                step(Resource::Settings, json!({"Do Not Disturb.isActive": true})),
                step(
                    Resource::Services,
                    json!({"userServices.Call Waiting": false}),
                ),
            ],
            before: None,
            not_restorable: Vec::new(),
            cells: Default::default(),
        };
        let services = |assign: &[&str], unassign: &[&str]| ServiceChanges {
            assign: assign.iter().map(|s| ServiceRef::service(*s)).collect(),
            unassign: unassign.iter().map(|s| ServiceRef::service(*s)).collect(),
        };
        let diffs = vec![
            StepDiff {
                changes: vec![],
                restore: vec![],
                services: services(&["Call Notify"], &[]),
                body: Some(json!({})),
            },
            StepDiff {
                changes: vec![
                    FieldChange {
                        path: "Do Not Disturb.isActive".into(),
                        before: Some(json!(false)),
                        after: json!(true),
                    },
                    FieldChange {
                        path: "Call Forwarding Busy.forwardToPhoneNumber".into(),
                        before: None,
                        after: json!("+1555"),
                    },
                ],
                restore: vec![
                    ("Do Not Disturb.isActive".into(), Some(json!(false))),
                    ("Call Forwarding Busy.forwardToPhoneNumber".into(), None),
                ],
                services: ServiceChanges::default(),
                body: Some(json!({})),
            },
            StepDiff {
                changes: vec![],
                restore: vec![],
                services: services(&[], &["Call Waiting"]),
                body: Some(json!({})),
            },
        ];
        let identity = UserIdentity::resolve(
            "a@x",
            None,
            None,
            Some(&json!({"serviceProviderId": "sp", "groupId": "g"})),
        );
        let entry = rollback_entry(&user, &diffs, &Map::new(), &identity);
        let order: Vec<&str> = entry.steps.iter().map(|s| s.resource().name()).collect();
        assert_eq!(order, ["services", "settings", "services"]);
        assert_eq!(
            entry.steps[0].patch()["userServices.Call Waiting"],
            json!(true)
        );
        assert_eq!(
            entry.steps[1].patch()["Do Not Disturb.isActive"],
            json!(false)
        );
        assert_eq!(
            entry.steps[1].patch()["Call Forwarding Busy.forwardToPhoneNumber"],
            json!(null)
        );
        assert_eq!(
            entry.steps[2].patch()["userServices.Call Notify"],
            json!(false)
        );
        assert_eq!(entry.service_provider_id.as_deref(), Some("sp"));
    }
}
