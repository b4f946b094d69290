//! Applying a plan: a producer of users, N workers (one user each, its steps in order), one
//! rate limiter shared by all requests (in the Odin client), and one collector that owns the
//! run files and counts, and that the CLI watches through a progress callback.

pub mod diff;
mod dispatch;
pub mod ledger;
pub mod live;
pub mod resume;
mod undo;
mod user;
pub mod verify;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::odin::{OdinClient, RequestCounts};
use crate::plan::{Plan, PlanSource};
use ledger::{Ledger, LedgerError, Status, StepResult};
use user::Event;

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApplyOptions {
    /// Users in flight at once.
    pub concurrency: usize,
    /// Undo a user's applied steps when a later one fails for good.
    pub compensate: bool,
    /// Stop starting users once this many users have failed.
    pub max_failures: Option<usize>,
    /// Stop starting users once more than this share of finished users failed (judged
    /// after 20 users).
    pub max_failure_rate: Option<f64>,
    /// Write users of a reviewed plan even when their live values moved since.
    pub force: bool,
    /// Apply this many users first, then ask the observer whether to go on.
    pub canary: Option<usize>,
}

/// Who watches a run: the progress display, and the one who decides after the canary.
pub trait Observer {
    /// Something changed.
    fn progress(&mut self, progress: &Progress);

    /// The canary users are done (`results` are their steps): whether to go on.
    fn canary(&mut self, results: &[StepResult], progress: &Progress) -> bool {
        let _ = (results, progress);
        true
    }
}

/// An observer that watches nothing and always goes on.
pub struct Unwatched;

impl Observer for Unwatched {
    fn progress(&mut self, _: &Progress) {}
}

impl ApplyOptions {
    /// `concurrency` users at once, compensating, no breaker.
    pub fn new(concurrency: usize) -> ApplyOptions {
        ApplyOptions {
            concurrency,
            compensate: true,
            max_failures: None,
            max_failure_rate: None,
            force: false,
            canary: None,
        }
    }

    /// Why the breaker trips, if it does, after `done` users of which `failed` failed.
    fn breaker(&self, done: usize, failed: usize) -> Option<String> {
        if let Some(max) = self.max_failures
            && failed >= max
        {
            return Some(format!("{failed} users failed (--max-failures {max})"));
        }
        if let Some(rate) = self.max_failure_rate
            && done >= 20
            && failed as f64 / done as f64 > rate
        {
            return Some(format!(
                "{failed} of {done} users failed (--max-failure-rate {rate})"
            ));
        }
        None
    }
}

/// Where a run stands, for progress displays.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    /// Users in the plan.
    pub users_total: usize,
    /// Users whose last step has ended.
    pub users_done: usize,
    /// Steps by outcome so far.
    pub steps: StatusCounts,
    /// Requests sent so far.
    pub requests: u64,
    /// Time since the run started.
    pub elapsed: Duration,
}

/// Steps by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Written.
    pub applied: usize,
    /// Already as wanted.
    pub unchanged: usize,
    /// Failed for good.
    pub failed: usize,
    /// Not attempted.
    pub skipped: usize,
    /// Written, then undone because a later step of the user failed.
    pub compensated: usize,
    /// Not written: live values moved since the reviewed plan.
    pub drifted: usize,
}

impl StatusCounts {
    /// Every step counted.
    pub fn total(&self) -> usize {
        self.applied + self.unchanged + self.failed + self.skipped + self.compensated + self.drifted
    }
}

/// What `summary.json` says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The plan applied.
    pub source: PlanSource,
    /// When the run started and ended (UTC, RFC 3339).
    pub started: String,
    /// When it ended.
    pub finished: String,
    /// Users in the plan.
    pub users: usize,
    /// Users with a failed or skipped step.
    pub users_not_done: usize,
    /// Steps by status.
    pub steps: StatusCounts,
    /// Stopped early by Ctrl-C: users not started are `skipped`.
    pub interrupted: bool,
    /// Stopped early by the failure breaker, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<String>,
    /// Wall time in seconds.
    pub wall_seconds: f64,
    /// Requests sent, retries, 429s, refreshes.
    pub requests: RequestCounts,
    /// Requests per second achieved over the run.
    pub request_rate: f64,
}

impl Summary {
    /// The documented exit code: 0 when every step applied or was unchanged, 130 when
    /// interrupted, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            130
        } else if self.steps.applied + self.steps.unchanged < self.steps.total() {
            1
        } else {
            0
        }
    }
}

