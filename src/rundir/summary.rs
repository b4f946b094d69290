//! The run's figures: steps by status, `timeline.jsonl` lines and `summary.json`.

use serde::{Deserialize, Serialize};

use super::Status;
use crate::odin::RequestCounts;
use crate::plan::PlanSource;

/// Steps by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Not started: the maintenance window closed or the daily budget was spent.
    #[serde(default)]
    pub deferred: usize,
}

impl StatusCounts {
    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Applied => &mut self.applied,
            Status::Unchanged => &mut self.unchanged,
            Status::Failed => &mut self.failed,
            Status::Skipped => &mut self.skipped,
            Status::Compensated => &mut self.compensated,
            Status::Drifted => &mut self.drifted,
            Status::Deferred => &mut self.deferred,
        }
    }

    /// Count one step that ended `status`.
    pub fn add(&mut self, status: Status) {
        *self.slot(status) += 1;
    }

    /// Count one step again: it was counted `from` and now ends `to` (a kept `applied` step
    /// of a resumed user that compensation undid).
    pub fn moved(&mut self, from: Status, to: Status) {
        let slot = self.slot(from);
        *slot = slot.saturating_sub(1);
        self.add(to);
    }

    /// The steps that ended `status`.
    pub fn get(&self, status: Status) -> usize {
        let mut copy = *self;
        *copy.slot(status)
    }

    /// Every step counted.
    pub fn total(&self) -> usize {
        Status::ALL.into_iter().map(|s| self.get(s)).sum()
    }

    /// Steps applied or unchanged.
    pub fn done(&self) -> usize {
        self.applied + self.unchanged
    }
}

/// Users by how their steps ended, each user counted once: the users of a run, where
/// [`StatusCounts`] are its steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCounts {
    /// A step written, and none failed, drifted or left unsent.
    pub changed: usize,
    /// Every step already as wanted: nothing written.
    pub unchanged: usize,
    /// Not written: live values moved since the reviewed plan.
    pub drifted: usize,
    /// A step failed for good (its applied steps undone unless `--no-compensate`).
    pub failed: usize,
    /// Not started, or stopped before its last step (the breaker, the canary, Ctrl-C, a
    /// pause).
    pub skipped: usize,
    /// Not started: the maintenance window closed or the daily budget was spent; `--resume`
    /// continues it.
    #[serde(default)]
    pub deferred: usize,
}

impl UserCounts {
    /// Count one user whose steps ended `statuses` (none: nothing counted).
    pub fn add(&mut self, statuses: impl IntoIterator<Item = Status>) {
        let (mut any, mut applied, mut drifted, mut skipped) = (false, false, false, false);
        let (mut failed, mut deferred) = (false, false);
        for status in statuses {
            any = true;
            match status {
                Status::Applied => applied = true,
                Status::Unchanged => {}
                Status::Failed | Status::Compensated => failed = true,
                Status::Drifted => drifted = true,
                Status::Skipped => skipped = true,
                Status::Deferred => deferred = true,
            }
        }
        let slot = match () {
            _ if !any => return,
            _ if failed => &mut self.failed,
            _ if drifted => &mut self.drifted,
            _ if skipped => &mut self.skipped,
            _ if deferred => &mut self.deferred,
            _ if applied => &mut self.changed,
            _ => &mut self.unchanged,
        };
        *slot += 1;
    }

    /// Every user counted.
    pub fn total(&self) -> usize {
        self.changed + self.unchanged + self.drifted + self.failed + self.skipped + self.deferred
    }

    /// Each count with its name, in the order people read them.
    pub fn named(&self) -> [(&'static str, usize); 6] {
        [
            ("changed", self.changed),
            ("unchanged", self.unchanged),
            ("drifted", self.drifted),
            ("failed", self.failed),
            ("skipped", self.skipped),
            ("deferred", self.deferred),
        ]
    }
}

/// A line of `timeline.jsonl`: the run's counters at the end of one second, cumulative, so
/// that a chart of the run over time is the differences of consecutive lines.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePoint {
    /// Seconds since the run (this attempt) started.
    pub second: u64,
    /// Requests sent, retries, 429s, refreshes so far.
    pub requests: RequestCounts,
    /// Steps by status so far.
    pub steps: StatusCounts,
    /// Users whose last step ended so far.
    pub users_done: usize,
    /// Users in the plan (0 in timelines written before it was recorded).
    #[serde(default)]
    pub users_total: usize,
    /// On the last point of an attempt that ended (not killed): its exact wall time in
    /// seconds, where `second` is rounded up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_seconds: Option<f64>,
}

