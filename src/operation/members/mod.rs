//! Hunt group and call center membership (API.md §15) as lists of the user's group: a
//! user's `huntGroups` (or `callCenters`) document holds, per hunt group (call center) the
//! run reads, `{position, skillLevel?}` while the user is an agent of it — `position` its
//! index in the agent list, so that a rollback puts it back there — and nothing when it is
//! not. A plan's `{}` holds whenever the user is an agent; null removes it.
//!
//! Reads: each list changed by the run is read once per run, for all its users
//! (`GET /groups/hunt-groups?serviceUserId=`, object or one-element array, agents as
//! `{userId}` or full rows; `GET /groups/call-centers/agents?serviceUserId=`). The read
//! kept is a *record* ([`record::Record`]). A user's document carries each record it stands
//! on as compact text under `read <key>` (a key no entry id can be), which is what the write
//! sends back. A sheet may name a list by its service user id or by a name unique in the
//! user's group ([`names`]): the group's listing (`GET /groups/hunt-groups?serviceProviderId=
//! &groupId=`, `GET /groups/call-centers?…`) resolves it, read once per group before the run
//! (the arrangement refuses a value it cannot resolve, at its cell) and handed to the group
//! read. A user's entries are keyed as its sheet names the lists; a group answer holds them
//! under every key the run uses for a list (`names`: key → id).
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

pub mod names;
pub mod place;
pub mod record;
mod shown;
mod write;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::odin::group::text_of as text;
use crate::odin::resources::UserIdentity;
use crate::odin::{Call, OdinClient, OdinError};
use crate::resource::Resource;
pub use names::{COLUMNS, cell_values};
use record::Record;
pub use shown::list_changes;
pub use write::{write, write_group};

/// Between the parts of a key of a group's membership document.
pub const SEP: char = '\u{1f}';

/// The prefix of the context keys that hold a list's record as read.
const READ: &str = "read ";

/// How old a list's read may be when the list is written from it: older, the list is read
/// again just before its write (one request more), so that an edit someone made since is
/// kept. A run's batch usually writes well within it (the run reads each list once).
pub const FRESH: std::time::Duration = std::time::Duration::from_secs(2);

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
        Ok(Record {
            id: id.to_string(),
            object,
            agents,
        })
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

/// A group's listing of hunt groups (call centers): `(serviceUserId, name)` rows.
pub type Listing = Vec<(String, String)>;

/// A listing as plain data (`[[id, name]…]`), as the arrangement hands it to the group
/// reads.
pub fn listing_value(listing: &Listing) -> Value {
    Value::Array(listing.iter().map(|(id, name)| json!([id, name])).collect())
}

/// A listing back from [`listing_value`].
pub fn listing_of(value: &Value) -> Option<Listing> {
    value
        .as_array()?
        .iter()
        .map(|row| Some((text(row.get(0))?, text(row.get(1)).unwrap_or_default())))
        .collect()
}

/// The lists `keys` (ids, or names `listing` resolves; a name with no listing reads it
/// first) read, one request each, as a group answer (`{lists: {id: record}, names: {key:
/// id}}`, what [`group_answer`] reads). A key that names no list is left out (the
/// arrangement refuses its users).
pub async fn read_group(
    client: &OdinClient,
    resource: Resource,
    keys: &BTreeSet<String>,
    listing: Option<&Listing>,
    group: Option<(&str, &str)>,
) -> Call {
    let mut sent = Call {
        status: None,
        attempts: 0,
        result: Ok(Value::Null),
    };
    let mut read_listing_now = None;
    if listing.is_none()
        && keys.iter().any(|k| !k.contains('@'))
        && let Some(group) = group
    {
        let call = read_listing(client, resource, group).await;
        sent.attempts += call.attempts;
        match call.result {
            Ok(rows) => read_listing_now = Some(rows),
            Err(error) => {
                sent.status = call.status;
                sent.result = Err(error);
                return sent;
            }
        }
    }
    let listing = listing.or(read_listing_now.as_ref());
    let mut names = Map::new();
    for key in keys {
        let id = match listing {
            Some(listing) => names::resolve(key, listing).ok(),
            None => key.contains('@').then(|| key.clone()),
        };
        if let Some(id) = id {
            names.insert(key.clone(), Value::String(id));
        }
    }
    let ids: BTreeSet<String> = names
        .values()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut lists = Map::new();
    for id in ids {
        let call = read_list(client, resource, &id).await;
        sent.attempts += call.attempts;
        sent.status = call.status.or(sent.status);
        match call.result {
            Ok(record) => {
                lists.insert(id, record.to_value());
            }
            Err(error) => {
                sent.result = Err(error);
                return sent;
            }
        }
    }
    sent.result = Ok(json!({ "lists": lists, "names": names }));
    sent
}

