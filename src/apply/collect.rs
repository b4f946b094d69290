//! The collector: the one place that hears from the workers and the dispatcher, writes the
//! run files through the ledger, counts, trips the breaker, and answers the requests that
//! need an answer (a rollback entry on disk, the decision after the canary).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::outbox::{Event, Request};
use super::{ApplyOptions, Decision, Observer, Progress};
use crate::odin::RequestCounts;
use crate::plan::{Plan, UserPlan};
use crate::rundir::{
    Attempt, Ledger, LedgerError, Resume, Status, StepResult, Summary, TimelinePoint, UserCounts,
};

/// What the collector keeps while a run goes on.
pub(super) struct Collector {
    ledger: Ledger,
    options: ApplyOptions,
    slots: Arc<Semaphore>,
    progress: Progress,
    failed_users: usize,
    /// Users with a failed or skipped step.
    not_done: HashSet<String>,
    /// Which step statuses each user had in this attempt (a set: bit `i` is
    /// `Status::ALL[i]`; a user's outcome depends on nothing else): its users by outcome
    /// when `results.csv` cannot be counted (a run file could not be written).
    outcomes: HashMap<String, u8>,
    /// Why the run stopped starting users, when the breaker or the canary stopped it.
    stopped_by: Option<String>,
    /// Odin asked for a pause past `--max-wait`: the run stopped and can be resumed.
    paused: bool,
    /// The canary users' results, until the canary is decided.
    canary: Option<Vec<StepResult>>,
    /// The first run file that could not be written.
    broken: Option<LedgerError>,
    /// Things the operator should know that did not stop the run.
    warnings: Vec<String>,
}

impl Collector {
    pub fn new(
        ledger: Ledger,
        options: ApplyOptions,
        users: &[UserPlan],
        resume: &Resume,
        slots: Arc<Semaphore>,
    ) -> Collector {
        let already_done = users
            .iter()
            .filter(|u| resume.start_of(&u.user_id) >= u.steps.len())
            .count();
        let canary = options.canary.map(|_| Vec::new());
        Collector {
            ledger,
            options,
            slots,
            progress: Progress {
                users_total: users.len(),
                users_done: already_done,
                steps: resume.kept,
                ..Progress::default()
            },
            failed_users: 0,
            not_done: HashSet::new(),
            outcomes: HashMap::new(),
            stopped_by: None,
            paused: false,
            canary,
            broken: None,
            warnings: Vec::new(),
        }
    }

    /// Add a warning for the summary.
    pub fn warn(&mut self, warning: Option<String>) {
        self.warnings.extend(warning);
    }

    /// Stop starting users (those in flight finish).
    pub fn stop(&mut self) {
        self.slots.close();
    }

    /// Record one event.
    pub fn handle(&mut self, event: Event) {
        let written = match event {
            Event::Journal(entry) => self.ledger.journal(&entry),
            Event::Step(result) => {
                self.progress.steps.add(result.status);
                if matches!(
                    result.status,
                    Status::Failed | Status::Skipped | Status::Deferred
                ) {
                    self.not_done.insert(result.user_id.clone());
                }
                *self.outcomes.entry(result.user_id.clone()).or_default() |= bit(result.status);
                if let Some(canary) = &mut self.canary {
                    canary.push(result.clone());
                }
                self.ledger.result(&result)
            }
            Event::Unfinished(entry) => self.ledger.unfinished(&entry),
            Event::UserDone { failed } => {
                self.user_done(failed);
                Ok(())
            }
            Event::Pause(reason) => {
                if self.stopped_by.is_none() {
                    tracing::warn!(reason, "paused: no new users are started");
                    self.stopped_by = Some(format!("paused: {reason}"));
                }
                self.paused = true;
                self.stop();
                Ok(())
            }
            Event::Amend {
                user_id,
                step,
                status,
                message,
            } => {
                self.progress.steps.moved(Status::Applied, status);
                self.ledger.amend(&user_id, step, status, &message);
                Ok(())
            }
        };
        self.check(written);
    }

    /// A user's last step ended: count it, maybe trip the breaker, then free its slot, so a
    /// breaker tripped by this user stops the very next start.
    fn user_done(&mut self, failed: bool) {
        self.progress.users_done += 1;
        self.failed_users += usize::from(failed);
        if self.stopped_by.is_none()
            && let Some(reason) = self
                .options
                .breaker(self.progress.users_done, self.failed_users)
        {
            tracing::warn!(reason, "breaker tripped: no new users are started");
            self.stopped_by = Some(reason);
            self.stop();
        }
        self.slots.add_permits(1);
    }

    /// Answer a request.
    pub fn answer(&mut self, request: Request, observer: &mut impl Observer) {
        match request {
            Request::Rollback { entry, done } => {
                let written = self.ledger.rollback(&entry);
                let _ = done.send(written.as_ref().map(|_| ()).map_err(ToString::to_string));
                self.check(written);
            }
            Request::Canary { decide } => {
                let results = self.canary.take().unwrap_or_default();
                let decision = observer.canary(&results, &self.progress);
                match decision {
                    Decision::GoOn => {}
                    Decision::Stop => {
                        self.stopped_by = Some(format!(
                            "stopped after the canary of {}",
                            crate::text::count(self.progress.users_done, "user")
                        ))
                    }
                    Decision::Interrupted => self.stop(),
                }
                let _ = decide.send(decision == Decision::GoOn);
            }
        }
    }

