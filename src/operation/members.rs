//! Hunt group and call center membership (API.md §15) as lists of the user's group: a
//! user's `huntGroups` (or `callCenters`) document holds, per hunt group (call center) the
//! run reads, `{position, skillLevel?}` while the user is an agent of it — `position` its
//! index in the agent list, so that a rollback puts it back there — and nothing when it is
//! not. A plan's `{}` holds whenever the user is an agent; null removes it.
//!
//! Reads: each list changed by the run is read once per run, for all its users
//! (`GET /groups/hunt-groups?serviceUserId=`, object or one-element array, agents as
//! `{userId}` or full rows; `GET /groups/call-centers/agents?serviceUserId=`). The read
//! kept is a *record*: `{object, agents: [{userId, skillLevel?}]}` (`object` the hunt
//! group as read, without its agents; null for a call center). A user's document carries
//! each record it stands on as compact text under `read <id>` (a key no entry id can be),
//! which is what the write sends back.
//!
//! Writes: the entries of one group's users are merged, keyed `<list>␟<order>␟<user>` by
//! [`group_key`] (order: the user's place in the plan), and each list changed is written
//! once with `agents` = the agents read, less those removed (the others keep their order),
//! plus those added (appended in plan order, or put back at the `position` a rollback
//! entry gives). A hunt group is written whole, as read, with only `agents` changed
//! (`serviceInstanceProfile` `{}` when absent); a call center's agents with
//! `PUT /groups/call-centers/agents`, every agent with the skill level read. Where agents
//! are removed and some carry a skill level, the call center is written twice: first the
//! list without skill levels (a replace whichever way Odin reads the PUT), then with them
//! (API.md §15: whether a PUT with skill levels replaces or merges is unknown). A 2xx
//! agent PUT leaves the list as sent: its answer (never shown by Odin) is taken as the
//! list sent, so no read follows a write that was answered.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::odin::group::text_of as text;
use crate::odin::resources::UserIdentity;
use crate::odin::{Call, Method, OdinClient, OdinError};
use crate::resource::Resource;

/// Between the parts of a key of a group's membership document.
pub const SEP: char = '\u{1f}';

/// The prefix of the context keys that hold a list's record as read.
const READ: &str = "read ";

/// The key of a member's position in a list.
pub const POSITION: &str = "position";

/// The key of a call center agent's skill level.
pub const SKILL: &str = "skillLevel";

/// A hunt group's or call center's paths.
struct Paths {
    /// The group's listing (`?serviceProviderId=&groupId=`) and, for a hunt group, the
    /// single read (`?serviceUserId=`).
    listing: &'static str,
    /// The agent list's read and write.
    agents: &'static str,
    noun: &'static str,
}

fn paths(resource: Resource) -> Paths {
    match resource {
        Resource::CallCenters => Paths {
            listing: "/groups/call-centers",
            agents: "/groups/call-centers/agents",
            noun: "call center",
        },
        _ => Paths {
            listing: "/groups/hunt-groups",
            agents: "/groups/hunt-groups",
            noun: "hunt group",
        },
    }
}

/// How a sheet's cells name the lists of `resource` in messages (`hunt group`).
pub fn noun(resource: Resource) -> &'static str {
    paths(resource).noun
}

/// One list as read: the hunt group object without agents (null for a call center) and
/// its agents in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// The hunt group as read, without `agents`; null for a call center.
    pub object: Value,
    /// The agents in order: user id and skill level (call centers).
    pub agents: Vec<(String, Option<Value>)>,
}

impl Record {
    fn to_value(&self) -> Value {
        let agents: Vec<Value> = self
            .agents
            .iter()
            .map(|(user, skill)| {
                let mut agent = Map::new();
                agent.insert("userId".into(), Value::String(user.clone()));
                if let Some(skill) = skill.as_ref().filter(|s| !s.is_null()) {
                    agent.insert(SKILL.into(), skill.clone());
                }
                Value::Object(agent)
            })
            .collect();
        json!({"object": self.object, "agents": agents})
    }

    fn from_value(value: &Value) -> Option<Record> {
        let agents = value.get("agents")?.as_array()?;
        Some(Record {
            object: value.get("object").cloned().unwrap_or(Value::Null),
            agents: agents
                .iter()
                .filter_map(|a| Some((text(a.get("userId"))?, a.get(SKILL).cloned())))
                .collect(),
        })
    }

    /// The user's entry in it, if an agent.
    fn entry_of(&self, user: &str) -> Option<Value> {
        let at = self.agents.iter().position(|(id, _)| id == user)?;
        let mut entry = Map::new();
        entry.insert(POSITION.into(), json!(at));
        if let Some(skill) = self.agents[at].1.as_ref().filter(|s| !s.is_null()) {
            entry.insert(SKILL.into(), skill.clone());
        }
        Some(Value::Object(entry))
    }
}

