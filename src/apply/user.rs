//! One user: read the resources its steps touch, diff, record the rollback entry (synced)
//! before the first write, then write its steps in order. A failure is a result, not an error:
//! it is reported, the user's later steps are skipped, and its written steps are undone
//! (`undo.rs`).

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};

use super::ApplyOptions;
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
    /// The steps of a user that were not applied (failed, skipped, compensated), for
    /// `failed.jsonl`.
    Unfinished(UserPlan),
    /// The canary users are done: answer whether to go on.
    CanaryDone { decide: oneshot::Sender<bool> },
    /// A user's last step ended; `failed` when one of its steps failed. Its worker slot is
    /// released only once the collector has counted it, so a breaker tripped by this user
    /// stops the very next start.
    UserDone {
        failed: bool,
        slot: Option<tokio::sync::OwnedSemaphorePermit>,
    },
}

pub(crate) type Events = mpsc::UnboundedSender<Event>;

/// Apply one user's plan; with `compensate`, a user whose step fails for good after earlier
/// steps were written has those undone; without `force`, a user whose live values moved
/// since a reviewed plan recorded them is `drifted` and not written. Returns whether a step
/// failed.
///
/// A resumed user starts at step `start` (the ones before it finished in an earlier attempt)
/// and, when its rollback entry is `recorded` already, gets no second one.
pub(crate) async fn apply(
    whole: &UserPlan,
    client: &OdinClient,
    events: &Events,
    options: &ApplyOptions,
    start: usize,
    recorded: bool,
) -> bool {
    let rest;
    let user = if start == 0 {
        whole
    } else {
        rest = remaining(whole, start);
        &rest
    };
    let report = Reporter {
        user,
        events,
        offset: start,
    };
    let started = Instant::now();
    let live = match super::live::read(user, client).await {
        Ok(live) => live,
        Err(message) => return report.fail_all(&message, Status::Failed, started),
    };
    if !options.force {
        let moved = super::live::drift(user, &live);
        if !moved.is_empty() {
            tracing::warn!(user = %user.user_id, fields = moved.len(), "drifted since the plan");
            return report.fail_all(&moved.join("; "), Status::Drifted, started);
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
            return report.fail_all(
                &format!("cannot apply the plan: {error}"),
                Status::Failed,
                started,
            );
        }
    };
    if !recorded && diffs.iter().any(|d| d.body.is_some()) {
        let entry = super::undo::rollback_entry(user, &diffs, &live);
        let (done, recorded) = oneshot::channel();
        let _ = events.send(Event::Rollback { entry, done });
        let outcome = recorded
            .await
            .unwrap_or_else(|_| Err("the run stopped".to_string()));
        if let Err(why) = outcome {
            let message = format!("not written: the rollback entry could not be recorded ({why})");
            return report.fail_all(&message, Status::Failed, started);
        }
    }
    let mut results = Vec::with_capacity(user.steps.len());
    let mut written: Vec<Option<Value>> = vec![None; user.steps.len()];
    let mut failed_at = None;
    for (index, (step, change)) in user.steps.iter().zip(&diffs).enumerate() {
        let started = Instant::now();
        let (before, after) = maps(change);
        let mut result = report.result(index, step, Status::Skipped, before, after, started);
        if failed_at.is_some() {
            result.message = "an earlier step of this user failed".into();
        } else if let Some(body) = &change.body {
            report.journal(index, step, "writing");
            let body = with_identity(step.resource, body, user, &live);
            let call = client.write(step.resource, &body).await;
            result.http_status = call.status;
            result.attempts = call.attempts;
            match call.result {
                Ok(_) => {
                    result.status = Status::Applied;
                    written[index] = Some(body);
                }
                Err(error) => {
                    tracing::warn!(user = %user.user_id, resource = %step.resource, %error, "step failed");
                    result.status = Status::Failed;
                    result.message = error.to_string();
                    failed_at = Some(index);
                }
            }
        } else {
            result.status = Status::Unchanged;
        }
        result.duration_ms = started.elapsed().as_millis() as u64;
        report.journal(index, step, result.status.name());
        results.push(result);
    }
    if let (Some(at), true) = (failed_at, options.compensate) {
        super::undo::undo_applied(user, client, &report, &live, &written, &mut results, at).await;
    }
    report.finish(results)
}

/// Results and journal lines of one user.
pub(super) struct Reporter<'a> {
    user: &'a UserPlan,
    events: &'a Events,
    /// The original index of `user.steps[0]` (non-zero for a resumed user).
    offset: usize,
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
            step: step + self.offset,
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

    pub(super) fn journal(&self, step: usize, plan_step: &Step, state: &'static str) {
        let _ = self.events.send(Event::Journal(JournalEntry {
            user_id: self.user.user_id.clone(),
            step: step + self.offset,
            resource: plan_step.resource,
            state,
        }));
    }

    /// Nothing of this user was written: its first step ends `first` (failed or drifted)
    /// with `message`, the rest are skipped.
    fn fail_all(&self, message: &str, first: Status, started: Instant) -> bool {
        tracing::warn!(user = %self.user.user_id, message, "user not changed");
        let mut results = Vec::with_capacity(self.user.steps.len());
        for (index, step) in self.user.steps.iter().enumerate() {
            let (state, text) = match (index, first) {
                (0, _) => (first, message.to_string()),
                (_, Status::Drifted) => {
                    (Status::Skipped, "not written: the user drifted".to_string())
                }
                _ => (
                    Status::Skipped,
                    "an earlier step of this user failed".to_string(),
                ),
            };
            let mut result =
                self.result(index, step, state, Map::new(), step.patch.clone(), started);
            result.message = text;
            self.journal(index, step, state.name());
            results.push(result);
        }
        self.finish(results)
    }

    /// Report the user's results and its unfinished steps; whether a step failed.
    fn finish(&self, results: Vec<StepResult>) -> bool {
        let unfinished: Vec<Step> = self
            .user
            .steps
            .iter()
            .zip(&results)
            .filter(|(_, r)| !matches!(r.status, Status::Applied | Status::Unchanged))
            .map(|(step, _)| step.clone())
            .collect();
        if !unfinished.is_empty() {
            let _ = self.events.send(Event::Unfinished(UserPlan {
                steps: unfinished,
                ..self.user.clone()
            }));
        }
        let failed = results.iter().any(|r| r.status == Status::Failed);
        for result in results {
            let _ = self.events.send(Event::Step(result));
        }
        failed
    }
}

/// The steps of `user` from `start` on, with the before-values of just their fields (so the
/// drift check ignores fields an earlier attempt already changed).
fn remaining(user: &UserPlan, start: usize) -> UserPlan {
    let steps = user.steps[start..].to_vec();
    let before = user.before.as_ref().map(|recorded| {
        recorded
            .iter()
            .map(|(resource, fields)| {
                let fields = fields
                    .iter()
                    .filter(|(key, _)| {
                        steps
                            .iter()
                            .any(|s| s.resource == *resource && s.patch.contains_key(*key))
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (*resource, fields)
            })
            .collect()
    });
    UserPlan {
        steps,
        before,
        ..user.clone()
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
pub(super) fn with_identity(
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn identity_comes_from_the_plan_or_the_live_record() {
        let mut user = UserPlan {
            user_id: "a@x".into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: Some("g2".into()),
            steps: vec![],
            before: None,
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
