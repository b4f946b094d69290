//! A run's share of the daily budget: the requests it took from the ledger in blocks and has
//! not sent yet, handed out one per request without touching the ledger's file.

use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use super::{BLOCK_LIFE, Budget, Taken};

/// A run's share of the budget: takes blocks of requests from the ledger as it needs them,
/// and hands them out one per request ([`Allowance::take_one`], thread-safe; the ledger's lock
/// and file are touched once per block only).
///
/// The block size is a trade-off. A block counts in the ledger from when it was taken, whole,
/// until its unused part is given back: a larger one locks the ledger less often, but holds
/// back from the other runs up to a block less one request each, and a run that dies without
/// [`Allowance::close`] loses its unused part for the day. A block is spent within
/// [`BLOCK_LIFE`] of its take (then its rest is given back and a new one taken), which the
/// ledger's window allows for, so the requests *sent* in any 24 hours never exceed the budget
/// either — provided [`Allowance::take_one`] is asked right before each request goes.
#[derive(Debug)]
pub struct Allowance {
    budget: Budget,
    block: u64,
    local: Mutex<Local>,
}

/// What the run holds.
#[derive(Debug, Default)]
struct Local {
    /// Requests of the last block not handed out yet.
    unused: u64,
    /// The last block taken (with any requests).
    last: Option<Taken>,
    /// Requests handed out.
    spent: u64,
    /// The first error of the ledger.
    error: Option<String>,
    /// What the ledger had left when last read, and when: [`Allowance::fits`] is asked
    /// before each user starts, and reads the file at most once a second (the run's own
    /// takes since are counted off; another run's takes show within the second, and a
    /// request past the budget is refused by [`Allowance::take_one`] whatever this says).
    seen: Option<(SystemTime, u64)>,
}

impl Local {
    fn keep(&mut self, error: impl std::fmt::Display) {
        if self.error.is_none() {
            self.error = Some(error.to_string());
        }
    }
}

impl Allowance {
    /// A run's allowance from `budget`, taking `block` requests at a time (at least 1; e.g.
    /// 20).
    pub fn new(budget: Budget, block: u64) -> Allowance {
        Allowance {
            budget,
            block: block.max(1),
            local: Mutex::new(Local::default()),
        }
    }

    /// The budget it takes from.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// One request may go: `true` from the block held, or from a new block taken from the
    /// ledger when that one is spent or older than [`BLOCK_LIFE`]; `false` when the budget has
    /// nothing left (the request must not be sent). An error of the ledger also answers
    /// `false`, and is kept ([`Allowance::error`]).
    pub fn take_one(&self) -> bool {
        self.take_one_at(SystemTime::now())
    }

    /// [`Allowance::take_one`] at `now`.
    fn take_one_at(&self, now: SystemTime) -> bool {
        let mut local = self.local();
        let fresh = local
            .last
            .and_then(|last| now.duration_since(last.at).ok())
            .is_some_and(|age| age < BLOCK_LIFE);
        if local.unused > 0 && !fresh {
            self.give_back(&mut local);
        }
        if local.unused == 0 {
            match self.budget.take(self.block, now) {
                Ok(taken) if taken.granted > 0 => {
                    local.unused = taken.granted;
                    local.last = Some(taken);
                    if let Some((_, left)) = &mut local.seen {
                        *left = left.saturating_sub(taken.granted);
                    }
                }
                Ok(_) => return false,
                Err(error) => {
                    local.keep(error);
                    return false;
                }
            }
        }
        local.unused -= 1;
        local.spent += 1;
        true
    }

    /// Whether `n` more requests fit now: the block held and what the ledger has left add up
    /// to `n` (nothing is taken). `false` on an error of the ledger, which is kept.
    pub fn fits(&self, n: u64) -> bool {
        self.fits_at(n, SystemTime::now())
    }

    /// [`Allowance::fits`] at `now`.
    fn fits_at(&self, n: u64, now: SystemTime) -> bool {
        let mut local = self.local();
        if local.unused >= n {
            return true;
        }
        match self.left_at(&mut local, now) {
            Some(left) => local.unused.saturating_add(left) >= n,
            None => false,
        }
    }

    /// What the ledger has left at `now`, read at most once a second; `None` on an error,
    /// which is kept.
    fn left_at(&self, local: &mut Local, now: SystemTime) -> Option<u64> {
        if let Some((at, left)) = local.seen
            && now.duration_since(at).is_ok_and(|age| age < SEEN_LIFE)
        {
            return Some(left);
        }
        match self.budget.remaining(now) {
            Ok(left) => {
                local.seen = Some((now, left));
                Some(left)
            }
            Err(error) => {
                local.keep(error);
                None
            }
        }
    }

    /// Requests it may still send now: the block held and what the ledger has left.
    pub fn left(&self) -> u64 {
        let mut local = self.local();
        let left = self.left_at(&mut local, SystemTime::now()).unwrap_or(0);
        local.unused.saturating_add(left)
    }

    /// Requests this run sent through it.
    pub fn spent(&self) -> u64 {
        self.local().spent
    }

    /// Requests taken from the ledger and not handed out yet.
    pub fn unused(&self) -> u64 {
        self.local().unused
    }

    /// Give back the unused part of the last block (at the end of the run; also done when
    /// dropped). Idempotent. An error of the ledger is kept (the requests stay counted).
    pub fn close(&self) {
        let mut local = self.local();
        self.give_back(&mut local);
    }

    /// The first error the ledger met, for the run to report.
    pub fn error(&self) -> Option<String> {
        self.local().error.clone()
    }

    /// Give back the unused part of the last block; it is no longer held, even on an error.
    fn give_back(&self, local: &mut Local) {
        let unused = std::mem::take(&mut local.unused);
        if let (Some(last), true) = (local.last, unused > 0)
            && let Err(error) = self.budget.give_back(&last, unused)
        {
            local.keep(error);
        }
    }

    /// The run's share, even after a thread panicked holding it (its counts stay true: each
    /// change is made whole under the lock).
    fn local(&self) -> MutexGuard<'_, Local> {
        self.local.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How long what the ledger had left stands for [`Allowance::fits`].
const SEEN_LIFE: std::time::Duration = std::time::Duration::from_secs(1);

impl crate::odin::Allowance for Allowance {
    fn take_one(&self) -> bool {
        Allowance::take_one(self)
    }

    fn fits(&self, n: u64) -> bool {
        Allowance::fits(self, n)
    }

    fn refusal(&self) -> String {
        match self.error() {
            Some(error) => format!(
                "the daily request budget cannot be counted (its ledger in the state \
                 directory: {error}); no request is sent uncounted"
            ),
            None => format!(
                "the daily request budget of {} requests for this target (any 24 hours, every \
                 run sharing the state directory) is reached",
                crate::text::thousands(self.budget.per_day())
            ),
        }
    }
}

impl Drop for Allowance {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests;
