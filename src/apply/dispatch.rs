//! The producer of work: starts users in plan order, at most `concurrency` at a time,
//! pausing after the canary and stopping when told; reports the users never started.

use std::sync::Arc;

use tokio::sync::{Semaphore, watch};

use super::ledger::{JournalEntry, Status, StepResult};
use super::user::{self, Event};
use super::{ApplyOptions, resume};
use crate::odin::OdinClient;

/// Start users in plan order, at most `concurrency` at a time, until all started or `stop`;
/// then report the users never started as skipped. Returns whether it was stopped early.
pub(super) async fn dispatch(
    users: Arc<Vec<crate::plan::UserPlan>>,
    client: Arc<OdinClient>,
    events: user::Events,
    options: ApplyOptions,
    resume: Arc<resume::Resume>,
    mut stop: watch::Receiver<bool>,
) -> bool {
    let slots = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut workers = tokio::task::JoinSet::new();
    let mut started = 0;
    while started < users.len() {
        if options.canary == Some(started) && started > 0 {
            // Let the canary users finish, then wait for the decision.
            while workers.join_next().await.is_some() {}
            let (decide, decision) = tokio::sync::oneshot::channel();
            let _ = events.send(Event::CanaryDone { decide });
            if !decision.await.unwrap_or(false) {
                break;
            }
        }
        if *stop.borrow() {
            break;
        }
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = stop.changed() => break,
        };
        let Ok(slot) = slot else { break };
        if *stop.borrow() {
            break;
        }
        let index = started;
        started += 1;
        let user_id = &users[index].user_id;
        let (start, recorded) = (resume.start_of(user_id), resume.has_rollback(user_id));
        if start >= users[index].steps.len() {
            // Finished in an earlier attempt: nothing to do, nothing to report again.
            drop(slot);
            continue;
        }
        let (users, client, events) = (users.clone(), client.clone(), events.clone());
        workers.spawn(async move {
            let user = &users[index];
            let failed = user::apply(user, &client, &events, &options, start, recorded).await;
            let _ = events.send(Event::UserDone {
                failed,
                slot: Some(slot),
            });
        });
    }
    let stopped = started < users.len();
    for plan in &users[started..] {
        let _ = events.send(Event::Unfinished(plan.clone()));
        for (index, step) in plan.steps.iter().enumerate() {
            let _ = events.send(Event::Journal(JournalEntry {
                user_id: plan.user_id.clone(),
                step: index,
                resource: step.resource,
                state: Status::Skipped.name(),
            }));
            let _ = events.send(Event::Step(StepResult {
                row: plan.rows.first().copied().unwrap_or(0),
                user_id: plan.user_id.clone(),
                step: index,
                resource: step.resource,
                status: Status::Skipped,
                http_status: None,
                attempts: 0,
                duration_ms: 0,
                before: serde_json::Map::new(),
                after: step.patch.clone(),
                message: "not started: the run was stopped".into(),
            }));
        }
        let _ = events.send(Event::UserDone {
            failed: false,
            slot: None,
        });
    }
    while workers.join_next().await.is_some() {}
    stopped
}
