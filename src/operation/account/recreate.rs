//! A deleted user brought back by its rollback: after `POST /users` with its record, each
//! part its account entry recorded ([`super::PARTS`]) is written back, one by one; a part
//! that fails does not stop the others, and the step's error names every part that could
//! not be restored (API.md §14: what cannot come back at all is [`super::LOST`]).

use serde_json::{Map, Value, json};

use super::parts::{
    CALL_CENTERS, HUNT_GROUPS, POLICY, SCA, SERVICES, SETTINGS, agent_ids, put_back,
};
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
        let _writing = writing(id).await;
        let call = join_hunt_group(client, id, user_id, at).await;
        done.took(&format!("hunt group `{id}`"), call);
    }
    for (id, agent) in entry
        .get(CALL_CENTERS)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let _writing = writing(id).await;
        let call = join_call_center(client, id, user_id, agent).await;
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

/// The one writer of agent list `id` in this process: a list is read and written whole
/// (API.md §15, "The read-modify-write race"), so two users re-created at once into one
/// hunt group must not each write it from their own read.
async fn writing(id: &str) -> tokio::sync::OwnedMutexGuard<()> {
    static LISTS: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    > = std::sync::OnceLock::new();
    let lock = {
        let mut lists = LISTS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        lists.entry(id.to_string()).or_default().clone()
    };
    lock.lock_owned().await
}

/// Put `user_id` back into hunt group `id` at `position` (the end when past it): the hunt
/// group read, then written whole with only its agents changed (API.md §15).
async fn join_hunt_group(client: &OdinClient, id: &str, user_id: &str, place: &Value) -> Call {
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
    put_back(&mut agents, user_id, place);
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

/// Put `user_id` back among call center `id`'s agents at its `place`, with its skill
/// level: the agents read, then written whole, every other agent with the level it read
/// (API.md §15).
async fn join_call_center(client: &OdinClient, id: &str, user_id: &str, place: &Value) -> Call {
    let skill_level = place.get("skillLevel");
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
    let rows: Vec<&Value> = answer
        .get("agents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let mut order = agent_ids(answer.get("agents"));
    put_back(&mut order, user_id, place);
    let agents: Vec<Value> = order
        .iter()
        .map(|agent| {
            let mut one = Map::new();
            one.insert("userId".into(), Value::String(agent.clone()));
            let level = match agent == user_id {
                true => skill_level,
                false => rows
                    .iter()
                    .find(|row| row.get("userId").and_then(Value::as_str) == Some(agent))
                    .and_then(|row| row.get("skillLevel")),
            };
            if let Some(level) = level.filter(|v| !v.is_null()) {
                one.insert("skillLevel".into(), level.clone());
            }
            Value::Object(one)
        })
        .collect();
    let body = json!({"serviceUserId": id, "agents": agents});
    let mut write = client
        .user_send(Method::PUT, "/groups/call-centers/agents", &[], Some(&body))
        .await;
    write.attempts += read.attempts;
    write
}
