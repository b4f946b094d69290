//! Answers that are not Odin's, as switches of [`super::FaultConfig`]: a redirect instead of
//! the answer, a proxy's HTML login page with a 200, and a login that never answers.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::FaultConfig;

/// The title of the HTML sign-in page the simulator answers with (`--html-reads`,
/// `--html-writes`).
pub const LOGIN_PAGE_TITLE: &str = "Sign in · Example Portal";

/// The redirect answering a request to `path` (under `/api/v2`) with `query`, if the
/// simulator redirects.
pub(super) fn redirect(faults: &FaultConfig, path: &str, query: Option<&str>) -> Option<Response> {
    let status = StatusCode::from_u16(faults.redirect?).ok()?;
    let below = path.strip_prefix("/api/v2").unwrap_or(path);
    if faults.redirect_data_only && below.starts_with("/auth/") {
        return None;
    }
    let mut location = format!("{}{below}", faults.redirect_to.trim_end_matches('/'));
    if let Some(query) = query {
        location = format!("{location}?{query}");
    }
    let mut response = (status, "moved").into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Some(response)
}

/// A proxy's sign-in page, with a 200.
pub(super) fn html_page() -> Response {
    let page = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{LOGIN_PAGE_TITLE}</title>\
         </head>\n<body><form method=\"post\" action=\"/login\"><input name=\"user\">\
         <input name=\"password\" type=\"password\"></form></body></html>\n"
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Body::from(page),
    )
        .into_response()
}

/// Whether `user_id` (none: the request names no user) is in `users` (`*`: everyone).
pub(super) fn names(users: &[String], user_id: Option<&str>) -> bool {
    users
        .iter()
        .any(|u| u == "*" || user_id.is_some_and(|id| id == u))
}

/// The `userId` of a query string.
pub(super) fn query_user(query: Option<&str>) -> Option<String> {
    let url = reqwest::Url::parse(&format!("http://sim.invalid/?{}", query?)).ok()?;
    url.query_pairs()
        .find(|(key, _)| key == "userId")
        .map(|(_, value)| value.into_owned())
}

/// The `userId` of a write body (a JSON object).
pub(super) fn body_user(body: &Bytes) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("userId")?.as_str().map(str::to_string)
}
