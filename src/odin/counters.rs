//! Requests counted as they are sent: in all, by kind (group reads, user reads, writes,
//! logins), retries, answers of 429 and token refreshes; what summaries and reports show.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Requests sent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCounts {
    /// Every request sent, retries, logins and refreshes included.
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// 429 answers.
    pub throttled: u64,
    /// Token refreshes.
    pub refreshes: u64,
    /// Requests sent by kind: group-scale reads (a group's users or one service's
    /// settings for a whole group).
    #[serde(default)]
    pub group_reads: u64,
    /// Reads of one user's resource.
    #[serde(default)]
    pub user_reads: u64,
    /// Writes of one user's resource.
    #[serde(default)]
    pub writes: u64,
    /// Bulk writes: one request changing many users of a group (API.md §10).
    #[serde(default)]
    pub bulk_writes: u64,
    /// Logins and token refreshes.
    #[serde(default)]
    pub logins: u64,
    /// Group-level writes: one request changing a group's own lists (its numbers, API.md
    /// §12), not a user's resource.
    #[serde(default)]
    pub group_writes: u64,
}

impl RequestCounts {
    /// These counts and `other`'s added up (two attempts of one run).
    pub fn plus(self, other: RequestCounts) -> RequestCounts {
        RequestCounts {
            requests: self.requests + other.requests,
            retries: self.retries + other.retries,
            throttled: self.throttled + other.throttled,
            refreshes: self.refreshes + other.refreshes,
            group_reads: self.group_reads + other.group_reads,
            user_reads: self.user_reads + other.user_reads,
            writes: self.writes + other.writes,
            bulk_writes: self.bulk_writes + other.bulk_writes,
            logins: self.logins + other.logins,
            group_writes: self.group_writes + other.group_writes,
        }
    }
}

/// What a request is for, to count requests by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    GroupRead,
    UserRead,
    Write,
    Login,
    BulkWrite,
    GroupWrite,
}

#[derive(Debug, Default)]
pub(super) struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    refreshes: AtomicU64,
    /// By [`Kind`], in its order.
    kinds: [AtomicU64; 6],
}

impl Counters {
    /// The counts so far.
    pub(super) fn snapshot(&self) -> RequestCounts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        RequestCounts {
            requests: get(&self.requests),
            retries: get(&self.retries),
            throttled: get(&self.throttled),
            refreshes: get(&self.refreshes),
            group_reads: get(&self.kinds[Kind::GroupRead as usize]),
            user_reads: get(&self.kinds[Kind::UserRead as usize]),
            writes: get(&self.kinds[Kind::Write as usize]),
            logins: get(&self.kinds[Kind::Login as usize]),
            bulk_writes: get(&self.kinds[Kind::BulkWrite as usize]),
            group_writes: get(&self.kinds[Kind::GroupWrite as usize]),
        }
    }

    /// Odin answered 429.
    pub(super) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// A request is being sent again.
    pub(super) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// A token refresh is being made.
    pub(super) fn refreshed(&self) {
        self.refreshes.fetch_add(1, Ordering::Relaxed);
    }

    /// A request of `kind` is being sent.
    pub(super) fn sent(&self, kind: Kind) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.kinds[kind as usize].fetch_add(1, Ordering::Relaxed);
    }
}
