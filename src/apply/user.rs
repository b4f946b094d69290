//! One user: read the resources its steps touch, diff, record the rollback entry (synced)
//! before the first write, then write its steps in order. A failure is a result, not an error:
//! it is reported and the user's later steps are skipped.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};

use super::diff::{StepDiff, diff};
use super::ledger::{JournalEntry, Status, StepResult};
use crate::odin::OdinClient;
use crate::odin::resources::endpoint;
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;

/// What a worker tells the collector.
#[derive(Debug)]
pub(crate) enum Event {
    /// Record this rollback entry and answer once it is on disk.
    Rollback {
        entry: UserPlan,
        done: oneshot::Sender<Result<(), String>>,
    },
    /// A step changed state.
    Journal(JournalEntry),
    /// A step ended.
    Step(StepResult),
    /// A user's last step ended.
    UserDone,
}

pub(crate) type Events = mpsc::UnboundedSender<Event>;

/// Apply one user's plan.
pub(crate) async fn apply(user: &UserPlan, client: &OdinClient, events: &Events) {
    let report = Reporter { user, events };
    let mut live: HashMap<Resource, Value> = HashMap::new();
    for step in &user.steps {
        if live.contains_key(&step.resource) {
            continue;
        }
        let started = Instant::now();
        let call = client.read(step.resource, &user.user_id).await;
        match call.result {
            Ok(value) => {
                live.insert(step.resource, value);
            }
            Err(error) => {
                let message = format!("reading {}: {error}", step.resource);
                report.fail_all(&message, call.status, call.attempts, started);
                return;
            }
        }
    }
    let diffs: Result<Vec<StepDiff>, _> = user
        .steps
        .iter()
        .map(|step| diff(step, &live[&step.resource]))
        .collect();
    let diffs = match diffs {
        Ok(diffs) => diffs,
        Err(error) => {
            report.fail_all(
                &format!("cannot apply the plan: {error}"),
                None,
                0,
                Instant::now(),
            );
            return;
        }
    };
    if diffs.iter().any(|d| d.body.is_some()) {
        let entry = rollback_entry(user, &diffs, &live);
        let (done, recorded) = oneshot::channel();
        let _ = events.send(Event::Rollback { entry, done });
        let outcome = recorded
            .await
            .unwrap_or_else(|_| Err("the run stopped".to_string()));
        if let Err(why) = outcome {
            let message = format!("not written: the rollback entry could not be recorded ({why})");
            report.fail_all(&message, None, 0, Instant::now());
            return;
        }
    }
    let mut failed = false;
    for (index, (step, change)) in user.steps.iter().zip(&diffs).enumerate() {
        let started = Instant::now();
        let (before, after) = maps(change);
        let mut result = report.result(index, step, Status::Skipped, before, after, started);
        if failed {
            result.message = "an earlier step of this user failed".into();
        } else if let Some(body) = &change.body {
            report.journal(index, step, "writing");
            let body = with_identity(step.resource, body, user, &live);
            let call = client.write(step.resource, &body).await;
            result.http_status = call.status;
            result.attempts = call.attempts;
            match call.result {
                Ok(_) => result.status = Status::Applied,
                Err(error) => {
                    tracing::warn!(user = %user.user_id, resource = %step.resource, %error, "step failed");
                    result.status = Status::Failed;
                    result.message = error.to_string();
                    failed = true;
                }
            }
        } else {
            result.status = Status::Unchanged;
        }
        result.duration_ms = started.elapsed().as_millis() as u64;
        report.journal(index, step, result.status.name());
        let _ = events.send(Event::Step(result));
    }
    let _ = events.send(Event::UserDone);
}

/// Results and journal lines of one user.
struct Reporter<'a> {
    user: &'a UserPlan,
    events: &'a Events,
}

impl Reporter<'_> {
    fn result(
        &self,
        step: usize,
        plan_step: &Step,
        status: Status,
        before: Map<String, Value>,
        after: Map<String, Value>,
        started: Instant,
    ) -> StepResult {
        StepResult {
            row: self.user.rows.first().copied().unwrap_or(0),
            user_id: self.user.user_id.clone(),
            step,
            resource: plan_step.resource,
            status,
            http_status: None,
            attempts: 0,
            duration_ms: started.elapsed().as_millis() as u64,
            before,
            after,
            message: String::new(),
        }
    }

    fn journal(&self, step: usize, plan_step: &Step, state: &'static str) {
        let _ = self.events.send(Event::Journal(JournalEntry {
            user_id: self.user.user_id.clone(),
            step,
            resource: plan_step.resource,
            state,
        }));
    }

    /// Nothing of this user was written: its first step failed with `message`, the rest
    /// are skipped.
    fn fail_all(&self, message: &str, status: Option<u16>, attempts: u32, started: Instant) {
        tracing::warn!(user = %self.user.user_id, message, "user not changed");
        for (index, step) in self.user.steps.iter().enumerate() {
            let (state, text) = if index == 0 {
                (Status::Failed, message.to_string())
            } else {
                (
                    Status::Skipped,
                    "an earlier step of this user failed".to_string(),
                )
            };
            let mut result =
                self.result(index, step, state, Map::new(), step.patch.clone(), started);
            result.message = text;
            if index == 0 {
                result.http_status = status;
                result.attempts = attempts;
            }
            self.journal(index, step, state.name());
            let _ = self.events.send(Event::Step(result));
        }
        let _ = self.events.send(Event::UserDone);
    }
}

/// Field path → before (null when absent) and → after, for the fields a step changes.
fn maps(change: &StepDiff) -> (Map<String, Value>, Map<String, Value>) {
    let before = change
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.before.clone().unwrap_or(Value::Null)))
        .collect();
    let after = change
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.after.clone()))
        .collect();
    (before, after)
}

/// The write body with the keys that identify the user: `userId`, and for the user record
/// its service provider and group (from the plan, else from the live record).
fn with_identity(
    resource: Resource,
    body: &Value,
    user: &UserPlan,
    live: &HashMap<Resource, Value>,
) -> Value {
    let mut body = body.as_object().cloned().unwrap_or_default();
    for key in endpoint(resource).identity {
        let value = match *key {
            "userId" => Some(user.user_id.clone()),
            "serviceProviderId" => user.service_provider_id.clone(),
            "groupId" => user.group_id.clone(),
            _ => None,
        }
        .map(Value::String)
        .or_else(|| {
            live.get(&Resource::User)
                .and_then(|record| record.get(*key))
                .cloned()
        });
        if let Some(value) = value {
            body.insert((*key).to_string(), value);
        }
    }
    Value::Object(body)
}

/// The plan that undoes exactly what `diffs` change: before-values (null where a field was
/// absent), and services back to their former assignment, in the usual step order.
fn rollback_entry(
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

    #[test]
    fn identity_comes_from_the_plan_or_the_live_record() {
        let mut user = UserPlan {
            user_id: "a@x".into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: Some("g2".into()),
            steps: vec![],
        };
        let mut live = HashMap::new();
        live.insert(
            Resource::User,
            json!({"serviceProviderId": "sp", "groupId": "g"}),
        );
        let body = with_identity(Resource::User, &json!({"extension": "1"}), &user, &live);
        assert_eq!(
            body,
            json!({"extension": "1", "userId": "a@x", "serviceProviderId": "sp", "groupId": "g2"})
        );
        user.group_id = None;
        let settings = with_identity(Resource::Settings, &json!({"X": {}}), &user, &live);
        assert_eq!(settings, json!({"X": {}, "userId": "a@x"}));
    }
}
