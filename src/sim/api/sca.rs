//! Shared call appearance endpoints and devices (API.md §13):
//! `GET /users/shared-call-appearance`, `GET|POST|PUT|DELETE
//! /users/shared-call-appearance/endpoints`, `GET /users/shared-call-appearance/bulk`,
//! and the devices it needs (`super::devices`).
//!
//! An endpoint is keyed by `userId, deviceName, deviceLevel, linePort`. Adding one is refused
//! (400, Odin-like text) when the user has no `Shared Call Appearance[ N]` service, when the
//! device is not one of the group's (`deviceLevel: Group`; no device above group level
//! exists here), when the line port is in use anywhere, or when the user already has
//! `maxAppearances` endpoints (the largest N of the assigned SCA services; `Shared Call
//! Appearance` alone is 1). Switches: `--sca-list-without-flags`, `--sca-delete-style`,
//! `--sca-bulk-shape`, `--sca-read-flat` (see [`crate::sim::Variant`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Admin, ApiError, groups_of, required};
use crate::sim::appearances::{Endpoint, max_appearances};
use crate::sim::state::{Directory, SettingsView, UserState};
use crate::sim::{ScaBulkShape, ScaDeleteStyle, Sim};

type Params = Query<HashMap<String, String>>;

/// The settings key of the SCA settings (API.md §13: the same keys as the read).
const SCA: &str = "Shared Call Appearance";

/// The user's SCA limit, or the 400 of a user without the service.
fn limit(sim: &Sim, user: &UserState) -> Result<u32, ApiError> {
    let assigned = sim
        .catalog
        .services
        .iter()
        .zip(&user.services)
        .filter(|(_, on)| **on)
        .map(|(name, _)| name.as_str());
    max_appearances(assigned).ok_or_else(|| {
        ApiError::bad_request(format!(
            "the {SCA} service is not assigned to user `{}`",
            user.identity().0
        ))
    })
}

/// The user's endpoints as list elements.
fn endpoints_of(sim: &Sim, directory: &Directory, user: &UserState) -> Vec<Value> {
    let (user_id, sp, group) = user.identity();
    let without_flags = sim.config.variant.sca_list_without_flags;
    directory
        .appearances
        .of(user_id)
        .iter()
        .map(|endpoint| {
            let device_type = directory
                .appearances
                .device(sp, group, &endpoint.device_name)
                .map_or("", |d| d.device_type.as_str());
            endpoint.list_view(device_type, without_flags)
        })
        .collect()
}

/// The user's SCA object: its `Shared Call Appearance` settings with `maxAppearances` (from
/// the assigned services) and `endpoints` (its own); `None` without the service. Every view
/// shows this one object (the SCA read, the group read's `data`, the settings document).
fn sca_object(sim: &Sim, directory: &Directory, user: &UserState) -> Option<Map<String, Value>> {
    let max = limit(sim, user).ok()?;
    let index = sim.catalog.settings_service(SCA);
    let mut settings = index
        .and_then(|i| {
            user.settings[i]
                .as_deref()
                .or(Some(&sim.catalog.settings[i].1))
        })
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    settings.insert("maxAppearances".into(), json!(max));
    settings.insert(
        "endpoints".into(),
        Value::Array(endpoints_of(sim, directory, user)),
    );
    Some(settings)
}

/// The settings document of `user` (`GET /users/services/settings`), its `Shared Call
/// Appearance` entry showing [`sca_object`].
pub(crate) fn settings_view(sim: &Sim, directory: &Directory, user: &UserState) -> SettingsView {
    let mut view = user.settings_view(&sim.catalog);
    if let Some(entry) = view.services.iter_mut().find(|(name, _)| name == SCA)
        && let Some(object) = sca_object(sim, directory, user)
    {
        entry.1 = Arc::new(Value::Object(object));
    }
    view
}

/// `GET /users/shared-call-appearance?userId=`: the user's SCA settings with
/// `maxAppearances` (from the assigned services) and `endpoints`.
pub(super) async fn get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Params,
) -> Result<Json<Value>, ApiError> {
    let user_id = required(&query, "userId")?;
    let directory = sim.directory();
    let user = directory
        .users
        .get(user_id)
        .ok_or_else(|| ApiError::unknown_user(user_id))?;
    limit(&sim, user)?;
    if sim.config.variant.sca_read_flat {
        let list = directory
            .appearances
            .of(user_id)
            .iter()
            .map(|e| e.view(user_id));
        return Ok(Json(Value::Array(list.collect())));
    }
    Ok(Json(Value::Object(
        sca_object(&sim, &directory, user).unwrap_or_default(),
    )))
}

