//! The bulk writes (API.md §10) under the simulator's faults and middleware: `--no-bulk-writes`
//! (405) and `--no-bulk-reads` (404), read-only `/bulk` paths, injected 503s, the token
//! check, the rate limit, `--echo-requests`, and the statistics by path.

use reqwest::StatusCode;
use serde_json::json;
use sleipnir::sim::{FaultConfig, SimConfig, Variant, user_id};

use crate::sim_bulk::{GROUP, bulk};
use crate::sim_support::{error, odin, small};

#[tokio::test]
async fn read_only_bulk_paths_refuse_put() {
    let odin = small().await;
    let refused = odin
        .put(
            "/users/shared-call-appearance/bulk",
            json!({"users": [{"userId": user_id(1)}], "data": {"maxAppearances": 5}}),
        )
        .await;
    assert_eq!(refused.headers()["allow"], "GET");
    assert_eq!(
        error(refused, StatusCode::METHOD_NOT_ALLOWED).await,
        "`/users/shared-call-appearance/bulk` is read-only: PUT is not allowed"
    );
}

#[tokio::test]
async fn no_bulk_writes_answers_405_while_the_reads_work() {
    let odin = odin(SimConfig {
        users: 20,
        faults: FaultConfig {
            no_bulk_writes: true,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let before = odin.sim.state(&user_id(1)).unwrap();
    for (path, data) in [
        (
            "/users/call-recording/bulk",
            json!({"recordingOption": "Always"}),
        ),
        ("/users/bulk", json!({"timeZone": "America/Chicago"})),
    ] {
        let refused = odin
            .put(
                path,
                json!({"users": [{"userId": user_id(1)}], "data": data}),
            )
            .await;
        assert_eq!(refused.headers()["allow"], "GET");
        error(refused, StatusCode::METHOD_NOT_ALLOWED).await;
    }
    assert_eq!(odin.sim.state(&user_id(1)).unwrap(), before);
    let read = bulk(&odin, "call-recording").await;
    assert_eq!(read.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn no_bulk_reads_answers_404_to_reads_and_writes() {
    let odin = odin(SimConfig {
        users: 20,
        faults: FaultConfig {
            no_bulk_reads: true,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let read = odin.get(&format!("/users/speed-dial-8/bulk?{GROUP}")).await;
    error(read, StatusCode::NOT_FOUND).await;
    for path in ["/users/call-recording/bulk", "/users/bulk"] {
        let write = odin
            .put(
                path,
                json!({"users": [{"userId": user_id(1)}], "data": {"timeZone": "x"}}),
            )
            .await;
        error(write, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn bulk_writes_take_injected_503s_and_are_counted_by_path() {
    // Every write fails with an injected 503 before it changes anything.
    let odin = odin(SimConfig {
        users: 20,
        faults: FaultConfig {
            fail_rate: 1.0,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let body = json!({"users": [{"userId": user_id(1)}], "data": {"recordingOption": "Always"}});
    let before = odin.sim.state(&user_id(1)).unwrap();
    let failed = odin.put("/users/call-recording/bulk", body.clone()).await;
    error(failed, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(odin.sim.state(&user_id(1)).unwrap(), before);
    bulk(&odin, "call-recording").await;
    let stats = odin.stats().await;
    let count = |method: &str, path: &str, status: u16| {
        stats
            .requests
            .iter()
            .find(|r| r.method == method && r.path == path && r.status == status)
            .map_or(0, |r| r.count)
    };
    assert_eq!(count("PUT", "/api/v2/users/call-recording/bulk", 503), 1);
    assert_eq!(count("GET", "/api/v2/users/call-recording/bulk", 200), 1);
    assert_eq!(stats.failed, 1);
}

#[tokio::test]
async fn bulk_writes_need_a_token() {
    let odin = small().await;
    let body = json!({"users": [{"userId": user_id(1)}], "data": {"recordingOption": "Always"}});
    let anonymous = odin
        .client
        .put(format!("{}/users/call-recording/bulk", odin.sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    error(anonymous, StatusCode::UNAUTHORIZED).await;
    let stats = odin.stats().await;
    assert!(stats.requests.iter().any(|r| r.method == "PUT"
        && r.path == "/api/v2/users/call-recording/bulk"
        && r.status == 401));
}

#[tokio::test]
async fn bulk_writes_are_rate_limited_like_any_request() {
    // One request a second: the login took this second's.
    let limited = odin(SimConfig {
        users: 4,
        faults: FaultConfig {
            rate_limit: Some(1),
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let refused = limited
        .put(
            "/users/bulk",
            json!({"users": [{"userId": user_id(1)}], "data": {"timeZone": "x"}}),
        )
        .await;
    assert!(refused.headers().contains_key("retry-after"));
    error(refused, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test]
async fn echo_requests_names_the_bulk_write_refused() {
    let odin = odin(SimConfig {
        users: 4,
        variant: Variant {
            echo_requests: true,
            ..Variant::default()
        },
        ..SimConfig::default()
    })
    .await;
    let refused = odin
        .put(
            "/users/call-recording/bulk",
            json!({"users": [], "data": {"recordingOption": "Always"}}),
        )
        .await;
    let text = error(refused, StatusCode::BAD_REQUEST).await;
    assert!(
        text.starts_with("`users` is empty: list at least one user while handling PUT /api/v2/users/call-recording/bulk (authorization: Bearer "),
        "{text}"
    );
}
