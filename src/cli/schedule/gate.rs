//! A run's window and budget before it logs in: refused (exit 4) or waited for, and the
//! run's [`Horizon`].

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;

use super::{Schedule, Standing};
use crate::apply::Horizon;
use crate::cli::Notes;
use crate::cli::render::duration;
use crate::error::Error;
use crate::state::budget::{Allowance, Budget};
use crate::text::thousands;

/// Refuse a run whose window is closed now (exit 4), before its password is asked for.
pub(crate) fn refuse_closed(schedule: &Schedule) -> Result<(), Error> {
    match schedule.standing(Timestamp::now()) {
        Some(Standing::Closed { opens }) => Err(Error::NotNow(closed(schedule, opens))),
        _ => Ok(()),
    }
}

/// Why a closed window refuses a run, and when it opens.
fn closed(schedule: &Schedule, opens: Option<Timestamp>) -> String {
    match opens {
        None => format!(
            "{} does not open again (every day ahead is frozen); nothing was sent",
            schedule.window_words()
        ),
        Some(opens) => format!(
            "outside {}: it opens next at {}; nothing was sent. Start it then, or pass \
             --wait-for-window to wait for it",
            schedule.window_words(),
            schedule.both_zones(opens)
        ),
    }
}

/// Tell the admin, before the run starts, until when it starts users and what is left of
/// its budget.
pub(crate) fn tell(
    schedule: &Schedule,
    horizon: &Horizon,
    left: Option<&Allowance>,
    notes: &Notes,
) {
    // A window of freezes only closes at the next frozen day: said when that is near.
    let near = |until: &SystemTime| {
        until
            .duration_since(SystemTime::now())
            .is_ok_and(|left| left < Duration::from_secs(7 * 86_400))
    };
    if let Some((until, why)) = horizon.until.as_ref().filter(|(until, _)| near(until)) {
        let until = Timestamp::try_from(*until).unwrap_or_else(|_| Timestamp::now());
        notes.note(&format!(
            "users start until {}: {why}",
            schedule.both_zones(until)
        ));
    }
    if let (Some(allowance), Some((per_day, from))) = (left, &schedule.budget) {
        notes.note(&format!(
            "daily request budget ({from}): {} of {} requests left in the last 24 hours",
            thousands(allowance.left()),
            thousands(*per_day)
        ));
    }
}

/// Gives back, when dropped, what a run took of the budget and did not use.
pub(crate) struct GiveBack(pub Arc<Allowance>);

impl Drop for GiveBack {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The check before a run logs in: a closed window refuses it (exit 4), or with `wait`
/// waits until it opens with a countdown (Ctrl-C: exit 130, nothing sent); a budget without
/// room for the login and `first_cost` requests refuses it. Returns the run's horizon, and
/// the allowance that counts its requests against the budget.
pub(crate) fn before_login(
    schedule: &Schedule,
    budget: Option<Budget>,
    first_cost: u64,
    wait: bool,
    notes: &Notes,
) -> Result<(Horizon, Option<Arc<Allowance>>), Error> {
    let mut horizon = Horizon::default();
    loop {
        let now = Timestamp::now();
        match schedule.standing(now) {
            None => break,
            Some(Standing::Open { until, closes }) => {
                let why = format!(
                    "{} closes at {}; no user starts in its last {} (--window-cutoff)",
                    schedule.window_words(),
                    schedule.both_zones(closes),
                    duration(schedule.cutoff.as_secs_f64())
                );
                let until = SystemTime::try_from(until).unwrap_or_else(|_| SystemTime::now());
                horizon.until = Some((until, why));
                break;
            }
            Some(Standing::Closed { opens }) => match (wait, opens) {
                (true, Some(opens)) => wait_until(opens, &schedule.both_zones(opens), notes)?,
                _ => return Err(Error::NotNow(closed(schedule, opens))),
            },
        }
    }
    let Some(budget) = budget else {
        return Ok((horizon, None));
    };
    let now = SystemTime::now();
    let needed = 1 + first_cost;
    let state_error =
        |why: crate::state::StateError| Error::Usage(format!("{why}; nothing was sent"));
    let remaining = budget.remaining(now).map_err(state_error)?;
    if remaining < needed {
        let frees = budget.frees_at(needed, now).map_err(state_error)?;
        let frees = Timestamp::try_from(frees).unwrap_or_else(|_| Timestamp::now());
        return Err(Error::NotNow(format!(
            "the daily request budget of this target is spent: {} of {} requests left in the \
             last 24 hours, {} needed to start; enough is free again at {}; nothing was sent",
            thousands(remaining),
            thousands(budget.per_day()),
            thousands(needed),
            schedule.both_zones(frees)
        )));
    }
    let allowance = Arc::new(Allowance::new(budget, ALLOWANCE_BLOCK));
    horizon.budget = Some(allowance.clone());
    Ok((horizon, Some(allowance)))
}

/// The requests a run takes from the shared budget at a time: counted from when they were
/// taken, and what is left of them given back at the end.
const ALLOWANCE_BLOCK: u64 = 20;

/// Wait until `opens` (`shown` in words), counting down on standard error (a line a
/// second on a terminal, else one every ten minutes); Ctrl-C ends the command (exit 130).
fn wait_until(opens: Timestamp, shown: &str, notes: &Notes) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("start the async runtime"))?;
    let terminal = std::io::stderr().is_terminal() && !notes.quiet;
    notes.note(&format!(
        "waiting for the window: it opens at {shown} (Ctrl-C to stop; nothing is sent before)"
    ));
    let interrupted = runtime.block_on(async {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut since_line = Duration::ZERO;
        loop {
            let left = opens.duration_since(Timestamp::now());
            if left <= jiff::SignedDuration::ZERO {
                return false;
            }
            let left = Duration::try_from(left).unwrap_or_default();
            if terminal {
                crate::cli::say(&format!(
                    "\r\x1b[2Kopens in {}",
                    duration(left.as_secs() as f64)
                ));
            } else if since_line >= Duration::from_secs(600) {
                notes.note(&format!(
                    "the window opens in {}",
                    duration(left.as_secs_f64())
                ));
                since_line = Duration::ZERO;
            }
            tokio::select! {
                _ = tick.tick() => since_line += Duration::from_secs(1),
                _ = tokio::signal::ctrl_c() => return true,
            }
        }
    });
    if terminal {
        crate::cli::say("\r\x1b[2K");
    }
    match interrupted {
        true => Err(Error::Interrupted(
            "interrupted while waiting for the window: nothing was sent".into(),
        )),
        false => Ok(()),
    }
}
