//! What the simulator saw: requests by method, path and status, faults injected, and the
//! highest number of requests in any one-second window (`GET /__sim/stats`).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

#[derive(Debug, Default)]
struct Counters {
    by_route: BTreeMap<(String, String, u16), u64>,
    total: u64,
    rate_limited: u64,
    failed: u64,
    dropped: u64,
    arrivals: VecDeque<Instant>,
    max_per_second: usize,
}

/// Request statistics, shared by all connections.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    counters: Mutex<Counters>,
}

/// One row of the statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RouteCount {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Status sent.
    pub status: u16,
    /// How many.
    pub count: u64,
}

/// The statistics as `GET /__sim/stats` returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsReport {
    /// Requests that reached the Odin paths, answered or not.
    pub total: u64,
    /// Counts by method, path and status, sorted.
    pub requests: Vec<RouteCount>,
    /// 429s sent by the rate limit.
    pub rate_limited: u64,
    /// 503s injected before writes.
    pub failed: u64,
    /// Writes whose connection was dropped after they succeeded.
    pub dropped: u64,
    /// The most requests that arrived within any one second.
    pub max_requests_per_second: usize,
}

impl Stats {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A request arrived at `now`.
    pub fn arrived(&self, now: Instant) {
        let mut c = self.lock();
        c.total += 1;
        while c
            .arrivals
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            c.arrivals.pop_front();
        }
        c.arrivals.push_back(now);
        c.max_per_second = c.max_per_second.max(c.arrivals.len());
    }

    /// A request was answered with `status`.
    pub fn answered(&self, method: &str, path: &str, status: u16) {
        let mut c = self.lock();
        *c.by_route
            .entry((method.to_string(), path.to_string(), status))
            .or_default() += 1;
        match status {
            429 => c.rate_limited += 1,
            503 => c.failed += 1,
            _ => {}
        }
    }

    /// A write succeeded and its connection was dropped.
    pub fn dropped(&self, method: &str, path: &str) {
        let mut c = self.lock();
        c.dropped += 1;
        *c.by_route
            .entry((method.to_string(), path.to_string(), 0))
            .or_default() += 1;
    }

    /// A snapshot for the stats endpoint.
    pub fn report(&self) -> StatsReport {
        let c = self.lock();
        StatsReport {
            total: c.total,
            requests: c
                .by_route
                .iter()
                .map(|((method, path, status), count)| RouteCount {
                    method: method.clone(),
                    path: path.clone(),
                    status: *status,
                    count: *count,
                })
                .collect(),
            rate_limited: c.rate_limited,
            failed: c.failed,
            dropped: c.dropped,
            max_requests_per_second: c.max_per_second,
        }
    }
}
