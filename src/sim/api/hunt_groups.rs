//! Hunt groups (API.md §15): `GET|PUT /groups/hunt-groups`, `POST
//! /groups/hunt-groups/removeUser`, `GET /groups/hunt-groups/user`, `GET
//! /groups/hunt-groups/users`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde_json::{Map, Value, json};

use super::agents::{self, group_of_query, object, text};
use super::{Admin, ApiError, required};
use crate::sim::lines::normalise_value;
use crate::sim::members::{Agent, Kind, Service};
use crate::sim::state::Directory;
use crate::sim::{AgentRows, AgentsOmitted, HuntGroupRead, Sim};

/// The settings a hunt group PUT may change, with their JSON kind.
const SETTINGS: [(&str, ValueKind); 12] = [
    ("policy", ValueKind::Policy),
    ("huntAfterNoAnswer", ValueKind::Bool),
    ("noAnswerNumberOfRings", ValueKind::Int),
    ("forwardAfterTimeout", ValueKind::Bool),
    ("forwardTimeoutSeconds", ValueKind::Int),
    ("forwardToPhoneNumber", ValueKind::Any),
    ("allowCallWaitingForAgents", ValueKind::Bool),
    ("useSystemHuntGroupCLIDSetting", ValueKind::Bool),
    ("includeHuntGroupNameInCLID", ValueKind::Bool),
    ("enableNotReachableForwarding", ValueKind::Bool),
    ("makeBusyWhenNotReachable", ValueKind::Bool),
    ("isActive", ValueKind::Bool),
];

/// Keys of the reads a client may send back unchanged; not written.
const ECHOED: [&str; 8] = [
    "isEnterprise",
    "name",
    "department",
    "allowMembersToControlGroupBusy",
    "enableGroupBusy",
    "applyGroupBusyWhenTerminatingToAgent",
    "phoneNumber",
    "extension",
];

/// The keys of a `serviceInstanceProfile`.
const PROFILE: [&str; 13] = [
    "name",
    "callingLineIdLastName",
    "callingLineIdFirstName",
    "hiraganaLastName",
    "hiraganaFirstName",
    "language",
    "timeZone",
    "timeZoneDisplayName",
    "aliases",
    "phoneNumber",
    "extension",
    "countryCode",
    "nationalPrefix",
];

const POLICIES: [&str; 5] = ["Circular", "Regular", "Simultaneous", "Uniform", "Weighted"];

#[derive(Debug, Clone, Copy)]
enum ValueKind {
    Policy,
    Bool,
    Int,
    Any,
}

/// `GET /groups/hunt-groups?serviceProviderId=&groupId=` → the group's hunt groups as
/// `fixtures/group-hunt-groups.json` rows; `GET /groups/hunt-groups?serviceUserId=` → one
/// hunt group with its agents (`fixtures/group-hunt-group.json`), an object or a
/// one-element array and its agents full rows or `{userId}` as the switches say.
pub(super) async fn get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let directory = sim.directory();
    if let Some(id) = query.get("serviceUserId") {
        let service = agents::service(&directory, id, Kind::HuntGroup)?;
        let variant = sim.config.variant.members;
        let mut one = whole(service);
        one["agents"] = Value::Array(
            service
                .agents
                .iter()
                .map(|agent| match variant.hunt_group_agents {
                    AgentRows::Full => agents::row(&directory, &agent.user_id, weight()),
                    AgentRows::Ids => json!({"userId": agent.user_id}),
                })
                .collect(),
        );
        return Ok(Json(match variant.hunt_group_read {
            HuntGroupRead::Object => one,
            HuntGroupRead::Array => Value::Array(vec![one]),
        }));
    }
    let (sp, group) = group_of_query(&directory, &query)?;
    let rows = directory
        .members
        .of(sp, group, Kind::HuntGroup)
        .map(list_row)
        .collect();
    Ok(Json(Value::Array(rows)))
}

fn weight() -> (&'static str, Value) {
    ("weight", Value::Null)
}

/// A row of the group's list.
fn list_row(service: &Service) -> Value {
    json!({
        "serviceUserId": service.id,
        "name": service.name(),
        "phoneNumber": service.number_value(),
        "extension": service.extension_value(),
        "department": Value::Null,
        "isActive": service.settings["isActive"].as_bool().unwrap_or(true),
        "policy": service.settings["policy"],
        "serviceProviderId": service.sp,
        "groupId": service.group,
    })
}