/// Read one list (one request): a hunt group whole (object or one-element array, agents
/// as `{userId}` or full rows), or a call center's agents.
pub async fn read_list(client: &OdinClient, resource: Resource, id: &str) -> Call<Record> {
    let paths = paths(resource);
    let call = client.get(paths.agents, &[("serviceUserId", id)]).await;
    let result = call.result.and_then(|answer| {
        let one = match answer {
            Value::Array(mut items) if items.len() == 1 => items.remove(0),
            other => other,
        };
        let Some(agents) = one.get("agents").and_then(Value::as_array) else {
            return Err(OdinError::Decode(format!(
                "`GET {}?serviceUserId={id}` answered no `agents` list",
                paths.agents
            )));
        };
        let agents = agents
            .iter()
            .filter_map(|a| Some((text(a.get("userId"))?, a.get(SKILL).cloned())))
            .collect();
        let object = match resource {
            Resource::CallCenters => Value::Null,
            _ => {
                let mut object = one.as_object().cloned().unwrap_or_default();
                object.remove("agents");
                Value::Object(object)
            }
        };
        Ok(Record { object, agents })
    });
    Call {
        status: call.status,
        attempts: call.attempts,
        result,
    }
}

/// The group's listing of hunt groups (call centers): `(serviceUserId, name)` of each.
pub async fn read_listing(
    client: &OdinClient,
    resource: Resource,
    (sp, group): (&str, &str),
) -> Call<Vec<(String, String)>> {
    let paths = paths(resource);
    let call = client
        .get(
            paths.listing,
            &[("serviceProviderId", sp), ("groupId", group)],
        )
        .await;
    let result = call.result.and_then(|answer| match answer {
        Value::Array(rows) => Ok(rows
            .iter()
            .filter_map(|row| {
                Some((
                    text(row.get("serviceUserId"))?,
                    text(row.get("name")).unwrap_or_default(),
                ))
            })
            .collect()),
        _ => Err(OdinError::Decode(format!(
            "`GET {}` of `{sp}/{group}` answered no list",
            paths.listing
        ))),
    });
    Call {
        status: call.status,
        attempts: call.attempts,
        result,
    }
}

/// The lists `ids` read, one request each, as a group answer (`{lists: {id: record}}`,
/// what [`group_answer`] reads).
pub async fn read_group(client: &OdinClient, resource: Resource, ids: &BTreeSet<String>) -> Call {
    let mut sent = Call {
        status: None,
        attempts: 0,
        result: Ok(Value::Null),
    };
    let mut lists = Map::new();
    for id in ids {
        let call = read_list(client, resource, id).await;
        sent.attempts += call.attempts;
        sent.status = call.status.or(sent.status);
        match call.result {
            Ok(record) => {
                lists.insert(id.clone(), record.to_value());
            }
            Err(error) => {
                sent.result = Err(error);
                return sent;
            }
        }
    }
    sent.result = Ok(json!({ "lists": lists }));
    sent
}

/// The lists a group answer holds, by id.
fn records(answer: &Value) -> Option<BTreeMap<String, Record>> {
    let lists = answer.get("lists")?.as_object()?;
    Some(
        lists
            .iter()
            .filter_map(|(id, v)| Some((id.clone(), Record::from_value(v)?)))
            .collect(),
    )
}

/// A group answer as the group's document: `<list>␟<user>` → the user's entry, for every
/// agent of every list it holds; `None` when it is no group answer.
pub fn group_answer(answer: &Value) -> Option<Value> {
    let mut doc = Map::new();
    for (id, record) in records(answer)? {
        for (user, _) in &record.agents {
            if let Some(entry) = record.entry_of(user) {
                doc.insert(format!("{id}{SEP}{user}"), entry);
            }
        }
    }
    Some(Value::Object(doc))
}

/// The key of `user`'s entry of list `key` in a group's document.
pub fn group_entry_key(key: &str, user: &str) -> String {
    format!("{key}{SEP}{user}")
}

/// The key of `user`'s entry of list `key` in a merged write of the group's lists: the
/// user's place in the plan (`order`) says where an agent added goes.
pub fn group_key(key: &str, user: &str, order: usize) -> String {
    format!("{key}{SEP}{order:012}{SEP}{user}")
}

/// A user's document from a group answer: the entries of the lists `keys` names, and the
/// records they stand on (context).
pub fn document_for(answer: &Value, user: &str, keys: impl Iterator<Item = String>) -> Value {
    let records = records(answer).unwrap_or_default();
    let mut doc = Map::new();
    for key in keys {
        let Some(record) = records.get(&key) else {
            continue;
        };
        doc.insert(
            format!("{READ}{key}"),
            Value::String(record.to_value().to_string()),
        );
        if let Some(entry) = record.entry_of(user) {
            doc.insert(key, entry);
        }
    }
    Value::Object(doc)
}

