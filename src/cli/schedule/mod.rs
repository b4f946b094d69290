//! When a run may send, and how much: the maintenance window (`--window`, `--window-tz`,
//! `--freeze`, `--window-cutoff`, or the target's `window`, `window_tz`, `freeze`) and the
//! daily request budget (`--budget`, or the target's `budget_per_day`), resolved against
//! the named target; the check of both before a run logs in (refused with exit 4, or
//! `--wait-for-window` waits with a countdown); and the run's [`Horizon`]: when it stops
//! starting users, the rest `deferred`.

use std::time::Duration;

use jiff::Timestamp;

use crate::error::Error;
use crate::state::StateDir;
use crate::state::budget::Budget;
use crate::targets::Target;
use crate::window::{Opening, Window};

mod fit;
mod gate;

pub(super) use fit::{Fit, fit};
pub(super) use gate::{GiveBack, before_login, refuse_closed, tell};

/// The flags of a run's window and budget; `plan --target` takes them for its estimate.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScheduleArgs {
    /// When users may be started: ranges of local time separated by commas, each
    /// `HH:MM-HH:MM` (past midnight when the end is earlier), optionally after weekdays
    /// (`Mon-Fri 22:00-05:30, Sat 00:00-24:00`) [default: the target's `window`, else
    /// always]. Outside it a run sends nothing (exit 4).
    #[arg(long, value_name = "RANGES")]
    pub window: Option<String>,
    /// The time zone of --window and --freeze, an IANA name (`Europe/Berlin`, `UTC`)
    /// [default: the target's `window_tz`, else this machine's].
    #[arg(long, value_name = "ZONE")]
    pub window_tz: Option<String>,
    /// Days no user is started, first and last included (`2026-12-24/2026-12-27`, or one
    /// day); repeatable [default: the target's `freeze`].
    #[arg(long, value_name = "FIRST/LAST")]
    pub freeze: Vec<String>,
    /// Start no user this long before the window closes (`10m`, `90s`, `1h`, `0`); users in
    /// flight finish, the rest are `deferred`.
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub window_cutoff: String,
    /// Ignore the target's window and freezes (an urgent rollback, with the change
    /// approved); a --window given too is an error.
    #[arg(long, conflicts_with_all = ["window", "window_tz", "freeze"])]
    pub no_window: bool,
    /// The most requests all runs against this target may send in any 24 hours, counted in
    /// the state directory that runs sharing it share [default: the target's
    /// `budget_per_day`, else none]. A run that reaches it defers the rest.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub budget: Option<u64>,
    /// Ignore the target's daily budget (an urgent rollback, approved); the run's requests
    /// still count against the budgets of the runs after it.
    #[arg(long, conflicts_with = "budget")]
    pub no_budget: bool,
}

/// The window and budget of a command, resolved against its target.
#[derive(Debug, Clone)]
pub(super) struct Schedule {
    /// The window, with where it came from (`--window` or `target `acme``).
    pub window: Option<(Window, String)>,
    /// `--window-cutoff`.
    pub cutoff: Duration,
    /// Requests per 24 hours, with where it came from.
    pub budget: Option<(u64, String)>,
    /// The flags that say it, for the command a resume repeats (empty when the target
    /// gives them: the resume names the target).
    pub flags: String,
}