/// The lists a group answer holds, by the keys that name them (ids, and names).
fn records(answer: &Value) -> Option<BTreeMap<String, Record>> {
    let lists = answer.get("lists")?.as_object()?;
    let by_id: BTreeMap<&String, Record> = lists
        .iter()
        .filter_map(|(id, v)| Some((id, Record::from_value(v)?)))
        .collect();
    let mut by_key: BTreeMap<String, Record> = by_id
        .iter()
        .map(|(id, record)| ((*id).clone(), record.clone()))
        .collect();
    for (key, id) in answer
        .get("names")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(record) = id.as_str().and_then(|id| by_id.get(&id.to_string())) {
            by_key.insert(key.clone(), record.clone());
        }
    }
    Some(by_key)
}

/// A group answer as the group's document: `<key>␟<user>` → the user's entry, for every
/// agent of every list it holds, under each key that names the list; `None` when it is no
/// group answer.
pub fn group_answer(answer: &Value) -> Option<Value> {
    let mut doc = Map::new();
    for (key, record) in records(answer)? {
        for (user, _) in &record.agents {
            if let Some(entry) = record.entry_of(user) {
                doc.insert(format!("{key}{SEP}{user}"), entry);
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
/// user's first row (`order`) says where an agent added goes.
pub fn group_key(key: &str, user: &str, order: usize) -> String {
    format!("{key}{SEP}{order:012}{SEP}{user}")
}

/// A user's document from a group answer: the entries of the lists `keys` names (as they
/// name them), and the records they stand on (context).
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

/// `context` (records read, under `read <key>`) with each record `written` (a group
/// answer) holds replaced by it.
pub fn context_after(context: Value, written: &Value) -> Value {
    let Value::Object(mut context) = context else {
        return context;
    };
    let lists = written.get("lists").and_then(Value::as_object);
    for (key, value) in context.iter_mut() {
        if !key.starts_with(READ) {
            continue;
        }
        let id = value
            .as_str()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .and_then(|v| text(v.get("id")));
        let newer = id
            .and_then(|id| lists?.get(&id))
            .and_then(Record::from_value);
        if let Some(newer) = newer {
            *value = Value::String(newer.to_value().to_string());
        }
    }
    Value::Object(context)
}

/// How many lists `keys` name, as `listing` (a [`listing_value`]) resolves them (a name
/// and an id of one list count once; without a listing, each key counts).
pub fn lists_named(keys: &BTreeSet<String>, listing: Option<&Value>) -> usize {
    let Some(listing) = listing.and_then(listing_of) else {
        return keys.len();
    };
    let ids: BTreeSet<String> = keys
        .iter()
        .filter_map(|key| names::resolve(key, &listing).ok())
        .collect();
    ids.len()
}

/// The list each entry of `body` writes, as the user's read `doc` shows it (its id; the
/// key itself where the read holds no record of it).
pub fn lists_written(doc: &Value, body: &Value) -> Vec<String> {
    body.as_object()
        .into_iter()
        .flatten()
        .map(|(key, _)| {
            doc.get(format!("{READ}{key}"))
                .and_then(Value::as_str)
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .and_then(|v| Record::from_value(&v))
                .map_or_else(|| key.clone(), |record| record.id)
        })
        .collect()
}

/// Read one user's membership on its own (where no group read stands for it: a judging
/// read, or a resumed user's): the group's listing, then every list of it; entries under
/// each list's id and its name. The record of the user's group first, where `identity`
/// does not say it.
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
    let listing = match listing.result {
        Ok(rows) => rows,
        Err(error) => {
            return Call {
                status: listing.status,
                attempts,
                result: Err(error),
            };
        }
    };
    let keys: BTreeSet<String> = listing
        .iter()
        .flat_map(|(id, name)| [id.clone(), name.clone()])
        .filter(|k| !k.is_empty())
        .collect();
    let mut call = read_group(client, resource, &keys, Some(&listing), None).await;
    call.attempts += attempts;
    call.result = call
        .result
        .map(|answer| document_for(&answer, &identity.user_id, keys.into_iter()));
    call
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_document_holds_its_entries_under_the_sheet_s_keys() {
        let answer = json!({
            "lists": {"hg@x": {"id": "hg@x", "object": {}, "agents": [{"userId": "u1"}, {"userId": "u2"}]}},
            "names": {"hg@x": "hg@x", "Sales": "hg@x"}
        });
        let doc = document_for(&answer, "u2", ["Sales".to_string()].into_iter());
        assert_eq!(
            doc["Sales"],
            json!({"position": 1, "after": "u1", "last": true})
        );
        assert!(doc["read Sales"].is_string());
        let doc = group_answer(&answer).unwrap_or_default();
        assert_eq!(
            doc[format!("hg@x{SEP}u1")],
            json!({"position": 0, "before": "u2"})
        );
        assert_eq!(
            doc[format!("Sales{SEP}u2")],
            json!({"position": 1, "after": "u1", "last": true})
        );
    }
}
