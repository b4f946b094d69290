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
        Some(Standing::Closed { opens }) => Err(closed_error(schedule, opens)),
        _ => Ok(()),
    }
}

/// The error of a window closed now: not now (exit 4) until its next opening; a window
/// that never opens again, or whose openings are all within the cutoff, is a usage error
/// (exit 2): waiting does not mend it.
fn closed_error(schedule: &Schedule, opens: Option<Timestamp>) -> Error {
    let why = super::closed(schedule, Timestamp::now(), opens);
    match opens {
        Some(_) => Error::NotNow(why),
        None => Error::Usage(why),
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

/// The check before a run logs in (and before it touches its run directory): a closed
/// window refuses it (exit 4), or with `wait` waits until it opens with a countdown (Ctrl-C:
/// exit 130, nothing sent) unless the budget will not have room by then; a budget that
/// cannot hold [`START`] requests and `first_cost` refuses it (exit 4; a budget smaller than
/// that is a usage error, exit 2). Returns the run's horizon, and the allowance that counts
/// its requests against the budget, holding those it starts with.
pub(crate) fn before_login(
    schedule: &Schedule,
    budget: Option<Budget>,
    (first_cost, rate): (u64, f64),
    wait: bool,
    notes: &Notes,
) -> Result<(Horizon, Option<Arc<Allowance>>), Error> {
    let needed = START + first_cost;
    if let Some(budget) = &budget
        && budget.per_day() < needed
    {
        return Err(Error::Usage(format!(
            "a daily budget of {} requests ({}) is below the {} a run needs to change its \
             first user (the login, the reads that place users in their groups, and the \
             user's own reads and writes); raise it. Nothing was sent",
            thousands(budget.per_day()),
            schedule
                .budget
                .as_ref()
                .map_or("--budget", |(_, from)| from.as_str()),
            thousands(needed)
        )));
    }
    let mut horizon = Horizon::default();
    loop {
        let now = Timestamp::now();
        match schedule.standing(now) {
            None => break,
            Some(Standing::Open { until, closes }) => {
                let cutoff = match schedule.cutoff.is_zero() {
                    true => String::new(),
                    false => format!(
                        "; no user starts in its last {} (--window-cutoff)",
                        duration(schedule.cutoff.as_secs_f64())
                    ),
                };
                let why = format!(
                    "{} closes at {}{cutoff}",
                    schedule.window_words(),
                    schedule.both_zones(closes)
                );
                let until = SystemTime::try_from(until).unwrap_or_else(|_| SystemTime::now());
                horizon.until = Some((until, why));
                break;
            }
            Some(Standing::Closed { opens }) => match (wait, opens) {
                (true, Some(opens)) => {
                    // Waiting for a window the budget has no room in waits for nothing.
                    if let Some(budget) = &budget {
                        let at = SystemTime::try_from(opens).unwrap_or_else(|_| SystemTime::now());
                        if spent(schedule, budget, needed, at)?.is_some() {
                            let now = SystemTime::now();
                            if let Some(why) = spent(schedule, budget, needed, now)? {
                                return Err(Error::NotNow(why));
                            }
                        }
                    }
                    wait_until(opens, &schedule.both_zones(opens), notes)?
                }
                _ => return Err(closed_error(schedule, opens)),
            },
        }
    }
    let Some(budget) = budget else {
        return Ok((horizon, None));
    };
    let allowance = Arc::new(Allowance::new(budget, block(rate)));
    // The requests to start with are held now: the login, the first reads and the first
    // user go whatever other runs sharing the budget take meanwhile.
    if !allowance.reserve(needed) {
        // What the probe held goes back before the ledger is read for the message.
        allowance.close();
        let why = spent(schedule, allowance.budget(), needed, SystemTime::now())?;
        return Err(Error::NotNow(why.unwrap_or_else(|| {
            crate::odin::Allowance::refusal(allowance.as_ref())
        })));
    }
    horizon.budget = Some(allowance.clone());
    Ok((horizon, Some(allowance)))
}

/// Why `budget` has no room for `needed` requests at `at` (and when it has), or `None`
/// when it has.
fn spent(
    schedule: &Schedule,
    budget: &Budget,
    needed: u64,
    at: SystemTime,
) -> Result<Option<String>, Error> {
    let state_error =
        |why: crate::state::StateError| Error::Usage(format!("{why}; nothing was sent"));
    let remaining = budget.remaining(at).map_err(state_error)?;
    if remaining >= needed {
        return Ok(None);
    }
    let frees = budget.frees_at(needed, at).map_err(state_error)?;
    let frees = Timestamp::try_from(frees).unwrap_or_else(|_| Timestamp::now());
    Ok(Some(format!(
        "the daily request budget of this target ({}) has no room: {} of {} requests left in \
         the last 24 hours, about {} needed to change a first user; enough is free again at \
         {} at the latest (sooner when runs going on now give back what they hold and do not \
         use); nothing was sent",
        schedule
            .budget
            .as_ref()
            .map_or("--budget", |(_, from)| from.as_str()),
        thousands(remaining),
        thousands(budget.per_day()),
        thousands(needed),
        schedule.both_zones(frees)
    )))
}

/// The requests a run sends before its first user's own, at most in the common case: the
/// login, the first user's record and its enterprise's listing that place users, the
/// group listings that check numbers and extensions, and the group reads of its group.
pub(crate) const START: u64 = 8;

/// The requests a run takes from the shared budget at a time, at `rate` requests per
/// second: about a second's worth, from 20 to 1,000. Each take locks and reads the ledger,
/// so a block of a second's requests keeps that to about once a second however fast the
/// run goes; what a run holds and does not use is given back at its end (or after a
/// minute), so a larger block only holds it from the other runs that long.
fn block(rate: f64) -> u64 {
    (rate.ceil() as u64).clamp(20, 1_000)
}

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
