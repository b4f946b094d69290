//! Call centers (API.md §15): `GET /groups/call-centers`, `GET|PUT
//! /groups/call-centers/agents`, `GET /groups/call-centers/agents/available`, `GET
//! /users/call-center`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde_json::{Value, json};

use super::agents::{self, group_of_query, object, text};
use super::{Admin, ApiError, required};
use crate::sim::members::{Agent, Kind, Service, licence_level};
use crate::sim::{Sim, SkillPut};

/// `GET /groups/call-centers?serviceProviderId=&groupId=` → the group's call centers as
/// `fixtures/group-call-centers.json` rows; `GET /groups/call-centers?serviceUserId=` → one
/// call center's settings and profile, without agents.
pub(super) async fn get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let directory = sim.directory();
    if let Some(id) = query.get("serviceUserId") {
        let service = agents::service(&directory, id, Kind::CallCenter)?;
        let mut one = service.settings.clone();
        if let Some(map) = one.as_object_mut() {
            map.insert("serviceInstanceProfile".into(), service.full_profile());
            map.insert("serviceUserId".into(), json!(service.id));
            map.insert("serviceProviderId".into(), json!(service.sp));
            map.insert("groupId".into(), json!(service.group));
        }
        return Ok(Json(one));
    }
    let (sp, group) = group_of_query(&directory, &query)?;
    let rows = directory
        .members
        .of(sp, group, Kind::CallCenter)
        .map(|service| {
            json!({
                "serviceUserId": service.id,
                "name": service.name(),
                "video": service.settings["video"],
                "phoneNumber": service.number_value(),
                "extension": service.extension_value(),
                "department": Value::Null,
                "isActive": service.settings["isActive"],
                "policy": service.settings["policy"],
                "type": service.settings["type"],
            })
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}

/// `GET /groups/call-centers/agents?serviceUserId=` → `{agents: [full rows with
/// skillLevel]}` in the list's order.
pub(super) async fn get_agents(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id = required(&query, "serviceUserId")?;
    let directory = sim.directory();
    let service = agents::service(&directory, id, Kind::CallCenter)?;
    let rows: Vec<Value> = service
        .agents
        .iter()
        .map(|agent| agents::row(&directory, &agent.user_id, skill(agent)))
        .collect();
    Ok(Json(json!({"agents": rows})))
}

fn skill(agent: &Agent) -> (&'static str, Value) {
    (
        "skillLevel",
        agent.skill_level.map_or(Value::Null, Value::from),
    )
}

/// `PUT /groups/call-centers/agents {serviceUserId, agents: [{userId[, skillLevel]}]}` →
/// `{}`: `agents` is the complete list (`[]` removes everyone). With `--skill-put merge`
/// and a `skillLevel` on any agent, the agents sent are added or have their level changed
/// and the others stay. Refused (400, nothing written): no `agents`, an agent unknown, not
/// of the group or without a licence for the call center's type, an agent twice, a skill
/// level outside 1–20.
pub(super) async fn put_agents(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let map = object(&body)?;
    let id = text(&map, "serviceUserId")?;
    let list = agents::parse(map.get("agents").ok_or_else(|| {
        ApiError::bad_request("`agents` is required in the body (`[]` removes every agent)")
    })?)?;
    let mut directory = sim.directory();
    let service = agents::service(&directory, id, Kind::CallCenter)?;
    agents::check(&sim.catalog, &directory, service, &list)?;
    let merge = sim.config.variant.members.skill_put == SkillPut::Merge
        && list.iter().any(|(_, level)| level.is_some());
    let Some(service) = directory.members.find_mut(id) else {
        return Err(agents::not_found(id, Kind::CallCenter));
    };
    if merge {
        for (user_id, level) in list {
            match service.agents.iter_mut().find(|a| a.user_id == user_id) {
                Some(agent) => agent.skill_level = level.or(agent.skill_level),
                None => service.agents.push(Agent {
                    user_id,
                    skill_level: level,
                }),
            }
        }
    } else {
        service.agents = list
            .into_iter()
            .map(|(user_id, skill_level)| Agent {
                user_id,
                skill_level,
            })
            .collect();
    }
    Ok(Json(json!({})))
}

/// `GET /groups/call-centers/agents/available?serviceProviderId=&groupId=[&callCenterType=]`
/// → `{agents: [full rows]}`: the group's users holding a call center licence of the type
/// (`Basic`, `Standard`, `Premium`) or above; any licence without a type.
pub(super) async fn available(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let directory = sim.directory();
    let (sp, group) = group_of_query(&directory, &query)?;
    let level = match query.get("callCenterType").filter(|t| !t.is_empty()) {
        Some(kind) => licence_level(kind).ok_or_else(|| {
            ApiError::bad_request(format!(
                "`callCenterType` must be Basic, Standard or Premium, not `{kind}`"
            ))
        })?,
        None => 0,
    };
    let rows: Vec<Value> = super::groups_of(&directory, sp, Some(group))?
        .flatten()
        .filter_map(|id| directory.users.get(id))
        .filter(|user| agents::licence(&sim.catalog, user).is_some_and(|l| l >= level))
        .map(|user| agents::row(&directory, user.identity().0, ("skillLevel", Value::Null)))
        .collect();
    Ok(Json(json!({"agents": rows})))
}

/// `GET /users/call-center?userId=` → the user's agent settings and the call centers it is
/// an agent of (`fixtures/user-call-center.json`). A user without a call center licence is
/// a 400, as Odin errors (API.md §15).
pub(super) async fn of_user(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let user_id = required(&query, "userId")?;
    let directory = sim.directory();
    let user = directory
        .users
        .get(user_id)
        .ok_or_else(|| ApiError::unknown_user(user_id))?;
    if agents::licence(&sim.catalog, user).is_none() {
        return Err(ApiError::bad_request(format!(
            "user `{user_id}` is not assigned a call center service"
        )));
    }
    let centers: Vec<Value> = directory
        .members
        .services
        .values()
        .flatten()
        .filter(|s| s.kind == Kind::CallCenter)
        .filter_map(|s| Some((s, s.agents.iter().find(|a| a.user_id == user_id)?)))
        .enumerate()
        .map(|(i, (service, agent))| center_row(service, agent, i + 1))
        .collect();
    Ok(Json(json!({
        "agentACDState": "Available",
        "agentThresholdProfileName": "Default Agent Threshold Profile",
        "useDefaultGuardTimer": true,
        "enableGuardTimer": false,
        "guardTimerSeconds": 5,
        "useSystemDefaultUnavailableSettings": true,
        "forceAgentUnavailableOnDNDActivation": false,
        "forceAgentUnavailableOnPersonalCalls": false,
        "forceAgentUnavailableOnBouncedCallLimit": false,
        "numberConsecutiveBouncedCallsToForceAgentUnavailable": 3,
        "forceAgentUnavailableOnNotReachable": false,
        "makeOutgoingCallsAsCallCenter": false,
        "userId": user_id,
        "callCenters": centers,
    })))
}

fn center_row(service: &Service, agent: &Agent, priority: usize) -> Value {
    json!({
        "serviceUserId": service.id,
        "phoneNumber": service.number_value(),
        "extension": service.extension_value(),
        "available": true,
        "logoffAllowed": false,
        "type": service.settings["type"],
        "priority": priority,
        "routingType": service.settings["routingType"],
        "skillLevel": agent.skill_level,
    })
}
