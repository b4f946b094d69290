//! Everything sleipnir can read of a user besides its record, read before it is deleted
//! (API.md §14: "Reads that record a user"), each under a key of the account entry.

use serde_json::{Map, Value};

use crate::odin::resources::UserIdentity;
use crate::odin::{OdinClient, OdinError};
use crate::operation::members;
use crate::resource::Resource;
use crate::services::ServiceRef;

/// The user's services listing (`GET /users/services`, API.md §4).
pub const SERVICES: &str = "@services";
/// Its service settings (`GET /users/services/settings`).
pub const SETTINGS: &str = "@settings";
/// Its call processing policy (`GET /users/call-processing-policy`).
pub const POLICY: &str = "@policy";
/// Its SCA endpoints, line port → endpoint (API.md §13).
pub const SCA: &str = "@sca";
/// The hunt groups it is an agent of: service user id → its place in the agent list
/// (`crate::operation::members::place`; API.md §15, `GET /groups/hunt-groups/user`).
pub const HUNT_GROUPS: &str = "@huntGroups";
/// The call centers it is an agent of: service user id → its place in the agent list and
/// `skillLevel` (API.md §15, `GET /users/call-center` and each call center's agents).
pub const CALL_CENTERS: &str = "@callCenters";

/// The keys of an account entry that are not record fields, in the order a re-create
/// writes them back.
pub const PARTS: [&str; 6] = [SERVICES, SETTINGS, POLICY, SCA, HUNT_GROUPS, CALL_CENTERS];

/// The call center licences (API.md §15: `GET /users/call-center` errors for a user
/// without one).
const CALL_CENTER_LICENCES: [&str; 3] = [
    "Call Center - Basic",
    "Call Center - Standard",
    "Call Center - Premium",
];

/// Read the parts of the user `identity` names (its group known): the requests sent, and
/// the parts or the first read that failed.
pub(super) async fn read(
    client: &OdinClient,
    identity: &UserIdentity,
) -> (u32, Result<Map<String, Value>, OdinError>) {
    let mut attempts = 0;
    let mut parts = Map::new();
    let user_id = identity.user_id.as_str();
    for (key, resource) in [
        (SERVICES, Resource::Services),
        (SETTINGS, Resource::Settings),
        (POLICY, Resource::Policy),
    ] {
        let call = client.read(resource, user_id).await;
        attempts += call.attempts;
        match call.result {
            Ok(doc) => {
                parts.insert(key.into(), without_user_id(doc));
            }
            Err(error) => return (attempts, Err(error)),
        }
    }
    let listing = parts[SERVICES].clone();
    if crate::operation::sca_rules::assigned(&listing) {
        let call = crate::operation::sca::read(client, user_id).await;
        attempts += call.attempts;
        match call.result {
            Ok(Value::Object(doc)) => {
                let entries = doc.into_iter().filter(|(_, v)| v.is_object()).collect();
                parts.insert(SCA.into(), Value::Object(entries));
            }
            Ok(_) => {}
            Err(error) => return (attempts, Err(error)),
        }
    }
    if let (Some(sp), Some(group)) = (&identity.service_provider_id, &identity.group_id) {
        let query = [
            ("serviceProviderId", sp.as_str()),
            ("groupId", group.as_str()),
            ("userId", user_id),
        ];
        let call = client.user_get("/groups/hunt-groups/user", &query).await;
        attempts += call.attempts;
        match call.result {
            Ok(answer) => {
                parts.insert(HUNT_GROUPS.into(), hunt_groups_of(&answer, user_id));
            }
            Err(error) => return (attempts, Err(error)),
        }
    }
    let licensed = CALL_CENTER_LICENCES
        .iter()
        .any(|name| ServiceRef::service(*name).is_assigned(&listing));
    if licensed {
        let call = client
            .user_get("/users/call-center", &[("userId", user_id)])
            .await;
        attempts += call.attempts;
        let mut centers = match call.result {
            Ok(answer) => call_centers_of(&answer),
            Err(error) => return (attempts, Err(error)),
        };
        // Where the user stands in each call center's agents, with its skill level there
        // (its own read says not where).
        for (id, entry) in centers.as_object_mut().into_iter().flatten() {
            let call = members::read_list(client, Resource::CallCenters, id).await;
            attempts += call.attempts;
            let place = match call.result {
                Ok(list) => list.entry_of(user_id),
                Err(error) => return (attempts, Err(error)),
            };
            if let (Value::Object(entry), Some(Value::Object(place))) = (entry, place) {
                entry.extend(place);
            }
        }
        parts.insert(CALL_CENTERS.into(), centers);
    }
    (attempts, Ok(parts))
}

/// A document without the `userId` Odin repeats in it.
fn without_user_id(doc: Value) -> Value {
    match doc {
        Value::Object(mut map) => {
            map.remove("userId");
            Value::Object(map)
        }
        other => other,
    }
}

/// The hunt groups of a `GET /groups/hunt-groups/user` answer (full hunt group objects,
/// API.md §15) as service user id → where `user_id` stands among their agents.
pub fn hunt_groups_of(answer: &Value, user_id: &str) -> Value {
    let mut found = Map::new();
    for group in answer.as_array().into_iter().flatten() {
        let Some(id) = group.get("serviceUserId").and_then(Value::as_str) else {
            continue;
        };
        let agents = agent_ids(group.get("agents"));
        let place = members::place::of(&agents, user_id).unwrap_or_default();
        found.insert(id.to_string(), Value::Object(place));
    }
    Value::Object(found)
}

/// The user ids of an agent list of `{userId}` or full rows, in order.
fn agent_ids(agents: Option<&Value>) -> Vec<String> {
    agents
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("userId").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// The call centers of a `GET /users/call-center` answer (API.md §15) as service user id
/// → `{skillLevel}` (where it has one).
pub fn call_centers_of(answer: &Value) -> Value {
    let mut found = Map::new();
    let list = answer.get("callCenters").and_then(Value::as_array);
    for center in list.into_iter().flatten() {
        let Some(id) = center.get("serviceUserId").and_then(Value::as_str) else {
            continue;
        };
        let mut entry = Map::new();
        if let Some(level) = center.get("skillLevel").filter(|v| !v.is_null()) {
            entry.insert("skillLevel".into(), level.clone());
        }
        found.insert(id.to_string(), Value::Object(entry));
    }
    Value::Object(found)
}

/// What the parts of an account entry hold, as people count them: `12 services`,
/// `its service settings`, `2 hunt groups`…
pub fn summary(entry: &Value) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(listing) = entry.get(SERVICES) {
        let assigned = ["userServices", "servicePackServices"]
            .iter()
            .flat_map(|list| {
                listing
                    .get(*list)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .filter(|item| {
                let name = item
                    .get("serviceName")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                ServiceRef::service(name).is_assigned(listing)
                    || ServiceRef::pack(name).is_assigned(listing)
            })
            .count();
        found.push(crate::text::counted(
            assigned,
            "service or pack",
            "services and packs",
        ));
    }
    if entry.get(SETTINGS).is_some() {
        found.push("its service settings".into());
    }
    if entry.get(POLICY).is_some() {
        found.push("its call processing policy".into());
    }
    let count = |key: &str, one: &str, many: &str| {
        let n = entry
            .get(key)
            .and_then(Value::as_object)
            .map_or(0, Map::len);
        (n > 0).then(|| crate::text::counted(n, one, many))
    };
    found.extend(count(SCA, "SCA endpoint", "SCA endpoints"));
    found.extend(count(HUNT_GROUPS, "hunt group", "hunt groups"));
    found.extend(count(CALL_CENTERS, "call center", "call centers"));
    found
}
