//! What a report shows, gathered in one pass over `results.csv` in bounded memory: counts,
//! failures by cause, latency, and the first users for the per-user table.

use crate::odin::RequestCounts;
use crate::rundir::{ResultRow, Status, StatusCounts, Summary, TimelinePoint, UserCounts};
use crate::text::thousands;

use super::failures::Failures;

/// How many users the per-user table shows.
pub const TABLE_USERS: usize = 1000;

/// One user's lines of `results.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSteps {
    /// The user's steps, in file order.
    pub steps: Vec<ResultRow>,
}

impl UserSteps {
    /// Whether a step of the user was not applied or unchanged.
    pub fn failed(&self) -> bool {
        self.steps.iter().any(|s| !s.status.is_done())
    }
}

/// The results, folded: everything a report needs from `results.csv`.
#[derive(Debug, Default)]
pub struct Digest {
    /// Steps by status, counted from the lines.
    pub steps: StatusCounts,
    /// Distinct users seen (a user's lines are consecutive).
    pub users: usize,
    /// Users with a step not applied or unchanged.
    pub users_not_done: usize,
    /// The users seen, by how their steps ended.
    pub users_by_outcome: UserCounts,
    /// Steps not done, by cause.
    pub failures: Failures,
    /// Durations of steps that sent a request, in ms.
    write_ms: Vec<u64>,
    /// Durations of every step, in ms.
    step_ms: Vec<u64>,
    /// The first failing users, then the first others, each up to [`TABLE_USERS`].
    failing: Vec<UserSteps>,
    passing: Vec<UserSteps>,
    current: Option<UserSteps>,
}

impl Digest {
    /// Fold in the next line of `results.csv`.
    pub fn add(&mut self, row: ResultRow) {
        self.steps.add(row.status);
        self.failures.add(&row);
        self.step_ms.push(row.duration_ms);
        if row.attempts > 0 {
            self.write_ms.push(row.duration_ms);
        }
        match &mut self.current {
            Some(user) if user.steps[0].user_id == row.user_id => user.steps.push(row),
            _ => {
                self.close_user();
                self.current = Some(UserSteps { steps: vec![row] });
            }
        }
    }

    fn close_user(&mut self) {
        let Some(user) = self.current.take() else {
            return;
        };
        self.users += 1;
        self.users_by_outcome
            .add(user.steps.iter().map(|step| step.status));
        let list = if user.failed() {
            self.users_not_done += 1;
            &mut self.failing
        } else {
            &mut self.passing
        };
        if list.len() < TABLE_USERS {
            list.push(user);
        }
    }

    /// The folded results, with the last user closed.
    pub fn finish(mut self) -> Digest {
        self.close_user();
        self.write_ms.sort_unstable();
        self.step_ms.sort_unstable();
        self
    }

    /// The per-user table: failing users first, up to [`TABLE_USERS`] in all.
    pub fn table(&self) -> impl Iterator<Item = &UserSteps> {
        self.failing.iter().chain(&self.passing).take(TABLE_USERS)
    }

    /// Latency percentiles of the steps that sent a request, then of every step.
    pub fn latency(&self) -> [(&'static str, Percentiles); 2] {
        [
            (
                "steps that sent a request",
                Percentiles::of_sorted(&self.write_ms),
            ),
            ("every step", Percentiles::of_sorted(&self.step_ms)),
        ]
    }
}

/// Nearest-rank percentiles of durations, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    /// How many durations.
    pub count: usize,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 95th.
    pub p95: u64,
    /// 99th.
    pub p99: u64,
    /// Longest.
    pub max: u64,
}

impl Percentiles {
    /// The percentiles of `sorted` (ascending); all zero when empty.
    pub fn of_sorted(sorted: &[u64]) -> Percentiles {
        let at = |p: usize| {
            if sorted.is_empty() {
                return 0;
            }
            let rank = (p * sorted.len()).div_ceil(100).max(1);
            sorted[rank - 1]
        };
        Percentiles {
            count: sorted.len(),
            p50: at(50),
            p90: at(90),
            p95: at(95),
            p99: at(99),
            max: sorted.last().copied().unwrap_or(0),
        }
    }
}

/// The run's figures: from `summary.json` when the run finished, otherwise derived from the
/// results and the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Whether `summary.json` exists (the run ended, even if stopped early).
    pub finished: bool,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
    /// Stopped in a way `--resume` continues (Ctrl-C, or a pause past `--max-wait`).
    pub resumable: bool,
    /// Stopped by the breaker or the canary, and why.
    pub stopped_by: Option<String>,
    /// Users were deferred (the maintenance window closing, the daily budget), and by what.
    pub deferred_by: Option<String>,
    /// Users in the plan (users seen in the results for an unfinished run).
    pub users: usize,
    /// Users with a step not applied or unchanged.
    pub users_not_done: usize,
    /// The users with results, by how their steps ended (users of an unfinished run that
    /// have none are not counted).
    pub users_by_outcome: UserCounts,
    /// Steps by status.
    pub steps: StatusCounts,
    /// Requests, retries, 429s, refreshes.
    pub requests: RequestCounts,
    /// Requests per second.
    pub request_rate: f64,
    /// Wall time in seconds.
    pub wall_seconds: f64,
    /// When the run started and ended, when known.
    pub started: Option<String>,
    /// When it ended.
    pub ended: Option<String>,
}

