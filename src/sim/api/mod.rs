//! The Odin endpoints of API.md sections 2–6, the group-scale reads of 7a, the bulk writes of
//! 10, the credentials of 11, the numbers of 12 (`numbers`, `user_lines`), the SCA endpoints
//! and devices of 13 (`sca`), creating and deleting users of 14 (`lifecycle`), hunt groups
//! and call centers of 15 (`hunt_groups`, `call_centers`), plus `/__sim/stats` and
//! `/__sim/state`.

mod agents;
mod auth;
mod bulk;
mod call_centers;
mod credentials;
mod devices;
mod groups;
mod hunt_groups;
mod lifecycle;
mod numbers;
mod resources;
mod rows;
mod sca;
mod user_lines;
mod users;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use super::state::{Catalog, Directory, UserState};
use super::{ErrorBody, Sim};

pub(crate) use auth::Admin;
pub(crate) use sca::settings_view;

/// An Odin error answer: its status and its text. Every error the simulator gives is one
/// (the handlers', the token check's, the fault layer's 429s and 503s), and [`error_bodies`]
/// renders its body in the shape the [`ErrorBody`] switch chooses.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub details: String,
}

impl ApiError {
    pub fn new(status: StatusCode, details: impl Into<String>) -> ApiError {
        ApiError {
            status,
            details: details.into(),
        }
    }

    pub fn bad_request(details: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, details)
    }

    pub fn unknown_user(user_id: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("user `{user_id}` not found"))
    }

    /// The body in `shape` (API.md §1): `{status, error: "<reason phrase>", details:
    /// "<text>"}`, or `{status, error: "<text>"}`.
    fn body(&self, shape: ErrorBody) -> Value {
        let status = self.status.as_u16();
        match shape {
            ErrorBody::Details => json!({
                "status": status,
                "error": self.status.canonical_reason().unwrap_or("Error"),
                "details": self.details,
            }),
            ErrorBody::Error => json!({"status": status, "error": self.details}),
        }
    }
}

impl IntoResponse for ApiError {
    /// The default shape, with the error kept in the response for [`error_bodies`] to render
    /// as the simulator is configured.
    fn into_response(self) -> Response {
        let body = self.body(ErrorBody::default());
        let mut response = (self.status, Json(body)).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Render every error answer's body in the shape `--error-body` chooses, whoever made it;
/// with `--echo-requests`, its text ends with the request it answers.
async fn error_bodies(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    let (request, echo) = if sim.config.variant.echo_requests {
        echoed(request).await
    } else {
        (request, None)
    };
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<ApiError>() {
        Some(mut error) => {
            if let Some(echo) = echo {
                error.details = format!("{} while handling {echo}", error.details);
            }
            let body = error.body(sim.config.variant.error_body);
            let (parts, _) = response.into_parts();
            (parts, Json(body)).into_response()
        }
        None => response,
    }
}

/// The request, rebuilt after its body was read, and its echo: method, path,
/// `Authorization` header and body text.
async fn echoed(request: Request) -> (Request, Option<String>) {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let authorization = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none");
    let echo = format!(
        "{} {} (authorization: {authorization}) {}",
        parts.method,
        parts.uri.path(),
        String::from_utf8_lossy(&bytes)
    );
    (
        Request::from_parts(parts, axum::body::Body::from(bytes)),
        Some(echo),
    )
}

/// The routes, with every Odin path under `/api/v2`.
pub(crate) fn router(sim: Arc<Sim>) -> Router {
    let odin = Router::new()
        .route("/auth/token", post(auth::login).put(auth::refresh))
        .route("/auth/session", get(auth::session))
        .route(
            "/users",
            get(users::get)
                .put(users::put)
                .post(lifecycle::post)
                .delete(lifecycle::delete),
        )
        .route("/groups", get(groups::get))
        .route("/groups/domains", get(lifecycle::domains))
        .route("/groups/password-rules", get(lifecycle::password_rules))
        .route(
            "/groups/hunt-groups",
            get(hunt_groups::get).put(hunt_groups::put),
        )
        .route(
            "/groups/hunt-groups/removeUser",
            post(hunt_groups::remove_user),
        )
        .route("/groups/hunt-groups/user", get(hunt_groups::of_user))
        .route("/groups/hunt-groups/users", get(hunt_groups::eligible))
        .route("/groups/call-centers", get(call_centers::get))
        .route(
            "/groups/call-centers/agents",
            get(call_centers::get_agents).put(call_centers::put_agents),
        )
        .route(
            "/groups/call-centers/agents/available",
            get(call_centers::available),
        )
        .route("/users/call-center", get(call_centers::of_user))
        .route(
            "/groups/dns",
            get(numbers::group_get)
                .post(numbers::group_post)
                .put(numbers::group_put)
                .delete(numbers::group_delete),
        )
        .route("/groups/dns/details", get(numbers::group_details))
        .route(
            "/service-providers/dns",
            get(numbers::sp_get)
                .post(numbers::sp_post)
                .delete(numbers::sp_delete),
        )
        .route("/users/dns", get(user_lines::user_dns))
        .route("/groups/extensions", get(user_lines::group_extensions))
        .route("/groups/devices", get(devices::get).post(devices::post))
        .route("/users/shared-call-appearance", get(sca::get))
        .route(
            "/users/shared-call-appearance/endpoints",
            get(sca::endpoint_get)
                .post(sca::endpoint_post)
                .put(sca::endpoint_put)
                .delete(sca::endpoint_delete),
        )
        .merge(bulk::routes())
        .route(
            "/users/services/settings",
            get(resources::get_settings).put(resources::put_settings),
        )
        .route(
            "/users/call-processing-policy",
            get(resources::get_policy).put(resources::put_policy),
        )
        .route(
            "/users/services",
            get(resources::get_services).put(resources::put_services),
        )
        .route(
            "/users/authentication",
            put(credentials::put_authentication),
        )
        .route("/users/passwords", put(credentials::put_password))
        .route("/users/portal-passcode", put(credentials::put_passcode))
        .route("/password/generate", get(credentials::generate_passwords))
        .route("/passcode/generate", get(credentials::generate_passcodes))
        .route(
            "/sip-password/generate",
            get(credentials::generate_sip_password),
        )
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such endpoint") })
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            super::layer::faults_layer,
        ));
    Router::new()
        .nest("/api/v2", odin)
        .route("/__sim/stats", get(stats))
        .route("/__sim/state", get(state))
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            error_bodies,
        ))
        .with_state(sim)
}