impl ScheduleArgs {
    /// The flags, resolved against `target`'s defaults; a window or freeze that does not
    /// parse is a usage error (exit 2).
    pub(super) fn resolve(&self, target: Option<&Target>) -> Result<Schedule, Error> {
        let cutoff = crate::window::parse_duration(&self.window_cutoff)
            .map_err(|e| Error::Usage(format!("--window-cutoff: {e}")))?;
        let named = target.and_then(|t| t.name.clone());
        let from_target = |what: &str| match &named {
            Some(name) => format!("target `{name}`'s `{what}`"),
            None => what.to_string(),
        };
        let mut flags = String::new();
        for (flag, value) in [("--window", &self.window), ("--window-tz", &self.window_tz)] {
            if let Some(value) = value {
                flags.push_str(&format!(" {flag} {}", crate::text::shell_word(value)));
            }
        }
        for freeze in &self.freeze {
            flags.push_str(&format!(" --freeze {}", crate::text::shell_word(freeze)));
        }
        if self.no_window {
            flags.push_str(" --no-window");
        }
        // Each flag stands in for its key of the target's; the target's frozen days stay
        // frozen beside those of --freeze.
        let value =
            |key: Option<&crate::targets::resolve::Sourced<String>>| key.map(|k| k.value.clone());
        let spec = self
            .window
            .clone()
            .or_else(|| value(target.and_then(|t| t.window.as_ref())));
        let zone = self
            .window_tz
            .clone()
            .or_else(|| value(target.and_then(|t| t.window_tz.as_ref())));
        let mut freezes: Vec<String> = target
            .and_then(|t| t.freeze.as_ref())
            .map(|f| f.value.clone())
            .unwrap_or_default();
        freezes.extend(self.freeze.iter().cloned());
        let from = match (&self.window, target.and_then(|t| t.window.as_ref())) {
            (Some(_), _) => "--window".to_string(),
            (None, Some(_)) => from_target("window"),
            (None, None) if !self.freeze.is_empty() => "--freeze".to_string(),
            (None, None) => from_target("freeze"),
        };
        let window = match (self.no_window, &spec, freezes.is_empty()) {
            (true, _, _) | (false, None, true) => None,
            (false, Some(spec), _) => Some(Window::parse(spec, zone.as_deref(), &freezes)),
            (false, None, false) => Some(Window::always(zone.as_deref(), &freezes)),
        }
        .transpose()
        .map_err(|e| Error::Usage(format!("the maintenance window ({from}): {e}")))?
        .map(|window| (window, from));
        if self.window_cutoff != "10m" {
            flags.push_str(&format!(
                " --window-cutoff {}",
                crate::text::shell_word(&self.window_cutoff)
            ));
        }
        let budget = match self.budget {
            Some(n) => {
                flags.push_str(&format!(" --budget {n}"));
                Some((n, "--budget".to_string()))
            }
            None if self.no_budget => {
                flags.push_str(" --no-budget");
                None
            }
            None => target
                .and_then(|t| t.budget_per_day.as_ref())
                .map(|b| (b.value, from_target("budget_per_day"))),
        };
        Ok(Schedule {
            window,
            cutoff,
            budget,
            flags,
        })
    }
}

/// Refuse (exit 2) a resume that drops the window or the budget its run was started with:
/// `recorded` is the run's command as recorded (with its window and budget flags), `flags`
/// this resume's; `resume` the command that resumes the run as it started. A target's own
/// window and budget come with its name, and `--no-window`/`--no-budget` drop them on
/// purpose.
pub(super) fn check_resume(recorded: &str, flags: &str, resume: &str) -> Result<(), Error> {
    let (recorded, flags) = (format!("{recorded} "), format!("{flags} "));
    // Each kind of window flag the run had is given again (another value is the admin's
    // choice: the next window), unless --no-window drops them all.
    let dropped_window = !flags.contains(" --no-window ")
        && [" --window ", " --window-tz ", " --freeze "]
            .iter()
            .any(|flag| recorded.contains(flag) && !flags.contains(flag));
    let dropped_budget = recorded.contains(" --budget ")
        && !flags.contains(" --budget ")
        && !flags.contains(" --no-budget ");
    let what = match (dropped_window, dropped_budget) {
        (false, false) => return Ok(()),
        (true, false) => "a maintenance window",
        (false, true) => "a daily budget",
        (true, true) => "a maintenance window and a daily budget",
    };
    let without = match (dropped_window, dropped_budget) {
        (true, true) => "--no-window and --no-budget",
        (true, false) => "--no-window",
        _ => "--no-budget",
    };
    Err(Error::Usage(format!(
        "the run was started with {what} that this resume does not give; resume it as it \
         started: {resume}, or pass {without} to resume it without. Nothing was sent"
    )))
}

/// Count the `requests` a run without a budget sent to `target` (its URL) in the target's
/// budget ledger, at the end of the run (later than they were sent: they count a little
/// longer, never less), so that the budgets of the runs after it see them. A state
/// directory that cannot be written only leaves them uncounted (logged).
pub(super) fn count_unbudgeted(target: &str, run: &str, requests: u64) {
    let counted = StateDir::open_default().and_then(|state| {
        Budget::open(&state, target, u64::MAX, run)?.take(requests, std::time::SystemTime::now())
    });
    if let Err(why) = counted {
        tracing::warn!(%why, "the run's requests are not counted in the target's budget ledger");
    }
}

/// Why a window closed at `now` refuses a run (exit 4), and when it opens: `opens`, as
/// [`Schedule::standing`] found it.
pub(super) fn closed(schedule: &Schedule, now: Timestamp, opens: Option<Timestamp>) -> String {
    let words = schedule.window_words();
    let cutoff = super::render::duration(schedule.cutoff.as_secs_f64());
    let Some((window, _)) = &schedule.window else {
        return format!("{words}; nothing was sent");
    };
    let Some(opens) = opens else {
        return match window.openings(now).next() {
            Some(_) => format!(
                "{words}: no opening of it is longer than --window-cutoff ({cutoff}), so no \
                 user could start in one; lower --window-cutoff or widen the window. Nothing \
                 was sent"
            ),
            None => {
                format!("{words} does not open again (every day ahead is frozen); nothing was sent")
            }
        };
    };
    let then = schedule.both_zones(opens);
    let why = match window.at(now) {
        Opening::Open { closes } => format!(
            "{words} closes at {}, within --window-cutoff ({cutoff}): no user starts now; it \
             opens next at {then}",
            schedule.both_zones(closes)
        ),
        Opening::Closed { .. } if frozen_now(window, now) => {
            format!("{words}: today is frozen; it opens next at {then}")
        }
        Opening::Closed { .. } => format!("outside {words}: it opens next at {then}"),
    };
    format!("{why}; nothing was sent. Start it then, or pass --wait-for-window to wait for it")
}

