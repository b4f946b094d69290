//! Whether a job fits its window and budget: `plan --target` sets its estimate of the
//! requests (and their time at `--rate`) beside the window's openings and what is left of
//! the target's daily budget, in its text and its JSON.

use std::time::SystemTime;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::Schedule;
use crate::cli::render::duration;
use crate::text::thousands;

/// How a job fits its window and budget.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Fit {
    /// Against the maintenance window, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<WindowFit>,
    /// Against the daily request budget, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetFit>,
}

/// The job against the window's openings from now on, each less `--window-cutoff`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WindowFit {
    /// The window as written, its zone, and where it came from.
    pub window: String,
    pub zone: String,
    pub from: String,
    /// Whether it is open now (with more than the cutoff left).
    pub open_now: bool,
    /// The first opening a run can use (now, when open), RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_start: Option<String>,
    /// Seconds the job takes at `--rate`.
    pub job_seconds: f64,
    /// Windows it needs at `--rate` (the first counted from now when open); `None` when the
    /// window does not open often enough within two years.
    pub windows_needed: Option<u32>,
    /// When the last of them stops starting users, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_by: Option<String>,
}

/// The job against the target's daily request budget.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BudgetFit {
    /// Requests per any 24 hours, and where it came from.
    pub per_day: u64,
    pub from: String,
    /// Requests all runs sent in the last 24 hours, and what is left; `None` when the state
    /// directory could not be read.
    pub used: Option<u64>,
    pub remaining: Option<u64>,
    /// The job's estimated requests.
    pub job_requests: u64,
    /// Whether they fit in what is left now.
    pub fits_now: bool,
    /// Days of budget the job needs at least (`ceil(job / per_day)`); `None` when no run
    /// can start in the budget (`neededToStart` is more than it).
    pub days_needed: Option<u64>,
    /// The requests a run needs to change its first user (the login, the reads that place
    /// users, the user's own): a budget below it lets no run start.
    pub needed_to_start: u64,
}

/// How a job of `requests` requests, taking `seconds` at `--rate`, whose first user may
/// send `first_cost`, fits `schedule`'s window and budget for `target` (its URL) from `now`.
pub(crate) fn fit(
    schedule: &Schedule,
    target: &str,
    (requests, seconds, first_cost): (u64, f64, u64),
    now: Timestamp,
) -> Fit {
    let window = schedule.window.as_ref().map(|(window, from)| {
        let mut left = seconds;
        let (mut needed, mut done_by, mut first) = (0u32, None, None);
        for (start, last, _) in schedule.usable(now).into_iter().flatten() {
            first.get_or_insert(start);
            needed += 1;
            let usable = last.duration_since(start).as_secs_f64();
            if left <= usable {
                done_by = start
                    .checked_add(SignedDuration::from_secs_f64(left.max(0.0)))
                    .ok();
                break;
            }
            left -= usable;
        }
        WindowFit {
            window: window.spec(),
            zone: window.zone_name().to_string(),
            from: from.clone(),
            open_now: first.is_some_and(|start| start <= now),
            next_start: first.map(to_second),
            job_seconds: (seconds * 10.0).round() / 10.0,
            windows_needed: done_by.map(|_| needed),
            done_by: done_by.map(to_second),
        }
    });
    let budget = schedule.budget.as_ref().map(|(per_day, from)| {
        let state = schedule.budget(target, "plan").ok().flatten();
        let at = SystemTime::try_from(now).unwrap_or_else(|_| SystemTime::now());
        let used = state.as_ref().and_then(|b| b.used(at).ok());
        let remaining = used.map(|used| per_day.saturating_sub(used));
        BudgetFit {
            per_day: *per_day,
            from: from.clone(),
            used,
            remaining,
            job_requests: requests,
            fits_now: remaining.is_some_and(|left| requests <= left),
            days_needed: (*per_day >= super::gate::START + first_cost)
                .then(|| requests.div_ceil((*per_day).max(1))),
            needed_to_start: super::gate::START + first_cost,
        }
    });
    Fit { window, budget }
}

impl Fit {
    /// The lines `plan --target` prints after its estimate (none without a window or
    /// budget); `schedule` shows instants in the window's zone and the admin's.
    pub(crate) fn text(&self, schedule: &Schedule) -> String {
        let mut text = String::new();
        let at = |rfc: &str| {
            rfc.parse::<Timestamp>()
                .map_or_else(|_| rfc.to_string(), |t| schedule.both_zones(t))
        };
        if let Some(w) = &self.window {
            let now = match (&w.next_start, w.open_now) {
                (_, true) => "open now".to_string(),
                (Some(next), false) => format!("closed now, opens at {}", at(next)),
                (None, false) => match schedule
                    .window
                    .as_ref()
                    .and_then(|(window, _)| window.openings(Timestamp::now()).next())
                {
                    Some(_) => "no opening of it is longer than --window-cutoff".to_string(),
                    None => "does not open within two years".to_string(),
                },
            };
            let needs = match (w.windows_needed, &w.done_by) {
                (Some(1), Some(by)) => format!("fits in one window (done by about {})", at(by)),
                (Some(n), Some(by)) => format!(
                    "needs {n} windows, each less --window-cutoff (done by about {})",
                    at(by)
                ),
                _ => "does not fit in the openings of the next two years".to_string(),
            };
            text.push_str(&format!(
                "window `{}` ({}, {}): {now}; the job (about {}) {needs}\n",
                w.window,
                w.zone,
                w.from,
                duration(w.job_seconds),
            ));
        }
        if let Some(b) = &self.budget {
            let left = match (b.used, b.remaining) {
                (Some(used), Some(left)) => format!(
                    "{} used in the last 24 hours, {} left",
                    thousands(used),
                    thousands(left)
                ),
                _ => "what is used could not be read from the state directory".to_string(),
            };
            let fits = match (b.fits_now, b.days_needed) {
                _ if b.per_day < b.needed_to_start => format!(
                    "cannot be sent: a run needs about {} to change its first user, more than \
                     the whole budget",
                    thousands(b.needed_to_start)
                ),
                (true, _) => "fit in what is left now".to_string(),
                (false, Some(1)) => "do not fit in what is left now; a run defers the rest until \
                               the budget has room"
                    .to_string(),
                (false, days) => format!(
                    "do not fit in what is left now; at {} a day they need {} days",
                    thousands(b.per_day),
                    days.unwrap_or_default()
                ),
            };
            text.push_str(&format!(
                "daily budget of {} requests ({}): {left}; the job's about {} requests {fits}\n",
                thousands(b.per_day),
                b.from,
                thousands(b.job_requests),
            ));
        }
        text
    }
}

/// `t` in RFC 3339, UTC, to the second.
fn to_second(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