async fn stats(State(sim): State<Arc<Sim>>) -> Json<super::StatsReport> {
    Json(sim.stats.report())
}

async fn state(State(sim): State<Arc<Sim>>, query: UserQuery) -> Result<Json<Value>, ApiError> {
    let user_id = required(&query, "userId")?;
    let directory = sim.directory();
    let user = directory
        .users
        .get(user_id)
        .ok_or_else(|| ApiError::unknown_user(user_id))?;
    let settings = sca::settings_view(&sim, &directory, user);
    Ok(Json(user.state_view(&sim.catalog, settings)))
}

/// The query of a GET that names one user.
type UserQuery = Query<HashMap<String, String>>;

/// A GET of one user's resource: the user named by `?userId=`, seen through `view`.
fn view<T>(
    sim: &Sim,
    Query(query): &UserQuery,
    view: impl FnOnce(&UserState, &Catalog) -> T,
) -> Result<Json<T>, ApiError> {
    let user_id = required(query, "userId")?;
    let directory = sim.directory();
    let user = directory
        .users
        .get(user_id)
        .ok_or_else(|| ApiError::unknown_user(user_id))?;
    Ok(Json(view(user, &sim.catalog)))
}

/// The user a write names, for changing.
fn user_mut<'a>(
    directory: &'a mut Directory,
    user_id: &str,
) -> Result<&'a mut UserState, ApiError> {
    directory
        .users
        .get_mut(user_id)
        .ok_or_else(|| ApiError::unknown_user(user_id))
}

/// The user id lists of service provider `sp`'s groups: all of them, or just `group`.
/// An unknown service provider or group is a 404, as Odin answers.
pub(crate) fn groups_of<'a>(
    directory: &'a Directory,
    sp: &str,
    group: Option<&str>,
) -> Result<impl Iterator<Item = &'a Vec<String>> + use<'a>, ApiError> {
    let selected: Vec<&'a Vec<String>> = directory
        .groups
        .iter()
        .filter(|((s, g), _)| s == sp && group.is_none_or(|group| g == group))
        .map(|(_, ids)| ids)
        .collect();
    if selected.is_empty() {
        let what = match group {
            Some(group) => format!("group `{group}` of service provider `{sp}`"),
            None => format!("service provider `{sp}`"),
        };
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("{what} not found"),
        ));
    }
    Ok(selected.into_iter())
}

/// Whether service provider `sp` (and `group` of it) exists: a 404 when not.
pub(crate) fn known(directory: &Directory, sp: &str, group: Option<&str>) -> Result<(), ApiError> {
    groups_of(directory, sp, group).map(|_| ())
}

/// A required query parameter.
fn required<'a>(query: &'a HashMap<String, String>, key: &str) -> Result<&'a str, ApiError> {
    query
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("the `{key}` query parameter is required")))
}

/// A PUT body: a JSON object with a string `userId`.
fn body_object(body: &Bytes) -> Result<(String, serde_json::Map<String, Value>), ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    };
    let user_id = match map.remove("userId") {
        Some(Value::String(id)) if !id.is_empty() => id,
        Some(_) => return Err(ApiError::bad_request("`userId` must be a non-empty string")),
        None => return Err(ApiError::bad_request("`userId` is required in the body")),
    };
    Ok((user_id, map))
}
