//! The bulk writes (API.md §10): one request changes the same fields of many users.
//!
//! - `PUT /users/<slug>/bulk {"users": [{userId, …}], "data": {<fields of the service>}}` for
//!   the writable rows of [`super::ENDPOINTS`] (`call-forwarding-{always,busy,no-answer,
//!   not-reachable}`, `call-recording`, `calling-line-id-delivery-blocking`, `hoteling-host`,
//!   `hoteling-guest`, `voice-messaging`, whose `data` goes into the `Voice Messaging User`
//!   part of its settings): `data` is merged into each listed user's settings of that
//!   service, checked and merged exactly as `PUT /users/services/settings` of the same fields
//!   would be (field by field; nested objects as `--nested-writes` says; `null` removes).
//! - `PUT /users/speed-dial-8/bulk {serviceProviderId, groupId, users: [{userId}], data:
//!   {speedCodes: […]}}`: the same, the group required.
//! - `PUT /users/bulk {"users": […], "data": {<user record fields>}}`: each listed user's
//!   record takes `data` as `PUT /users` would (a number or extension checked the same way;
//!   a non-empty `phoneNumber` or `extension` for more than one user is a 400).
//!
//! A `users` element is any object with a `userId` (a string, or a JSON number); its other
//! keys are ignored, so the rows a `/bulk` read or a listing gave can be sent back. The body
//! may name a group (`serviceProviderId` and `groupId`, both or neither): every listed user
//! must then be in it.
//!
//! Refused whole, nothing written (400): a body not of that shape, `users` empty or an element
//! without `userId`, `data` empty, `data` holding `userId`, `serviceProviderId` or `groupId`
//! (a bulk write changes no identity), `data` that no user could take (an unknown field, a
//! wrong JSON type). An unknown group is a 404. A listed user who cannot take the change
//! (unknown, of another group than the body names, the service not assigned) is answered
//! as `--bulk-write-partial` says: `fail`, a 400 naming the first such user and nobody
//! written (every user is checked before any is written); `skip`, the others written.
//!
//! On success: 200 with the written users in the GET shape of the endpoint (for
//! `speed-dial-8` the `{serviceProviderId, groupId, users}` object; for `PUT /users/bulk`
//! their listing rows). What the real Odin answers is unknown [I]; Odin's front end ignores
//! it and reads the group again (§10), and sleipnir does not rely on it either.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::{BulkEndpoint, answer, element, not_served, settings_index};
use crate::notation::Namespace;
use crate::sim::api::resources::{
    conform_settings, settings_refused, settings_targets, write_settings,
};
use crate::sim::api::{Admin, ApiError, groups_of, rows, user_lines};
use crate::sim::state::{Directory, UserState};
use crate::sim::{BulkWritePartial, Sim};

/// What identifies a user: never changed by a bulk write.
const IDENTITY: [&str; 3] = ["userId", "serviceProviderId", "groupId"];

/// `PUT /users/<slug>/bulk`.
pub(super) fn service(sim: &Sim, endpoint: &BulkEndpoint, body: &Bytes) -> Response {
    if let Some(refused) = unserved(sim) {
        return refused;
    }
    if !endpoint.writable {
        return method_not_allowed(format!(
            "`/users/{}/bulk` is read-only: PUT is not allowed",
            endpoint.slug
        ));
    }
    write_service(sim, endpoint, body).into_response()
}

/// `PUT /users/bulk`.
pub(super) async fn users(State(sim): State<Arc<Sim>>, _admin: Admin, body: Bytes) -> Response {
    if let Some(refused) = unserved(&sim) {
        return refused;
    }
    write_users(&sim, &body).into_response()
}

/// The answer of a server without bulk writes: a 404 without the `/bulk` paths at all, a 405
/// where they serve only GET.
fn unserved(sim: &Sim) -> Option<Response> {
    if sim.config.faults.no_bulk_reads {
        return Some(not_served().into_response());
    }
    if sim.config.faults.no_bulk_writes {
        return Some(method_not_allowed(
            "bulk writes are not supported: PUT is not allowed",
        ));
    }
    None
}