/// `GET /users/shared-call-appearance/bulk?serviceProviderId=&groupId=`: `{users:
/// [{profile, data}]}`, `data` the user's SCA object (its settings with `maxAppearances` and
/// `endpoints`; `{}` for a user without the service), or with `--sca-bulk-shape flat` every
/// endpoint of the group in one list.
pub(super) async fn bulk(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Params,
) -> Result<Json<Value>, ApiError> {
    if sim.config.faults.no_bulk_reads {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no such endpoint"));
    }
    let sp = required(&query, "serviceProviderId")?;
    let group = required(&query, "groupId")?;
    let directory = sim.directory();
    let users: Vec<&UserState> = groups_of(&directory, sp, Some(group))?
        .flat_map(|ids| ids.iter())
        .filter_map(|id| directory.users.get(id))
        .collect();
    let answer = match sim.config.variant.sca_bulk_shape {
        ScaBulkShape::Object => {
            let users: Vec<Value> = users
                .into_iter()
                .map(|user| {
                    let data = sca_object(&sim, &directory, user).unwrap_or_default();
                    json!({"profile": super::rows::bulk(user), "data": data})
                })
                .collect();
            json!({ "users": users })
        }
        ScaBulkShape::Flat => Value::Array(
            users
                .into_iter()
                .flat_map(|user| {
                    let user_id = user.identity().0;
                    directory
                        .appearances
                        .of(user_id)
                        .iter()
                        .map(move |e| e.view(user_id))
                })
                .collect(),
        ),
    };
    Ok(Json(answer))
}

/// The four keys of an endpoint, from a query or a JSON body.
struct Key {
    user_id: String,
    device_name: String,
    device_level: String,
    line_port: String,
}

impl Key {
    /// From `get` (a query's or a body's keys); `place` names where in the 400.
    fn read(get: impl Fn(&str) -> Option<String>, place: &str) -> Result<Key, ApiError> {
        let take = |key: &str| {
            get(key)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| ApiError::bad_request(format!("`{key}` is required in the {place}")))
        };
        Ok(Key {
            user_id: take("userId")?,
            device_name: take("deviceName")?,
            device_level: take("deviceLevel")?,
            line_port: take("linePort")?,
        })
    }

    fn of_query(query: &HashMap<String, String>) -> Result<Key, ApiError> {
        Key::read(|k| query.get(k).cloned(), "query")
    }

    fn of_body(body: &Map<String, Value>) -> Result<Key, ApiError> {
        Key::read(
            |k| body.get(k).and_then(Value::as_str).map(str::to_string),
            "body",
        )
    }

    fn matches(&self, endpoint: &Endpoint) -> bool {
        endpoint.device_name == self.device_name
            && endpoint.device_level == self.device_level
            && endpoint.line_port == self.line_port
    }
}

pub(super) fn object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!(
            "the body is not valid JSON: {e}"
        ))),
    }
}

/// A flag of the body: absent is `default`.
fn flag(body: &Map<String, Value>, key: &str, default: bool) -> Result<bool, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(value)) => Ok(*value),
        Some(other) => Err(ApiError::bad_request(format!(
            "`{key}` must be true or false, not `{other}`"
        ))),
    }
}

fn no_endpoint(key: &Key) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "user `{}` has no shared call appearance endpoint on device `{}` ({}) line port `{}`",
            key.user_id, key.device_name, key.device_level, key.line_port
        ),
    )
}

/// `GET /users/shared-call-appearance/endpoints?userId=&deviceName=&deviceLevel=&linePort=`.
pub(super) async fn endpoint_get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Params,
) -> Result<Json<Value>, ApiError> {
    let key = Key::of_query(&query)?;
    let directory = sim.directory();
    if !directory.users.contains_key(&key.user_id) {
        return Err(ApiError::unknown_user(&key.user_id));
    }
    let endpoint = directory
        .appearances
        .of(&key.user_id)
        .iter()
        .find(|e| key.matches(e));
    Ok(Json(
        endpoint
            .ok_or_else(|| no_endpoint(&key))?
            .view(&key.user_id),
    ))
}

