//! A deleted user brought back by its rollback: after `POST /users` with its record, each
//! part its account entry recorded ([`super::PARTS`]) is written back, one by one; a part
//! that fails does not stop the others, and the step's error names every part that could
//! not be restored (API.md §14: what cannot come back at all is [`super::LOST`]).

use serde_json::{Map, Value, json};

use super::parts::{CALL_CENTERS, HUNT_GROUPS, POLICY, SCA, SERVICES, SETTINGS};
use crate::odin::resources::UserIdentity;
use crate::odin::{Call, Method, OdinClient, OdinError};
use crate::resource::Resource;
use crate::services::{Kind, ServiceChanges, ServiceRef};

/// Record fields `POST /users` is not known to take, written by a `PUT /users` after it.
const AFTER_CREATE: [&str; 2] = ["accessDeviceEndpoint", "department"];

/// What restoring costs, written with sent attempts and the parts not restored.
#[derive(Default)]
struct Restoring {
    attempts: u32,
    failed: Vec<String>,
}

impl Restoring {
    fn took(&mut self, what: &str, call: Call) -> Option<Value> {
        self.attempts += call.attempts;
        match call.result {
            Ok(answer) => Some(answer),
            Err(error) => {
                self.failed.push(format!("{what} ({error})"));
                None
            }
        }
    }
}

/// Write back the parts of `entry` for the user just created again.
pub(super) async fn restore(
    client: &OdinClient,
    identity: &UserIdentity,
    entry: &Map<String, Value>,
) -> Call {
    let mut done = Restoring::default();
    let user_id = identity.user_id.as_str();
    let rest: Map<String, Value> = AFTER_CREATE
        .iter()
        .filter_map(|key| {
            Some((
                key.to_string(),
                entry.get(*key).filter(|v| v.is_object())?.clone(),
            ))
        })
        .collect();
    if !rest.is_empty() {
        let body = identity.stamp(Resource::User, &Value::Object(rest));
        done.took(
            "its device and department",
            client.write(Resource::User, &body).await,
        );
    }
    if let Some(listing) = entry.get(SERVICES) {
        let assign = assigned(listing);
        if !assign.is_empty() {
            let changes = ServiceChanges {
                assign,
                unassign: Vec::new(),
            };
            let body = identity.stamp(Resource::Services, &changes.body());
            done.took(
                "its services",
                client.write(Resource::Services, &body).await,
            );
        }
    }
    for (key, resource, what) in [
        (SETTINGS, Resource::Settings, "its service settings"),
        (POLICY, Resource::Policy, "its call processing policy"),
    ] {
        if let Some(Value::Object(doc)) = entry.get(key).filter(|d| !is_empty(d)) {
            let body = identity.stamp(resource, &Value::Object(doc.clone()));
            done.took(what, client.write(resource, &body).await);
        }
    }
    for (line_port, endpoint) in entry
        .get(SCA)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let call = crate::operation::sca::write(client, identity, line_port, None, endpoint).await;
        done.took(&format!("SCA endpoint `{line_port}`"), call);
    }
    for (id, at) in entry
        .get(HUNT_GROUPS)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let position = at
            .get("position")
            .and_then(Value::as_u64)
            .map(|p| p as usize);
        let call = join_hunt_group(client, id, user_id, position).await;
        done.took(&format!("hunt group `{id}`"), call);
    }
    for (id, agent) in entry
        .get(CALL_CENTERS)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let call = join_call_center(client, id, user_id, agent.get("skillLevel")).await;
        done.took(&format!("call center `{id}`"), call);
    }
    Call {
        status: None,
        attempts: done.attempts,
        result: match done.failed.is_empty() {
            true => Ok(Value::Null),
            false => Err(OdinError::Incomplete(format!(
                "user `{user_id}` was created again, but not restored: {}",
                done.failed.join("; ")
            ))),
        },
    }
}

/// The requests [`restore`] sends for `entry`: one per part, two per list joined.
pub(super) fn requests(entry: &Map<String, Value>) -> u64 {
    let count = |key: &str| {
        entry
            .get(key)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len() as u64)
    };
    let rest = AFTER_CREATE
        .iter()
        .any(|k| entry.get(*k).is_some_and(Value::is_object));
    let services = entry.get(SERVICES).is_some_and(|l| !assigned(l).is_empty());
    let docs = [SETTINGS, POLICY]
        .iter()
        .filter(|k| entry.get(**k).is_some_and(|d| !is_empty(d)))
        .count() as u64;
    u64::from(rest)
        + u64::from(services)
        + docs
        + count(SCA)
        + 2 * (count(HUNT_GROUPS) + count(CALL_CENTERS))
}