/// A 405 that says GET is what the path allows.
fn method_not_allowed(details: impl Into<String>) -> Response {
    let mut response = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, details).into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET"));
    response
}

fn write_service(
    sim: &Sim,
    endpoint: &BulkEndpoint,
    body: &Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = BulkBody::parse(body, endpoint.shape == super::Shape::Group)?;
    let index = settings_index(sim, endpoint)?;
    // Checked as the per-user settings write of the same fields: `data` under the service's
    // key (and under the part's, for Voice Messaging).
    let mut fields = Value::Object(body.data.clone());
    if let Some(part) = endpoint.part {
        fields = Value::Object(Map::from_iter([(part.to_string(), fields)]));
    }
    let mut patch = Value::Object(Map::from_iter([(endpoint.service.to_string(), fields)]));
    conform_settings(&sim.catalog, &mut patch)?;
    let Value::Object(services) = patch else {
        return Err(ApiError::bad_request("`data` must be a JSON object"));
    };
    let mut fields = services
        .get(endpoint.service)
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(part) = endpoint.part {
        fields = fields.get(part).cloned().unwrap_or(Value::Null);
    }

    let mut directory = sim.directory();
    let takers = takers(sim, &directory, &body, |user| {
        settings_refused(sim, user.identity().0)?;
        settings_targets(&sim.catalog, user, &services).map(|_| ())
    })?;
    let nested = sim.config.variant.nested_writes;
    for user_id in &takers {
        if let Some(user) = directory.users.get_mut(user_id) {
            write_settings(user, index, endpoint.part, &fields, nested);
        }
    }
    let elements = takers
        .iter()
        .filter_map(|id| directory.users.get(id))
        .map(|user| element(endpoint, index, user))
        .collect();
    let (sp, group) = body.group.unwrap_or_default();
    Ok(Json(answer(endpoint, &sp, &group, elements)))
}

fn write_users(sim: &Sim, body: &Bytes) -> Result<Json<Value>, ApiError> {
    let body = BulkBody::parse(body, false)?;
    let mut patch = Value::Object(body.data.clone());
    sim.catalog
        .schema
        .conform(Namespace::User, &mut patch)
        .map_err(ApiError::bad_request)?;
    let mut directory = sim.directory();
    // One number or extension cannot go to two users.
    let holds = ["phoneNumber", "extension"].into_iter().find(|key| {
        body.data
            .get(*key)
            .is_some_and(|v| !v.is_null() && *v != "")
    });
    if let Some(key) = holds
        && body.user_ids.len() > 1
    {
        return Err(ApiError::bad_request(format!(
            "`{key}` cannot be given to {} users: each holds its own",
            body.user_ids.len()
        )));
    }
    let takers = takers(sim, &directory, &body, |user| {
        user_lines::prospect(sim, &directory, user.identity().0, &patch).map(|_| ())
    })?;
    for user_id in &takers {
        if let Ok(prospect) = user_lines::prospect(sim, &directory, user_id, &patch) {
            user_lines::commit(&mut directory, user_id, prospect);
        }
    }
    let rows = takers
        .iter()
        .filter_map(|id| directory.users.get(id))
        .map(|user| rows::listing(user, false, false))
        .collect();
    Ok(Json(Value::Array(rows)))
}

/// The listed users who can take the change, in the body's order: each known, in the
/// body's group if it names one, and passing `check`. With `--bulk-write-partial fail`, the
/// first who cannot fails the whole request (nothing is written yet when this runs); with
/// `skip`, they are left out.
fn takers(
    sim: &Sim,
    directory: &Directory,
    body: &BulkBody,
    check: impl Fn(&UserState) -> Result<(), ApiError>,
) -> Result<Vec<String>, ApiError> {
    if let Some((sp, group)) = &body.group {
        // An unknown group is the whole request's 404, as the reads answer.
        let _ = groups_of(directory, sp, Some(group))?;
    }
    let mut takers = Vec::with_capacity(body.user_ids.len());
    for user_id in &body.user_ids {
        let verdict = match directory.users.get(user_id) {
            None => Err(format!("user `{user_id}` not found")),
            Some(user) => in_group(user, body.group.as_ref())
                .and_then(|()| check(user).map_err(|refused| refused.details)),
        };
        match (verdict, sim.config.variant.bulk_write_partial) {
            (Ok(()), _) => takers.push(user_id.clone()),
            (Err(why), BulkWritePartial::Fail) => {
                return Err(ApiError::bad_request(format!("{why}; no user was changed")));
            }
            (Err(_), BulkWritePartial::Skip) => {}
        }
    }
    Ok(takers)
}

