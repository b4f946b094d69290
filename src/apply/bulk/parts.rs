//! What a step's identical change is for a bulk write: its targets and their data, and how
//! many users of a group share it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use super::AT_LEAST;
use crate::live::placement::GroupKey;
use crate::notation::{self, Segment};
use crate::odin::group::{self, BulkService, BulkTarget};
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;
use crate::services::settings_service;

/// The targets and data of `step` if it can be written in bulk: user-record fields that
/// are top-level keys an extended listing row holds (not the identity keys), or fields of
/// writable bulk services (one level inside the service: a nested part is written whole per
/// user, API.md §3).
pub(super) fn parts_of(step: &Step) -> Option<Vec<(BulkTarget, Map<String, Value>)>> {
    let Step::Fields { resource, patch } = step else {
        return None;
    };
    let mut parts: BTreeMap<BulkTarget, Map<String, Value>> = BTreeMap::new();
    for (key, value) in patch.iter() {
        let segments = notation::parse_relative(key).ok()?;
        let (target, field) = match (resource, segments.as_slice()) {
            (Resource::User, [Segment::Key(field)]) => {
                let identity = ["userId", "serviceProviderId", "groupId"];
                if identity.contains(&field.as_str())
                    || group::EXTENDED_ROWS_LACK.contains(&field.as_str())
                {
                    return None;
                }
                (BulkTarget::UserRecord, field.clone())
            }
            (Resource::Settings, [Segment::Key(_), Segment::Key(field)]) => {
                let service = BulkService::from_service_name(settings_service(key))
                    .filter(|s| s.writable())?;
                (BulkTarget::Service(service), field.clone())
            }
            _ => return None,
        };
        parts
            .entry(target)
            .or_default()
            .insert(field, value.clone());
    }
    (!parts.is_empty()).then(|| parts.into_iter().collect())
}

/// How many users of each group share each step patch that a bulk write could carry:
/// (group, resource, hash of the patch) → users, for those at least [`AT_LEAST`] users
/// share (any other is as good as absent). Counted with a hash so that the count of
/// 50,000 different patches costs little; a collision only plans a batch that turns out
/// smaller, whose users are written on their own.
pub type Tally = HashMap<(GroupKey, Resource, u64), usize>;

/// The [`Tally`] of `users`, placed by `key_of`.
///
/// Memory: a first pass counts a hash of each (group, resource, patch) alone, so that a
/// sheet of 50,000 different changes costs a few bytes per step, not a key with its group's
/// names; the keys are made only for the changes that pass may share.
pub fn tally(users: &[UserPlan], key_of: impl Fn(&UserPlan) -> Option<GroupKey>) -> Tally {
    let mut rough: HashMap<u64, u32> = HashMap::new();
    each_key(users, &key_of, |key| {
        *rough.entry(hash_of(&key)).or_default() += 1;
    });
    rough.retain(|_, n| *n as usize >= AT_LEAST);
    let mut tally = Tally::new();
    each_key(users, &key_of, |key| {
        if rough.contains_key(&hash_of(&key)) {
            *tally.entry(key).or_default() += 1;
        }
    });
    // Only shared changes are looked up (any other is as good as absent).
    tally.retain(|_, n| *n >= AT_LEAST);
    tally
}

/// The key of each step of `users` that a bulk write could carry, given to `each`.
fn each_key(
    users: &[UserPlan],
    key_of: &impl Fn(&UserPlan) -> Option<GroupKey>,
    mut each: impl FnMut((GroupKey, Resource, u64)),
) {
    for user in users {
        let Some(group) = key_of(user) else {
            continue;
        };
        for step in user.steps.iter().filter(|s| parts_of(s).is_some()) {
            let patch = Value::Object(step.patch().into_owned()).to_string();
            each((group.clone(), step.resource(), hash(&patch)));
        }
    }
}

fn hash_of(key: &(GroupKey, Resource, u64)) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
}

