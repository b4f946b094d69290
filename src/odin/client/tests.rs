//! The client's token rules against a scripted Odin: which token each login or refresh
//! answers, and how `GET /users` answers each token.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use super::*;
use crate::odin::token::Issued;

/// How the scripted Odin answers a `GET /users` sent with a token: a status (and its text),
/// after a delay.
type Rule = Box<dyn Fn(&str) -> (StatusCode, Duration) + Send + Sync>;

struct Script {
    /// The tokens logins and refreshes hand out, in order; the last one repeats.
    tokens: Vec<String>,
    /// How `PUT /auth/token` answers.
    refresh: StatusCode,
    /// How `POST /auth/token` answers.
    login: StatusCode,
    rule: Rule,
    /// Every request: method, path, and the token it carried.
    seen: Mutex<Vec<String>>,
    issued: Mutex<usize>,
}

impl Script {
    fn new(
        tokens: &[&str],
        rule: impl Fn(&str) -> (StatusCode, Duration) + Send + Sync + 'static,
    ) -> Script {
        Script {
            tokens: tokens.iter().map(|t| t.to_string()).collect(),
            refresh: StatusCode::OK,
            login: StatusCode::OK,
            rule: Box::new(rule),
            seen: Mutex::new(Vec::new()),
            issued: Mutex::new(0),
        }
    }

    fn next_token(&self) -> String {
        let mut issued = self.issued.lock().unwrap();
        let token = self.tokens[(*issued).min(self.tokens.len() - 1)].clone();
        *issued += 1;
        token
    }