/// Read one user's membership on its own (where no group read stands for it): the group's
/// listing, then every list of it (a rollback's judging read, or a user whose group is not
/// read at group scale). The record of the user's group first, where `identity` does not
/// say it.
pub async fn read(client: &OdinClient, resource: Resource, identity: &UserIdentity) -> Call {
    let mut attempts = 0;
    let mut identity = identity.clone();
    if identity.group_id.is_none() || identity.service_provider_id.is_none() {
        let record = client.read(Resource::User, &identity.user_id).await;
        attempts += record.attempts;
        match record.result {
            Ok(record) => {
                identity = UserIdentity::resolve(&identity.user_id, None, None, Some(&record));
            }
            Err(error) => {
                return Call {
                    status: record.status,
                    attempts,
                    result: Err(error),
                };
            }
        }
    }
    let (Some(sp), Some(group)) = (&identity.service_provider_id, &identity.group_id) else {
        return Call {
            status: None,
            attempts,
            result: Err(OdinError::Decode(format!(
                "the group of `{}` is not known: its {}s cannot be read",
                identity.user_id,
                noun(resource)
            ))),
        };
    };
    let listing = read_listing(client, resource, (sp, group)).await;
    attempts += listing.attempts;
    let ids: BTreeSet<String> = match listing.result {
        Ok(rows) => rows.into_iter().map(|(id, _)| id).collect(),
        Err(error) => {
            return Call {
                status: listing.status,
                attempts,
                result: Err(error),
            };
        }
    };
    let mut call = read_group(client, resource, &ids).await;
    call.attempts += attempts;
    call.result = call
        .result
        .map(|answer| document_for(&answer, &identity.user_id, ids.into_iter()));
    call
}

/// One user's write of its entries `body` (list id → entry or null) against `before` (its
/// document: the records read): [`write_group`] with the user alone.
pub async fn write(
    client: &OdinClient,
    identity: &UserIdentity,
    resource: Resource,
    body: &Value,
    before: &Value,
) -> Call {
    let merged: Map<String, Value> = body
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, entry)| (group_key(key, &identity.user_id, 0), entry.clone()))
        .collect();
    write_group(client, resource, &Value::Object(merged), before).await
}

