//! The simulator's switches for what the real Odin leaves unknown (`sim::Variant`): each
//! answer it can give, so that the client is proven against all of them.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sleipnir::sim::{
    DEFAULT_PASSWORD, DEFAULT_USERNAME, ErrorBody, ExpiredTokenStatus, FaultConfig, ImpSpelling,
    SimConfig, Simulator, Variant,
};

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

#[tokio::test]
async fn expired_and_unknown_tokens_get_the_status_the_switch_says() {
    for (status, expected) in [
        (ExpiredTokenStatus::Unauthorized, StatusCode::UNAUTHORIZED),
        (ExpiredTokenStatus::Forbidden, StatusCode::FORBIDDEN),
    ] {
        let odin = odin(SimConfig {
            token_ttl: Duration::from_secs(1),
            ..with(Variant {
                expired_token_status: status,
                ..Variant::default()
            })
        })
        .await;
        let url = format!("{}/users?userId={ALICE}", odin.sim.base_url());
        let unknown = odin.client.get(&url).bearer_auth("a.b.c").send().await;
        assert_eq!(error(unknown.unwrap(), expected).await, "invalid token");
        // A request without a token is a 401 whatever the switch says.
        let missing = odin.client.get(&url).send().await.unwrap();
        assert_eq!(
            error(missing, StatusCode::UNAUTHORIZED).await,
            "missing bearer token"
        );
        assert_eq!(
            odin.get(&format!("/users?userId={ALICE}")).await.status(),
            StatusCode::OK
        );
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let expired = odin.get(&format!("/users?userId={ALICE}")).await;
        assert_eq!(error(expired, expected).await, "token expired");
    }
}

#[tokio::test]
async fn the_login_answers_a_session_with_a_jwt_whose_exp_is_its_lifetime() {
    let odin = odin(SimConfig {
        token_ttl: Duration::from_secs(7200),
        ..with(Variant::default())
    })
    .await;
    let session: Value = odin
        .client
        .post(format!("{}/auth/token", odin.sim.base_url()))
        .json(&json!({"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["userId"], DEFAULT_USERNAME);
    assert_eq!(session["loginType"], "System");
    let payload = |token: &str| -> Value {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "header.payload.signature: {token}");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url"))
            .expect("a JSON payload")
    };
    let claims = payload(session["token"].as_str().unwrap());
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, 7200);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(iat <= now && now <= iat + 5, "iat {iat} is now ({now})");
    // A refresh answers a new JWT of the same lifetime.
    let refreshed = odin.put_json("/auth/token", Value::Null).await;
    let claims = payload(refreshed["token"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        7200
    );
}

#[tokio::test]
async fn an_expired_password_answers_402_to_the_right_credentials_only() {
    let sim = Simulator::start(
        with(Variant {
            password_expired: true,
            ..Variant::default()
        }),
        0,
    )
    .unwrap();
    sleipnir::odin::install_crypto();
    let client = reqwest::Client::new();
    let login = |password: &'static str| {
        client
            .post(format!("{}/auth/token", sim.base_url()))
            .json(&json!({"username": DEFAULT_USERNAME, "password": password}))
            .send()
    };
    let expired = login(DEFAULT_PASSWORD).await.unwrap();
    let text = error(expired, StatusCode::PAYMENT_REQUIRED).await;
    assert!(text.contains("password has expired"), "{text}");
    let wrong = login("wrong").await.unwrap();
    assert_eq!(
        error(wrong, StatusCode::UNAUTHORIZED).await,
        "invalid username or password"
    );
}

#[tokio::test]
async fn listings_spell_integrated_imp_as_the_switch_says_and_writes_take_only_that() {
    for (spelling, other) in [
        (ImpSpelling::Imp, ImpSpelling::ImAndP),
        (ImpSpelling::ImAndP, ImpSpelling::Imp),
    ] {
        let odin = odin(with(Variant {
            imp_spelling: spelling,
            ..Variant::default()
        }))
        .await;
        let path = format!("/users/services?userId={ALICE}");
        let listing = odin.get_json(&path).await;
        let names: Vec<&str> = listing["userServices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["serviceName"].as_str().unwrap())
            .collect();
        assert!(names.contains(&spelling.name()), "{spelling:?}");
        assert!(!names.contains(&other.name()), "{spelling:?}");
        let write = |name: &str, assigned: bool| json!({"userId": ALICE, "userServices": [{"serviceName": name, "assigned": assigned}]});
        let refused = odin.put("/users/services", write(other.name(), true)).await;
        assert_eq!(
            error(refused, StatusCode::BAD_REQUEST).await,
            format!("unknown service `{}`", other.name())
        );
        odin.put_json("/users/services", write(spelling.name(), false))
            .await;
        let settings = odin
            .get_json(&format!("/users/services/settings?userId={ALICE}"))
            .await;
        assert!(settings.get("Integrated IMP").is_none());
        odin.put_json("/users/services", write(spelling.name(), true))
            .await;
        // The settings key stays `Integrated IMP` whatever the listing says.
        let settings = odin
            .get_json(&format!("/users/services/settings?userId={ALICE}"))
            .await;
        assert!(settings["Integrated IMP"].is_object(), "{spelling:?}");
        assert!(settings.get("Integrated IM&P").is_none());
    }
}