    fn note(&self, what: &str, headers: &HeaderMap) {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("-");
        self.seen.lock().unwrap().push(format!("{what} {token}"));
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn error(status: StatusCode, text: &str) -> Response {
    (
        status,
        axum::Json(json!({"status": status.as_u16(), "error": text})),
    )
        .into_response()
}

async fn login(State(script): State<Arc<Script>>, headers: HeaderMap) -> Response {
    script.note("POST", &headers);
    if script.login != StatusCode::OK {
        return error(script.login, "Password Expired");
    }
    let token = script.next_token();
    axum::Json(json!({"token": token, "userId": "admin", "loginType": "System"})).into_response()
}

async fn refresh(State(script): State<Arc<Script>>, headers: HeaderMap) -> Response {
    script.note("PUT", &headers);
    if script.refresh != StatusCode::OK {
        return error(script.refresh, "token expired");
    }
    axum::Json(json!({"token": script.next_token()})).into_response()
}

async fn users(State(script): State<Arc<Script>>, headers: HeaderMap) -> Response {
    script.note("GET", &headers);
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let (status, delay) = (script.rule)(&token);
    tokio::time::sleep(delay).await;
    match status {
        StatusCode::OK => axum::Json(json!({"userId": "u"})).into_response(),
        status => error(status, &format!("refused with {}", status.as_u16())),
    }
}

/// Serve `script` on a loopback port; the client of it, or its login's failure.
async fn connect(script: Arc<Script>) -> Result<OdinClient, OdinError> {
    let app = Router::new()
        .route("/api/v2/auth/token", post(login).put(refresh))
        .route("/api/v2/users", get(users))
        .route(
            "/api/v2/prose",
            get(|| async { error(StatusCode::BAD_REQUEST, "missing bearer token") }),
        )
        .with_state(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = ClientConfig {
        rate: 1000.0,
        retries: 1,
        ..ClientConfig::new(format!("http://{addr}/api/v2"))
    };
    OdinClient::connect(config, Credentials::new("admin", "s3cret")).await
}

/// A JWT issued now that lives `seconds`, told apart by `tag`.
fn jwt(seconds: u64, tag: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let payload = json!({"iat": now, "exp": now + seconds, "jti": tag});
    format!("h.{}.{tag}", URL_SAFE_NO_PAD.encode(payload.to_string()))
}

/// When a 6 s token is due for renewal (from 5.7 s) and still 250 ms from its expiry.
const LATE: Duration = Duration::from_millis(5750);

fn http(status: u16) -> OdinError {
    OdinError::Http {
        status,
        details: "no".into(),
        retry_after: None,
    }
}

#[test]
fn a_401_always_and_a_403_only_past_exp_refuse_the_token() {
    let issued = Issued::now(jwt(10, "a"));
    let sent = issued.sent;
    let token = Token::new(issued, 0);
    let (fresh, past) = (
        sent + Duration::from_secs(1),
        sent + Duration::from_secs(11),
    );
    assert!(refused(&http(401), &token, fresh));
    assert!(!refused(&http(403), &token, fresh));
    assert!(refused(&http(403), &token, past));
    assert!(!refused(&http(400), &token, past));
    assert!(!refused(
        &OdinError::Timeout {
            request: "GET x".into(),
            after: Duration::from_secs(1)
        },
        &token,
        past
    ));
    // Not a JWT: its expiry is unknown, so a 403 is never taken for one.
    let opaque = Token::new(Issued::now("opaque".into()), 0);
    assert!(refused(&http(401), &opaque, past));
    assert!(!refused(
        &http(403),
        &opaque,
        past + Duration::from_secs(86_400)
    ));
}

#[tokio::test]
async fn a_401_logs_in_again_and_never_refreshes_the_refused_token() {
    let script = Arc::new(Script::new(&["A", "B"], |token| match token {
        "A" => (StatusCode::UNAUTHORIZED, Duration::ZERO),
        _ => (StatusCode::OK, Duration::ZERO),
    }));
    let client = connect(script.clone()).await.unwrap();
    assert_eq!(client.token_lifetime(), None, "not a JWT");
    let call = client.read(Resource::User, "u").await;
    assert!(call.result.is_ok(), "{:?}", call.result);
    assert_eq!(call.attempts, 2);
    assert_eq!(script.seen(), ["POST -", "GET A", "POST -", "GET B"]);
    let counts = client.counts();
    assert_eq!((counts.logins, counts.refreshes), (2, 1));
}

#[tokio::test]
async fn a_403_to_a_token_still_valid_is_a_failure_with_odins_text() {
    let token = jwt(3600, "a");
    let script = Arc::new(Script::new(&[&token], |_| {
        (StatusCode::FORBIDDEN, Duration::ZERO)
    }));
    let client = connect(script.clone()).await.unwrap();
    assert_eq!(client.token_lifetime(), Some(Duration::from_secs(3600)));
    let call = client.read(Resource::User, "u").await;
    assert_eq!(call.status, Some(403));
    assert_eq!(call.attempts, 1);
    match call.result {
        Err(OdinError::Http {
            status: 403,
            details,
            ..
        }) => assert_eq!(details, "refused with 403"),
        other => panic!("{other:?}"),
    }
    assert_eq!(script.seen(), ["POST -", format!("GET {token}").as_str()]);
}

#[tokio::test]
async fn a_403_to_a_token_past_its_exp_logs_in_again() {
    // The first token lives 1 s; Odin holds the request past its expiry, then refuses it.
    let (first, second) = (jwt(1, "a"), jwt(3600, "b"));
    let refused_token = first.clone();
    let script = Arc::new(Script::new(&[&first, &second], move |token| {
        if token == refused_token {
            (StatusCode::FORBIDDEN, Duration::from_millis(1100))
        } else {
            (StatusCode::OK, Duration::ZERO)
        }
    }));
    let client = connect(script.clone()).await.unwrap();
    let call = client.read(Resource::User, "u").await;
    assert!(call.result.is_ok(), "{:?}", call.result);
    assert_eq!(
        script.seen(),
        [
            "POST -".to_string(),
            format!("GET {first}"),
            "POST -".to_string(),
            format!("GET {second}")
        ]
    );
}

#[tokio::test]
async fn a_token_near_its_exp_is_refreshed_before_the_request_goes_out() {
    let (first, second) = (jwt(6, "a"), jwt(3600, "b"));
    let script = Arc::new(Script::new(&[&first, &second], |_| {
        (StatusCode::OK, Duration::ZERO)
    }));
    let client = connect(script.clone()).await.unwrap();
    assert_eq!(client.token_lifetime(), Some(Duration::from_secs(6)));
    // Within its margin (a twentieth of 6 s: from 5.7 s on) of expiry, not expired: refreshed
    // with the still-valid token.
    tokio::time::sleep(LATE).await;
    let call = client.read(Resource::User, "u").await;
    assert!(call.result.is_ok(), "{:?}", call.result);
    assert_eq!(
        script.seen(),
        [
            "POST -".to_string(),
            format!("PUT {first}"),
            format!("GET {second}")
        ]
    );
    assert_eq!(client.token_lifetime(), Some(Duration::from_secs(3600)));
    let counts = client.counts();
    assert_eq!(
        (counts.logins, counts.refreshes, counts.user_reads),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn a_refresh_odin_refuses_falls_back_to_a_login() {
    let (first, second) = (jwt(6, "a"), jwt(3600, "b"));
    let mut script = Script::new(&[&first, &second], |_| (StatusCode::OK, Duration::ZERO));
    script.refresh = StatusCode::UNAUTHORIZED;
    let script = Arc::new(script);
    let client = connect(script.clone()).await.unwrap();
    tokio::time::sleep(LATE).await;
    let call = client.read(Resource::User, "u").await;
    assert!(call.result.is_ok(), "{:?}", call.result);
    assert_eq!(
        script.seen(),
        [
            "POST -".to_string(),
            format!("PUT {first}"),
            "POST -".to_string(),
            format!("GET {second}")
        ]
    );
}

#[tokio::test]
async fn the_login_answer_is_kept_without_its_token() {
    let script = Arc::new(Script::new(&["A"], |_| (StatusCode::OK, Duration::ZERO)));
    let client = connect(script).await.unwrap();
    assert_eq!(
        client.login_answer(),
        &json!({"userId": "admin", "loginType": "System"})
    );
    assert!(!format!("{client:?}").contains("\"A\""));
}

#[tokio::test]
async fn a_402_at_login_is_an_expired_password() {
    let mut script = Script::new(&["A"], |_| (StatusCode::OK, Duration::ZERO));
    script.login = StatusCode::PAYMENT_REQUIRED;
    let script = Arc::new(script);
    let error = connect(script.clone()).await.unwrap_err();
    assert_eq!(
        error,
        OdinError::PasswordExpired {
            username: "admin".into(),
            details: "Password Expired".into()
        }
    );
    assert!(!error.retryable() && error.is_refused_login());
    let message = error.to_string();
    assert!(
        message.starts_with("Odin answered 402 to the login of `admin`"),
        "{message}"
    );
    assert!(!message.contains("s3cret"));
    assert_eq!(script.seen(), ["POST -"], "one login, not retried");
}

#[tokio::test]
async fn server_prose_about_bearer_tokens_is_kept_as_written() {
    let script = Arc::new(Script::new(&["tok-1"], |_| {
        (StatusCode::OK, Duration::ZERO)
    }));
    let client = connect(script).await.unwrap();
    let call = client.get("/prose", &[]).await;
    assert_eq!(
        call.result.unwrap_err().to_string(),
        "HTTP 400: missing bearer token"
    );
}