/// The groups in `tally` with a change that at least [`AT_LEAST`] users share: one pass
/// over the tally for all groups.
pub fn shared_groups(tally: &Tally) -> HashSet<GroupKey> {
    tally
        .iter()
        .filter(|(_, n)| **n >= AT_LEAST)
        .map(|((group, _, _), _)| group.clone())
        .collect()
}

pub(super) fn hash(text: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(text)
}

/// The targets a step planned for a bulk write writes.
pub fn targets_of(step: &Step) -> Vec<BulkTarget> {
    parts_of(step)
        .map(|parts| parts.into_iter().map(|(target, _)| target).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn step(resource: Resource, patch: Value) -> Step {
        Step::from_patch(resource, patch.as_object().cloned().unwrap_or_default()).unwrap()
    }

    #[test]
    fn the_tally_keeps_only_changes_users_share() {
        let user = |n: usize, group: &str, patch: Value| UserPlan {
            user_id: format!("u{n}"),
            rows: vec![n + 1],
            service_provider_id: Some("sp".into()),
            group_id: Some(group.into()),
            steps: vec![step(Resource::Settings, patch)],
            before: None,
            not_restorable: Vec::new(),
            cells: Default::default(),
        };
        let shared = json!({"Call Forwarding Always.isActive": true});
        let mut users: Vec<UserPlan> = (1..=3).map(|n| user(n, "g1", shared.clone())).collect();
        // Two users of another group share it too (fewer than AT_LEAST), and ten users of
        // g1 each have a change of their own: none of them is kept.
        users.extend((4..=5).map(|n| user(n, "g2", shared.clone())));
        users.extend((6..=15).map(|n| {
            let own = json!({"Call Forwarding Always.forwardToPhoneNumber": format!("+1555{n}")});
            user(n, "g1", own)
        }));
        let placed = |u: &UserPlan| Some((u.service_provider_id.clone()?, u.group_id.clone()?));
        let tally = tally(&users, placed);
        let key = (("sp".to_string(), "g1".to_string()), Resource::Settings);
        let counts: Vec<_> = tally
            .iter()
            .map(|((g, r, _), n)| ((g.clone(), *r), *n))
            .collect();
        assert_eq!(counts, [(key, 3)]);
        let groups = shared_groups(&tally);
        assert_eq!(groups.len(), 1);
    }

    #[test]
    fn what_a_bulk_write_can_carry() {
        let settings = step(
            Resource::Settings,
            json!({"Call Recording.recordingOption": "Always", "Call Forwarding Always.isActive": true}),
        );
        let parts = parts_of(&settings).unwrap();
        let targets: Vec<BulkTarget> = parts.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            targets,
            [
                BulkTarget::Service(BulkService::CallForwardingAlways),
                BulkTarget::Service(BulkService::CallRecording)
            ]
        );
        assert_eq!(
            parts[1].1,
            *json!({"recordingOption": "Always"}).as_object().unwrap()
        );
        let user = step(
            Resource::User,
            json!({"timeZone": "Europe/Oslo", "language": "English"}),
        );
        assert_eq!(targets_of(&user), [BulkTarget::UserRecord]);
        // A service without a bulk write, one read only, a nested part, a list element,
        // fields listing rows lack, and identity keys are written per user.
        for (resource, patch) in [
            (
                Resource::Settings,
                json!({"Call Recording.recordingOption": "Always", "Do Not Disturb.isActive": true}),
            ),
            (
                Resource::Settings,
                json!({"Anonymous Call Rejection.isActive": true}),
            ),
            (
                Resource::Settings,
                json!({"Voice Messaging User.Voice Messaging User.isActive": true}),
            ),
            (
                Resource::Settings,
                json!({"Speed Dial 8.speedCodes[0].phoneNumber": "+1"}),
            ),
            (
                Resource::User,
                json!({"timeZone": "Europe/Oslo", "emailAddress": "a@x"}),
            ),
            (Resource::User, json!({"address.city": "Oslo"})),
            (Resource::Policy, json!({"clidPolicy": "Use DN"})),
        ] {
            assert!(
                parts_of(&step(resource, patch.clone())).is_none(),
                "{patch}"
            );
        }
    }
}
