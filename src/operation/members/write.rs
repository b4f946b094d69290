//! Writing a group's membership lists: each list changed written once, whole (see the
//! module above).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::record::Record;
use super::{READ, SEP, SKILL, group_key, paths, read_list};
use crate::odin::resources::UserIdentity;
use crate::odin::{Call, Method, OdinClient, OdinError};
use crate::resource::Resource;

/// One user's change of a list: (its first row, zero-padded; the user; its entry).
type Change = (String, String, Value);

/// One user's write of its entries `body` (list → entry or null), outside its group's
/// batch (a user whose group is not read at group scale, or who waits for another): each
/// list read again just before it is written, since the group's writer (or another user)
/// may have written it since the user's read; `before` (its document) says which list a
/// name stands for.
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
    let mut fresh = Map::new();
    let mut attempts = 0;
    for key in body.as_object().into_iter().flatten().map(|(k, _)| k) {
        let id = record_of(before, key).map_or_else(|| key.clone(), |r| r.id);
        let call = read_list(client, resource, &id).await;
        attempts += call.attempts;
        match call.result {
            Ok(record) => {
                fresh.insert(
                    format!("{READ}{key}"),
                    Value::String(record.to_value().to_string()),
                );
            }
            Err(error) => {
                return Call {
                    status: call.status,
                    attempts,
                    result: Err(error),
                };
            }
        }
    }
    let mut call = write_group(
        client,
        resource,
        &Value::Object(merged),
        &Value::Object(fresh),
        false,
    )
    .await;
    call.attempts += attempts;
    call
}

/// The record `before` holds for the list `key` names.
fn record_of(before: &Value, key: &str) -> Option<Record> {
    before
        .get(format!("{READ}{key}"))
        .and_then(Value::as_str)
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .and_then(|v| Record::from_value(&v))
}

/// Write the merged entries `body` (keys of [`group_key`]) of a group's users, one write
/// per list whatever names it (its id or its name); `before` holds the records read
/// (`read <key>`), and a list named by id without one is read first. Answers the lists as
/// written (a group answer: a 2xx agent PUT leaves the list as sent, and Odin's own answer
/// is empty, API.md §15).
///
/// With `again`, each list is read again just before it is written (the records of
/// `before` still say which list a name stands for): the read they hold is old enough that
/// someone may have changed the list since.
pub async fn write_group(
    client: &OdinClient,
    resource: Resource,
    body: &Value,
    before: &Value,
    again: bool,
) -> Call {
    let mut sent = Call {
        status: None,
        attempts: 0,
        result: Ok(Value::Null),
    };
    // List id → its record and (order, user, entry); how the body named each list.
    let mut by_list: BTreeMap<String, (Option<Record>, Vec<Change>)> = BTreeMap::new();
    let mut names = Map::new();
    for (key, entry) in body.as_object().into_iter().flatten() {
        let mut parts = key.splitn(3, SEP);
        let (Some(list), Some(order), Some(user)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let record = record_of(before, list);
        let id = match &record {
            Some(record) => record.id.clone(),
            None if list.contains('@') => list.to_string(),
            None => {
                sent.result = Err(OdinError::NotSent(format!(
                    "`{list}` names no {} this run read; write its service user id",
                    super::noun(resource)
                )));
                return sent;
            }
        };
        names.insert(list.to_string(), Value::String(id.clone()));
        let (kept, changes) = by_list.entry(id).or_default();
        if kept.is_none() {
            *kept = record;
        }
        changes.push((order.to_string(), user.to_string(), entry.clone()));
    }
    let mut written = Map::new();
    for (id, (record, mut changes)) in by_list {
        let record = match record.filter(|_| !again) {
            Some(record) => record,
            None => {
                let call = read_list(client, resource, &id).await;
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
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        let changes: Vec<(String, Value)> = changes
            .into_iter()
            .map(|(_, user, entry)| (user, entry))
            .collect();
        let after = record.changed(&changes);
        let call = put(client, resource, &record, &after).await;
        sent.attempts += call.attempts;
        sent.status = call.status.or(sent.status);
        if let Err(error) = call.result {
            sent.result = Err(error);
            return sent;
        }
        written.insert(id, after.to_value());
    }
    sent.result = Ok(json!({ "lists": written, "names": names }));
    sent
}

/// The agent PUT of one list: a hunt group whole as read, `serviceInstanceProfile` `{}`
/// when absent, agents as `{userId}`; a call center's agents each with the skill level
/// read — twice where it loses agents while some carry one: first without skill levels
/// (a replace whichever way Odin reads the PUT), then with them (API.md §15).
async fn put(client: &OdinClient, resource: Resource, before: &Record, after: &Record) -> Call {
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
    let bodies = match resource {
        Resource::CallCenters => {
            let skilled = after.agents.iter().any(|(_, s)| s.is_some());
            let mut bodies = Vec::new();
            if before.loses_agents(after) && skilled {
                bodies.push(json!({"serviceUserId": after.id, "agents": agents(false)}));
            }
            bodies.push(json!({"serviceUserId": after.id, "agents": agents(true)}));
            bodies
        }
        _ => {
            let mut body = before.object.as_object().cloned().unwrap_or_default();
            body.insert("serviceUserId".into(), Value::String(after.id.clone()));
            if body
                .get("serviceInstanceProfile")
                .is_none_or(|p| !p.is_object())
            {
                body.insert("serviceInstanceProfile".into(), json!({}));
            }
            body.insert("agents".into(), Value::Array(agents(false)));
            vec![Value::Object(body)]
        }
    };
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
