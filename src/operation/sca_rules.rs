//! What the live reads show Odin refuses of an SCA step (API.md §13), told before anything
//! is sent: the Shared Call Appearance service not assigned (and not assigned by the same
//! user's steps), more endpoints than `maxAppearances` after the step, a device the user's
//! group does not have. Each names what is wrong; [`crate::apply::refused`] makes the
//! step `skipped` and `plan --target` warns of it.

use std::collections::HashMap;

use serde_json::Value;

use super::sca::MAX_APPEARANCES;
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;
use crate::services::Kind;

/// The name every SCA service starts with: `Shared Call Appearance`, `Shared Call
/// Appearance 5`… (API.md §13).
pub const SERVICE: &str = "Shared Call Appearance";

/// The key of the SCA read that holds the group's devices ([`super::GroupDoc`]).
pub const GROUP_DEVICES: &str = "groupDevices";

/// The endpoints a service allows: `Shared Call Appearance` 1, `Shared Call Appearance N`
/// N (API.md §13, the bulk wizard); `None` for another service.
pub fn allows(name: &str) -> Option<u64> {
    let rest = name.strip_prefix(SERVICE)?;
    match rest.trim() {
        "" => Some(1),
        n => n.parse().ok(),
    }
}

/// Whether the services listing (`GET /users/services`) has an SCA service assigned.
pub fn assigned(listing: &Value) -> bool {
    listing[Kind::Service.list()]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| allows(item["serviceName"].as_str().unwrap_or_default()).is_some())
        .any(|item| match &item["assigned"] {
            Value::Bool(b) => *b,
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        })
}

