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

/// Whether what `local` holds was taken within [`BLOCK_LIFE`] of `now`.
fn fresh(local: &Local, now: SystemTime) -> bool {
    local
        .last
        .and_then(|last| now.duration_since(last.at).ok())
        .is_some_and(|age| age < BLOCK_LIFE)
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
        // A spent or stale block is traded for a new one (what it held stays this run's).
        if local.unused == 0 || !fresh(&local, now) {
            self.trade(&mut local, self.block, now);
        }
        if local.unused == 0 {
            return false;
        }
        local.unused -= 1;
        local.spent += 1;
        true
    }

    /// Hold `n` requests for what is about to be sent (a user about to start, with what the
    /// users in flight may still send): `true` when the run holds them, from what it holds
    /// (taken within [`BLOCK_LIFE`]) or else by trading what it holds for one new take of `n`
    /// and a block more, under one lock ([`Budget::renew`]): the block is the headroom that
    /// keeps the next starts from touching the ledger for about as long as it lasts. Held requests are
    /// the run's: another run sharing the ledger cannot take them meanwhile. `false` when the
    /// ledger has not that much left (what it granted is held, for the users in flight, and
    /// given back at the end), or on an error of the ledger, which is kept.
    pub fn reserve(&self, n: u64) -> bool {
        self.reserve_at(n, SystemTime::now())
    }

    /// [`Allowance::reserve`] at `now`.
    fn reserve_at(&self, n: u64, now: SystemTime) -> bool {
        let mut local = self.local();
        if local.unused >= n && fresh(&local, now) {
            return true;
        }
        // All it needs and a block of headroom, in one take: the users in flight keep what
        // they count on, and it is all the last take's.
        self.trade(&mut local, n + self.block, now) && local.unused >= n
    }

    /// Trade what `local` holds for one new take of up to `ask` requests at `now`, under
    /// one lock ([`Budget::renew`]): what it held stays this run's, and all it holds is then
    /// the last take's. `false` on an error of the ledger, which is kept (nothing was
    /// written: what it held is still its own).
    fn trade(&self, local: &mut Local, ask: u64, now: SystemTime) -> bool {
        let old = local
            .last
            .filter(|_| local.unused > 0)
            .map(|last| (last, local.unused));
        match self.budget.renew(old, ask, now) {
            Ok(taken) => {
                local.unused = taken.granted;
                local.last = Some(taken);
                true
            }
            Err(error) => {
                local.keep(error);
                false
            }
        }
    }

    /// Requests it may still send now: the block held and what the ledger has left.
    pub fn left(&self) -> u64 {
        let mut local = self.local();
        match self.budget.remaining(SystemTime::now()) {
            Ok(left) => local.unused.saturating_add(left),
            Err(error) => {
                local.keep(error);
                local.unused
            }
        }
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

impl crate::odin::Allowance for Allowance {
    fn take_one(&self) -> bool {
        Allowance::take_one(self)
    }

    fn reserve(&self, n: u64) -> bool {
        Allowance::reserve(self, n)
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
