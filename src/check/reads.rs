//! The reads of a check, one function per request (or per resource), each turning what
//! was answered into facts: the answer's status and a one-line summary, plus what the
//! body shows (the admin's session, the licence's spelling, a listing's rows).

pub(super) use crate::odin::group::text_of;
use serde_json::Value;

use super::compare::row_fields;
use super::gather::GroupRef;
use super::{
    BulkFacts, Chosen, EndpointAnswer, ListingFacts, Outcome, RefusedTokenFacts, SessionFacts,
    UserFacts,
};
use crate::odin::group::{BulkService, parse_bulk, parse_users};
use crate::odin::{Call, OdinClient, OdinError};
use crate::resource::Resource;
use crate::services::ServiceRef;

pub(super) async fn session(client: &OdinClient) -> SessionFacts {
    let call = client.session().await;
    let body = call.result.as_ref().ok().cloned();
    let text = |key: &str| body.as_ref().and_then(|b| text_of(b.get(key)));
    let read_only = body.as_ref().and_then(|b| match b.get("readOnly") {
        Some(Value::Bool(flag)) => Some(*flag),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    });
    let answer = answer("GET /auth/session", &call, |body| {
        body.as_object()
            .map(|fields| format!("the admin's session, {}", fields_count(fields.len())))
            .ok_or_else(|| "not a JSON object".to_string())
    });
    SessionFacts {
        answer,
        software_version: text("softwareVersion"),
        login_type: text("loginType"),
        read_only,
    }
}

pub(super) async fn refused_token(client: &OdinClient) -> RefusedTokenFacts {
    match client.probe_refused_token().await {
        Ok(raw) => {
            let keys = raw
                .body
                .as_object()
                .map(|body| body.keys().cloned().collect())
                .unwrap_or_default();
            let message_key = ["details", "error", "message"]
                .into_iter()
                .find(|key| {
                    raw.body
                        .get(*key)
                        .and_then(Value::as_str)
                        .is_some_and(|text| !text.trim().is_empty())
                })
                .map(str::to_string);
            RefusedTokenFacts {
                status: Some(raw.status),
                message_key,
                body_keys: keys,
                error: None,
            }
        }
        Err(error) => RefusedTokenFacts {
            status: None,
            message_key: None,
            body_keys: Vec::new(),
            error: Some(error.to_string()),
        },
    }
}

/// The four per-user reads; the record's body too, when it is an object.
pub(super) async fn user_reads(
    client: &OdinClient,
    user_id: &str,
    given: bool,
) -> (UserFacts, Option<Value>) {
    let call = client.read(Resource::User, user_id).await;
    let record = call.result.as_ref().ok().filter(|b| b.is_object()).cloned();
    let record_answer = answer("GET /users?userId=", &call, |body| {
        let fields = body.as_object().ok_or("not a JSON object")?;
        let mut text = format!("the user record, {}", fields_count(fields.len()));
        if let Some(group) = group_of(body) {
            text.push_str(&format!(
                ", in `{}/{}`",
                group.service_provider_id, group.group_id
            ));
        }
        Ok(text)
    });
    let call = client.read(Resource::Services, user_id).await;
    let listing = call.result.as_ref().ok();
    // The licence of the `Integrated IMP` settings, under either of its spellings (API.md
    // §4, quirk 7): `ServiceRef::is_named` knows them.
    let licence = ServiceRef::service("Integrated IM&P");
    let imp_spelling = listing.and_then(|body| {
        services(body, "userServices")
            .iter()
            .find(|(name, _)| licence.is_named(name))
            .map(|(name, _)| name.clone())
    });
    let services_answer = answer("GET /users/services?userId=", &call, |body| {
        if !body.is_object() {
            return Err("not a JSON object".into());
        }
        let count = |key| {
            let all = services(body, key);
            let assigned = all.iter().filter(|(_, on)| *on).count();
            format!("{assigned} of {} assigned", all.len())
        };
        Ok(format!(
            "user services {}, service packs {}",
            count("userServices"),
            count("servicePackServices")
        ))
    });
    let call = client.read(Resource::Settings, user_id).await;
    let settings = answer("GET /users/services/settings?userId=", &call, |body| {
        let services = body.as_object().ok_or("not a JSON object")?;
        let count = services.keys().filter(|key| *key != "userId").count();
        Ok(format!(
            "settings of {}",
            crate::text::count(count, "service")
        ))
    });
    let call = client.read(Resource::Policy, user_id).await;
    let policy = answer("GET /users/call-processing-policy?userId=", &call, |body| {
        let fields = body.as_object().ok_or("not a JSON object")?;
        let count = fields.keys().filter(|key| *key != "userId").count();
        Ok(format!(
            "the call processing policy, {}",
            fields_count(count)
        ))
    });
    let facts = UserFacts {
        user_id: user_id.to_string(),
        chosen: if given {
            Chosen::Given
        } else {
            Chosen::Derived
        },
        record: record_answer,
        services: services_answer,
        settings,
        policy,
        imp_spelling,
    };
    (facts, record)
}