/// `POST /users/shared-call-appearance/endpoints {userId, deviceName, deviceLevel, linePort,
/// isActive, allowOrigination, allowTermination}` (flags default true) → the endpoint.
pub(super) async fn endpoint_post(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let key = Key::of_body(&body)?;
    let endpoint = Endpoint {
        device_name: key.device_name.clone(),
        device_level: key.device_level.clone(),
        line_port: key.line_port.clone(),
        is_active: flag(&body, "isActive", true)?,
        allow_origination: flag(&body, "allowOrigination", true)?,
        allow_termination: flag(&body, "allowTermination", true)?,
    };
    let mut directory = sim.directory();
    let user = directory
        .users
        .get(&key.user_id)
        .ok_or_else(|| ApiError::unknown_user(&key.user_id))?;
    let max = limit(&sim, user)?;
    let (_, sp, group) = user.identity();
    let device_exists = key.device_level == "Group"
        && directory
            .appearances
            .device(sp, group, &key.device_name)
            .is_some();
    if !device_exists {
        return Err(ApiError::bad_request(format!(
            "device `{}` ({}) does not exist in group `{group}`",
            key.device_name, key.device_level
        )));
    }
    if let Some(holder) = directory.appearances.line_ports.get(&key.line_port) {
        return Err(ApiError::bad_request(format!(
            "line port `{}` is already in use by user `{holder}`",
            key.line_port
        )));
    }
    let count = directory.appearances.of(&key.user_id).len();
    if count >= max as usize {
        return Err(ApiError::bad_request(format!(
            "user `{}` already has {count} shared call appearance endpoints: the maximum of {max} is reached",
            key.user_id
        )));
    }
    let view = endpoint.view(&key.user_id);
    let appearances = &mut directory.appearances;
    appearances
        .line_ports
        .insert(key.line_port.clone(), key.user_id.clone());
    appearances
        .endpoints
        .entry(key.user_id)
        .or_default()
        .push(endpoint);
    Ok(Json(view))
}

/// `PUT /users/shared-call-appearance/endpoints` with the four keys and the flags to change
/// → the endpoint. Device and line port cannot change (they are its key).
pub(super) async fn endpoint_put(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let key = Key::of_body(&body)?;
    let mut directory = sim.directory();
    if !directory.users.contains_key(&key.user_id) {
        return Err(ApiError::unknown_user(&key.user_id));
    }
    let endpoint = directory
        .appearances
        .endpoints
        .get_mut(&key.user_id)
        .and_then(|list| list.iter_mut().find(|e| key.matches(e)))
        .ok_or_else(|| no_endpoint(&key))?;
    let changed = Endpoint {
        is_active: flag(&body, "isActive", endpoint.is_active)?,
        allow_origination: flag(&body, "allowOrigination", endpoint.allow_origination)?,
        allow_termination: flag(&body, "allowTermination", endpoint.allow_termination)?,
        ..endpoint.clone()
    };
    *endpoint = changed;
    Ok(Json(endpoint.view(&key.user_id)))
}

/// `DELETE /users/shared-call-appearance/endpoints`: the keys read where
/// `--sca-delete-style` says (query, JSON body, or the query when it names a `userId`, else
/// the body) → the removed endpoint.
pub(super) async fn endpoint_delete(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Params,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let key = match sim.config.variant.sca_delete_style {
        ScaDeleteStyle::Query => Key::of_query(&query)?,
        ScaDeleteStyle::Body => Key::of_body(&object(&body)?)?,
        ScaDeleteStyle::Either if query.contains_key("userId") => Key::of_query(&query)?,
        ScaDeleteStyle::Either => Key::of_body(&object(&body)?)?,
    };
    let mut directory = sim.directory();
    if !directory.users.contains_key(&key.user_id) {
        return Err(ApiError::unknown_user(&key.user_id));
    }
    let appearances = &mut directory.appearances;
    let list = appearances
        .endpoints
        .entry(key.user_id.clone())
        .or_default();
    let at = list
        .iter()
        .position(|e| key.matches(e))
        .ok_or_else(|| no_endpoint(&key))?;
    let removed = list.remove(at);
    appearances.line_ports.remove(&removed.line_port);
    Ok(Json(removed.view(&key.user_id)))
}
