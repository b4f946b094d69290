//! Service settings, call processing policy, and assigned services: `GET` and `PUT` of each.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Map, Value};

use super::{Admin, ApiError, UserQuery, body_object, user_mut, view};
use crate::notation::Namespace;
use crate::sim::state::{Catalog, SettingsView, UserState, merge, write};
use crate::sim::{NestedWrites, Sim};

/// `GET /users/services/settings?userId=` → `userId` plus one key per assigned service.
pub(super) async fn get_settings(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    query: UserQuery,
) -> Result<Json<SettingsView>, ApiError> {
    let user_id = super::required(&query, "userId")?;
    let directory = sim.directory();
    let user = directory
        .users
        .get(user_id)
        .ok_or_else(|| ApiError::unknown_user(user_id))?;
    Ok(Json(super::settings_view(&sim, &directory, user)))
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
    settings_refused(&sim, &user_id)?;
    let mut patch = Value::Object(services);
    conform_settings(&sim.catalog, &mut patch)?;
    let Value::Object(services) = patch else {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    };
    let mut directory = sim.directory();
    let user = user_mut(&mut directory, &user_id)?;
    // Check every service before changing any: a rejected write changes nothing.
    let targets = settings_targets(&sim.catalog, user, &services)?;
    for (index, fields) in targets {
        write_settings(user, index, None, fields, sim.config.variant.nested_writes);
    }
    let user = directory
        .users
        .get(&user_id)
        .ok_or_else(|| ApiError::unknown_user(&user_id))?;
    Ok(Json(super::settings_view(&sim, &directory, user)))
}

/// The 400 of a settings write of a user whose settings this simulator refuses (the fault
/// [`crate::sim::FaultConfig::refuse_settings_of`]): per user, and in bulk writes.
pub(super) fn settings_refused(sim: &Sim, user_id: &str) -> Result<(), ApiError> {
    match sim.faults.refuses_settings_of(user_id) {
        true => Err(ApiError::bad_request(format!(
            "the settings of user `{user_id}` break a rule of this server (--refuse-settings-of)"
        ))),
        false => Ok(()),
    }
}

/// Check a settings body (service name → fields, without `userId`) against the schema,
/// normalising the spellings Odin accepts: an unknown service or field, or a wrong JSON
/// type, is a 400. The per-user write and the bulk writes (API.md §10) both check through
/// here, so they refuse the same bodies.
pub(super) fn conform_settings(catalog: &Catalog, patch: &mut Value) -> Result<(), ApiError> {
    catalog
        .schema
        .conform(Namespace::Settings, patch)
        .map_err(ApiError::bad_request)
}

/// The settings entries of `user` that the conformed body `services` changes, each with
/// its fields; a service without settings, or not assigned to the user, is a 400 (API.md
/// §4: settings of an unassigned service cannot be changed).
pub(super) fn settings_targets<'b>(
    catalog: &Catalog,
    user: &UserState,
    services: &'b Map<String, Value>,
) -> Result<Vec<(usize, &'b Value)>, ApiError> {
    services
        .iter()
        .map(|(name, fields)| {
            let index = catalog
                .settings_service(name)
                .ok_or_else(|| ApiError::bad_request(format!("unknown service `{name}`")))?;
            if user.settings[index].is_none() {
                return Err(ApiError::bad_request(format!(
                    "service `{name}` is not assigned to user `{}`",
                    user.identity().0
                )));
            }
            Ok((index, fields))
        })
        .collect()
}

/// Write `fields` into the user's settings entry `index` (or into its sub-object `part`,
/// as the parts of `Voice Messaging User`), field by field, a nested object replaced or
/// merged as `nested` says. An unassigned entry is left alone: check with
/// [`settings_targets`] first.
pub(super) fn write_settings(
    user: &mut UserState,
    index: usize,
    part: Option<&str>,
    fields: &Value,
    nested: NestedWrites,
) {
    let Some(current) = user.settings[index].as_mut() else {
        return;
    };
    let current = Arc::make_mut(current);
    let target = match (part, current.as_object_mut()) {
        (Some(part), Some(map)) => {
            let slot = map
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            slot
        }
        _ => current,
    };
    write(target, fields, nested);
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
