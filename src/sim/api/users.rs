//! `GET /users` (one user, or a group's users) and `PUT /users`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde_json::Value;

use super::{Admin, ApiError, body_object, required, user_lines, user_mut};
use crate::notation::Namespace;
use crate::odin::group::wildcard;
use crate::sim::Sim;

/// The one filter a group listing may carry, each matched with `*` wildcards.
const FILTERS: [(&str, &str); 6] = [
    ("userId", "userId"),
    ("lastName", "lastName"),
    ("firstName", "firstName"),
    ("emailAddress", "emailAddress"),
    ("extension", "extension"),
    ("dn", "phoneNumber"),
];

/// `GET /users?userId=` → the user; `GET /users?serviceProviderId=[&groupId=][&limit=][&filter=][&extended=true]`
/// → the users of the group, or of the whole service provider, as a JSON array of summary
/// rows (API.md §7a: not user records; see `rows`). An unknown service provider or group is
/// a 404, as Odin answers.
pub(super) async fn get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let directory = sim.directory();
    if let Some(sp) = query.get("serviceProviderId") {
        let limit = match query.get("limit") {
            Some(text) => text.parse::<usize>().map_err(|_| {
                ApiError::bad_request(format!("`limit` must be a number, not `{text}`"))
            })?,
            None => usize::MAX,
        };
        let filters: Vec<(&str, &str)> = FILTERS
            .iter()
            .filter_map(|(param, field)| Some((*field, query.get(*param)?.as_str())))
            .collect();
        if filters.len() > 1 {
            return Err(ApiError::bad_request("at most one filter may be given"));
        }
        let extended = query.get("extended").is_some_and(|v| v == "true");
        let enterprise = !query.contains_key("groupId");
        let groups = super::groups_of(&directory, sp, query.get("groupId").map(String::as_str))?;
        let users: Vec<Value> = groups
            .flat_map(|ids| ids.iter())
            .filter_map(|id| directory.users.get(id))
            .filter(|user| {
                filters.iter().all(|(field, pattern)| {
                    let value = match &user.user[*field] {
                        Value::Number(n) => n.to_string(),
                        other => other.as_str().unwrap_or_default().to_string(),
                    };
                    wildcard(pattern, &value)
                })
            })
            .take(limit)
            .map(|user| super::rows::listing(user, extended, enterprise))
            .collect();
        return Ok(Json(Value::Array(users)));
    }
    let user_id = required(&query, "userId")?;
    let Some(user) = directory.users.get(user_id) else {
        return Err(match sim.config.variant.members.unknown_user_read {
            crate::sim::UnknownUserRead::NotFound => ApiError::unknown_user(user_id),
            crate::sim::UnknownUserRead::BadRequest => {
                ApiError::bad_request(format!("[Error 4008] User not found: {user_id}"))
            }
        });
    };
    Ok(Json(user.user.clone()))
}

/// `PUT /users` with `userId`, `serviceProviderId`, `groupId` and the fields to change →
/// an array holding the full updated record. A nested object sent replaces the stored one or
/// is merged into it, as the variant says. A number or extension the user cannot hold is
/// refused (see `user_lines`).
pub(super) async fn put(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user_id, mut fields) = body_object(&body)?;
    let mut identity = Vec::new();
    for key in ["serviceProviderId", "groupId"] {
        match fields.remove(key) {
            Some(Value::String(value)) => identity.push(value),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "`{key}` is required in the body"
                )));
            }
        }
    }
    let mut patch = Value::Object(fields);
    sim.catalog
        .schema
        .conform(Namespace::User, &mut patch)
        .map_err(ApiError::bad_request)?;
    let mut directory = sim.directory();
    let user = user_mut(&mut directory, &user_id)?;
    let (_, sp, group) = user.identity();
    if identity != [sp, group] {
        return Err(ApiError::bad_request(format!(
            "user `{user_id}` is not in service provider `{}`, group `{}`",
            identity[0], identity[1]
        )));
    }
    let prospect = user_lines::prospect(&sim, &directory, &user_id, &patch)?;
    let record = user_lines::commit(&mut directory, &user_id, prospect);
    Ok(Json(Value::Array(vec![record])))
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards() {
        assert!(super::wildcard("Tur*", "Turing"));
        assert!(super::wildcard("*ing", "Turing"));
        assert!(super::wildcard("*uri*", "Turing"));
        assert!(super::wildcard("Turing", "Turing"));
        assert!(!super::wildcard("Tur", "Turing"));
        assert!(super::wildcard("*", "anything"));
    }
}
