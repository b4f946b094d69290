//! The `/bulk` endpoints: one request for a whole group or a selection of users.
//!
//! - `GET /users/<slug>/bulk?serviceProviderId=&groupId=` (API.md §7a): one element per user
//!   of the group, in the shape of the slug's row of [`ENDPOINTS`]:
//!   - [`Shape::User`]: a JSON array of `{service: {assigned, serviceName}, user: <summary>,
//!     data: {<settings>, userId}}`;
//!   - [`Shape::Profile`]: the same with the summary under `profile`;
//!   - [`Shape::Group`]: an object `{serviceProviderId, groupId, users: [{userId, service,
//!     data, user}]}`.
//!
//!   A user without the service has `assigned: false` and `data: {}`. `data` is built from
//!   the same stored settings that `/users/services/settings` serves, so every view agrees.
//! - `PUT /users/<slug>/bulk` and `PUT /users/bulk` (API.md §10): see [`write`].
//!
//! `--no-bulk-reads` answers 404 to all of them (a server without the `/bulk` paths),
//! `--no-bulk-writes` 405 to the writes only (a server whose `/bulk` paths serve only GET).

mod write;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use super::{Admin, ApiError, required};
use crate::sim::Sim;
use crate::sim::state::UserState;

/// Where a `/bulk` element puts the user's summary, and how the elements are wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A JSON array of `{service, user, data}`.
    User,
    /// A JSON array of `{service, profile, data}`.
    Profile,
    /// An object `{serviceProviderId, groupId, users: [{userId, service, data, user}]}`.
    Group,
}

/// One `/users/<slug>/bulk` endpoint: the service it shows and how.
#[derive(Debug)]
struct BulkEndpoint {
    /// The path segment: `/users/<slug>/bulk`.
    slug: &'static str,
    /// The settings key (API.md §9) the elements' `data` comes from.
    service: &'static str,
    /// The sub-object of those settings that `data` holds, when not the whole of them:
    /// `Voice Messaging User` nests four (API.md §4, quirk 4) and the endpoint shows one.
    part: Option<&'static str>,
    shape: Shape,
    /// Whether `PUT /users/<slug>/bulk` writes it (API.md §10); the others are read-only.
    writable: bool,
}

const fn endpoint(
    slug: &'static str,
    service: &'static str,
    shape: Shape,
    writable: bool,
) -> BulkEndpoint {
    BulkEndpoint {
        slug,
        service,
        part: None,
        shape,
        writable,
    }
}

/// Every `/bulk` endpoint served (API.md §7a and §10). `registration`,
/// `push-notification-registration` and `flexible-seating` are not: their data is not in
/// `/users/services/settings`, which the simulator keeps.
#[rustfmt::skip]
static ENDPOINTS: [BulkEndpoint; 14] = [
    //       slug                                 settings key                         shape           writable
    endpoint("call-forwarding-always",            "Call Forwarding Always",            Shape::User,    true),
    endpoint("call-forwarding-busy",              "Call Forwarding Busy",              Shape::User,    true),
    endpoint("call-forwarding-no-answer",         "Call Forwarding No Answer",         Shape::User,    true),
    endpoint("call-forwarding-not-reachable",     "Call Forwarding Not Reachable",     Shape::User,    true),
    endpoint("call-forwarding-always-secondary",  "Call Forwarding Always Secondary",  Shape::User,    false),
    endpoint("call-recording",                    "Call Recording",                    Shape::User,    true),
    endpoint("calling-line-id-delivery-blocking", "Calling Line ID Delivery Blocking", Shape::User,    true),
    endpoint("hoteling-host",                     "Hoteling Host",                     Shape::User,    true),
    endpoint("hoteling-guest",                    "Hoteling Guest",                    Shape::User,    true),
    endpoint("shared-call-appearance",            "Shared Call Appearance",            Shape::User,    false),
    BulkEndpoint {
        part: Some("Voice Messaging User"),
        ..endpoint("voice-messaging", "Voice Messaging User", Shape::User, true)
    },
    endpoint("anonymous-call-rejection",          "Anonymous Call Rejection",          Shape::Profile, false),
    endpoint("automatic-callback",                "Automatic Callback",                Shape::Profile, false),
    endpoint("speed-dial-8",                      "Speed Dial 8",                      Shape::Group,   true),
];