/// Apply `plan` through `client`, recording everything in `ledger`. `stop` turning true stops
/// new users from starting; users in flight finish. `watch_progress` sees every change.
pub async fn run(
    plan: &Plan,
    client: Arc<OdinClient>,
    mut ledger: Ledger,
    options: ApplyOptions,
    resume: resume::Resume,
    mut stop: watch::Receiver<bool>,
    observer: &mut impl Observer,
) -> Result<Summary, LedgerError> {
    let started_at = chrono::Utc::now();
    let started = Instant::now();
    let (events, mut inbox) = mpsc::unbounded_channel();
    let users = Arc::new(plan.users.clone());
    // The dispatcher stops on the caller's signal, or when the run files cannot be written.
    let (halt, halted) = watch::channel(*stop.borrow());
    let halt = Arc::new(halt);
    let forward = halt.clone();
    let forwarder = tokio::spawn(async move {
        while stop.changed().await.is_ok() {
            if *stop.borrow() {
                let _ = forward.send(true);
                return;
            }
        }
    });
    let already_done = users
        .iter()
        .filter(|u| resume.start_of(&u.user_id) >= u.steps.len())
        .count();
    let kept = resume.kept;
    let dispatcher = tokio::spawn(dispatch::dispatch(
        users.clone(),
        client.clone(),
        events,
        options,
        Arc::new(resume),
        halted,
    ));
    let mut failed_users = 0;
    let mut stopped_by: Option<String> = None;
    let mut canary_open = options.canary.is_some();
    let mut canary_results = Vec::new();
    let mut progress = Progress {
        users_total: users.len(),
        users_done: already_done,
        steps: kept,
        ..Progress::default()
    };
    let mut not_done: BTreeMap<String, ()> = BTreeMap::new();
    let mut broken: Option<LedgerError> = None;
    while let Some(event) = inbox.recv().await {
        let written = match event {
            Event::Rollback { entry, done } => {
                let outcome = ledger.rollback(&entry);
                let _ = done.send(outcome.as_ref().map(|_| ()).map_err(ToString::to_string));
                outcome
            }
            Event::Journal(entry) => ledger.journal(&entry),
            Event::CanaryDone { decide } => {
                let go = observer.canary(&canary_results, &progress);
                if !go {
                    stopped_by = Some(format!(
                        "stopped after the canary of {} users",
                        progress.users_done
                    ));
                }
                canary_results.clear();
                canary_open = false;
                let _ = decide.send(go);
                Ok(())
            }
            Event::Step(result) => {
                count(&mut progress, &result);
                if canary_open {
                    canary_results.push(result.clone());
                }
                if matches!(result.status, Status::Failed | Status::Skipped) {
                    not_done.insert(result.user_id.clone(), ());
                }
                ledger.result(&result)
            }
            Event::Unfinished(entry) => ledger.unfinished(&entry),
            Event::UserDone { failed, slot } => {
                progress.users_done += 1;
                failed_users += usize::from(failed);
                if stopped_by.is_none()
                    && let Some(reason) = options.breaker(progress.users_done, failed_users)
                {
                    tracing::warn!(reason, "breaker tripped: no new users are started");
                    let _ = halt.send(true);
                    stopped_by = Some(reason);
                }
                drop(slot);
                Ok(())
            }
        };
        if let Err(error) = written {
            // The run files are the point of the run: stop starting users and report it.
            let _ = halt.send(true);
            broken.get_or_insert(error);
        }
        progress.requests = client.counts().requests;
        progress.elapsed = started.elapsed();
        observer.progress(&progress);
    }
    let was_interrupted = dispatcher.await.unwrap_or(false);
    forwarder.abort();
    if let Some(error) = broken {
        return Err(error);
    }
    let wall = started.elapsed();
    let requests = client.counts();
    let summary = Summary {
        source: plan.source.clone(),
        started: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        finished: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        users: users.len(),
        users_not_done: not_done.len(),
        steps: progress.steps,
        interrupted: was_interrupted && stopped_by.is_none(),
        stopped_by,
        wall_seconds: wall.as_secs_f64(),
        requests,
        request_rate: requests.requests as f64 / wall.as_secs_f64().max(1e-9),
    };
    ledger.finish(&summary)?;
    Ok(summary)
}

fn count(progress: &mut Progress, result: &StepResult) {
    let steps = &mut progress.steps;
    *match result.status {
        Status::Applied => &mut steps.applied,
        Status::Unchanged => &mut steps.unchanged,
        Status::Failed => &mut steps.failed,
        Status::Skipped => &mut steps.skipped,
        Status::Compensated => &mut steps.compensated,
        Status::Drifted => &mut steps.drifted,
    } += 1;
}