/// Why Odin would refuse `step` (an SCA step of `user`), from the user's live documents;
/// `None` when nothing is known to fail.
pub fn refused(user: &UserPlan, step: &Step, live: &HashMap<Resource, Value>) -> Option<String> {
    let Step::Entries { entries, .. } = step else {
        return None;
    };
    let adds: Vec<(&String, &Value)> = entries.iter().filter(|(_, e)| !e.is_null()).collect();
    if adds.is_empty() {
        return None;
    }
    // What the user's own steps assign: an SCA service (and the endpoints it allows), or
    // a pack, which may hold one.
    let (mut by_sheet, mut pack) = (None::<u64>, false);
    for step in &user.steps {
        if let Step::Services(changes) = step {
            for service in &changes.assign {
                match service.kind {
                    Kind::Pack => pack = true,
                    Kind::Service => {
                        if let Some(n) = allows(&service.name) {
                            by_sheet = Some(by_sheet.unwrap_or(0).max(n));
                        }
                    }
                }
            }
        }
    }
    if let Some(listing) = live.get(&Resource::Services)
        && !assigned(listing)
        && by_sheet.is_none()
        && !pack
    {
        return Some(format!(
            "not sent: `{SERVICE}` is not assigned to this user, and the sheet does not assign \
             it: Odin refuses an SCA endpoint without it; assign it in the sheet \
             (`services.assign`) or leave the user out"
        ));
    }
    let doc = live.get(&Resource::SharedCallAppearance)?;
    if let Some(devices) = doc.get(GROUP_DEVICES).and_then(Value::as_array) {
        for (port, entry) in &adds {
            let level = entry["deviceLevel"]
                .as_str()
                .unwrap_or(super::sca::DEFAULT_LEVEL);
            let name = entry["deviceName"].as_str().unwrap_or_default();
            let held = devices
                .iter()
                .any(|d| d["deviceName"].as_str() == Some(name));
            let live_same = doc
                .get(*port)
                .is_some_and(|now| now["deviceName"] == entry["deviceName"]);
            if level == super::sca::DEFAULT_LEVEL && !held && !live_same {
                return Some(format!(
                    "not sent: device `{name}` (for line port `{port}`) is not one of the \
                     group's devices; create it in the group first, or correct \
                     `sca.add[N].deviceName`"
                ));
            }
        }
    }
    let live_max = doc.get(MAX_APPEARANCES).and_then(|m| match m {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let max = match (live_max, by_sheet) {
        (None, None) => return None,
        (a, b) => a.unwrap_or(0).max(b.unwrap_or(0)),
    };
    let held = |port: &str| doc.get(port).is_some_and(|v| !v.is_null());
    let now = doc
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(port, v)| port.contains('@') && !v.is_null())
        .count() as u64;
    let added = adds.iter().filter(|(port, _)| !held(port)).count() as u64;
    let removed = entries
        .iter()
        .filter(|(port, e)| e.is_null() && held(port))
        .count() as u64;
    let after = (now + added).saturating_sub(removed);
    (after > max).then(|| {
        format!(
            "not sent: the user would have {after} SCA endpoints, and its SCA service allows \
             {max} (`{MAX_APPEARANCES}`); remove some in the same row (`sca.remove`), assign \
             a larger `{SERVICE} N` service, or add fewer"
        )
    })
}

/// Line ports `users` add that the reads show another of them holding, where that user's
/// steps do not remove it (a line port is unique system-wide, API.md §13): (index of the
/// user adding it, why). `live` is each user's documents (`None`: not read).
pub fn held_by_others(
    users: &[&UserPlan],
    live: &[Option<&HashMap<Resource, Value>>],
) -> Vec<(usize, String)> {
    let sca = Resource::SharedCallAppearance;
    let mut holders: HashMap<&str, usize> = HashMap::new();
    for (at, docs) in live.iter().enumerate() {
        let ports = docs.and_then(|d| d.get(&sca)).and_then(Value::as_object);
        for (port, entry) in ports.into_iter().flatten() {
            if port.contains('@') && entry.is_object() {
                holders.insert(port, at);
            }
        }
    }
    let mut found = Vec::new();
    for (at, user) in users.iter().enumerate() {
        let Some(adds) = endpoints(user) else {
            continue;
        };
        for (port, entry) in adds.iter().filter(|(_, e)| !e.is_null()) {
            let Some(&holder) = holders.get(port.as_str()).filter(|h| **h != at) else {
                continue;
            };
            let moved = endpoints(users[holder])
                .is_some_and(|theirs| theirs.get(port).is_some_and(Value::is_null));
            if !moved && !entry.is_null() {
                found.push((
                    at,
                    format!(
                        "not sent: line port `{port}` is held by user `{}`, whose row does not \
                         remove it; remove it there (`sca.remove`) or choose another",
                        users[holder].user_id
                    ),
                ));
                break;
            }
        }
    }
    found
}

/// The SCA endpoints `user`'s steps add (an entry) and remove (null), by line port.
fn endpoints(user: &UserPlan) -> Option<&crate::plan::Patch> {
    user.steps.iter().find_map(|step| match step {
        Step::Entries { resource, entries } if *resource == Resource::SharedCallAppearance => {
            Some(entries)
        }
        _ => None,
    })
}

/// The line ports `users` hand over: a user adding a port another user of the sheet removes
/// (a port is unique system-wide, API.md §13; Odin refuses the add while the other holds
/// it), as (taker, giver) pairs: the giver's removal goes first. Ports compare without
/// case. A rollback of such a run hands them back the other way, by the same rule.
pub fn handovers<'a>(users: impl IntoIterator<Item = &'a UserPlan>) -> Vec<(String, String)> {
    let mut givers: HashMap<String, &str> = HashMap::new();
    let mut takers: Vec<(String, &str)> = Vec::new();
    for user in users {
        for (port, entry) in endpoints(user).into_iter().flat_map(|e| e.iter()) {
            match entry.is_null() {
                true => {
                    givers.insert(port.to_lowercase(), &user.user_id);
                }
                false => takers.push((port.to_lowercase(), &user.user_id)),
            }
        }
    }
    takers
        .into_iter()
        .filter_map(|(port, taker)| {
            let giver = givers.get(&port).filter(|g| **g != taker)?;
            Some((taker.to_string(), giver.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user(steps: Vec<(Resource, Value)>) -> UserPlan {
        UserPlan::of_patches("a@x", steps)
    }

    fn listing(names: &[&str]) -> Value {
        let items: Vec<Value> = names
            .iter()
            .map(|n| json!({"serviceName": n, "assigned": true}))
            .collect();
        json!({"userServices": items, "servicePackServices": []})
    }

    #[test]
    fn the_service_the_devices_and_the_limit_are_told_before_sending() {
        let add = json!({"p@x": {"deviceName": "d1", "deviceLevel": "Group"}});
        let plain = user(vec![(Resource::SharedCallAppearance, add.clone())]);
        let step = &plain.steps[0];
        let without = HashMap::from([
            (Resource::Services, listing(&["Do Not Disturb"])),
            (Resource::SharedCallAppearance, json!({})),
        ]);
        let why = refused(&plain, step, &without).unwrap();
        assert!(
            why.contains("`Shared Call Appearance` is not assigned"),
            "{why}"
        );
        let assigns = user(vec![
            (
                Resource::Services,
                json!({"userServices.Shared Call Appearance 5": true}),
            ),
            (Resource::SharedCallAppearance, add.clone()),
        ]);
        assert_eq!(refused(&assigns, &assigns.steps[1], &without), None);
        let devices = json!([{"deviceName": "d1"}]);
        let full = HashMap::from([
            (Resource::Services, listing(&["Shared Call Appearance"])),
            (
                Resource::SharedCallAppearance,
                json!({"maxAppearances": 1, "q@x": {"deviceName": "d1"}, "groupDevices": devices}),
            ),
        ]);
        let why = refused(&plain, step, &full).unwrap();
        assert!(
            why.contains("would have 2 SCA endpoints") && why.contains("allows 1"),
            "{why}"
        );
        let swap = user(vec![(
            Resource::SharedCallAppearance,
            json!({"p@x": {"deviceName": "d1"}, "q@x": null}),
        )]);
        assert_eq!(refused(&swap, &swap.steps[0], &full), None);
        let missing = user(vec![(
            Resource::SharedCallAppearance,
            json!({"q@x": null, "r@x": {"deviceName": "gone", "deviceLevel": "Group"}}),
        )]);
        let why = refused(&missing, &missing.steps[0], &full).unwrap();
        assert!(why.contains("device `gone` (for line port `r@x`)"), "{why}");
        assert_eq!(allows("Shared Call Appearance 35"), Some(35));
        assert_eq!(allows("Shared Call Appearance"), Some(1));
        assert_eq!(allows("Call Waiting"), None);
    }

    #[test]
    fn a_line_port_another_user_of_the_sheet_holds_is_told_unless_it_is_removed_there() {
        let adds = user(vec![(
            Resource::SharedCallAppearance,
            json!({"p@x": {"deviceName": "d"}}),
        )]);
        let mut holder = user(vec![(Resource::User, json!({"extension": "1"}))]);
        holder.user_id = "b@x".into();
        let holds = HashMap::from([(
            Resource::SharedCallAppearance,
            json!({"p@x": {"deviceName": "d"}}),
        )]);
        let found = held_by_others(&[&adds, &holder], &[None, Some(&holds)]);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("held by user `b@x`"), "{found:?}");
        let mut gives_up = user(vec![(Resource::SharedCallAppearance, json!({"p@x": null}))]);
        gives_up.user_id = "b@x".into();
        assert!(held_by_others(&[&adds, &gives_up], &[None, Some(&holds)]).is_empty());
    }
}

#[cfg(test)]
mod handover_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_port_one_user_removes_and_another_adds_is_handed_over_in_that_order() {
        let sca = Resource::SharedCallAppearance;
        let giver = UserPlan::of_patches("a@x", vec![(sca, json!({"mv@x": null}))]);
        let entry = json!({"deviceName": "d", "deviceLevel": "Group"});
        let taker = UserPlan::of_patches("b@x", vec![(sca, json!({"MV@x": entry}))]);
        let alone = UserPlan::of_patches("c@x", vec![(sca, json!({"own@x": entry}))]);
        assert_eq!(
            handovers(&[giver, taker, alone]),
            [("b@x".to_string(), "a@x".to_string())]
        );
    }
}