/// The single read without its agents.
fn whole(service: &Service) -> Value {
    let mut one = Map::new();
    one.insert("serviceInstanceProfile".into(), service.profile.clone());
    if let Some(settings) = service.settings.as_object() {
        for (key, value) in settings.iter().filter(|(k, _)| *k != "isActive") {
            one.insert(key.clone(), value.clone());
        }
    }
    one.insert("serviceUserId".into(), json!(service.id));
    one.insert("serviceProviderId".into(), json!(service.sp));
    one.insert("groupId".into(), json!(service.group));
    one.insert("isEnterprise".into(), json!(true));
    Value::Object(one)
}

/// `GET /groups/hunt-groups/user?serviceProviderId=&groupId=&userId=` → the group's hunt
/// groups holding the user, each its list row, full profile, settings and full agent rows
/// (`fixtures/group-hunt-groups-user.json`: every second one's `phoneNumber` a JSON number).
pub(super) async fn of_user(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let directory = sim.directory();
    let (sp, group) = group_of_query(&directory, &query)?;
    let user_id = required(&query, "userId")?;
    if !directory.users.contains_key(user_id) {
        return Err(ApiError::unknown_user(user_id));
    }
    let found = directory
        .members
        .of(sp, group, Kind::HuntGroup)
        .enumerate()
        .filter(|(_, s)| s.agents.iter().any(|a| a.user_id == user_id))
        .map(|(i, service)| {
            let mut one = list_row(service);
            if i % 2 == 1
                && let Some(dn) = service.number
            {
                one["phoneNumber"] = json!(dn);
            }
            if let (Some(map), Value::Object(rest)) = (one.as_object_mut(), whole(service)) {
                for (key, value) in rest.into_iter().filter(|(k, _)| k != "isEnterprise") {
                    map.entry(key).or_insert(value);
                }
                map.insert("serviceInstanceProfile".into(), service.full_profile());
                for key in [
                    "allowMembersToControlGroupBusy",
                    "enableGroupBusy",
                    "applyGroupBusyWhenTerminatingToAgent",
                ] {
                    map.insert(key.into(), json!(false));
                }
                map.insert("agents".into(), full_agents(&directory, service));
            }
            one
        })
        .collect();
    Ok(Json(Value::Array(found)))
}

fn full_agents(directory: &Directory, service: &Service) -> Value {
    Value::Array(
        service
            .agents
            .iter()
            .map(|agent| agents::row(directory, &agent.user_id, weight()))
            .collect(),
    )
}

/// `GET /groups/hunt-groups/users?serviceProviderId=&groupId=` → the users that may be
/// agents: the group's users, as listing rows.
pub(super) async fn eligible(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let directory = sim.directory();
    let (sp, group) = group_of_query(&directory, &query)?;
    let rows = super::groups_of(&directory, sp, Some(group))?
        .flatten()
        .filter_map(|id| directory.users.get(id))
        .map(|user| super::rows::listing(user, false, false))
        .collect();
    Ok(Json(Value::Array(rows)))
}

/// `PUT /groups/hunt-groups {serviceProviderId, groupId, serviceUserId,
/// serviceInstanceProfile, <settings>, agents}` → `{}`. `serviceInstanceProfile` is required
/// (`{}` allowed, API.md §15); its keys sent replace the stored ones. `agents`, when sent, is
/// the complete list in hunt order (only `userId` read); without it the list stays or is
/// emptied as `--agents-omitted` says. Refused (400, nothing written): an unknown key, a
/// policy or setting of the wrong kind, an agent unknown or not of the group, an agent twice,
/// a number or extension other than the hunt group's (changing them is not simulated).
pub(super) async fn put(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut map = object(&body)?;
    let (sp, group, id) = (
        text(&map, "serviceProviderId")?.to_string(),
        text(&map, "groupId")?.to_string(),
        text(&map, "serviceUserId")?.to_string(),
    );
    let profile = match map.remove("serviceInstanceProfile") {
        Some(Value::Object(profile)) => profile,
        _ => {
            return Err(ApiError::bad_request(
                "`serviceInstanceProfile` is required in the body (`{}` allowed)",
            ));
        }
    };
    let mut guard = sim.directory();
    let directory: &mut Directory = &mut guard;
    let service = agents::service(directory, &id, Kind::HuntGroup)?;
    if service.sp != sp || service.group != group {
        return Err(ApiError::bad_request(format!(
            "hunt group `{id}` is not in service provider `{sp}`, group `{group}`"
        )));
    }
    let mut settings = service.settings.clone();
    let mut new_profile = service.profile.clone();
    let mut new_agents = None;
    for (key, value) in &map {
        if ["serviceProviderId", "groupId", "serviceUserId"].contains(&key.as_str()) {
            continue;
        }
        if key == "agents" {
            let list = agents::parse(value)?;
            agents::check(&sim.catalog, directory, service, &list)?;
            new_agents = Some(list);
        } else if let Some((_, kind)) = SETTINGS.iter().find(|(k, _)| k == key) {
            settings[key] = setting(key, *kind, value)?;
        } else if ECHOED.contains(&key.as_str()) {
            same_line(service, key, value)?;
        } else {
            return Err(ApiError::bad_request(format!("unknown field `{key}`")));
        }
    }
    for (key, value) in &profile {
        match key.as_str() {
            "phoneNumber" | "extension" => same_line(service, key, value)?,
            "countryCode" | "nationalPrefix" => {}
            "name" if value.as_str().is_none_or(str::is_empty) => {
                return Err(ApiError::bad_request(
                    "`serviceInstanceProfile.name` must be a non-empty text",
                ));
            }
            known if PROFILE.contains(&known) => new_profile[key] = value.clone(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown field `serviceInstanceProfile.{key}`"
                )));
            }
        }
    }
    let agents_omitted = sim.config.variant.members.agents_omitted;
    let Some(service) = directory.members.find_mut(&id) else {
        return Err(agents::not_found(&id, Kind::HuntGroup));
    };
    service.settings = settings;
    service.profile = new_profile;
    match (new_agents, agents_omitted) {
        (Some(list), _) => {
            service.agents = list
                .into_iter()
                .map(|(user_id, _)| Agent {
                    user_id,
                    skill_level: None,
                })
                .collect();
        }
        (None, AgentsOmitted::Keep) => {}
        (None, AgentsOmitted::Clear) => service.agents.clear(),
    }
    Ok(Json(json!({})))
}

