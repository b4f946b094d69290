//! Shared call appearance endpoints (API.md §13) as a list keyed by line port: each entry
//! `{deviceName, deviceLevel, isActive, allowOrigination, allowTermination}`.
//!
//! Read: `GET /users/shared-call-appearance?userId=` answers an object with `endpoints`
//! (Odin's front end) or, per newer odins_spear pages, a flat list of endpoints: both are
//! read. Where an element lacks the three flags, that endpoint is read on its own
//! (`GET /users/shared-call-appearance/endpoints?userId=&deviceName=&deviceLevel=&linePort=`),
//! so that a rollback restores them as they were. The read also carries `maxAppearances`
//! (under that key, which no line port can be: a line port holds an `@`).
//!
//! Write: an entry added is `POST …/endpoints` with the seven keys (flags default `true`,
//! `deviceLevel` `Group`, as both sources send); removed is `DELETE …/endpoints` with the four
//! identity keys as query parameters **and** the endpoint as JSON body (the sources differ
//! on which one the server reads); changed flags are `PUT …/endpoints`; a changed device is
//! a removal and an add (the front end cannot change an endpoint's device). Answers are
//! ignored. A POST or DELETE retried after an answer was lost can be refused because the
//! first one landed: the engine judges a refusal after a retry by reading the list.

use serde_json::{Map, Value, json};

use crate::odin::resources::UserIdentity;
use crate::odin::{Call, Method, OdinClient, OdinError};
use crate::resource::Resource;

/// One endpoint's path.
const ENDPOINTS: &str = "/users/shared-call-appearance/endpoints";

/// The flags of an endpoint, each `true` unless given (API.md §13: both sources).
pub const FLAGS: [&str; 3] = ["isActive", "allowOrigination", "allowTermination"];

/// The device level of an endpoint unless given.
pub const DEFAULT_LEVEL: &str = "Group";

/// The key of the read that holds the user's `maxAppearances`.
pub const MAX_APPEARANCES: &str = "maxAppearances";

/// Read the user's endpoints as line port → entry, with [`MAX_APPEARANCES`].
pub async fn read(client: &OdinClient, user_id: &str) -> Call {
    let mut call = client.read(Resource::SharedCallAppearance, user_id).await;
    let answer = match std::mem::replace(&mut call.result, Ok(Value::Null)) {
        Ok(answer) => answer,
        Err(error) => {
            call.result = Err(error);
            return call;
        }
    };
    let (elements, max) = match &answer {
        Value::Object(object) => (
            object.get("endpoints").and_then(Value::as_array),
            object.get(MAX_APPEARANCES),
        ),
        Value::Array(list) => (Some(list), None),
        _ => (None, None),
    };
    // An object without `endpoints` (a user without the service may read so): no entries.
    let none = Vec::new();
    let empty = answer.is_object() && answer.get("endpoints").is_none_or(Value::is_null);
    let Some(elements) = elements.or(empty.then_some(&none)) else {
        call.result = Err(OdinError::Decode(format!(
            "`GET /users/shared-call-appearance` for `{user_id}` answered neither an object \
             with `endpoints` nor a list of endpoints"
        )));
        return call;
    };
    let mut entries = Map::new();
    if let Some(max) = max.filter(|v| !v.is_null()) {
        entries.insert(MAX_APPEARANCES.into(), max.clone());
    }
    for element in elements {
        let Some(line_port) = text(element.get("linePort")) else {
            continue;
        };
        let mut entry = entry_of(element);
        if FLAGS.iter().any(|flag| element.get(*flag).is_none()) {
            // The list does not say the flags: the endpoint, read on its own, does.
            let one = read_one(client, user_id, &line_port, &entry).await;
            call.attempts += one.attempts;
            match one.result {
                Ok(single) => {
                    for flag in FLAGS {
                        if let Some(value) = single.get(flag) {
                            entry.insert(flag.into(), flag_value(value));
                        }
                    }
                }
                Err(error) => {
                    call.status = one.status;
                    call.result = Err(error);
                    return call;
                }
            }
        }
        entries.insert(line_port, Value::Object(entry));
    }
    call.result = Ok(Value::Object(entries));
    call
}

/// Write one endpoint's change: `before` `None` adds it, `after` null removes it.
pub async fn write(
    client: &OdinClient,
    identity: &UserIdentity,
    line_port: &str,
    before: Option<&Value>,
    after: &Value,
) -> Call {
    let user_id = identity.user_id.as_str();
    match (before, after) {
        (None, Value::Null) => done(),
        (Some(before), Value::Null) => remove(client, user_id, line_port, before).await,
        (None, after) => add(client, user_id, line_port, after).await,
        (Some(before), after) if same_device(before, after) => {
            let body = body(user_id, line_port, after);
            client
                .user_send(Method::PUT, ENDPOINTS, &[], Some(&body))
                .await
        }
        (Some(before), after) => {
            let mut removed = remove(client, user_id, line_port, before).await;
            if removed.result.is_err() {
                return removed;
            }
            let added = add(client, user_id, line_port, after).await;
            removed.attempts += added.attempts;
            removed.status = added.status;
            removed.result = added.result;
            removed
        }
    }
}