/// Write the merged entries `body` (keys of [`group_key`]) of a group's users, one write
/// per list (see the module); `before` holds the records read (`read <id>`), and a list
/// without one is read first. Answers the lists as written (a group answer), the write's
/// own answer being empty (API.md §15).
pub async fn write_group(
    client: &OdinClient,
    resource: Resource,
    body: &Value,
    before: &Value,
) -> Call {
    let mut sent = Call {
        status: None,
        attempts: 0,
        result: Ok(Value::Null),
    };
    // List → (order, user, entry), in plan order.
    let mut by_list: BTreeMap<String, Vec<(String, String, Value)>> = BTreeMap::new();
    for (key, entry) in body.as_object().into_iter().flatten() {
        let mut parts = key.splitn(3, SEP);
        let (Some(list), Some(order), Some(user)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        by_list.entry(list.to_string()).or_default().push((
            order.to_string(),
            user.to_string(),
            entry.clone(),
        ));
    }
    let mut written = Map::new();
    for (list, mut changes) in by_list {
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        let record = before
            .get(format!("{READ}{list}"))
            .and_then(Value::as_str)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .and_then(|v| Record::from_value(&v));
        let record = match record {
            Some(record) => record,
            None => {
                let call = read_list(client, resource, &list).await;
                sent.attempts += call.attempts;
                match call.result {
                    Ok(record) => record,
                    Err(error) => {
                        sent.status = call.status;
                        sent.result = Err(error);
                        return sent;
                    }
                }
            }
        };
        let after = changed(&record, &changes);
        let call = put(client, resource, &list, &record, &after).await;
        sent.attempts += call.attempts;
        sent.status = call.status.or(sent.status);
        if let Err(error) = call.result {
            sent.result = Err(error);
            return sent;
        }
        written.insert(list, after.to_value());
    }
    sent.result = Ok(json!({ "lists": written }));
    sent
}

/// `record` with `changes` made: removals first (the others keep their order), then each
/// added agent appended (or put at the `position` its entry gives), in plan order.
fn changed(record: &Record, changes: &[(String, String, Value)]) -> Record {
    let mut after = record.clone();
    for (_, user, entry) in changes.iter().filter(|(_, _, e)| e.is_null()) {
        let _ = entry;
        after.agents.retain(|(id, _)| id != user);
    }
    for (_, user, entry) in changes.iter().filter(|(_, _, e)| !e.is_null()) {
        let skill = entry.get(SKILL).cloned().filter(|s| !s.is_null());
        if let Some(agent) = after.agents.iter_mut().find(|(id, _)| id == user) {
            if skill.is_some() {
                agent.1 = skill;
            }
            continue;
        }
        let at = entry
            .get(POSITION)
            .and_then(Value::as_u64)
            .map_or(after.agents.len(), |p| (p as usize).min(after.agents.len()));
        after.agents.insert(at, (user.clone(), skill));
    }
    after
}

/// The agent PUT of one list (two for a call center losing agents while some carry a skill
/// level; see the module).
async fn put(
    client: &OdinClient,
    resource: Resource,
    list: &str,
    before: &Record,
    after: &Record,
) -> Call {
    let agents = |skills: bool| -> Vec<Value> {
        after
            .agents
            .iter()
            .map(|(user, skill)| match skill.as_ref().filter(|_| skills) {
                Some(skill) => json!({"userId": user, SKILL: skill}),
                None => json!({"userId": user}),
            })
            .collect()
    };
    match resource {
        Resource::CallCenters => {
            let removes = before
                .agents
                .iter()
                .any(|(id, _)| !after.agents.iter().any(|(a, _)| a == id));
            let skilled = after.agents.iter().any(|(_, s)| s.is_some());
            let mut bodies = Vec::new();
            if removes && skilled {
                bodies.push(json!({"serviceUserId": list, "agents": agents(false)}));
            }
            bodies.push(json!({"serviceUserId": list, "agents": agents(true)}));
            let mut sent = Call {
                status: None,
                attempts: 0,
                result: Ok(Value::Null),
            };
            for body in bodies {
                let call = client
                    .group_send(Method::PUT, paths(resource).agents, &[], Some(&body))
                    .await;
                sent.attempts += call.attempts;
                sent.status = call.status.or(sent.status);
                if call.result.is_err() {
                    sent.result = call.result;
                    return sent;
                }
            }
            sent
        }
        _ => {
            let mut body = before.object.as_object().cloned().unwrap_or_default();
            body.insert("serviceUserId".into(), Value::String(list.to_string()));
            if body
                .get("serviceInstanceProfile")
                .is_none_or(|p| !p.is_object())
            {
                body.insert("serviceInstanceProfile".into(), json!({}));
            }
            body.insert("agents".into(), Value::Array(agents(false)));
            client
                .group_send(
                    Method::PUT,
                    paths(resource).agents,
                    &[],
                    Some(&Value::Object(body)),
                )
                .await
        }
    }
}

/// The column titles of membership: `huntGroups.add` → (list, added).
pub const COLUMNS: [(&str, Resource, bool); 4] = [
    ("huntGroups.add", Resource::HuntGroups, true),
    ("huntGroups.remove", Resource::HuntGroups, false),
    ("callCenters.add", Resource::CallCenters, true),
    ("callCenters.remove", Resource::CallCenters, false),
];

/// The hunt groups (call centers) a membership cell names: `;`-separated service user ids
/// or names, each once.
pub fn cell_values(text: &str) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    for value in text.split(';').map(str::trim).filter(|v| !v.is_empty()) {
        if !values.iter().any(|v| v == value) {
            values.push(value.to_string());
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(agents: &[&str]) -> Record {
        Record {
            object: json!({}),
            agents: agents.iter().map(|a| (a.to_string(), None)).collect(),
        }
    }

    #[test]
    fn removals_keep_order_and_additions_append_in_plan_order() {
        let changes = vec![
            ("2".into(), "d".into(), json!({})),
            ("1".into(), "b".into(), Value::Null),
            ("0".into(), "e".into(), json!({})),
        ];
        let mut changes = changes;
        changes.sort_by(|a: &(String, String, Value), b| a.0.cmp(&b.0));
        let after = changed(&record(&["a", "b", "c"]), &changes);
        let ids: Vec<&str> = after.agents.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "e", "d"]);
    }

    #[test]
    fn a_rollback_entry_puts_the_agent_back_at_its_position() {
        let changes = vec![("0".into(), "b".into(), json!({"position": 1}))];
        let after = changed(&record(&["a", "c", "x"]), &changes);
        let ids: Vec<&str> = after.agents.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "x"]);
    }

    #[test]
    fn a_user_document_holds_its_entries_and_the_records_read() {
        let answer = json!({"lists": {"hg@x": {"object": {}, "agents": [{"userId": "u1"}, {"userId": "u2"}]}}});
        let doc = document_for(&answer, "u2", ["hg@x".to_string()].into_iter());
        assert_eq!(doc["hg@x"], json!({"position": 1}));
        assert!(doc["read hg@x"].is_string());
        let doc = group_answer(&answer).unwrap_or_default();
        assert_eq!(doc[format!("hg@x{SEP}u1")], json!({"position": 0}));
    }
}
