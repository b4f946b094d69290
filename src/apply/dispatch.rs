//! The producer of work: starts users in plan order, at most `concurrency` at a time (one
//! worker slot each), pausing after the canary and stopping when the slots are closed;
//! reports the users never started.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::ApplyOptions;
use super::user::{self, Event, Outbox, Request};
use crate::odin::OdinClient;
use crate::plan::UserPlan;
use crate::rundir::{JournalEntry, JournalState, Resume, Status, StepResult};

/// Start users in plan order, each once it gets a worker slot, until all started or the
/// slots are closed; then report the users never started as skipped. Returns whether users
/// were left unstarted.
pub(super) async fn dispatch(
    users: &[UserPlan],
    client: Arc<OdinClient>,
    outbox: Outbox,
    options: ApplyOptions,
    resume: &Resume,
    slots: Arc<Semaphore>,
) -> bool {
    let mut workers = tokio::task::JoinSet::new();
    let mut started = 0;
    while started < users.len() {
        if options.canary == Some(started) && started > 0 {
            // Let the canary users finish, then wait for the decision.
            while workers.join_next().await.is_some() {}
            let (decide, decision) = tokio::sync::oneshot::channel();
            outbox.request(Request::Canary { decide });
            if !decision.await.unwrap_or(false) {
                break;
            }
        }
        let user_id = &users[started].user_id;
        let (start, recorded) = (resume.start_of(user_id), resume.has_rollback(user_id));
        if start >= users[started].steps.len() {
            // Finished in an earlier attempt: nothing to do, nothing to report again.
            started += 1;
            continue;
        }
        // Finished workers are reaped as we go: a finished task is kept until joined.
        while workers.try_join_next().is_some() {}
        // The collector gives the slot back once it has counted the user.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        slot.forget();
        let user = users[started].clone();
        started += 1;
        let (client, outbox) = (client.clone(), outbox.clone());
        workers.spawn(async move {
            let failed = user::apply(&user, &client, &outbox, &options, start, recorded).await;
            outbox.send(Event::UserDone { failed });
        });
    }
    let stopped = started < users.len();
    for plan in &users[started..] {
        let start = resume.start_of(&plan.user_id);
        if start < plan.steps.len() {
            report_not_started(plan, start, &outbox);
        }
    }
    while workers.join_next().await.is_some() {}
    stopped
}

/// A user the run stopped before starting: its steps from `start` on are skipped.
fn report_not_started(plan: &UserPlan, start: usize, outbox: &Outbox) {
    let rest = UserPlan {
        steps: plan.steps[start..].to_vec(),
        ..plan.clone()
    };
    outbox.send(Event::Unfinished(rest));
    for (index, step) in plan.steps.iter().enumerate().skip(start) {
        let status = Status::Skipped;
        outbox.send(Event::Journal(JournalEntry {
            user_id: plan.user_id.clone(),
            step: index,
            resource: step.resource(),
            state: JournalState::Ended(status),
        }));
        outbox.send(Event::Step(StepResult {
            after: step.patch().into_owned(),
            message: "not started: the run was stopped".into(),
            ..StepResult::new(plan, index, step.resource(), status)
        }));
    }
    outbox.send(Event::UserDone { failed: false });
}