fn is_empty(doc: &Value) -> bool {
    doc.as_object().is_none_or(Map::is_empty)
}

/// The services and packs a `GET /users/services` listing shows assigned.
fn assigned(listing: &Value) -> Vec<ServiceRef> {
    let mut found = Vec::new();
    for kind in [Kind::Service, Kind::Pack] {
        for item in listing
            .get(kind.list())
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = item.get("serviceName").and_then(Value::as_str) else {
                continue;
            };
            let service = match kind {
                Kind::Service => ServiceRef::service(name),
                Kind::Pack => ServiceRef::pack(name),
            };
            if service.is_assigned(listing) {
                found.push(service);
            }
        }
    }
    found
}

/// The object of a single hunt group read, which may come wrapped in a one-element array
/// (API.md §15).
fn one_object(answer: Value) -> Option<Map<String, Value>> {
    match answer {
        Value::Object(map) => Some(map),
        Value::Array(mut list) if list.len() == 1 => match list.remove(0) {
            Value::Object(map) => Some(map),
            _ => None,
        },
        _ => None,
    }
}

/// The agents' user ids of an `agents` list of `{userId}` or full rows.
fn agent_ids(agents: Option<&Value>) -> Vec<String> {
    agents
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("userId").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// Put `user_id` back into hunt group `id` at `position` (the end when past it): the hunt
/// group read, then written whole with only its agents changed (API.md §15).
async fn join_hunt_group(
    client: &OdinClient,
    id: &str,
    user_id: &str,
    position: Option<usize>,
) -> Call {
    let mut read = client
        .get("/groups/hunt-groups", &[("serviceUserId", id)])
        .await;
    let answer = match std::mem::replace(&mut read.result, Ok(Value::Null)) {
        Ok(answer) => answer,
        Err(error) => {
            read.result = Err(error);
            return read;
        }
    };
    let Some(mut group) = one_object(answer) else {
        read.result = Err(OdinError::Decode(format!(
            "`GET /groups/hunt-groups?serviceUserId={id}` answered no hunt group"
        )));
        return read;
    };
    let mut agents = agent_ids(group.get("agents"));
    if !agents.iter().any(|a| a == user_id) {
        let at = position.unwrap_or(agents.len()).min(agents.len());
        agents.insert(at, user_id.to_string());
    }
    group.insert(
        "agents".into(),
        Value::Array(agents.into_iter().map(|a| json!({"userId": a})).collect()),
    );
    group
        .entry("serviceInstanceProfile")
        .or_insert_with(|| json!({}));
    group.insert("serviceUserId".into(), Value::String(id.to_string()));
    let mut write = client
        .user_send(
            Method::PUT,
            "/groups/hunt-groups",
            &[],
            Some(&Value::Object(group)),
        )
        .await;
    write.attempts += read.attempts;
    write
}

/// Put `user_id` back among call center `id`'s agents with `skill_level`: the agents read,
/// then written whole, every other agent with the level it read (API.md §15).
async fn join_call_center(
    client: &OdinClient,
    id: &str,
    user_id: &str,
    skill_level: Option<&Value>,
) -> Call {
    let mut read = client
        .get("/groups/call-centers/agents", &[("serviceUserId", id)])
        .await;
    let answer = match std::mem::replace(&mut read.result, Ok(Value::Null)) {
        Ok(answer) => answer,
        Err(error) => {
            read.result = Err(error);
            return read;
        }
    };
    let mut agents: Vec<Value> = answer
        .get("agents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|agent| {
            let id = agent.get("userId")?.clone();
            let mut one = Map::new();
            one.insert("userId".into(), id);
            if let Some(level) = agent.get("skillLevel").filter(|v| !v.is_null()) {
                one.insert("skillLevel".into(), level.clone());
            }
            Some(Value::Object(one))
        })
        .collect();
    if !agents.iter().any(|a| a["userId"] == user_id) {
        let mut one = Map::new();
        one.insert("userId".into(), Value::String(user_id.to_string()));
        if let Some(level) = skill_level.filter(|v| !v.is_null()) {
            one.insert("skillLevel".into(), level.clone());
        }
        agents.push(Value::Object(one));
    }
    let body = json!({"serviceUserId": id, "agents": agents});
    let mut write = client
        .user_send(Method::PUT, "/groups/call-centers/agents", &[], Some(&body))
        .await;
    write.attempts += read.attempts;
    write
}
