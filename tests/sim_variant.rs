//! The simulator's switches for what the real Odin leaves unknown (`sim::Variant`): each
//! answer it can give, so that the client is proven against all of them.

use reqwest::StatusCode;
use serde_json::Value;
use sleipnir::sim::{ErrorBody, FaultConfig, SimConfig, Variant};

use crate::sim_support::{ALICE, error, odin};

fn with(variant: Variant) -> SimConfig {
    SimConfig {
        users: 2,
        variant,
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn error_bodies_put_the_text_where_the_switch_says() {
    // The default: the text in `error`, no `details` (Odin's front end reads only `error`).
    let plain = odin(SimConfig::default()).await;
    let unknown = plain.get("/users?userId=nobody@sim.example.net").await;
    assert_eq!(
        error(unknown, StatusCode::NOT_FOUND).await,
        "user `nobody@sim.example.net` not found"
    );

    let detailed = odin(with(Variant {
        error_body: ErrorBody::Details,
        ..Variant::default()
    }))
    .await;
    let unknown = detailed.get("/users?userId=nobody@sim.example.net").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "status": 404,
            "error": "Not Found",
            "details": "user `nobody@sim.example.net` not found",
        })
    );
    // The token check and unknown endpoints answer in the same shape.
    let no_token = detailed
        .client
        .get(format!("{}/users?userId={ALICE}", detailed.sim.base_url()))
        .send()
        .await
        .unwrap();
    let body: Value = no_token.json().await.unwrap();
    assert_eq!(body["details"], "missing bearer token");
    assert_eq!(body["error"], "Unauthorized");
    let nowhere: Value = detailed.get("/nowhere").await.json().await.unwrap();
    assert_eq!(nowhere["details"], "no such endpoint");

    // So do the fault layer's 503s and 429s.
    let faulty = odin(SimConfig {
        faults: FaultConfig {
            fail_rate: 1.0,
            rate_limit: Some(3),
            ..FaultConfig::default()
        },
        ..with(Variant {
            error_body: ErrorBody::Details,
            ..Variant::default()
        })
    })
    .await;
    let failed = faulty
        .put(
            "/users/services/settings",
            serde_json::json!({"userId": ALICE, "Do Not Disturb": {"isActive": true}}),
        )
        .await;
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["error"], "Service Unavailable");
    assert_eq!(body["details"], "service temporarily unavailable");
    let mut throttled = None;
    for _ in 0..5 {
        let response = faulty.get(&format!("/users?userId={ALICE}")).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(response);
            break;
        }
    }
    let throttled = throttled.expect("a 429 past 3 requests in one second");
    assert!(throttled.headers().contains_key("retry-after"));
    let body: Value = throttled.json().await.unwrap();
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(
        body["details"],
        "rate limit of 3 requests per second exceeded"
    );
}