/// Whether `window` is closed at `now` by a frozen day: the same ranges without their
/// freezes are open then.
fn frozen_now(window: &Window, now: Timestamp) -> bool {
    if window.freezes().is_empty() {
        return false;
    }
    let zone = Some(window.zone_name());
    let unfrozen = match window.is_always() {
        true => Window::always(zone, &[]),
        false => Window::parse(&window.spec(), zone, &[]),
    };
    unfrozen.is_ok_and(|w| matches!(w.at(now), Opening::Open { .. }))
}

/// Where a window stands for a run starting at `now`: it may start and must stop starting
/// users at `until`, or it is closed until `opens` (`None`: it never opens again).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Standing {
    Open { until: Timestamp, closes: Timestamp },
    Closed { opens: Option<Timestamp> },
}

impl Schedule {
    /// Where the window stands at `now`, the cutoff counted: a window that closes within
    /// the cutoff is closed until its next opening with more than the cutoff left.
    pub(super) fn standing(&self, now: Timestamp) -> Option<Standing> {
        // Openings are clipped to start at `now`: the first one a user can start in is
        // open now when it starts then.
        let usable = self.usable(now)?.next();
        Some(match usable {
            Some((start, until, closes)) if start <= now => Standing::Open { until, closes },
            Some((start, ..)) => Standing::Closed { opens: Some(start) },
            None => Standing::Closed { opens: None },
        })
    }

    /// The window's openings from `now` on (the one holding `now` clipped to start then)
    /// in which a user can start, each as `(start, last start, close)`: the last start is
    /// its close less `--window-cutoff`, after its start. `None` without a window.
    pub(super) fn usable(
        &self,
        now: Timestamp,
    ) -> Option<impl Iterator<Item = (Timestamp, Timestamp, Timestamp)> + '_> {
        let (window, _) = self.window.as_ref()?;
        let cutoff = jiff::SignedDuration::try_from(self.cutoff).unwrap_or_default();
        Some(
            window
                .openings(now)
                .take(4_000)
                .filter_map(move |(start, end)| {
                    end.checked_sub(cutoff)
                        .ok()
                        .filter(|last| *last > start)
                        .map(|last| (start, last, end))
                }),
        )
    }

    /// The window in words: `` `Mon-Fri 22:00-05:30` (Europe/Berlin, from --window) ``.
    pub(super) fn window_words(&self) -> String {
        match &self.window {
            Some((window, from)) => {
                let ranges = match window.is_always() {
                    true => "any time".to_string(),
                    false => format!("`{}`", window.spec()),
                };
                let freezes = match window.freezes() {
                    days if days.is_empty() => String::new(),
                    days => format!("; frozen {}", days.join(", ")),
                };
                format!(
                    "the maintenance window {ranges} ({}, {from}{freezes})",
                    window.zone_name()
                )
            }
            None => "no maintenance window".into(),
        }
    }

    /// `t` in the window's zone and, where it differs, the admin's.
    pub(super) fn both_zones(&self, t: Timestamp) -> String {
        let here = crate::window::local(t);
        match &self.window {
            Some((window, _)) => {
                let there = window.in_zone(t);
                match there == here {
                    true => there,
                    false => format!("{there} ({here} here)"),
                }
            }
            None => here,
        }
    }

    /// The budget of `target` in the state directory, for the run `run`; `None` without a
    /// budget. A state directory that cannot be opened is an error: a budget that cannot be
    /// counted is not kept.
    pub(super) fn budget(&self, target: &str, run: &str) -> Result<Option<Budget>, Error> {
        let Some((per_day, _)) = self.budget else {
            return Ok(None);
        };
        let refused = |why: crate::state::StateError| {
            Error::Usage(format!(
                "--budget: the daily request budget is counted in the state directory, which \
                 cannot be used: {why}; nothing was sent"
            ))
        };
        let state = StateDir::open_default().map_err(refused)?;
        Budget::open(&state, target, per_day, run)
            .map(Some)
            .map_err(refused)
    }
}
