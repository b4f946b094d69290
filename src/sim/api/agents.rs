//! What the hunt group and call center endpoints share (API.md §15): the agent rows they
//! answer, the agent lists they take, who may be an agent, and the service a request names.

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::ApiError;
use crate::sim::members::{CALL_CENTER_LICENCES, Kind, Service};
use crate::sim::state::{Catalog, Directory, UserState};

/// A full agent row (`fixtures/group-hunt-groups-user.json`), `extra` added (`weight` or
/// `skillLevel`); `{userId}` alone for a user no longer there.
pub(super) fn row(directory: &Directory, user_id: &str, extra: (&str, Value)) -> Value {
    let Some(user) = directory.users.get(user_id) else {
        return json!({"userId": user_id});
    };
    let field = |key: &str| user.user.get(key).cloned().unwrap_or(Value::Null);
    let text_or_null = |key: &str| match field(key) {
        Value::String(text) if text.is_empty() => Value::Null,
        other => other,
    };
    let (_, _, group) = user.identity();
    let mut row = json!({
        "userId": user_id,
        "lastName": field("lastName"),
        "firstName": field("firstName"),
        "hiraganaLastName": field("hiraganaLastName"),
        "hiraganaFirstName": field("hiraganaFirstName"),
        "phoneNumber": text_or_null("phoneNumber"),
        "extension": text_or_null("extension"),
        "department": Value::Null,
        "emailAddress": text_or_null("emailAddress"),
        "isPhoneNumberActivated": field("phoneNumberActivated"),
        "countryCode": "1",
        "nationalPrefix": 0,
        "departmentName": Value::Null,
        "departmentType": Value::Null,
        "parentDepartment": Value::Null,
        "parentDepartmentType": Value::Null,
        "groupId": group,
        "groupName": format!("Group {group}"),
    });
    if let Some(map) = row.as_object_mut() {
        map.insert(extra.0.to_string(), extra.1);
    }
    row
}

/// An `agents` list sent: each element an object with a string `userId` (full rows
/// accepted, only `userId` and `skillLevel` read), none twice; `skillLevel` an integer 1–20
/// or null.
pub(super) fn parse(value: &Value) -> Result<Vec<(String, Option<u64>)>, ApiError> {
    let Value::Array(elements) = value else {
        return Err(ApiError::bad_request(
            "`agents` must be a list of `{userId}` objects",
        ));
    };
    let mut seen = HashSet::new();
    let mut agents = Vec::new();
    for element in elements {
        let Some(user_id) = element
            .get("userId")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
        else {
            return Err(ApiError::bad_request(format!(
                "each agent needs a `userId`: `{element}`"
            )));
        };
        if !seen.insert(user_id.to_string()) {
            return Err(ApiError::bad_request(format!(
                "agent `{user_id}` is listed twice"
            )));
        }
        let skill = match element.get("skillLevel") {
            None | Some(Value::Null) => None,
            Some(level) => match level.as_u64().filter(|l| (1..=20).contains(l)) {
                Some(level) => Some(level),
                None => {
                    return Err(ApiError::bad_request(format!(
                        "`skillLevel` of agent `{user_id}` must be 1 to 20, not `{level}`"
                    )));
                }
            },
        };
        agents.push((user_id.to_string(), skill));
    }
    Ok(agents)
}

/// Whether `user` may be an agent of `service`: a user of its group; for a call center,
/// one whose strongest call center licence is at least its type. The reason when not.
pub(super) fn eligible(catalog: &Catalog, service: &Service, user: &UserState) -> Option<String> {
    let (user_id, sp, group) = user.identity();
    if sp != service.sp || group != service.group {
        return Some(format!(
            "user `{user_id}` is not in group `{}` of {} `{}`",
            service.group,
            service.kind.noun(),
            service.id
        ));
    }
    if service.kind == Kind::CallCenter {
        let level = licence(catalog, user);
        if level.is_none_or(|level| level < service.level()) {
            return Some(format!(
                "user `{user_id}` has no call center licence of type {} or above",
                service.settings["type"].as_str().unwrap_or_default()
            ));
        }
    }
    None
}

/// The strongest call center licence `user` holds: an index into [`CALL_CENTER_LICENCES`].
pub(super) fn licence(catalog: &Catalog, user: &UserState) -> Option<usize> {
    CALL_CENTER_LICENCES
        .iter()
        .enumerate()
        .rev()
        .find(|(_, name)| catalog.service(name).is_some_and(|i| user.services[i]))
        .map(|(level, _)| level)
}

/// Check a new agent list of `service`: every user known and eligible.
pub(super) fn check(
    catalog: &Catalog,
    directory: &Directory,
    service: &Service,
    agents: &[(String, Option<u64>)],
) -> Result<(), ApiError> {
    for (user_id, _) in agents {
        let user = directory
            .users
            .get(user_id)
            .ok_or_else(|| ApiError::bad_request(format!("agent `{user_id}`: user not found")))?;
        if let Some(reason) = eligible(catalog, service, user) {
            return Err(ApiError::bad_request(reason));
        }
    }
    Ok(())
}

/// The service of `kind` named by the query's or body's `serviceUserId`: 404 when there is
/// none.
pub(super) fn service<'a>(
    directory: &'a Directory,
    id: &str,
    kind: Kind,
) -> Result<&'a Service, ApiError> {
    directory
        .members
        .find(id)
        .filter(|s| s.kind == kind)
        .ok_or_else(|| not_found(id, kind))
}

pub(super) fn not_found(id: &str, kind: Kind) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("{} `{id}` not found", kind.noun()),
    )
}

/// A write's body as an object.
pub(super) fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!(
            "the body is not valid JSON: {e}"
        ))),
    }
}

/// A required string key of a body.
pub(super) fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Result<&'a str, ApiError> {
    map.get(key)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("`{key}` is required in the body")))
}

/// The query's `serviceProviderId` and `groupId`, checked to exist.
pub(super) fn group_of_query<'a>(
    directory: &Directory,
    query: &'a HashMap<String, String>,
) -> Result<(&'a str, &'a str), ApiError> {
    let sp = super::required(query, "serviceProviderId")?;
    let group = super::required(query, "groupId")?;
    super::known(directory, sp, Some(group))?;
    Ok((sp, group))
}
