//! `/auth/token` (login and refresh) and `/auth/session`, and the bearer-token check every
//! other endpoint makes.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde_json::{Value, json};

use super::ApiError;
use crate::sim::Sim;

/// Proof that the request carried a live token.
pub(crate) struct Admin;

impl FromRequestParts<Arc<Sim>> for Admin {
    type Rejection = ApiError;

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
        match sim.tokens().get(token) {
            Some(expires) if *expires > Instant::now() => Ok(Admin),
            Some(_) => Err(unauthorized("token expired")),
            None => Err(unauthorized("invalid token")),
        }
    }
}

/// `POST /auth/token {username, password}` → `{token}`.
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
    Ok(Json(json!({ "token": sim.issue_token() })))
}

/// `PUT /auth/token` with a live token → `{token}`, a new one.
pub(super) async fn refresh(State(sim): State<Arc<Sim>>, _admin: Admin) -> Json<Value> {
    Json(json!({ "token": sim.issue_token() }))
}

/// `GET /auth/session` → the logged-in admin.
pub(super) async fn session(State(sim): State<Arc<Sim>>, _admin: Admin) -> Json<Value> {
    Json(json!({
        "userId": sim.config.login.username,
        "loginType": "System",
        "softwareVersion": "sleipnir-sim",
        "readOnly": "false",
    }))
}
