//! The lists of a user's group (numbers and their activation, API.md §12; hunt group and
//! call center membership, §15): what the engine's group batches need to merge a group's
//! users' entries into one write per list, read the list and tell what a write's answer
//! shows, each by the operation that owns the list.

use std::collections::HashMap;

use serde_json::Value;

use super::{members, numbers};
use crate::odin::{Call, OdinClient};
use crate::resource::Resource;

/// A shared list a plan changes, as `plan --target` shows it: its members before and
/// after the run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListChange {
    /// The list, as messages name it (``hunt group `Sales` (`hg1@x`)``).
    pub list: String,
    /// Its members (user ids) before, in order.
    pub before: Vec<String>,
    /// And after.
    pub after: Vec<String>,
}

/// What the users' steps do to the shared lists they change, by their reads (`live`, one
/// per user; `None` unread).
pub fn list_changes(
    users: &[&crate::plan::UserPlan],
    live: &[Option<&HashMap<Resource, Value>>],
) -> Vec<ListChange> {
    members::list_changes(users, live)
}

/// Whether a group's list `resource` is written whole by one writer: every entry of its
/// users goes through their group's one write (never a user's own), and its group read
/// reads only the lists its users' steps name (membership: each hunt group's agent list
/// is one shared object, API.md §15).
pub fn one_writer(resource: Resource) -> bool {
    matches!(resource, Resource::HuntGroups | Resource::CallCenters)
}

/// Read, for the users of group `group`, the parts of its list `resource` that `keys` (the
/// entry ids their steps name) need, as a group answer ([`group_answer`] reads it): the
/// lists named, one request each (membership; [`one_writer`] lists only).
pub async fn read_group_keys(
    client: &OdinClient,
    (sp, group): (&str, &str),
    resource: Resource,
    keys: &std::collections::BTreeSet<String>,
    listing: Option<&Value>,
) -> Call {
    let listing = listing.and_then(members::listing_of);
    members::read_group(client, resource, keys, listing.as_ref(), Some((sp, group))).await
}

/// `context` (what a write of the group's list `resource` needs of its users' reads) as
/// `written` (the list as this run's last write of it showed it, a [`group_answer`]'s
/// input; null for none) leaves it: a membership list's record replaced by the one written,
/// so that a later write of it starts from there.
pub fn context_after(resource: Resource, context: Value, written: &Value) -> Value {
    match one_writer(resource) {
        true => members::context_after(context, written),
        false => context,
    }
}

/// How many requests a [`read_group_keys`] of `keys` sends, `listing` (as the arrangement
/// read it) resolving names: one per list named.
pub fn group_keys_reads(
    resource: Resource,
    keys: &std::collections::BTreeSet<String>,
    listing: Option<&Value>,
) -> usize {
    let _ = resource;
    members::lists_named(keys, listing)
}

/// The lists of the group that the entries `body` of a step write, as the user's read of
/// `resource` (`doc`) names them (a [`one_writer`] list: one write per list).
pub fn lists_written(resource: Resource, doc: &Value, body: &Value) -> Vec<String> {
    let _ = resource;
    members::lists_written(doc, body)
}

/// A user's document of `resource` from a [`read_group_keys`] answer: the entries `keys`
/// names.
pub fn document_for(
    resource: Resource,
    answer: &Value,
    user_id: &str,
    keys: impl Iterator<Item = String>,
) -> Value {
    let _ = resource;
    members::document_for(answer, user_id, keys)
}

/// Who a user's entries of a group's list are for in a merged write: the user, and its
/// place in the plan (where a list that keeps an order puts what it adds).
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// The user.
    pub user: &'a str,
    /// Its place in the plan.
    pub order: usize,
}

/// The key under which a merged write of a group's list holds the entry `key` of `member`
/// (the number an activation entry names for `""`, the number the user holds; a
/// membership entry, the list and the user).
pub fn group_key(resource: Resource, member: Member<'_>, key: &str, entry: &Value) -> String {
    if one_writer(resource) {
        return members::group_key(key, member.user, member.order);
    }
    match (resource, key) {
        (Resource::Activation, "") => entry
            .get(numbers::NUMBER)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => key.to_string(),
    }
}

