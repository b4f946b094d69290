//! `/auth/token` (login and refresh) and `/auth/session`, and the bearer-token check every
//! other endpoint makes.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde_json::{Map, Value, json};

use super::ApiError;
use crate::sim::Sim;
use crate::sim::tokens::Check;

/// Proof that the request carried a live token.
pub(crate) struct Admin;

impl FromRequestParts<Arc<Sim>> for Admin {
    type Rejection = ApiError;

    /// A request without a bearer token is a 401; one whose token has expired or was never
    /// issued gets the status `--expired-token-status` chooses (API.md §2).
    async fn from_request_parts(parts: &mut Parts, sim: &Arc<Sim>) -> Result<Admin, ApiError> {
        let unauthorized = |details: &str| ApiError::new(StatusCode::UNAUTHORIZED, details);
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| unauthorized("missing bearer token"))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer <token>`"))?;
        let refused = |details: &str| {
            let code = sim.config.variant.expired_token_status.code();
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::UNAUTHORIZED);
            ApiError::new(status, details)
        };
        match sim.tokens.check(token, Instant::now()) {
            Check::Live => Ok(Admin),
            Check::Expired => Err(refused("token expired")),
            Check::Unknown => Err(refused("invalid token")),
        }
    }
}

/// `POST /auth/token {username, password}` → the session object (API.md §2): the token and
/// the admin's details. With `--password-expired`, the right credentials get a 402.
pub(super) async fn login(
    State(sim): State<Arc<Sim>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let (Some(username), Some(password)) = (body["username"].as_str(), body["password"].as_str())
    else {
        return Err(ApiError::bad_request(
            "`username` and `password` are required",
        ));
    };
    let login = &sim.config.login;
    if username != login.username || password != login.password {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid username or password",
        ));
    }
    if sim.config.variant.failing_login {
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error",
        ));
    }
    if sim.config.variant.password_expired {
        return Err(ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            "Password Expired: the password has expired and must be changed",
        ));
    }
    let mut session = admin(&sim);
    session.insert("token".into(), Value::String(sim.issue_token()));
    Ok(Json(Value::Object(session)))
}

/// `PUT /auth/token` with a live token → `{token}`, a new one.
pub(super) async fn refresh(State(sim): State<Arc<Sim>>, _admin: Admin) -> Json<Value> {
    Json(json!({ "token": sim.issue_token() }))
}

/// `GET /auth/session` → the logged-in admin.
pub(super) async fn session(State(sim): State<Arc<Sim>>, _admin: Admin) -> Json<Value> {
    Json(Value::Object(admin(&sim)))
}

/// The logged-in admin's details, as the session and the login answer show them.
fn admin(sim: &Sim) -> Map<String, Value> {
    [
        ("userId", sim.config.login.username.as_str()),
        ("loginType", "System"),
        ("softwareVersion", "sleipnir-sim"),
        ("readOnly", "false"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_string(), Value::String(value.to_string())))
    .collect()
}
