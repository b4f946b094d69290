//! What undoes a user's changes: the rollback entry recorded before its first write, and
//! compensation when a later step of the user fails for good. Both start from the diffs,
//! which hold the before-values of exactly what the steps change.

use serde_json::Value;

use super::diff::{StepDiff, diff};
use crate::odin::OdinClient;
use crate::odin::resources::UserIdentity;
use crate::plan::{Changes, Step, UserPlan};
use crate::rundir::{Status, StepResult};

/// The plan that undoes exactly what `diffs` change: before-values (null where a field was
/// absent), and services back to their former assignment, in the usual step order.
pub(super) fn rollback_entry(
    user: &UserPlan,
    diffs: &[StepDiff],
    identity: &UserIdentity,
) -> UserPlan {
    let mut undo = Changes::default();
    for (step, change) in user.steps.iter().zip(diffs) {
        match step {
            Step::Services(_) => {
                let reversed = change.services.reversed();
                undo.assign.extend(reversed.assign);
                undo.unassign.extend(reversed.unassign);
            }
            Step::Fields { resource, .. } => {
                let fields = undo.fields.entry(*resource).or_default();
                for field in &change.changes {
                    let before = field.before.clone().unwrap_or(Value::Null);
                    fields.insert(field.path.clone(), before);
                }
            }
        }
    }
    UserPlan {
        user_id: user.user_id.clone(),
        rows: user.rows.clone(),
        service_provider_id: identity.service_provider_id.clone(),
        group_id: identity.group_id.clone(),
        steps: undo.into_steps(),
        before: None,
    }
}

/// The step that undoes `change` once it was written: the before-values written back
/// (diffed against what was written, so lists are written whole), or the services reversed.
fn undo_step(step: &Step, change: &StepDiff) -> Result<Option<(Step, Value)>, String> {
    let Some(written) = &change.body else {
        return Ok(None);
    };
    let undo = match step {
        Step::Services(_) => Step::Services(change.services.reversed()),
        Step::Fields { resource, .. } => Step::Fields {
            resource: *resource,
            patch: change
                .changes
                .iter()
                .map(|c| (c.path.clone(), c.before.clone().unwrap_or(Value::Null)))
                .collect(),
        },
    };
    let body = diff(&undo, written).map_err(|e| format!("could not undo this step: {e}"))?;
    Ok(body.body.map(|body| (undo, body)))
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
    diffs: &[StepDiff],
    results: &[StepResult],
    failed_at: usize,
    identity: &UserIdentity,
) -> Vec<Compensation> {
    let mut outcomes = Vec::new();
    for index in (0..failed_at).rev() {
        if results[index].status != Status::Applied {
            continue;
        }
        let step = &user.steps[index];
        let outcome = match undo_step(step, &diffs[index]) {
            Ok(None) => continue,
            Ok(Some((undo, body))) => {
                let call = client
                    .write(undo.resource(), &identity.stamp(undo.resource(), &body))
                    .await;
                call.result.map(|_| ()).map_err(|error| {
                    tracing::warn!(user = %user.user_id, resource = %step.resource(), %error, "compensation failed");
                    format!("undoing this step failed too: {error}")
                })
            }
            Err(why) => Err(why),
        };
        outcomes.push(Compensation { index, outcome });
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::apply::diff::FieldChange;
    use crate::resource::Resource;
    use crate::services::{ServiceChanges, ServiceRef};

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
        };
        let services = |assign: &[&str], unassign: &[&str]| ServiceChanges {
            assign: assign.iter().map(|s| ServiceRef::service(*s)).collect(),
            unassign: unassign.iter().map(|s| ServiceRef::service(*s)).collect(),
        };
        let diffs = vec![
            StepDiff {
                changes: vec![],
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
                services: ServiceChanges::default(),
                body: Some(json!({})),
            },
            StepDiff {
                changes: vec![],
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
        let entry = rollback_entry(&user, &diffs, &identity);
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