/// A listing of `group` (summary rows, or `extended=true`), with its rows when it answered.
pub(super) async fn list(
    client: &OdinClient,
    group: &GroupRef,
    extended: bool,
) -> (EndpointAnswer, Option<Vec<Value>>) {
    let mut query = vec![
        ("serviceProviderId", group.service_provider_id.as_str()),
        ("groupId", group.group_id.as_str()),
    ];
    let request = if extended {
        query.push(("extended", "true"));
        "GET /users?serviceProviderId=&groupId=&extended=true"
    } else {
        "GET /users?serviceProviderId=&groupId="
    };
    let call = client.get("/users", &query).await;
    let rows = call.result.as_ref().ok().and_then(|b| parse_users(b).ok());
    let answer = answer(request, &call, |body| {
        let rows = parse_users(body)?;
        Ok(crate::text::count(rows.len(), "user"))
    });
    (answer, rows)
}

/// A listing with the checked user's row beside the record.
pub(super) fn compared(
    (answer, rows): (EndpointAnswer, Option<Vec<Value>>),
    record: Option<&Value>,
    user_id: Option<&str>,
) -> ListingFacts {
    let count = rows.as_ref().map(Vec::len);
    let row = user_id.and_then(|id| {
        rows.iter()
            .flatten()
            .find(|row| text_of(row.get("userId")).as_deref() == Some(id))
    });
    let (fields, not_compared) = match (rows.is_some(), user_id, record, row) {
        (false, ..) => (None, None),
        (true, None, ..) => (None, Some("no user was read to compare with".to_string())),
        (true, Some(_), None, _) => (None, Some("the user record could not be read".into())),
        (true, Some(id), Some(_), None) => (None, Some(format!("no row of `{id}`"))),
        (true, Some(_), Some(record), Some(row)) => (Some(row_fields(record, row)), None),
    };
    ListingFacts {
        answer,
        rows: count,
        fields,
        not_compared,
    }
}

/// One `/bulk` group read; a 404 is [`Outcome::NotServed`] where the group was found by its
/// listing (`group_found`), else a failure like the listing's.
pub(super) async fn bulk_read(
    client: &OdinClient,
    group: &GroupRef,
    service: BulkService,
    group_found: bool,
) -> BulkFacts {
    let query = [
        ("serviceProviderId", group.service_provider_id.as_str()),
        ("groupId", group.group_id.as_str()),
    ];
    let call = client.get(&service.path(), &query).await;
    let mut answer = answer(&format!("GET {}", service.path()), &call, |body| {
        if service == BulkService::SharedCallAppearance {
            return sca_summary(body, service);
        }
        let users = parse_bulk(body, service)?;
        let assigned = users.values().filter(|s| s.is_some()).count();
        Ok(format!(
            "{}, {assigned} with the service assigned",
            crate::text::count(users.len(), "user")
        ))
    });
    if answer.status == Some(404) && group_found {
        answer.outcome = Outcome::NotServed;
        answer.summary = format!("not served: {}", answer.summary);
    }
    BulkFacts {
        service: service.service_name().to_string(),
        answer,
    }
}

