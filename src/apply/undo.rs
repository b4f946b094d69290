//! What undoes a user's changes: the rollback entry recorded before its first write, and
//! compensation when a later step of the user fails for good.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::diff::{StepDiff, diff};
use super::ledger::{Status, StepResult};
use super::user::{Reporter, with_identity};
use crate::odin::OdinClient;
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;

/// The plan that undoes exactly what `diffs` change: before-values (null where a field was
/// absent), and services back to their former assignment, in the usual step order.
pub(super) fn rollback_entry(
    user: &UserPlan,
    diffs: &[StepDiff],
    live: &HashMap<Resource, Value>,
) -> UserPlan {
    let mut restore: HashMap<Resource, Map<String, Value>> = HashMap::new();
    let (mut reassign, mut unassign) = (Map::new(), Map::new());
    for (step, change) in user.steps.iter().zip(diffs) {
        for field in &change.changes {
            let before = field.before.clone().unwrap_or(Value::Null);
            if step.resource == Resource::Services {
                let target = if before == Value::Bool(true) {
                    &mut reassign
                } else {
                    &mut unassign
                };
                target.insert(field.path.clone(), before);
            } else {
                restore
                    .entry(step.resource)
                    .or_default()
                    .insert(field.path.clone(), before);
            }
        }
    }
    let mut steps = vec![Step {
        resource: Resource::Services,
        patch: reassign,
    }];
    for resource in [Resource::User, Resource::Policy, Resource::Settings] {
        steps.push(Step {
            resource,
            patch: restore.remove(&resource).unwrap_or_default(),
        });
    }
    steps.push(Step {
        resource: Resource::Services,
        patch: unassign,
    });
    steps.retain(|s| !s.patch.is_empty());
    let identity = |key: &str| {
        live.get(&Resource::User)
            .and_then(|r| r[key].as_str())
            .map(str::to_string)
    };
    UserPlan {
        user_id: user.user_id.clone(),
        rows: user.rows.clone(),
        service_provider_id: user
            .service_provider_id
            .clone()
            .or_else(|| identity("serviceProviderId")),
        group_id: user.group_id.clone().or_else(|| identity("groupId")),
        steps,
        before: None,
    }
}

/// A later step failed for good: undo the user's applied steps, last first, by writing back
/// their before-values, so the user is all-or-nothing. An undone step is `compensated`; one
/// that cannot be undone stays `applied` and says why (its rollback entry still holds it).
pub(super) async fn undo_applied(
    user: &UserPlan,
    client: &OdinClient,
    report: &Reporter<'_>,
    live: &HashMap<Resource, Value>,
    written: &[Option<Value>],
    results: &mut [StepResult],
    failed_at: usize,
) {
    let cause = format!(
        "step {} ({}) failed",
        failed_at + 1,
        user.steps[failed_at].resource
    );
    for index in (0..failed_at).rev() {
        let (Some(sent), Status::Applied) = (&written[index], results[index].status) else {
            continue;
        };
        let step = &user.steps[index];
        // Diffing the before-values against what was written gives the write that undoes it,
        // lists included (they are written whole).
        let undo = Step {
            resource: step.resource,
            patch: results[index].before.clone(),
        };
        let body = match diff(&undo, sent) {
            Ok(StepDiff {
                body: Some(body), ..
            }) => body,
            Ok(_) => continue,
            Err(error) => {
                results[index].message = format!("{cause}; could not undo this step: {error}");
                continue;
            }
        };
        let call = client
            .write(
                step.resource,
                &with_identity(step.resource, &body, user, live),
            )
            .await;
        match call.result {
            Ok(_) => {
                results[index].status = Status::Compensated;
                results[index].message = format!("undone because {cause}");
                report.journal(index, step, Status::Compensated.name());
            }
            Err(error) => {
                tracing::warn!(user = %user.user_id, resource = %step.resource, %error, "compensation failed");
                results[index].message = format!("{cause}; undoing this step failed too: {error}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::apply::diff::FieldChange;

    #[test]
    fn rollback_restores_before_values_in_step_order() {
        let user = UserPlan {
            user_id: "a@x".into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: None,
            steps: vec![
                Step {
                    resource: Resource::Services,
                    patch: json!({"userServices.Call Notify": true})
                        .as_object()
                        .cloned()
                        .unwrap(),
                },
                Step {
                    resource: Resource::Settings,
                    patch: Map::new(),
                },
                Step {
                    resource: Resource::Services,
                    patch: json!({"userServices.Call Waiting": false})
                        .as_object()
                        .cloned()
                        .unwrap(),
                },
            ],
            before: None,
        };
        let change = |path: &str, before: Option<Value>, after: Value| StepDiff {
            changes: vec![FieldChange {
                path: path.into(),
                before,
                after,
            }],
            body: Some(json!({})),
        };
        let diffs = vec![
            change("userServices.Call Notify", Some(json!(false)), json!(true)),
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
                body: Some(json!({})),
            },
            change("userServices.Call Waiting", Some(json!(true)), json!(false)),
        ];
        let mut live = HashMap::new();
        live.insert(
            Resource::User,
            json!({"serviceProviderId": "sp", "groupId": "g"}),
        );
        let entry = rollback_entry(&user, &diffs, &live);
        let order: Vec<&str> = entry.steps.iter().map(|s| s.resource.name()).collect();
        assert_eq!(order, ["services", "settings", "services"]);
        assert_eq!(
            entry.steps[0].patch["userServices.Call Waiting"],
            json!(true)
        );
        assert_eq!(
            entry.steps[1].patch["Do Not Disturb.isActive"],
            json!(false)
        );
        assert_eq!(
            entry.steps[1].patch["Call Forwarding Busy.forwardToPhoneNumber"],
            json!(null)
        );
        assert_eq!(
            entry.steps[2].patch["userServices.Call Notify"],
            json!(false)
        );
        assert_eq!(entry.service_provider_id.as_deref(), Some("sp"));
    }
}
