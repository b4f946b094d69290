//! A deleted user brought back by its rollback: after `POST /users` with its record, each
//! part its account entry recorded ([`super::PARTS`]) is written back, one by one; a part
//! that fails does not stop the others, and the step's error names every part that could
//! not be restored (API.md §14: what cannot come back at all is [`super::LOST`]). Its hunt
//! groups and call centers are not among them: the rollback entry holds them as membership
//! entries ([`super::shape_undo`]), written by each list's one writer.

use serde_json::{Map, Value};

use super::parts::{POLICY, SCA, SERVICES, SETTINGS};
use crate::odin::resources::UserIdentity;
use crate::odin::{Call, OdinClient, OdinError};
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

/// The requests [`restore`] sends for `entry`: one per part, one per SCA endpoint.
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
    u64::from(rest) + u64::from(services) + docs + count(SCA)
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