/// Whether `user` is in the group the body names, if it names one.
fn in_group(user: &UserState, group: Option<&(String, String)>) -> Result<(), String> {
    let Some((sp, group)) = group else {
        return Ok(());
    };
    let (user_id, user_sp, user_group) = user.identity();
    if (user_sp, user_group) == (sp.as_str(), group.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "user `{user_id}` is not in group `{group}` of service provider `{sp}`"
        ))
    }
}

/// A bulk write's body, its shape checked.
#[derive(Debug)]
struct BulkBody {
    /// The listed users' ids, each once, in the order given.
    user_ids: Vec<String>,
    /// The group the body names: (service provider, group).
    group: Option<(String, String)>,
    /// The fields to change, not empty and without identity keys.
    data: Map<String, Value>,
}

impl BulkBody {
    /// `{users, data}` and, where `group_required` or when given, `serviceProviderId` and
    /// `groupId`; any other key is refused.
    fn parse(body: &Bytes, group_required: bool) -> Result<BulkBody, ApiError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
        let Value::Object(mut body) = value else {
            return Err(ApiError::bad_request(
                "the body must be a JSON object `{\"users\": [...], \"data\": {...}}`",
            ));
        };
        let users = body.remove("users");
        let data = body.remove("data");
        let sp = body.remove("serviceProviderId");
        let group = body.remove("groupId");
        if let Some(key) = body.keys().next() {
            return Err(ApiError::bad_request(format!(
                "unknown key `{key}` in the body; expected `users` and `data`"
            )));
        }
        let group = match (sp, group) {
            (None, None) if !group_required => None,
            (Some(Value::String(sp)), Some(Value::String(group)))
                if !sp.is_empty() && !group.is_empty() =>
            {
                Some((sp, group))
            }
            (None, None) => {
                return Err(ApiError::bad_request(
                    "`serviceProviderId` and `groupId` are required in the body",
                ));
            }
            _ => {
                return Err(ApiError::bad_request(
                    "`serviceProviderId` and `groupId` go together, as non-empty strings",
                ));
            }
        };
        let user_ids = user_ids(users)?;
        let data = match data {
            Some(Value::Object(data)) if !data.is_empty() => data,
            Some(Value::Object(_)) => {
                return Err(ApiError::bad_request("`data` is empty: nothing to change"));
            }
            Some(_) => {
                return Err(ApiError::bad_request(
                    "`data` must be a JSON object of the fields to change",
                ));
            }
            None => return Err(ApiError::bad_request("`data` is required in the body")),
        };
        if let Some(key) = IDENTITY.iter().find(|key| data.contains_key(**key)) {
            return Err(ApiError::bad_request(format!(
                "`data` cannot hold `{key}`: a bulk write does not change who a user is"
            )));
        }
        Ok(BulkBody {
            user_ids,
            group,
            data,
        })
    }
}

/// The user ids of `users`: each element an object with a string or numeric `userId`.
fn user_ids(users: Option<Value>) -> Result<Vec<String>, ApiError> {
    let users = match users {
        Some(Value::Array(users)) if !users.is_empty() => users,
        Some(Value::Array(_)) => {
            return Err(ApiError::bad_request(
                "`users` is empty: list at least one user",
            ));
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "`users` must be a list of users, each with a `userId`",
            ));
        }
        None => return Err(ApiError::bad_request("`users` is required in the body")),
    };
    let mut seen = HashSet::new();
    let mut ids = Vec::with_capacity(users.len());
    for (i, element) in users.iter().enumerate() {
        let id = match element.get("userId") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            Some(Value::Number(number)) => number.to_string(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "`users[{i}]` has no `userId` (a string or a number)"
                )));
            }
        };
        if seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    Ok(ids)
}