/// One attempt of a run: a run resumed once has two. Rates are the attempt's own requests
/// over its own time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// Wall time in seconds; for an attempt that was killed, the last whole second its
    /// timeline recorded.
    pub wall_seconds: f64,
    /// Requests it sent, retries, 429s, refreshes.
    pub requests: RequestCounts,
    /// `requests.requests / wall_seconds` (0 for an attempt of no measurable time).
    pub request_rate: f64,
}

impl Attempt {
    /// An attempt of `wall_seconds` that sent `requests`.
    pub fn new(wall_seconds: f64, requests: RequestCounts) -> Attempt {
        let request_rate = match wall_seconds > 0.0 {
            true => requests.requests as f64 / wall_seconds,
            false => 0.0,
        };
        Attempt {
            wall_seconds,
            requests,
            request_rate,
        }
    }

    /// The attempts together: their times and requests added up, the rate of the sums.
    pub fn total(attempts: &[Attempt]) -> Attempt {
        let (wall, requests) = attempts
            .iter()
            .fold((0.0, RequestCounts::default()), |(wall, requests), a| {
                (wall + a.wall_seconds, requests.plus(a.requests))
            });
        Attempt::new(wall, requests)
    }
}

/// The attempts a timeline records, in order: each attempt's counters start again at 0, so
/// the last point of each is the one before a point of a lower second (or the file's last).
pub fn attempts(timeline: &[TimelinePoint]) -> Vec<Attempt> {
    timeline
        .iter()
        .enumerate()
        .filter(|(i, point)| {
            timeline
                .get(i + 1)
                .is_none_or(|next| next.second <= point.second)
        })
        .map(|(_, point)| {
            let wall = point.wall_seconds.unwrap_or(point.second as f64);
            Attempt::new(wall, point.requests)
        })
        .collect()
}

/// What `summary.json` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The version of sleipnir that wrote it (empty in summaries of an older one). The Odin
    /// user the run logged in as is `source.odin_user`.
    #[serde(default)]
    pub sleipnir_version: String,
    /// The plan applied: the sheet, and the worksheet read for a workbook.
    pub source: PlanSource,
    /// When the run (its last attempt, when resumed) started (UTC, RFC 3339).
    pub started: String,
    /// When it ended.
    pub finished: String,
    /// Users in the plan.
    pub users: usize,
    /// Users with a failed, skipped or deferred step.
    pub users_not_done: usize,
    /// Users by how their steps ended, from `results.csv` as the run left it (zero in
    /// summaries written before it was recorded).
    #[serde(default)]
    pub users_by_outcome: UserCounts,
    /// Steps by status.
    pub steps: StatusCounts,
    /// Stopped early by Ctrl-C: users not started are `skipped`.
    pub interrupted: bool,
    /// The run stopped before its end in a way `--resume` continues: interrupted, or paused
    /// because Odin asked to wait past `--max-wait`.
    #[serde(default)]
    pub resumable: bool,
    /// Stopped early by the failure breaker or after the canary, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<String>,
    /// Users were left `deferred` (not started, not failed), and by what: the maintenance
    /// window closing or the daily request budget (the window or budget, in words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_by: Option<String>,
    /// Wall time in seconds: every attempt's, added up (the time between attempts not
    /// counted).
    pub wall_seconds: f64,
    /// Requests sent, retries, 429s, refreshes: every attempt's.
    pub requests: RequestCounts,
    /// Requests per second achieved: `requests` over `wall_seconds`.
    pub request_rate: f64,
    /// Each attempt's own wall time, requests and rate, in order: one unless the run was
    /// resumed (empty in summaries written before they were recorded).
    #[serde(default)]
    pub attempts: Vec<Attempt>,
    /// Requests per user of the plan.
    #[serde(default)]
    pub requests_per_user: f64,
    /// What the operator should know that did not stop the run (e.g. group reads that
    /// fell back to per-user reads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Whether a [`Summary::deferred_by`] text says the daily request budget deferred the users
/// (its refusals begin `the daily request budget`), rather than a maintenance window.
pub fn deferred_by_budget(why: &str) -> bool {
    why.starts_with("the daily request budget")
}

impl Summary {
    /// The documented exit code: 0 when every step applied or was unchanged, 130 when
    /// interrupted, 5 when the others were all deferred (a window closed or the budget was
    /// reached; `--resume` continues), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            130
        } else if self.steps.done() + self.steps.deferred < self.steps.total() {
            1
        } else if self.steps.deferred > 0 {
            5
        } else {
            0
        }
    }
}
