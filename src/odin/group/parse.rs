//! The documented shapes of the group-scale answers, read leniently: ids that arrive as JSON
//! numbers, `"true"` strings for booleans, and omitted keys are all real (API.md §3, §4).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{BulkService, Group};

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
    let items = array(body)?;
    for (i, item) in items.iter().enumerate() {
        if !item.is_object() || text_of(item.get("userId")).is_none() {
            return Err(format!("user {} is not a record with a `userId`", i + 1));
        }
    }
    Ok(items.clone())
}

/// `GET /users/call-forwarding-*/bulk` → user id → `Some(settings)` (without `userId`, as
/// `/users/services/settings` holds them), or `None` where `service.assigned` is false.
/// The user id comes from `data.userId`, else `user.userId` (or `profile.userId`, the other
/// shape of API.md §7a). An element that does not say whether the service is assigned, or
/// says assigned without a `data` object, stands for nothing: its user is left out, to be
/// read per user (a missing key is unknown, never unset).
pub fn parse_bulk(
    body: &Value,
    service: BulkService,
) -> Result<BTreeMap<String, Option<Value>>, String> {
    let mut by_user = BTreeMap::new();
    for (i, item) in array(body)?.iter().enumerate() {
        let data = item.get("data");
        let user_id = text_of(data.and_then(|d| d.get("userId")))
            .or_else(|| text_of(item.get("user").and_then(|u| u.get("userId"))))
            .or_else(|| text_of(item.get("profile").and_then(|u| u.get("userId"))))
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
            None => continue,
            Some(other) => {
                return Err(format!(
                    "entry {} has `assigned: {other}`, not a boolean",
                    i + 1
                ));
            }
        };
        let settings = if assigned {
            let mut settings = match data {
                Some(Value::Object(map)) => map.clone(),
                // Assigned, but its settings are not in the answer: unknown.
                None | Some(Value::Null) => continue,
                Some(other) => {
                    return Err(format!("entry {} has `data` {other}, not an object", i + 1));
                }
            };
            settings.remove("userId");
            Some(Value::Object(settings))
        } else {
            None
        };
        by_user.insert(user_id, settings);
    }
    Ok(by_user)
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
