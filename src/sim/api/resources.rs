//! Service settings, call processing policy, and assigned services: `GET` and `PUT` of each.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::Value;

use super::{Admin, ApiError, UserQuery, body_object, user_mut, view};
use crate::notation::Namespace;
use crate::sim::Sim;
use crate::sim::state::{SettingsView, UserState, merge, write};

/// `GET /users/services/settings?userId=` → `userId` plus one key per assigned service.
pub(super) async fn get_settings(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    query: UserQuery,
) -> Result<Json<SettingsView>, ApiError> {
    view(&sim, &query, UserState::settings_view)
}

/// `PUT /users/services/settings {userId, "<Service>": {fields}}`: merged field by field
/// within each service (a nested object below a service, such as the parts of `Voice
/// Messaging User`, replaced or merged as the variant says); only assigned services can be
/// changed. Answers like the GET.
pub(super) async fn put_settings(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<SettingsView>, ApiError> {
    let (user_id, services) = body_object(&body)?;
    let mut patch = Value::Object(services);
    sim.catalog
        .schema
        .conform(Namespace::Settings, &mut patch)
        .map_err(ApiError::bad_request)?;
    let mut directory = sim.directory();
    let user = user_mut(&mut directory, &user_id)?;
    let Value::Object(services) = patch else {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    };
    // Check every service before changing any: a rejected write changes nothing.
    let mut targets = Vec::with_capacity(services.len());
    for (name, fields) in &services {
        let index = sim
            .catalog
            .settings_service(name)
            .ok_or_else(|| ApiError::bad_request(format!("unknown service `{name}`")))?;
        if user.settings[index].is_none() {
            return Err(ApiError::bad_request(format!(
                "service `{name}` is not assigned to user `{user_id}`"
            )));
        }
        targets.push((index, fields));
    }
    for (index, fields) in targets {
        if let Some(current) = user.settings[index].as_mut() {
            write(
                Arc::make_mut(current),
                fields,
                sim.config.variant.nested_writes,
            );
        }
    }
    Ok(Json(user.settings_view(&sim.catalog)))
}

/// `GET /users/call-processing-policy?userId=` → the policy plus `userId`.
pub(super) async fn get_policy(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    query: UserQuery,
) -> Result<Json<Value>, ApiError> {
    view(&sim, &query, |user, _| user.policy_view())
}

/// `PUT /users/call-processing-policy {userId, fields}` → the full policy plus `userId`.
pub(super) async fn put_policy(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user_id, fields) = body_object(&body)?;
    let mut patch = Value::Object(fields);
    sim.catalog
        .schema
        .conform(Namespace::Policy, &mut patch)
        .map_err(ApiError::bad_request)?;
    let mut directory = sim.directory();
    let user = user_mut(&mut directory, &user_id)?;
    merge(Arc::make_mut(&mut user.policy), &patch);
    Ok(Json(user.policy_view()))
}

/// `GET /users/services?userId=` → every service and pack with its assignment.
pub(super) async fn get_services(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    query: UserQuery,
) -> Result<Json<Value>, ApiError> {
    view(&sim, &query, UserState::services_view)
}

/// `PUT /users/services {userId, userServices: [{serviceName, assigned}], servicePackServices:
/// [...]}`: assigning a service gives it default settings, unassigning removes them.
pub(super) async fn put_services(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user_id, mut lists) = body_object(&body)?;
    let catalog = &sim.catalog;
    let services = assignments(lists.remove("userServices"), "userServices", |name| {
        catalog.service(name)
    })?;
    let packs = assignments(
        lists.remove("servicePackServices"),
        "servicePackServices",
        |name| catalog.pack(name),
    )?;
    if let Some(key) = lists.keys().next() {
        return Err(ApiError::bad_request(format!("unknown field `{key}`")));
    }
    let mut directory = sim.directory();
    let user = user_mut(&mut directory, &user_id)?;
    for (service, assigned) in services {
        let was = std::mem::replace(&mut user.services[service], assigned);
        if let Some(entry) = catalog.settings_of_service(service) {
            match (was, assigned) {
                (false, true) => user.settings[entry] = Some(catalog.settings[entry].1.clone()),
                (_, false) => user.settings[entry] = None,
                _ => {}
            }
        }
    }
    for (pack, assigned) in packs {
        user.packs[pack] = assigned;
    }
    Ok(Json(user.services_view(catalog)))
}

/// A list of `{serviceName, assigned}` as (catalog index, assigned).
fn assignments(
    list: Option<Value>,
    key: &str,
    index: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<(usize, bool)>, ApiError> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = list else {
        return Err(ApiError::bad_request(format!("`{key}` must be a list")));
    };
    items
        .iter()
        .map(|item| {
            let (Some(name), Some(assigned)) =
                (item["serviceName"].as_str(), item["assigned"].as_bool())
            else {
                return Err(ApiError::bad_request(format!(
                    "each entry of `{key}` needs `serviceName` and a boolean `assigned`"
                )));
            };
            let what = if key == "userServices" {
                "service"
            } else {
                "service pack"
            };
            let found = index(name)
                .ok_or_else(|| ApiError::bad_request(format!("unknown {what} `{name}`")))?;
            Ok((found, assigned))
        })
        .collect()
}
