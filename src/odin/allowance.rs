//! A cap on the requests a client may send, beside the rate: the daily request budget of a
//! target (`--budget`, DESIGN.md §5), which the state directory keeps for every run sharing
//! it. The transport asks it once per request, after the limiter's wait and before sending;
//! a request it refuses is not sent.

use std::fmt::Debug;

/// What decides whether one more request may go.
pub trait Allowance: Debug + Send + Sync {
    /// One request may go now (and is counted); `false`: it must not be sent.
    fn take_one(&self) -> bool;

    /// Hold `n` requests for what is about to be sent, so that they are there when it is
    /// (another run sharing the budget cannot take them); `false` when they cannot be held.
    fn reserve(&self, n: u64) -> bool;

    /// Why a request was refused, in the admin's words (the budget, and when it frees).
    fn refusal(&self) -> String;
}
