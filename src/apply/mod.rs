//! Applying a plan: a producer of users ([`dispatch`]), N workers (one user each, its steps
//! in order; [`user`]), one rate limiter shared by all requests (in the Odin client), and one
//! collector ([`collect`]) that owns the run files and counts, and that the CLI watches
//! through an [`Observer`].

pub mod bulk;
mod collect;
mod credentials;
pub mod diff;
mod dispatch;
pub mod drift;
mod earlier;
pub mod estimate;
pub mod generate;
pub mod horizon;
mod landed;
pub mod lossy;
mod outbox;
mod prepare;
pub mod refused;
mod reporter;
mod steps;
mod turns;
mod undo;
mod unseen;
mod user;
pub mod verify;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc, watch};

use crate::live::{groups, placement};
use crate::odin::OdinClient;
use crate::plan::{self, Plan};
use crate::rundir::{Ledger, Resume, StepResult};
pub use crate::rundir::{StatusCounts, Summary};
pub use collect::Unrecorded;
pub use horizon::Horizon;

/// The run directory as apply writes it; see [`crate::rundir`].
pub mod ledger {
    pub use crate::rundir::{
        JournalEntry, JournalState, Ledger, LedgerError, RESULT_COLUMNS, Status, StepResult,
    };
}

/// How a summary's `stopped_by` begins when a run file could not be written (the run can
/// be continued with `--resume` once it can).
pub const UNWRITTEN: &str = "a run file could not be written";

/// How to run.
#[derive(Debug, Clone, PartialEq)]
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
    /// What a field that drifted (someone else changed it since it was recorded; see
    /// [`drift`]) does to its user: `false` (a reviewed plan), the user is `drifted` and
    /// not written at all; `true` (a rollback, whose entries record what the run wrote), the
    /// field is kept and the user's other fields are written, its step `drifted`.
    pub keep_drifted: bool,
    /// Apply this many users first, then ask the observer whether to go on.
    pub canary: Option<usize>,
    /// How long a group read stands for its users' before-state (see [`groups`]).
    pub group_max_age: Duration,
    /// The most users one bulk write lists; 0 sends no bulk writes (see [`bulk`]).
    pub bulk_size: usize,
    /// The service provider of users the sheet does not place in a group (else the first
    /// such user's); see [`placement`].
    pub service_provider: Option<String>,
    /// Write values that are the live ones as a spreadsheet loses them (leading zeros or
    /// `+` dropped, digits shortened; see [`lossy`]); otherwise such a user is `failed`
    /// and nothing of it is sent. Rollbacks set it: they restore Odin's own values.
    pub allow_lossy_values: bool,
    /// When users stop being started for a maintenance window or the daily budget: the
    /// users left are `deferred` (see [`horizon`]).
    pub horizon: Horizon,
}

/// Who watches a run: the progress display, and the one who decides after the canary.
pub trait Observer {
    /// Something changed.
    fn progress(&mut self, progress: &Progress);

    /// The canary users are done (`results` are their steps): whether to go on.
    fn canary(&mut self, results: &[StepResult], progress: &Progress) -> Decision {
        let _ = (results, progress);
        Decision::GoOn
    }
}

