//! The producer of work: starts users in plan order, at most `concurrency` at a time (one
//! worker slot each), pausing after the canary and stopping when the slots are closed;
//! reports the users never started.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::ApplyOptions;
use super::bulk::BulkWrites;
use super::earlier::Earlier;
use super::outbox::{Event, Outbox, Request};
use super::turns::Turns;
use super::user;
use crate::live::groups::GroupReads;
use crate::odin::OdinClient;
use crate::plan::UserPlan;
use crate::rundir::{JournalEntry, JournalState, Resume, Status, StepResult};

/// Start users in plan order, each once it gets a worker slot, until all started or the
/// slots are closed; then report the users never started as skipped. Returns whether users
/// were left unstarted.
pub(super) async fn dispatch(
    users: &[UserPlan],
    (client, groups, bulk, turns): (
        Arc<OdinClient>,
        Arc<GroupReads>,
        Arc<BulkWrites>,
        Arc<Turns>,
    ),
    outbox: Outbox,
    options: ApplyOptions,
    resume: &Resume,
    slots: Arc<Semaphore>,
) -> bool {
    let mut workers = tokio::task::JoinSet::new();
    let order = crate::live::order::group_order(users, |user| groups.placement().key_of(user));
    // Users another waits for go first, and those that wait last. The canary is the plan's
    // first users, whatever their groups, with the users they wait for (a swap is tried
    // whole).
    let (order, canary) = match options.canary {
        Some(canary) => {
            let (order, size) = turns.canary_order(users, order, canary.min(users.len()));
            if size > canary {
                tracing::info!(
                    canary,
                    size,
                    "the canary takes the users its users wait for"
                );
            }
            (order, Some(size))
        }
        None => (turns.order(users, order), None),
    };
    let mut started = 0;
    while started < users.len() {
        if canary == Some(started) && started > 0 {
            // Let the canary users finish (their bulk writes are sent without the users
            // held back), then wait for the decision.
            bulk.pause(true);
            while workers.join_next().await.is_some() {}
            let (decide, decision) = tokio::sync::oneshot::channel();
            outbox.request(Request::Canary { decide });
            if !decision.await.unwrap_or(false) {
                break;
            }
            bulk.pause(false);
        }
        let next = &users[order[started]];
        let start = resume.start_of(&next.user_id);
        if start >= next.steps.len() {
            // Finished in an earlier attempt: nothing to do, nothing to report again.
            turns.ended(&next.user_id, false);
            bulk.never(next);
            started += 1;
            continue;
        }
        // A user that waits for others (they come last in the order) starts once they have
        // ended, rather than hold a worker slot meanwhile: a member of their batches waiting
        // for a slot back would wait for ever. Its worker hears how they ended.
        let _ = turns.wait(&next.user_id).await;
        // Finished workers are reaped as we go: a finished task is kept until joined.
        while workers.try_join_next().is_some() {}
        // The collector gives the slot back once it has counted the user.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        slot.forget();
        bulk.started(next, start);
        let user = next.clone();
        let earlier = Earlier {
            start,
            entry: resume.rollback_of(&user.user_id).cloned(),
            kept: resume.kept_of(&user.user_id).to_vec(),
        };
        started += 1;
        let (client, groups, outbox) = (client.clone(), groups.clone(), outbox.clone());
        let (bulk, options, turns) = (bulk.clone(), options.clone(), turns.clone());
        workers.spawn(async move {
            let run = (client.as_ref(), groups.as_ref(), &bulk, turns.as_ref());
            let failed = user::apply(&user, run, &outbox, &options, &earlier).await;
            turns.ended(&user.user_id, failed);
            outbox.send(Event::UserDone { failed });
        });
    }
    let stopped = started < users.len();
    for plan in order[started..].iter().map(|&index| &users[index]) {
        bulk.never(plan);
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