type BulkQuery = Query<HashMap<String, String>>;

/// The `/bulk` routes: `GET` and `PUT /users/<slug>/bulk` for every row of [`ENDPOINTS`],
/// and `PUT /users/bulk`.
pub(super) fn routes() -> Router<Arc<Sim>> {
    let mut router = Router::new().route("/users/bulk", put(write::users));
    for endpoint in ENDPOINTS.iter() {
        let read = move |State(sim): State<Arc<Sim>>, _admin: Admin, Query(query): BulkQuery| async move {
            read(&sim, endpoint, &query)
        };
        let write = move |State(sim): State<Arc<Sim>>, _admin: Admin, body: Bytes| async move {
            write::service(&sim, endpoint, &body)
        };
        let path = format!("/users/{}/bulk", endpoint.slug);
        router = if endpoint.slug == "shared-call-appearance" {
            // Its own shape (API.md §13): an object of profiles and endpoints.
            router.route(&path, get(super::sca::bulk).put(write))
        } else {
            router.route(&path, get(read).put(write))
        };
    }
    router
}

/// `GET /users/<slug>/bulk?serviceProviderId=&groupId=`: every user of the group, in the
/// endpoint's shape. An unknown group is a 404.
fn read(
    sim: &Sim,
    endpoint: &BulkEndpoint,
    query: &HashMap<String, String>,
) -> Result<Json<Value>, ApiError> {
    if sim.config.faults.no_bulk_reads {
        return Err(not_served());
    }
    let sp = required(query, "serviceProviderId")?;
    let group = required(query, "groupId")?;
    let index = settings_index(sim, endpoint)?;
    let directory = sim.directory();
    let elements: Vec<Value> = super::groups_of(&directory, sp, Some(group))?
        .flat_map(|ids| ids.iter())
        .filter_map(|id| directory.users.get(id))
        .map(|user| element(endpoint, index, user))
        .collect();
    Ok(Json(answer(endpoint, sp, group, elements)))
}

/// The 404 of a server without the `/bulk` paths.
fn not_served() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such endpoint")
}

/// The catalog's settings entry of the endpoint's service.
fn settings_index(sim: &Sim, endpoint: &BulkEndpoint) -> Result<usize, ApiError> {
    sim.catalog
        .settings_service(endpoint.service)
        .ok_or_else(|| ApiError::bad_request(format!("unknown service `{}`", endpoint.service)))
}

/// One user's element: the service's assignment, the user's summary, and `data` (the
/// settings, or their sub-object `part`, plus `userId`; `{}` when not assigned).
fn element(endpoint: &BulkEndpoint, index: usize, user: &UserState) -> Value {
    let user_id = user.identity().0;
    let settings = user.settings[index].as_deref();
    let data = match settings {
        Some(settings) => {
            let shown = match endpoint.part {
                Some(part) => settings.get(part),
                None => Some(settings),
            };
            let mut data = shown
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            data.insert("userId".into(), Value::String(user_id.to_string()));
            Value::Object(data)
        }
        None => Value::Object(Map::new()),
    };
    let service = json!({"assigned": settings.is_some(), "serviceName": endpoint.service});
    let summary = super::rows::bulk(user);
    match endpoint.shape {
        Shape::User => json!({"service": service, "user": summary, "data": data}),
        Shape::Profile => json!({"service": service, "profile": summary, "data": data}),
        Shape::Group => {
            json!({"userId": user_id, "service": service, "data": data, "user": summary})
        }
    }
}

/// The elements wrapped as the endpoint's shape says.
fn answer(endpoint: &BulkEndpoint, sp: &str, group: &str, elements: Vec<Value>) -> Value {
    match endpoint.shape {
        Shape::User | Shape::Profile => Value::Array(elements),
        Shape::Group => json!({"serviceProviderId": sp, "groupId": group, "users": elements}),
    }
}