/// The entry `key` → `entry` of `user`'s group list `resource` as the group's list shows
/// it ([`group_answer`]): its key there, and the entry without the number an activation
/// entry names (the list keys entries by number), or without the position a membership
/// entry asks for (an agent put back where the list has grown shorter stands last).
pub fn group_entry(resource: Resource, user: &str, key: &str, entry: &Value) -> (String, Value) {
    if one_writer(resource) {
        let shown = match entry {
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .filter(|(field, _)| field.as_str() != members::POSITION)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            other => other.clone(),
        };
        return (members::group_entry_key(key, user), shown);
    }
    let shown = match entry {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(field, _)| field.as_str() != numbers::NUMBER)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    };
    let member = Member { user, order: 0 };
    (group_key(resource, member, key, entry), shown)
}

/// Write the merged entries `body` of users of one group (`sp`, `group`) to the group's list
/// `resource` in as few requests as it takes (one per kind of change); `before` is one of
/// their reads of the list (what the write needs of it besides the entries). Answers the
/// last answer that may be the whole list ([`group_answer`] tells), else null.
///
/// `read_at` is when the oldest of the reads in `before` was made: a whole list written
/// from a read older than [`members::FRESH`] is read again first, so that another admin's
/// edit of it meanwhile is kept (API.md §15, "The read-modify-write race").
pub async fn write_group(
    client: &OdinClient,
    group: (&str, &str),
    resource: Resource,
    (body, before): (&Value, &Value),
    read_at: std::time::Instant,
) -> Call {
    if one_writer(resource) {
        let again = read_at.elapsed() >= members::FRESH;
        return members::write_group(client, resource, body, before, again).await;
    }
    numbers::write_group(client, group, resource, body, before).await
}

/// Read the group's list `resource` whole, as Odin answers it: [`group_answer`] makes it
/// the list's document (an answer that is not a list is an error). `body` is the merged
/// write it judges ([`group_key`] keys): a membership read reads the lists it names.
pub async fn read_group(
    client: &OdinClient,
    (sp, group): (&str, &str),
    resource: Resource,
    body: &Value,
) -> Call {
    if one_writer(resource) {
        let lists = body
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(key, _)| key.split(members::SEP).next().map(str::to_string))
            .collect();
        return members::read_group(client, resource, &lists, None, Some((sp, group))).await;
    }
    // The group's numbers and their activation are one list.
    numbers::read_group_answer(client, sp, group).await
}

/// The group's list `resource` as `answer` (a [`read_group`] answer, or the answer of a
/// [`write_group`] that answers the whole list) shows it, keyed as [`group_key`] keys
/// entries; `None` when `answer` is not that list. Numbers: `PUT /groups/dns` (activation)
/// answers the group's whole list in the GET shape (API.md §12); a `POST` or `DELETE`
/// answer is never read ([`write_group`] answers null for it).
pub fn group_answer(resource: Resource, answer: &Value) -> Option<Value> {
    if one_writer(resource) {
        return members::group_answer(answer);
    }
    numbers::parse_details(answer).map(|list| numbers::document(&list, resource, ""))
}

/// Whether a [`write_group`] of `resource` answers the whole list, so that no read is
/// needed to judge it (activation: `PUT /groups/dns`, API.md §12).
pub fn write_answers_list(resource: Resource) -> bool {
    resource == Resource::Activation || one_writer(resource)
}

/// Whether one read of a group shows the entries of both `a` and `b` (they are entries of
/// one list: a group's numbers and their activation, API.md §12).
pub fn same_group_list(a: Resource, b: Resource) -> bool {
    match one_writer(a) || one_writer(b) {
        true => a == b,
        false => a.of_group() && b.of_group(),
    }
}