    /// The run files are the point of the run: when one cannot be written, stop starting
    /// users and report it at the end.
    fn check(&mut self, written: Result<(), LedgerError>) {
        if let Err(error) = written {
            self.stop();
            self.broken.get_or_insert(error);
        }
    }

    /// Record the counters at the end of second `second` in the timeline.
    pub fn mark(&mut self, second: u64, requests: RequestCounts) {
        self.point(second, requests, None);
    }

    /// Record the counters at the end of the attempt, `wall` after it started.
    pub fn mark_end(&mut self, wall: Duration, requests: RequestCounts) {
        let second = wall.as_secs_f64().ceil() as u64;
        self.point(second, requests, Some(wall.as_secs_f64()));
    }

    fn point(&mut self, second: u64, requests: RequestCounts, wall_seconds: Option<f64>) {
        let point = TimelinePoint {
            second,
            requests,
            steps: self.progress.steps,
            users_done: self.progress.users_done,
            users_total: self.progress.users_total,
            wall_seconds,
        };
        let written = self.ledger.timeline(&point);
        self.check(written);
    }

    /// Where the run stands.
    pub fn progress(&mut self, requests: u64, elapsed: Duration) -> Progress {
        self.progress.requests = requests;
        self.progress.elapsed = elapsed;
        self.progress
    }

    /// The run's summary, written with the other files closed; `dispatched` says whether
    /// users were left unstarted, and deferred by what. When a run file could not be written, the summary is still made
    /// from the collector's own counts, and written as far as the disk allows.
    pub fn finish(
        self,
        plan: &Plan,
        (requests, before): (RequestCounts, Vec<Attempt>),
        started_at: chrono::DateTime<chrono::Utc>,
        wall: Duration,
        dispatched: super::dispatch::Dispatched,
    ) -> Result<Summary, Unrecorded> {
        // Users the horizon left are deferred, not stopped: the run ends as planned.
        let deferred = dispatched.deferred_by.is_some();
        let stopped_early = dispatched.stopped && !deferred;
        let mut attempts = before;
        attempts.push(Attempt::new(wall.as_secs_f64(), requests));
        let total = Attempt::total(&attempts);
        let time =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut summary = Summary {
            sleipnir_version: env!("CARGO_PKG_VERSION").into(),
            source: plan.source.clone(),
            started: time(started_at),
            finished: time(chrono::Utc::now()),
            users: plan.users.len(),
            users_not_done: self.not_done.len(),
            // Counted from results.csv by the ledger, every attempt's steps as they end.
            users_by_outcome: Default::default(),
            steps: self.progress.steps,
            interrupted: stopped_early && self.stopped_by.is_none(),
            resumable: self.paused || deferred || (stopped_early && self.stopped_by.is_none()),
            stopped_by: self.stopped_by,
            deferred_by: dispatched.deferred_by,
            // Every attempt's time and requests: each rate is requests over their own time.
            wall_seconds: total.wall_seconds,
            request_rate: total.request_rate,
            requests: total.requests,
            requests_per_user: total.requests.requests as f64 / plan.users.len().max(1) as f64,
            attempts,
            warnings: self.warnings,
        };
        let unwritten = |summary: &mut Summary, error: &LedgerError| {
            summary.stopped_by = Some(format!("{}: {error}", super::UNWRITTEN));
            summary.interrupted = false;
            summary.resumable = true;
        };
        if let Some(error) = &self.broken {
            unwritten(&mut summary, error);
        }
        let finished = self.ledger.finish(&mut summary);
        let counted = finished.is_ok();
        let error = match (self.broken, finished) {
            (None, Ok(_)) => return Ok(summary),
            (Some(error), _) | (None, Err(error)) => error,
        };
        unwritten(&mut summary, &error);
        if !counted {
            // results.csv could not be counted: this attempt's users, as the collector saw them.
            let mut users = UserCounts::default();
            for statuses in self.outcomes.into_values() {
                users.add(Status::ALL.into_iter().filter(|s| statuses & bit(*s) != 0));
            }
            summary.users_by_outcome = users;
        }
        Err(Unrecorded {
            error,
            summary: Box::new(summary),
        })
    }
}

/// `status`'s bit in a set of statuses.
fn bit(status: Status) -> u8 {
    let index = Status::ALL.iter().position(|s| *s == status).unwrap_or(0);
    1 << index
}

/// A run file could not be written: the run stopped starting users, and the users in flight
/// finished as far as the disk allowed. `summary` says what was done, from the collector's
/// counts; the run can be continued with `--resume` once the cause is fixed.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Unrecorded {
    /// The first run file that could not be written.
    pub error: LedgerError,
    /// What the run did.
    pub summary: Box<Summary>,
}
