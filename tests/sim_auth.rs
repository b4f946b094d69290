//! The simulator's `/auth` endpoints: login, refresh, the session, and the bearer-token
//! check every other endpoint makes.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sleipnir::sim::SimConfig;

use crate::sim_support::{ALICE, error, odin, small};

#[tokio::test]
async fn login_refresh_and_session() {
    let odin = small().await;
    let bad = odin
        .client
        .post(format!("{}/auth/token", odin.sim.base_url()))
        .json(&json!({"username": "admin@sim.example.net", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error(bad, StatusCode::UNAUTHORIZED).await,
        "invalid username or password"
    );
    let missing = odin
        .client
        .post(format!("{}/auth/token", odin.sim.base_url()))
        .json(&json!({"username": "admin@sim.example.net"}))
        .send()
        .await
        .unwrap();
    error(missing, StatusCode::BAD_REQUEST).await;
    let session = odin.get_json("/auth/session").await;
    assert_eq!(session["userId"], "admin@sim.example.net");
    let refreshed: Value = odin.put_json("/auth/token", Value::Null).await;
    let new_token = refreshed["token"].as_str().unwrap();
    assert_ne!(new_token, odin.token);
    let with_new = odin
        .client
        .get(format!("{}/auth/session", odin.sim.base_url()))
        .bearer_auth(new_token)
        .send()
        .await
        .unwrap();
    assert_eq!(with_new.status(), StatusCode::OK);
}

// A missing token is a 401; an invalid or expired one gets `--expired-token-status`, 403 by
// default (the 401 answer: `sim_variant`).
#[tokio::test]
async fn missing_tokens_are_401_and_wrong_ones_403() {
    let odin = small().await;
    let url = format!("{}/users?userId={ALICE}", odin.sim.base_url());
    let none = odin.client.get(&url).send().await.unwrap();
    assert_eq!(
        error(none, StatusCode::UNAUTHORIZED).await,
        "missing bearer token"
    );
    let wrong = odin
        .client
        .get(&url)
        .bearer_auth("sim.nope")
        .send()
        .await
        .unwrap();
    assert_eq!(error(wrong, StatusCode::FORBIDDEN).await, "invalid token");
}

#[tokio::test]
async fn tokens_expire_and_expired_tokens_cannot_refresh() {
    let odin = odin(SimConfig {
        users: 2,
        token_ttl: std::time::Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await;
    assert_eq!(
        odin.get(&format!("/users?userId={ALICE}")).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let expired = odin.get(&format!("/users?userId={ALICE}")).await;
    assert_eq!(error(expired, StatusCode::FORBIDDEN).await, "token expired");
    let refresh = odin.put("/auth/token", Value::Null).await;
    assert_eq!(error(refresh, StatusCode::FORBIDDEN).await, "token expired");
}
