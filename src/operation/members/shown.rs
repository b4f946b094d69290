//! What a plan does to each membership list, for `plan --target`.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::record::Record;
use super::{READ, noun};
use crate::odin::group::text_of as text;
use crate::operation::ListChange;
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;

/// A user's change of a list: its first row, the user, its entry.
type Change = (usize, String, Value);

/// What `users`' steps do to each list they change, as their reads (`docs`, one per user,
/// `None` unread) show it: each list's agents before and after, in the order the run
/// leaves them (`plan --target`).
pub fn list_changes(
    users: &[&UserPlan],
    docs: &[Option<&HashMap<Resource, Value>>],
) -> Vec<ListChange> {
    let mut lists: BTreeMap<(Resource, String), (Record, Vec<Change>)> = BTreeMap::new();
    for (user, docs) in users.iter().zip(docs) {
        let Some(docs) = docs else { continue };
        for step in &user.steps {
            let Step::Entries { resource, entries } = step else {
                continue;
            };
            if !crate::operation::one_writer(*resource) {
                continue;
            }
            for (key, entry) in entries.iter() {
                let record = docs
                    .get(resource)
                    .and_then(|doc| doc.get(format!("{READ}{key}")))
                    .and_then(Value::as_str)
                    .and_then(|t| serde_json::from_str::<Value>(t).ok())
                    .and_then(|v| Record::from_value(&v));
                let Some(record) = record else { continue };
                let row = user.rows.first().copied().unwrap_or_default();
                let (_, changes) = lists
                    .entry((*resource, record.id.clone()))
                    .or_insert_with(|| (record, Vec::new()));
                changes.push((row, user.user_id.clone(), entry.clone()));
            }
        }
    }
    lists
        .into_iter()
        .filter_map(|((resource, id), (record, mut changes))| {
            changes.sort_by_key(|(row, ..)| *row);
            let changes: Vec<(String, Value)> =
                changes.into_iter().map(|(_, u, e)| (u, e)).collect();
            let after = record.changed(&changes);
            let ids = |r: &Record| {
                r.agents
                    .iter()
                    .map(|(id, _)| id.clone())
                    .collect::<Vec<_>>()
            };
            let (before, after) = (ids(&record), ids(&after));
            let name = record
                .object
                .get("serviceInstanceProfile")
                .and_then(|p| text(p.get("name")));
            let list = match name {
                Some(name) => format!("{} `{name}` (`{id}`)", noun(resource)),
                None => format!("{} `{id}`", noun(resource)),
            };
            (before != after).then_some(ListChange {
                list,
                before,
                after,
            })
        })
        .collect()
}