/// A setting's value, of the kind it must be.
fn setting(key: &str, kind: ValueKind, value: &Value) -> Result<Value, ApiError> {
    let fits = match kind {
        ValueKind::Policy => value.as_str().is_some_and(|p| POLICIES.contains(&p)),
        ValueKind::Bool => value.is_boolean(),
        ValueKind::Int => value.is_u64(),
        ValueKind::Any => value.is_string() || value.is_number() || value.is_null(),
    };
    if !fits {
        let expected = match kind {
            ValueKind::Policy => format!("one of {}", POLICIES.join(", ")),
            ValueKind::Bool => "true or false".to_string(),
            ValueKind::Int => "a whole number".to_string(),
            ValueKind::Any => "a number or text".to_string(),
        };
        return Err(ApiError::bad_request(format!(
            "`{key}` must be {expected}, not `{value}`"
        )));
    }
    Ok(value.clone())
}

/// A number or extension sent back: it must be the hunt group's own.
fn same_line(service: &Service, key: &str, value: &Value) -> Result<(), ApiError> {
    let same = match key {
        "phoneNumber" => match value {
            Value::Null => service.number.is_none(),
            Value::String(text) if text.is_empty() => service.number.is_none(),
            other => normalise_value(other).is_some_and(|dn| service.number == Some(dn)),
        },
        "extension" => {
            let sent = match value {
                Value::Number(n) => Some(n.to_string()),
                Value::String(text) if !text.is_empty() => Some(text.clone()),
                _ => None,
            };
            sent == service.extension
        }
        _ => true,
    };
    if same {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "`{key}` `{value}` is not hunt group `{}`'s: changing a hunt group's number or \
             extension is not simulated",
            service.id
        )))
    }
}

/// `POST /groups/hunt-groups/removeUser {serviceProviderId, groupId, userId}` → the ids of
/// the group's hunt groups the user was taken out of, in the group's order (`[]` in none;
/// `fixtures/group-hunt-groups-remove-user.json`). The other agents keep their order.
pub(super) async fn remove_user(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let map = object(&body)?;
    let (sp, group, user_id) = (
        text(&map, "serviceProviderId")?,
        text(&map, "groupId")?,
        text(&map, "userId")?,
    );
    let mut directory = sim.directory();
    super::known(&directory, sp, Some(group))?;
    if !directory.users.contains_key(user_id) {
        return Err(ApiError::unknown_user(user_id));
    }
    let mut removed = Vec::new();
    if let Some(services) = directory
        .members
        .services
        .get_mut(&(sp.to_string(), group.to_string()))
    {
        for service in services.iter_mut().filter(|s| s.kind == Kind::HuntGroup) {
            let before = service.agents.len();
            service.agents.retain(|a| a.user_id != user_id);
            if service.agents.len() != before {
                removed.push(Value::String(service.id.clone()));
            }
        }
    }
    Ok(Json(Value::Array(removed)))
}
