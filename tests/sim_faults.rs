//! Injected faults, each seeded so the test is deterministic, and the statistics that count them.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sleipnir::sim::{FaultConfig, SimConfig};

use crate::sim_support::{ALICE, error, odin};

fn with(faults: FaultConfig) -> SimConfig {
    SimConfig {
        users: 5,
        faults,
        ..SimConfig::default()
    }
}

fn dnd(on: bool) -> serde_json::Value {
    json!({"userId": ALICE, "Do Not Disturb": {"isActive": on}})
}

#[tokio::test]
async fn latency_holds_every_request() {
    let odin = odin(with(FaultConfig {
        latency: Duration::from_millis(150),
        jitter: Duration::from_millis(50),
        ..FaultConfig::default()
    }))
    .await;
    let start = Instant::now();
    odin.get_json(&format!("/users?userId={ALICE}")).await;
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let odin = odin(with(FaultConfig {
        rate_limit: Some(5),
        ..FaultConfig::default()
    }))
    .await;
    // Login was one request; send 20 more back to back.
    let start = Instant::now();
    let mut responses = Vec::new();
    for _ in 0..20 {
        responses.push(odin.get(&format!("/users?userId={ALICE}")).await);
    }
    let elapsed = start.elapsed();
    let ok = responses
        .iter()
        .filter(|r| r.status() == StatusCode::OK)
        .count();
    let limited: Vec<_> = responses
        .into_iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    // At most 5 per sliding second can pass (login took one of the first second's).
    let seconds = elapsed.as_secs() as usize + 1;
    assert!(ok <= 5 * seconds, "{ok} passed in {elapsed:?}");
    assert!(!limited.is_empty());
    let count = limited.len() as u64;
    for response in limited {
        let retry: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=1).contains(&retry));
        assert!(
            error(response, StatusCode::TOO_MANY_REQUESTS)
                .await
                .contains("rate limit of 5")
        );
    }
    let stats = odin.stats().await;
    assert_eq!(stats.rate_limited, count);
    assert_eq!(stats.total, 21);
    assert!(stats.max_requests_per_second >= 6);
}

#[tokio::test]
async fn fail_rate_answers_503_before_a_write_changes_anything() {
    let odin = odin(with(FaultConfig {
        fail_rate: 1.0,
        ..FaultConfig::default()
    }))
    .await;
    let before = odin.state(ALICE).await;
    let response = odin.put("/users/services/settings", dnd(true)).await;
    assert_eq!(
        error(response, StatusCode::SERVICE_UNAVAILABLE).await,
        "service temporarily unavailable"
    );
    assert_eq!(odin.state(ALICE).await, before);
    // Reads are never failed.
    odin.get_json(&format!("/users?userId={ALICE}")).await;
    assert_eq!(odin.stats().await.failed, 1);
}

#[tokio::test]
async fn seeded_faults_repeat_exactly() {
    let config = with(FaultConfig {
        fail_rate: 0.5,
        ..FaultConfig::default()
    });
    let mut runs = Vec::new();
    for _ in 0..2 {
        let odin = odin(config.clone()).await;
        let mut statuses = Vec::new();
        for i in 0..16 {
            statuses.push(
                odin.put("/users/services/settings", dnd(i % 2 == 0))
                    .await
                    .status(),
            );
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&StatusCode::OK));
    assert!(runs[0].contains(&StatusCode::SERVICE_UNAVAILABLE));
}

#[tokio::test]
async fn dropped_writes_take_effect_but_never_answer() {
    let odin = odin(with(FaultConfig {
        drop_rate: 1.0,
        ..FaultConfig::default()
    }))
    .await;
    let attempt = odin
        .client
        .put(format!("{}/users/services/settings", odin.sim.base_url()))
        .bearer_auth(&odin.token)
        .json(&dnd(true))
        .send()
        .await;
    assert!(attempt.is_err(), "the connection closed without a response");
    let state = odin.state(ALICE).await;
    assert_eq!(state["settings"]["Do Not Disturb"]["isActive"], true);
    let stats = odin.stats().await;
    assert_eq!(stats.dropped, 1);
    assert!(
        stats
            .requests
            .iter()
            .any(|r| r.method == "PUT" && r.status == 0 && r.count == 1)
    );
    // Reads and logins are never dropped.
    odin.get_json(&format!("/users?userId={ALICE}")).await;
}

#[tokio::test]
async fn stats_count_by_method_path_and_status() {
    let odin = odin(with(FaultConfig::default())).await;
    odin.get_json(&format!("/users?userId={ALICE}")).await;
    odin.get_json(&format!("/users?userId={ALICE}")).await;
    let _ = odin.get("/users?userId=nobody").await;
    let stats = odin.stats().await;
    let count = |method: &str, path: &str, status: u16| {
        stats
            .requests
            .iter()
            .find(|r| r.method == method && r.path == path && r.status == status)
            .map_or(0, |r| r.count)
    };
    assert_eq!(count("POST", "/api/v2/auth/token", 200), 1);
    assert_eq!(count("GET", "/api/v2/users", 200), 2);
    assert_eq!(count("GET", "/api/v2/users", 404), 1);
    assert_eq!(stats.total, 4);
    assert_eq!(stats.rate_limited + stats.failed + stats.dropped, 0);
}
