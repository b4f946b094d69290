//! The documented shapes of the group-scale answers, read leniently: ids that arrive as JSON
//! numbers, `"true"` strings for booleans, and omitted keys are all real (API.md §3, §4).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{BulkService, BulkShape, Group};

/// `GET /groups` → the groups; each needs a `groupId` and a `serviceProviderId`.
pub fn parse_groups(body: &Value) -> Result<Vec<Group>, String> {
    array(body)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |key: &str| {
                text_of(item.get(key)).ok_or_else(|| format!("group {} has no `{key}`", i + 1))
            };
            Ok(Group {
                service_provider_id: field("serviceProviderId")?,
                group_id: field("groupId")?,
                group_name: text_of(item.get("groupName")),
                user_limit: match item.get("userLimit") {
                    Some(Value::Number(n)) => n.as_u64(),
                    Some(Value::String(s)) => s.trim().parse().ok(),
                    _ => None,
                },
            })
        })
        .collect()
}

/// `GET /users?serviceProviderId=…` → the user records, each an object with a `userId`.
pub fn parse_users(body: &Value) -> Result<Vec<Value>, String> {
    into_users(body.clone())
}

/// [`parse_users`] of a body owned: the rows are moved out, not copied (a listing of a
/// large group is megabytes).
pub(crate) fn into_users(body: Value) -> Result<Vec<Value>, String> {
    let Value::Array(items) = body else {
        return Err(format!("expected a JSON array, got {}", kind(&body)));
    };
    for (i, item) in items.iter().enumerate() {
        if !item.is_object() || text_of(item.get("userId")).is_none() {
            return Err(format!("user {} is not a record with a `userId`", i + 1));
        }
    }
    Ok(items)
}

/// One user's element of a `/bulk` read.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkElement {
    /// The service's settings as `/users/services/settings` holds them under the service
    /// name (without `userId`; for Voice Messaging, only its `Voice Messaging User` part);
    /// `None` where the service is not assigned.
    pub settings: Option<Value>,
    /// The element's user summary (`user`, or `profile`; `{userId}` when it has neither):
    /// what a bulk write lists the user as (API.md §10).
    pub summary: Value,
}

/// A `/bulk` read (any shape of API.md §7a) → user id → `Some(settings)` (without
/// `userId`, as `/users/services/settings` holds them), or `None` where `service.assigned`
/// is false. See [`parse_bulk_elements`].
pub fn parse_bulk(
    body: &Value,
    service: BulkService,
) -> Result<BTreeMap<String, Option<Value>>, String> {
    Ok(parse_bulk_elements(body, service)?
        .into_iter()
        .map(|(id, element)| (id, element.settings))
        .collect())
}

/// A `/bulk` read → user id → its element. The answer is an array of elements, or (Speed
/// Dial 8) an object holding them under `users`. The user id comes from `data.userId`, else
/// the element's `userId`, `user.userId` or `profile.userId`. An element that does not say
/// whether the service is assigned, or says assigned without a `data` object, stands for
/// nothing: its user is left out, to be read per user (a missing key is unknown, never
/// unset).
pub fn parse_bulk_elements(
    body: &Value,
    service: BulkService,
) -> Result<BTreeMap<String, BulkElement>, String> {
    let items = match (service.shape(), body) {
        (BulkShape::UsersObject, Value::Object(object)) => match object.get("users") {
            Some(Value::Array(users)) => users,
            _ => return Err("expected an object with a `users` array".into()),
        },
        _ => array(body)?,
    };
    let mut by_user = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Some((user_id, element)) = bulk_element(i, item.clone(), service)? {
            by_user.insert(user_id, element);
        }
    }
    Ok(by_user)
}

/// Element `i` (from 0) of a `/bulk` answer, taken apart: its user and what it says, or
/// `None` where it stands for nothing (see [`parse_bulk_elements`]).
pub(crate) fn bulk_element(
    i: usize,
    mut item: Value,
    service: BulkService,
) -> Result<Option<(String, BulkElement)>, String> {
    let data = item.get("data");
    let summary = item.get("user").or_else(|| item.get("profile"));
    let user_id = text_of(data.and_then(|d| d.get("userId")))
        .or_else(|| text_of(item.get("userId")))
        .or_else(|| text_of(summary.and_then(|u| u.get("userId"))))
        .ok_or_else(|| format!("entry {} names no user", i + 1))?;
    if let Some(name) = item
        .get("service")
        .and_then(|s| s.get("serviceName"))
        .and_then(Value::as_str)
        && name != service.service_name()
    {
        return Err(format!(
            "entry {} is about `{name}`, not `{service}`",
            i + 1
        ));
    }
    let assigned = match item.get("service").and_then(|s| s.get("assigned")) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
        // No flag: settings present mean the service is there; none say nothing.
        None if data.is_some_and(|d| d.as_object().is_some_and(|m| m.len() > 1)) => true,
        None => return Ok(None),
        Some(other) => {
            return Err(format!(
                "entry {} has `assigned: {other}`, not a boolean",
                i + 1
            ));
        }
    };
    let Some(fields) = item.as_object_mut() else {
        return Err(format!("entry {} is not an object", i + 1));
    };
    let summary = match fields.remove("user").or_else(|| fields.remove("profile")) {
        Some(summary @ Value::Object(_)) => summary,
        _ => serde_json::json!({ "userId": user_id }),
    };
    let settings = if assigned {
        let mut settings = match fields.remove("data") {
            Some(Value::Object(map)) => map,
            // Assigned, but its settings are not in the answer: unknown.
            None | Some(Value::Null) => return Ok(None),
            Some(other) => {
                return Err(format!("entry {} has `data` {other}, not an object", i + 1));
            }
        };
        if service == BulkService::VoiceMessaging {
            // The element holds the service's `Voice Messaging User` part, which carries
            // its own `userId` in the settings document (API.md §4 quirk 4).
            Some(serde_json::json!({ "Voice Messaging User": settings }))
        } else {
            settings.remove("userId");
            Some(Value::Object(settings))
        }
    } else {
        None
    };
    Ok(Some((user_id, BulkElement { settings, summary })))
}

/// A text value that may arrive as a JSON number; `None` when absent, null or empty.
pub(crate) fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn array(body: &Value) -> Result<&Vec<Value>, String> {
    body.as_array()
        .ok_or_else(|| format!("expected a JSON array, got {}", kind(body)))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