impl Figures {
    /// The figures of a run with `summary` (None after a kill), its results `digest`, and
    /// its `timeline` (for the request counts of a run that did not finish).
    pub fn new(summary: Option<&Summary>, digest: &Digest, timeline: &[TimelinePoint]) -> Figures {
        if let Some(s) = summary {
            return Figures {
                finished: true,
                interrupted: s.interrupted,
                resumable: s.resumable || s.interrupted,
                stopped_by: s.stopped_by.clone(),
                deferred_by: s.deferred_by.clone(),
                users: s.users,
                users_not_done: s.users_not_done,
                users_by_outcome: digest.users_by_outcome,
                steps: s.steps,
                requests: s.requests,
                request_rate: s.request_rate,
                wall_seconds: s.wall_seconds,
                started: Some(s.started.clone()),
                ended: Some(s.finished.clone()),
            };
        }
        // Each attempt's counters start again at 0: add up the last point of each.
        let total = crate::rundir::Attempt::total(&crate::rundir::attempts(timeline));
        let (requests, seconds) = (total.requests, total.wall_seconds);
        let planned = timeline.iter().map(|p| p.users_total).max().unwrap_or(0);
        Figures {
            finished: false,
            interrupted: false,
            resumable: true,
            stopped_by: None,
            deferred_by: None,
            // The plan's users, as the timeline recorded them; the users with results when
            // it did not (a run killed in its first second, or an older run). Users of the
            // plan without results were never finished: not done.
            users: planned.max(digest.users),
            users_not_done: digest.users_not_done + planned.saturating_sub(digest.users),
            users_by_outcome: digest.users_by_outcome,
            steps: digest.steps,
            requests,
            request_rate: requests.requests as f64 / seconds.max(1.0),
            wall_seconds: seconds,
            started: None,
            ended: None,
        }
    }

    /// The outcome in one line, in the admin's words.
    pub fn outcome(&self) -> String {
        let s = &self.steps;
        let users_done = self.users.saturating_sub(self.users_not_done);
        let tally = format!(
            "{} of {} users done; {} steps applied, {} unchanged, {} failed, {} not applied{}",
            thousands(users_done as u64),
            thousands(self.users as u64),
            thousands(s.applied as u64),
            thousands(s.unchanged as u64),
            thousands(s.failed as u64),
            thousands((s.skipped + s.compensated + s.drifted) as u64),
            match s.deferred {
                0 => String::new(),
                n => format!(", {} deferred", thousands(n as u64)),
            },
        );
        let how = if !self.finished {
            "The run did not finish (no summary.json; counts from results.csv)".to_string()
        } else if let Some(reason) = &self.stopped_by {
            format!("Stopped early ({reason})")
        } else if self.interrupted {
            "Interrupted (Ctrl-C)".to_string()
        } else if let Some(why) = self
            .deferred_by
            .as_ref()
            .filter(|_| s.done() + s.deferred == s.total())
        {
            match crate::rundir::deferred_by_budget(why) {
                true => format!("Deferred until the daily budget has room ({why})"),
                false => format!("Deferred for the next window ({why})"),
            }
        } else if s.done() == s.total() {
            "Everything worked".to_string()
        } else {
            "Finished with failures".to_string()
        };
        format!("{how}: {tally}.")
    }

    /// How the outcome should look: `ok`, `bad` or `warn`.
    pub fn tone(&self) -> &'static str {
        if self.finished && !self.interrupted && self.stopped_by.is_none() {
            if self.steps.done() == self.steps.total() {
                "ok"
            } else if self.steps.done() + self.steps.deferred == self.steps.total() {
                "warn"
            } else {
                "bad"
            }
        } else {
            "warn"
        }
    }
}

/// What the run directory holds that decides the advice.
#[derive(Debug, Clone, Default)]
pub struct Leftovers {
    /// The plan applied, when known (the summary's, or the rollback file's header).
    pub source: Option<crate::plan::PlanSource>,
    /// Users in `failed.jsonl`.
    pub failed_users: usize,
}

/// What to do next, for a run in `dir` against `target`: undo it; continue it with
/// `--resume` when it did not finish or was interrupted; apply `failed.jsonl` when that
/// holds something.
pub fn next_steps(
    figures: &Figures,
    dir: &str,
    target: &str,
    left: &Leftovers,
) -> Vec<(&'static str, String)> {
    let mut steps = Vec::new();
    if figures.steps.applied > 0 {
        steps.push(("undo", format!("sleipnir rollback {dir} --target {target}")));
    }
    if figures.resumable
        && let Some(source) = &left.source
    {
        let command = source.resume_command(std::path::Path::new(dir));
        steps.push(("continue", format!("{command} --target {target}")));
    }
    if left.failed_users > 0 {
        let failed = std::path::Path::new(dir).join(crate::rundir::names::FAILED);
        steps.push((
            "retry",
            format!("sleipnir apply {} --target {target}", failed.display()),
        ));
    }
    steps
}

/// Every status with its count, in report order.
pub fn by_status(counts: &StatusCounts) -> impl Iterator<Item = (Status, usize)> + '_ {
    Status::ALL.into_iter().map(|s| (s, counts.get(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        let p = Percentiles::of_sorted(&values);
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50, 90, 99, 100));
        assert_eq!(Percentiles::of_sorted(&[]).max, 0);
        assert_eq!(Percentiles::of_sorted(&[7]).p50, 7);
    }
}
