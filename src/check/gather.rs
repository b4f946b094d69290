//! The requests of a check, in the order they are reported, each kept as what it answered.
//! Only reads: every request is a GET through [`OdinClient`] (the login before it is the one
//! POST), counted and rate-limited like any other.

use serde_json::Value;

use super::compare::row_fields;
use super::{
    BulkFacts, Chosen, EndpointAnswer, Facts, GroupFacts, ListingFacts, LoginFacts, Outcome,
    RefusedTokenFacts, SessionFacts, UserFacts,
};
use crate::odin::group::{BulkService, parse_bulk, parse_users};
use crate::odin::{Call, OdinClient, OdinError};
use crate::resource::Resource;

/// What to check besides the login and the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `--group SP/GROUP`.
    pub group: Option<GroupRef>,
    /// `--user ID`.
    pub user: Option<String>,
}

/// A group of a service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The service provider.
    pub service_provider_id: String,
    /// The group.
    pub group_id: String,
}

impl GroupRef {
    /// Read `SERVICE_PROVIDER/GROUP`; the error says how to write it.
    pub fn parse(text: &str) -> Result<GroupRef, String> {
        match text.split_once('/') {
            Some((sp, group)) if !sp.is_empty() && !group.is_empty() => Ok(GroupRef {
                service_provider_id: sp.to_string(),
                group_id: group.to_string(),
            }),
            _ => Err(format!(
                "--group `{text}`: write it as SERVICE_PROVIDER/GROUP, e.g. `ent.sim/grp01`"
            )),
        }
    }
}

/// The two spellings of the licence of `Integrated IMP` settings (API.md §4, quirk 7).
const IMP_SPELLINGS: [&str; 2] = ["Integrated IMP", "Integrated IM&P"];

/// Make every read of a check with the logged-in `client` and keep what each answered.
/// Never fails: a request that fails is a fact like any other.
pub async fn gather(client: &OdinClient, target: &str, scope: &Scope) -> Facts {
    let login = login_facts(client);
    let session = session(client).await;
    let refused_token = refused_token(client).await;
    let mut not_checked = Vec::new();
    if scope.group.is_none() && scope.user.is_none() {
        not_checked.push("user and group reads: give --group SP/GROUP or --user ID".to_string());
    }
    // Without --user, the user is the first row of the group's summary listing, which is
    // read first (and reported with the group).
    let mut listing = None;
    let mut user_id = scope.user.clone();
    if let (Some(group), None) = (&scope.group, &scope.user) {
        let read = list(client, group, false).await;
        user_id = read
            .1
            .as_ref()
            .and_then(|rows| rows.first())
            .and_then(|row| text_of(row.get("userId")));
        if user_id.is_none() && read.0.outcome == Outcome::Answered {
            not_checked.push(format!(
                "user reads: group `{}/{}` has no users; give --user ID",
                group.service_provider_id, group.group_id
            ));
        }
        listing = Some(read);
    }
    let mut record = None;
    let user = match user_id {
        Some(id) => {
            let (facts, body) = user_reads(client, &id, scope.user.is_some()).await;
            record = body;
            Some(facts)
        }
        None => None,
    };
    let (group, chosen) = match (&scope.group, &record) {
        (Some(group), _) => (Some(group.clone()), Chosen::Given),
        (None, Some(record)) => (group_of(record), Chosen::Derived),
        (None, None) => (None, Chosen::Derived),
    };
    if group.is_none() && user.is_some() {
        not_checked.push(format!(
            "group reads: the user record {}; give --group SP/GROUP",
            if record.is_some() {
                "names no group"
            } else {
                "could not be read"
            }
        ));
    }
    let group = match group {
        Some(group) => {
            let listing = match listing {
                Some(read) => read,
                None => list(client, &group, false).await,
            };
            let extended = list(client, &group, true).await;
            let user_id = user.as_ref().map(|u| u.user_id.as_str());
            let mut bulk = Vec::new();
            for service in BulkService::ALL {
                bulk.push(bulk_read(client, &group, service).await);
            }
            Some(GroupFacts {
                service_provider_id: group.service_provider_id,
                group_id: group.group_id,
                chosen,
                listing: compared(listing, record.as_ref(), user_id),
                extended: compared(extended, record.as_ref(), user_id),
                bulk,
            })
        }
        None => None,
    };
    Facts {
        target: target.to_string(),
        login,
        session,
        refused_token,
        user,
        group,
        not_checked,
        requests: client.counts().requests,
    }
}

/// What the login answered. The client logged in, so it answered 2xx.
fn login_facts(_client: &OdinClient) -> LoginFacts {
    LoginFacts {
        status: 200,
        answer_keys: None,
        token_lifetime_seconds: None,
    }
}

async fn session(client: &OdinClient) -> SessionFacts {
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

async fn refused_token(client: &OdinClient) -> RefusedTokenFacts {
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
async fn user_reads(client: &OdinClient, user_id: &str, given: bool) -> (UserFacts, Option<Value>) {
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
    let imp_spelling = listing.and_then(|body| {
        services(body, "userServices")
            .iter()
            .find(|(name, _)| IMP_SPELLINGS.contains(&name.as_str()))
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
async fn list(
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
fn compared(
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

async fn bulk_read(client: &OdinClient, group: &GroupRef, service: BulkService) -> BulkFacts {
    let query = [
        ("serviceProviderId", group.service_provider_id.as_str()),
        ("groupId", group.group_id.as_str()),
    ];
    let call = client.get(service.path(), &query).await;
    let mut answer = answer(&format!("GET {}", service.path()), &call, |body| {
        let users = parse_bulk(body, service)?;
        let assigned = users.values().filter(|s| s.is_some()).count();
        Ok(format!(
            "{}, {assigned} with the service assigned",
            crate::text::count(users.len(), "user")
        ))
    });
    if answer.status == Some(404) {
        answer.outcome = Outcome::NotServed;
        answer.summary = format!("not served: {}", answer.summary);
    }
    BulkFacts {
        service: service.service_name().to_string(),
        answer,
    }
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
fn group_of(record: &Value) -> Option<GroupRef> {
    Some(GroupRef {
        service_provider_id: text_of(record.get("serviceProviderId"))?,
        group_id: text_of(record.get("groupId"))?,
    })
}

/// A text value that may arrive as a JSON number; `None` when absent, null or empty.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn fields_count(n: usize) -> String {
    crate::text::count(n, "field")
}