/// The requests [`write`] sends for one endpoint (no retry): none, one, or two for a
/// changed device.
pub fn requests(before: Option<&Value>, after: &Value) -> u64 {
    match (before, after) {
        (None, Value::Null) => 0,
        (Some(before), after) if !after.is_null() && !same_device(before, after) => 2,
        _ => 1,
    }
}

/// `POST` the endpoint.
async fn add(client: &OdinClient, user_id: &str, line_port: &str, after: &Value) -> Call {
    let body = body(user_id, line_port, after);
    client
        .user_send(Method::POST, ENDPOINTS, &[], Some(&body))
        .await
}

/// `DELETE` the endpoint, its identity both as query and as body.
async fn remove(client: &OdinClient, user_id: &str, line_port: &str, before: &Value) -> Call {
    let (name, level) = device(before);
    let query = [
        ("userId", user_id),
        ("deviceName", name.as_str()),
        ("deviceLevel", level.as_str()),
        ("linePort", line_port),
    ];
    let body = body(user_id, line_port, before);
    client
        .user_send(Method::DELETE, ENDPOINTS, &query, Some(&body))
        .await
}

/// `GET` one endpoint.
async fn read_one(
    client: &OdinClient,
    user_id: &str,
    line_port: &str,
    entry: &Map<String, Value>,
) -> Call {
    let (name, level) = device(&Value::Object(entry.clone()));
    let query = [
        ("userId", user_id),
        ("deviceName", name.as_str()),
        ("deviceLevel", level.as_str()),
        ("linePort", line_port),
    ];
    client.user_get(ENDPOINTS, &query).await
}

/// The write body: the seven keys, defaults filled in.
fn body(user_id: &str, line_port: &str, entry: &Value) -> Value {
    let (name, level) = device(entry);
    let mut body = json!({
        "userId": user_id,
        "linePort": line_port,
        "deviceName": name,
        "deviceLevel": level,
    });
    for flag in FLAGS {
        body[flag] = entry.get(flag).map_or(Value::Bool(true), flag_value);
    }
    body
}

/// An element of a read as an entry: the device and the flags it gives.
fn entry_of(element: &Value) -> Map<String, Value> {
    let mut entry = Map::new();
    let (name, level) = device(element);
    entry.insert("deviceName".into(), Value::String(name));
    entry.insert("deviceLevel".into(), Value::String(level));
    for flag in FLAGS {
        if let Some(value) = element.get(flag) {
            entry.insert(flag.into(), flag_value(value));
        }
    }
    entry
}

/// An entry's device name and level (`Group` unless given).
fn device(entry: &Value) -> (String, String) {
    let name = text(entry.get("deviceName")).unwrap_or_default();
    let level = text(entry.get("deviceLevel")).unwrap_or_else(|| DEFAULT_LEVEL.to_string());
    (name, level)
}

/// Whether two entries name the same device.
fn same_device(a: &Value, b: &Value) -> bool {
    device(a) == device(b)
}

/// A flag as a JSON boolean: Odin may answer `"true"` (API.md §3).
fn flag_value(value: &Value) -> Value {
    match value {
        Value::String(text) if text.eq_ignore_ascii_case("true") => Value::Bool(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Value::Bool(false),
        other => other.clone(),
    }
}

/// A text or number as text.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Nothing to send.
fn done() -> Call {
    Call {
        status: None,
        attempts: 0,
        result: Ok(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_fills_the_defaults_both_sources_send() {
        let body = body("u@x", "u_wbx@x", &json!({"deviceName": "d1"}));
        assert_eq!(
            body,
            json!({"userId": "u@x", "linePort": "u_wbx@x", "deviceName": "d1",
                   "deviceLevel": "Group", "isActive": true, "allowOrigination": true,
                   "allowTermination": true})
        );
        let body = super::body(
            "u@x",
            "l@x",
            &json!({"deviceName": "d", "isActive": "false"}),
        );
        assert_eq!(body["isActive"], json!(false));
    }

    #[test]
    fn the_estimate_counts_a_request_per_endpoint_and_two_for_a_new_device() {
        let before = json!({"a@x": {"deviceName": "d1"}, "b@x": {"deviceName": "d1"}});
        let body = json!({
            "a@x": {"deviceName": "d1", "isActive": false},
            "b@x": {"deviceName": "d2"},
            "c@x": {"deviceName": "d1"},
            "d@x": null,
            "b2@x": null,
        });
        // a: PUT; b: DELETE + POST; c: POST; d: nothing held, nothing sent; b2 likewise.
        assert_eq!(
            crate::operation::requests(Resource::SharedCallAppearance, &body, &before),
            4
        );
        let removal = json!({"a@x": null});
        assert_eq!(
            crate::operation::requests(Resource::SharedCallAppearance, &removal, &before),
            1
        );
        assert_eq!(
            crate::operation::requests(Resource::User, &body, &before),
            1
        );
    }

    #[test]
    fn an_element_keeps_only_what_a_sheet_sets() {
        let element = json!({"deviceName": "d", "deviceLevel": "Service Provider",
            "deviceType": "Polycom", "linePort": "l@x", "isActive": "true", "macAddress": "00"});
        assert_eq!(
            Value::Object(entry_of(&element)),
            json!({"deviceName": "d", "deviceLevel": "Service Provider", "isActive": true})
        );
        assert!(same_device(
            &json!({"deviceName": "d"}),
            &json!({"deviceName": "d", "deviceLevel": "Group"})
        ));
    }
}