/// The summary of the group SCA read (API.md §7a, §13), in any of its shapes: the object
/// `{users: [{profile, data}]}` (a user has the service where `data` is not empty), the
/// flat list of endpoints of newer odins_spear pages (`[{userId, linePort, …}]`), or an
/// array of elements like the other `/bulk` reads.
fn sca_summary(body: &Value, service: BulkService) -> Result<String, String> {
    if let Value::Object(object) = body {
        let Some(Value::Array(users)) = object.get("users") else {
            return Err("expected an object with a `users` array".into());
        };
        let assigned = users
            .iter()
            .filter(|u| {
                u.get("data")
                    .and_then(Value::as_object)
                    .is_some_and(|d| !d.is_empty())
            })
            .count();
        return Ok(format!(
            "{}, {assigned} with the service assigned",
            crate::text::count(users.len(), "user")
        ));
    }
    let flat = body
        .as_array()
        .is_some_and(|items| items.iter().all(|item| item.get("linePort").is_some()));
    if flat && let Some(items) = body.as_array() {
        let users: std::collections::BTreeSet<&str> = items
            .iter()
            .filter_map(|item| item.get("userId").and_then(Value::as_str))
            .collect();
        return Ok(format!(
            "{} of {}",
            crate::text::count(items.len(), "endpoint"),
            crate::text::count(users.len(), "user")
        ));
    }
    let users = parse_bulk(body, service)?;
    let assigned = users.values().filter(|s| s.is_some()).count();
    Ok(format!(
        "{}, {assigned} with the service assigned",
        crate::text::count(users.len(), "user")
    ))
}

/// What `call` answered: [`Outcome::Answered`] with `summary` of its body when that reads,
/// else [`Outcome::Failed`] with Odin's text or the shape that was wrong.
fn answer(
    request: &str,
    call: &Call,
    summary: impl FnOnce(&Value) -> Result<String, String>,
) -> EndpointAnswer {
    let (outcome, summary) = match &call.result {
        Ok(body) => match summary(body) {
            Ok(text) => (Outcome::Answered, text),
            Err(wrong) => (Outcome::Failed, format!("unexpected answer: {wrong}")),
        },
        Err(OdinError::Http { details, .. }) => (Outcome::Failed, details.clone()),
        Err(other) => (Outcome::Failed, other.to_string()),
    };
    EndpointAnswer {
        request: request.to_string(),
        status: call.status,
        outcome,
        summary,
    }
}

/// `(serviceName, assigned)` of a services listing's `key` list (`assigned` read leniently).
fn services(body: &Value, key: &str) -> Vec<(String, bool)> {
    body.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let name = text_of(item.get("serviceName"))?;
            let assigned = match item.get("assigned") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
                _ => false,
            };
            Some((name, assigned))
        })
        .collect()
}

/// Where a user record says its user lives.
pub(super) fn group_of(record: &Value) -> Option<GroupRef> {
    Some(GroupRef {
        service_provider_id: text_of(record.get("serviceProviderId"))?,
        group_id: text_of(record.get("groupId"))?,
    })
}

fn fields_count(n: usize) -> String {
    crate::text::count(n, "field")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_group_sca_read_is_read_in_each_shape() {
        let service = BulkService::SharedCallAppearance;
        let object = json!({"users": [
            {"profile": {"userId": "a"}, "data": {"maxAppearances": 5, "endpoints": []}},
            {"profile": {"userId": "b"}, "data": {}},
        ]});
        assert_eq!(
            sca_summary(&object, service).unwrap(),
            "2 users, 1 with the service assigned"
        );
        let flat = json!([
            {"userId": "a", "linePort": "a1@x", "deviceName": "d"},
            {"userId": "a", "linePort": "a2@x", "deviceName": "d"},
        ]);
        assert_eq!(
            sca_summary(&flat, service).unwrap(),
            "2 endpoints of 1 user"
        );
        assert_eq!(
            sca_summary(&json!([]), service).unwrap(),
            "0 endpoints of 0 users"
        );
        let elements = json!([{"service": {"assigned": true, "serviceName": "Shared Call Appearance"},
                               "user": {"userId": "a"}, "data": {"userId": "a", "maxAppearances": 1}}]);
        assert_eq!(
            sca_summary(&elements, service).unwrap(),
            "1 user, 1 with the service assigned"
        );
        assert!(sca_summary(&json!({"dns": []}), service).is_err());
    }
}
