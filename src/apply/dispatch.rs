//! The producer of work: starts users in plan order, at most `concurrency` at a time (one
//! worker slot each), pausing after the canary and stopping when the slots are closed or
//! its horizon is reached (a maintenance window closing, the daily budget spent); reports
//! the users never started: `skipped`, or `deferred` past the horizon.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Semaphore;

use super::ApplyOptions;
use super::bulk::BulkWrites;
use super::earlier::Earlier;
use super::horizon::Refusal;
use super::outbox::{Event, Outbox, Request};
use super::turns::Turns;
use super::user;
use crate::live::groups::GroupReads;
use crate::odin::OdinClient;
use crate::plan::UserPlan;
use crate::rundir::{JournalEntry, JournalState, Resume, Status, StepResult};

/// How the dispatcher ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Dispatched {
    /// Users were left unstarted.
    pub stopped: bool,
    /// Why they were deferred, when the horizon left them (a window closing, the budget).
    pub deferred_by: Option<String>,
}

/// Start users in plan order, each once it gets a worker slot, until all started, the slots
/// are closed (the rest `skipped`) or the horizon is reached (the rest `deferred`).
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
) -> Dispatched {
    // Requests the users in flight may still send: a user starts only when its own and
    // these fit in the budget.
    let promised = Arc::new(AtomicU64::new(0));
    let mut deferred_by = None;
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
        // Judged once the user could start: a window that closed while it waited for a
        // slot defers it.
        // What it may cost is counted only against a budget.
        let cost = match options.horizon.budget {
            Some(_) => super::horizon::cost(next, start),
            None => 0,
        };
        let refused = loop {
            match options
                .horizon
                .refuses(cost, promised.load(Ordering::SeqCst))
            {
                // The users in flight hold requests they may not need: once one ends, the
                // budget may hold this one. Their batches go without the users held back.
                Some(Refusal::Budget(_)) if !workers.is_empty() => {
                    bulk.pause(true);
                    let _ = workers.join_next().await;
                    bulk.pause(false);
                }
                refused => break refused,
            }
        };
        if let Some(refusal) = refused {
            tracing::warn!(why = ?refusal, "no new users are started: the rest are deferred");
            deferred_by = Some(refusal);
            break;
        }
        slot.forget();
        promised.fetch_add(cost, Ordering::SeqCst);
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
        let promised = promised.clone();
        workers.spawn(async move {
            let run = (client.as_ref(), groups.as_ref(), &bulk, turns.as_ref());
            let failed = user::apply(&user, run, &outbox, &options, &earlier).await;
            promised.fetch_sub(cost, Ordering::SeqCst);
            turns.ended(&user.user_id, failed);
            outbox.send(Event::UserDone { failed });
        });
    }
    let stopped = started < users.len();
    for plan in order[started..].iter().map(|&index| &users[index]) {
        bulk.never(plan);
        let start = resume.start_of(&plan.user_id);
        if start < plan.steps.len() {
            report_not_started(plan, start, &outbox, deferred_by.as_ref());
        }
    }
    while workers.join_next().await.is_some() {}
    Dispatched {
        stopped,
        deferred_by: deferred_by.map(Refusal::why),
    }
}

/// A user the run stopped before starting: its steps from `start` on are skipped (and in
/// `failed.jsonl`), or `deferred` for `--resume` when the horizon stopped it (`deferred_by`).
fn report_not_started(
    plan: &UserPlan,
    start: usize,
    outbox: &Outbox,
    deferred_by: Option<&Refusal>,
) {
    if deferred_by.is_none() {
        let rest = UserPlan {
            steps: plan.steps[start..].to_vec(),
            ..plan.clone()
        };
        outbox.send(Event::Unfinished(rest));
    }
    let (status, message) = match deferred_by {
        Some(refusal) => (Status::Deferred, refusal.step_message()),
        None => (Status::Skipped, "not started: the run was stopped"),
    };
    for (index, step) in plan.steps.iter().enumerate().skip(start) {
        outbox.send(Event::Journal(JournalEntry {
            user_id: plan.user_id.clone(),
            step: index,
            resource: step.resource(),
            state: JournalState::Ended(status),
        }));
        outbox.send(Event::Step(StepResult {
            after: step.patch().into_owned(),
            message: message.into(),
            ..StepResult::new(plan, index, step.resource(), status)
        }));
    }
    outbox.send(Event::UserDone { failed: false });
}