/// What the operator decided after the canary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Start the other users.
    GoOn,
    /// Start no other user: they are `skipped`, and the run says it stopped after the canary.
    Stop,
    /// Ctrl-C at the question: as Ctrl-C during the run, the others are `skipped` and the
    /// run is interrupted (exit 130, `--resume` continues it).
    Interrupted,
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
            keep_drifted: false,
            canary: None,
            group_max_age: groups::DEFAULT_MAX_AGE,
            bulk_size: bulk::DEFAULT_BULK_SIZE,
            service_provider: None,
            allow_lossy_values: false,
            horizon: Horizon::default(),
        }
    }

    /// Why the breaker trips, if it does, after `done` users of which `failed` failed.
    fn breaker(&self, done: usize, failed: usize) -> Option<String> {
        if let Some(max) = self.max_failures
            && failed >= max
        {
            return Some(format!(
                "{} failed (--max-failures {max})",
                crate::text::count(failed, "user")
            ));
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

/// Apply `plan` through `client`, recording everything in `ledger`; `resume` says what an
/// earlier attempt of the same run finished. `stop` turning true stops new users from
/// starting; users in flight finish. The `observer` sees every change and decides after the
/// canary. A run file that cannot be written stops new users from starting; the error then
/// carries the summary of what was done.
pub async fn run(
    plan: &Plan,
    client: Arc<OdinClient>,
    ledger: Ledger,
    options: ApplyOptions,
    resume: Resume,
    mut stop: watch::Receiver<bool>,
    observer: &mut impl Observer,
) -> Result<Summary, Unrecorded> {
    let started_at = chrono::Utc::now();
    let started = Instant::now();
    // The worker slots: the dispatcher takes one per user started, the collector gives it
    // back once it has counted that user, and closes them to stop new users from starting.
    let slots = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let (outbox, mut events, mut requests) = outbox::Outbox::new();
    let (placement, placed) = match options.group_max_age.is_zero() {
        true => Default::default(),
        false => {
            let sp = options.service_provider.as_deref();
            placement::Placement::place(&plan.users, &client, sp).await
        }
    };
    let mut placement = placement;
    let mut collector =
        collect::Collector::new(ledger, options.clone(), &plan.users, &resume, slots.clone());
    collector.warn(placed.warning);
    // What the users ask of their groups together (numbers, extensions): who is refused,
    // who waits for whom.
    let finished = |user: &plan::UserPlan| resume.start_of(&user.user_id) >= user.steps.len();
    let arrangement = crate::operation::arrange::arrange(
        &plan.users,
        &client,
        |user| placement.key_of(user),
        finished,
    )
    .await;
    // Users its reads of their records placed.
    for (user, home) in &arrangement.homes {
        placement.add(user, home);
    }
    let placement = Arc::new(placement);
    for warning in &arrangement.warnings {
        collector.warn(Some(warning.clone()));
    }
    let mut arrangement = arrangement;
    let lists = std::mem::take(&mut arrangement.lists);
    let listings = std::mem::take(&mut arrangement.listings);
    let turns = Arc::new(turns::Turns::new(arrangement));
    // The dispatcher borrows the plan (each worker gets its own user), so the plan is held
    // once however large it is; it runs beside the collector in this task.
    let tally = match options.bulk_size {
        0 => bulk::Tally::new(),
        _ => bulk::tally(&plan.users, |user| placement.key_of(user)),
    };
    let groups = Arc::new(groups::GroupReads::plan(
        &plan.users,
        options.group_max_age,
        placement,
        &bulk::shared_groups(&tally),
    ));
    groups.seed_lists(lists);
    groups.seed_listings(listings);
    let breaker = options.max_failures.is_some() || options.max_failure_rate.is_some();
    // A user waiting for others is in no batch: the batch would wait for it meanwhile.
    let covered = |user: &plan::UserPlan| {
        (groups.covers(user) && !turns.waits(&user.user_id))
            .then(|| groups.placement().key_of(user))
            .flatten()
    };
    let bulk = Arc::new(bulk::BulkWrites::plan(
        &plan.users,
        (covered, &tally),
        (options.bulk_size, options.group_max_age),
        (client.clone(), slots.clone()),
        breaker.then_some(options.concurrency),
    ));
    let dispatcher = dispatch::dispatch(
        &plan.users,
        (client.clone(), groups.clone(), bulk.clone(), turns),
        outbox,
        options.clone(),
        &resume,
        slots,
    );
    let collecting = async {
        let mut watching = true;
        if *stop.borrow_and_update() {
            collector.stop();
        }
        // A first point at once: a run killed in its first second still says how many
        // users its plan holds.
        collector.mark(0, client.counts());
        let mut seconds = tokio::time::interval_at(
            tokio::time::Instant::now() + Duration::from_secs(1),
            Duration::from_secs(1),
        );
        seconds.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                // Events first: the canary is decided only once its users' results are in.
                biased;
                event = events.recv() => match event {
                    Some(event) => collector.handle(event),
                    None => break,
                },
                Some(request) = requests.recv() => collector.answer(request, observer),
                changed = stop.changed(), if watching => match changed {
                    Ok(()) if *stop.borrow_and_update() => collector.stop(),
                    Ok(()) => {}
                    Err(_) => watching = false,
                },
                _ = seconds.tick() => {
                    collector.mark(started.elapsed().as_secs(), client.counts());
                    continue;
                }
            }
            observer.progress(&collector.progress(client.counts().requests, started.elapsed()));
        }
    };
    let (dispatched, ()) = tokio::join!(dispatcher, collecting);
    collector.mark_end(started.elapsed(), client.counts());
    collector.warn(groups.warning());
    collector.warn(bulk.warning());
    collector.finish(
        plan,
        (client.counts(), resume.attempts_before.clone()),
        started_at,
        started.elapsed(),
        dispatched,
    )
}

/// Run-wide channels from the workers and the dispatcher to the collector.
type Inbox<T> = mpsc::UnboundedReceiver<T>;
