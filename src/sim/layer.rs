//! The layer every Odin request of the simulator passes: latency, the rate limit (429 with
//! `Retry-After`), an impostor's redirects and HTML pages, 503 before writes and dropped
//! connections after them, and the statistics of every request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Sim, api, impostor, server, stats};

/// Latency, rate limit, 503 before writes and dropped connections after them, and the
/// statistics of every Odin request.
pub(crate) async fn faults_layer(
    State(sim): State<Arc<Sim>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.extensions().get::<OriginalUri>().map_or_else(
        || request.uri().path().to_string(),
        |uri| uri.path().to_string(),
    );
    // The group a request is about, for the counts by group (its body read and put back).
    let service_group = |id: &str| sim.directory().members.group_of(id);
    let (request, scope) = stats::scope_of(request, &path, &service_group).await;
    sim.stats.arrived(Instant::now());
    let delay = sim.faults.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Err(wait) = sim.faults.admit(Instant::now()) {
        sim.stats
            .answered(method.as_str(), &path, scope.as_deref(), 429);
        let wait = sim.config.faults.retry_after.unwrap_or(wait);
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut response = api::ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "rate limit of {} requests per second exceeded",
                sim.config.faults.rate_limit.unwrap_or(0)
            ),
        )
        .into_response();
        let retry_after = if sim.config.faults.retry_after_date {
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(seconds))
        } else {
            seconds.to_string()
        };
        if let Ok(value) = HeaderValue::from_str(&retry_after) {
            response.headers_mut().insert("retry-after", value);
        }
        return response;
    }
    let query = request.uri().query().map(str::to_string);
    let faults = &sim.config.faults;
    if let Some(response) = impostor::redirect(faults, &path, query.as_deref()) {
        sim.stats.answered(
            method.as_str(),
            &path,
            scope.as_deref(),
            response.status().as_u16(),
        );
        return response;
    }
    if faults.hang_login && method == Method::POST && path == "/api/v2/auth/token" {
        std::future::pending::<()>().await;
    }
    let odin_data = !path.starts_with("/api/v2/auth/");
    if odin_data
        && method == Method::GET
        && impostor::names(
            &faults.html_reads,
            impostor::query_user(query.as_deref()).as_deref(),
        )
    {
        sim.stats
            .answered(method.as_str(), &path, scope.as_deref(), 200);
        return impostor::html_page();
    }
    let write = matches!(method, Method::PUT | Method::POST | Method::DELETE) && odin_data;
    // The user of a write, from its body, when a switch needs it (the body is put back).
    let (request, written_user) = if write && !faults.html_writes.is_empty() {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, 256 << 20)
            .await
            .unwrap_or_default();
        let user = impostor::body_user(&bytes);
        (
            Request::from_parts(parts, axum::body::Body::from(bytes)),
            user,
        )
    } else {
        (request, None)
    };
    if write && sim.faults.fail_write() {
        sim.stats
            .answered(method.as_str(), &path, scope.as_deref(), 503);
        return api::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service temporarily unavailable",
        )
        .into_response();
    }
    let drop = request
        .extensions()
        .get::<server::DropConnection>()
        .cloned();
    let response = next.run(request).await;
    if write
        && response.status().is_success()
        && sim.faults.drop_write()
        && let Some(drop) = drop
    {
        sim.stats.dropped(method.as_str(), &path, scope.as_deref());
        drop.now().await;
    }
    if write
        && response.status().is_success()
        && impostor::names(&faults.html_writes, written_user.as_deref())
    {
        sim.stats
            .answered(method.as_str(), &path, scope.as_deref(), 200);
        return impostor::html_page();
    }
    sim.stats.answered(
        method.as_str(),
        &path,
        scope.as_deref(),
        response.status().as_u16(),
    );
    response
}
