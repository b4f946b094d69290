//! What the simulator saw: requests by method, path and status, the same by the group they
//! are about, faults injected, and the highest number of requests in any one-second window
//! (`GET /__sim/stats`).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::Request;
use serde::Serialize;

#[derive(Debug, Default)]
struct Counters {
    by_route: BTreeMap<(String, String, u16), u64>,
    by_group: BTreeMap<(String, String, String, u16), u64>,
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

/// One row of the statistics by group: requests that named a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GroupCount {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The `groupId` of the query or of the JSON body; for a path under
    /// `/service-providers/` without one, the `serviceProviderId`.
    pub group: String,
    /// Status sent (0: the connection was dropped after the write succeeded).
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
    /// The same counts for the requests that named a group (or, under
    /// `/service-providers/`, a service provider), by that group, sorted.
    #[serde(default)]
    pub by_group: Vec<GroupCount>,
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

    /// A request about `scope` (a group, see [`GroupCount::group`]) was answered with
    /// `status`.
    pub fn answered(&self, method: &str, path: &str, scope: Option<&str>, status: u16) {
        let mut c = self.lock();
        *c.by_route
            .entry((method.to_string(), path.to_string(), status))
            .or_default() += 1;
        if let Some(scope) = scope {
            *c.by_group
                .entry((
                    method.to_string(),
                    path.to_string(),
                    scope.to_string(),
                    status,
                ))
                .or_default() += 1;
        }
        match status {
            429 => c.rate_limited += 1,
            503 => c.failed += 1,
            _ => {}
        }
    }

    /// A write succeeded and its connection was dropped.
    pub fn dropped(&self, method: &str, path: &str, scope: Option<&str>) {
        let mut c = self.lock();
        c.dropped += 1;
        *c.by_route
            .entry((method.to_string(), path.to_string(), 0))
            .or_default() += 1;
        if let Some(scope) = scope {
            *c.by_group
                .entry((method.to_string(), path.to_string(), scope.to_string(), 0))
                .or_default() += 1;
        }
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
            by_group: c
                .by_group
                .iter()
                .map(|((method, path, group, status), count)| GroupCount {
                    method: method.clone(),
                    path: path.clone(),
                    group: group.clone(),
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

impl StatsReport {
    /// How many `method path` requests (full path, `/api/v2/...`), whatever their answer
    /// (dropped connections included).
    pub fn count(&self, method: &str, path: &str) -> u64 {
        self.requests
            .iter()
            .filter(|c| c.method == method && c.path == path)
            .map(|c| c.count)
            .sum()
    }

    /// How many `method path` requests (full path, `/api/v2/...`) named `group`, whatever
    /// their answer (dropped connections included).
    pub fn count_for_group(&self, method: &str, path: &str, group: &str) -> u64 {
        self.by_group
            .iter()
            .filter(|c| c.method == method && c.path == path && c.group == group)
            .map(|c| c.count)
            .sum()
    }
}

/// The group `request` is about: the `groupId` of its query, else (for a write under
/// `/groups/` or `/service-providers/`) of its JSON body; under `/service-providers/`
/// without one, the `serviceProviderId`; without either, the group `service_group` gives
/// the `serviceUserId` (a hunt group's or call center's). A body read is put back.
pub(crate) async fn scope_of(
    request: Request,
    path: &str,
    service_group: &(dyn Fn(&str) -> Option<String> + Sync),
) -> (Request, Option<String>) {
    let query: HashMap<String, String> =
        axum::extract::Query::try_from_uri(request.uri()).map_or_else(|_| HashMap::new(), |q| q.0);
    let sp_path = path.starts_with("/api/v2/service-providers/");
    let from = |get: &dyn Fn(&str) -> Option<String>| {
        get("groupId")
            .or_else(|| {
                if sp_path {
                    get("serviceProviderId")
                } else {
                    None
                }
            })
            .or_else(|| get("serviceUserId").and_then(|id| service_group(&id)))
    };
    if let Some(scope) = from(&|key| query.get(key).filter(|v| !v.is_empty()).cloned()) {
        return (request, Some(scope));
    }
    let by_body = request.method() != axum::http::Method::GET
        && (sp_path || path.starts_with("/api/v2/groups/"));
    if !by_body {
        return (request, None);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let scope = from(&|key| {
        json.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    });
    (
        Request::from_parts(parts, axum::body::Body::from(bytes)),
        scope,
    )
}
