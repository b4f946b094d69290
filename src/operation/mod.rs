//! Operations: how each resource a step changes is read and written. Most are one document
//! read with `GET {path}?userId=` and written with one `PUT {path}` (the resource table,
//! [`crate::odin::resources`]); a list ([`Resource::is_list`]) is read into entry id →
//! entry and written an entry at a time by its own module. The engine (`live`, `apply`)
//! reads and writes through [`read`] and [`write`] and never names an operation: adding a
//! list is a module here, a row in the resource table, a [`Resource`] and a match arm below.
//!
//! A list's contract, which its module keeps:
//! - its read answers `{<entry id>: {<field>: value…}…}` — every entry the user has, each
//!   with the fields a sheet can set (others left out), in one spelling whatever shape the
//!   server answered;
//! - its write changes one entry: `before` `None` adds it, `after` null removes it, both
//!   change it (by whatever requests that takes); the diff, the rollback entry (an entry's
//!   before, null when the run added it), compensation, resume and drift are the engine's,
//!   the same for every list.

pub mod account;
pub mod arrange;
mod group_lists;
pub mod members;
pub mod numbers;
pub mod sca;
pub mod sca_rules;

use std::collections::HashMap;

use serde_json::Value;

use crate::odin::resources::UserIdentity;
use crate::odin::{Call, OdinClient};
use crate::resource::Resource;
pub use group_lists::*;

/// Read `resource` of the user `identity` names: the document of its `GET`, or a list's
/// entries (a group's list read from the user's group: the user's record is read first
/// where `identity` does not say it).
pub async fn read(client: &OdinClient, resource: Resource, identity: &UserIdentity) -> Call {
    match resource {
        Resource::Account => account::read(client, identity).await,
        Resource::SharedCallAppearance => sca::read(client, &identity.user_id).await,
        Resource::Numbers | Resource::Activation => numbers::read(client, resource, identity).await,
        Resource::HuntGroups | Resource::CallCenters => {
            members::read(client, resource, identity).await
        }
        _ => client.read(resource, &identity.user_id).await,
    }
}

/// The fields of an entry `wanted` of list `resource` that say whether a live entry holds
/// it: a membership entry's place (`position`, its neighbours) only says where an agent
/// put back goes (an agent anywhere in the list is a member); a user's account is the user by its names (what a
/// delete recorded of it besides changes as the run goes, its neighbours in a hunt group).
pub fn compared(resource: Resource, wanted: &Value) -> std::borrow::Cow<'_, Value> {
    if resource == Resource::Account {
        return account::compared(wanted);
    }
    match (one_writer(resource), wanted) {
        (true, Value::Object(fields))
            if members::place::KEYS.iter().any(|k| fields.contains_key(*k)) =>
        {
            let mut fields = fields.clone();
            for key in members::place::KEYS {
                fields.remove(key);
            }
            std::borrow::Cow::Owned(Value::Object(fields))
        }
        _ => std::borrow::Cow::Borrowed(wanted),
    }
}

/// Whether `live`, the value of field `key` of `resource` now, is what `desired` asks though
/// spelled otherwise, by the rules of the operation that owns the field (a user's number
/// fields compare as national digits: a record may spell a CLID number `+19871514002`
/// where the plan holds `9871514002`, API.md §12).
pub fn same_field(resource: Resource, key: &str, live: Option<&Value>, desired: &Value) -> bool {
    resource == Resource::User && numbers::same_number(key, live, desired)
}

/// Why the change of entry `key` of the list `resource` to `wanted` is not to be sent, as
/// the user's read of the list (`doc`) shows someone else relies on the entry now (a number
/// the run added, which another user holds since: [`numbers::held`]); `None` when nothing
/// stands in the way. The engine keeps such an entry as it is (the step `drifted`, this the
/// reason) and writes the rest.
pub fn held(resource: Resource, doc: &Value, key: &str, wanted: &Value) -> Option<String> {
    match resource {
        Resource::Numbers => numbers::held(doc, key, wanted),
        _ => None,
    }
}

/// The other resources of the user a resource's rules ([`refused`]) need read before it
/// (SCA: the services, to tell whether the Shared Call Appearance service is assigned).
pub fn needs(resource: Resource) -> &'static [Resource] {
    match resource {
        Resource::SharedCallAppearance => &[Resource::Services],
        _ => &[],
    }
}

/// A document of the user's group a resource's rules need, read once per group with
/// `serviceProviderId` and `groupId`, and put into the resource's read under `key` (a key
/// no entry id can be).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupDoc {
    /// Its `GET` path.
    pub path: &'static str,
    /// Where it goes in the resource's read.
    pub key: &'static str,
}

/// The group document `resource`'s rules need (SCA: the group's devices,
/// `GET /groups/devices`, API.md §13).
pub fn group_doc(resource: Resource) -> Option<GroupDoc> {
    match resource {
        Resource::SharedCallAppearance => Some(GroupDoc {
            path: "/groups/devices",
            key: sca_rules::GROUP_DEVICES,
        }),
        _ => None,
    }
}

/// [`read`] before a run's writes, with the documents [`needs`] names already in `docs`:
/// an SCA read of a user without the service is no request (Odin refuses it; the user has
/// no endpoints).
pub async fn read_with(
    client: &OdinClient,
    resource: Resource,
    identity: &UserIdentity,
    docs: &HashMap<Resource, Value>,
) -> Call {
    if resource == Resource::SharedCallAppearance
        && docs
            .get(&Resource::Services)
            .is_some_and(|listing| !sca_rules::assigned(listing))
    {
        return Call {
            status: None,
            attempts: 0,
            result: Ok(Value::Object(serde_json::Map::new())),
        };
    }
    let absent = docs
        .get(&Resource::Account)
        .is_some_and(|doc| doc.as_object().is_some_and(serde_json::Map::is_empty));
    if absent && !resource.of_group() && resource != Resource::Account {
        // A user the run creates has nothing of its own before: nothing to read.
        return Call {
            status: None,
            attempts: 0,
            result: Ok(Value::Object(serde_json::Map::new())),
        };
    }
    read(client, resource, identity).await
}

/// A rollback entry's changes made whole by the operations whose undo stands for others'
/// (a user deleted takes its own resources with it; one re-created needs a password):
/// see [`account::shape_undo`].
pub fn shape_undo(
    undo: &mut crate::plan::Changes,
    not_restorable: &mut Vec<crate::credentials::Credential>,
) {
    account::shape_undo(undo, not_restorable);
}

/// The user's record among its live documents: its user record's read, else the record
/// its account read holds (a user the run deletes reads nothing else).
pub fn record(live: &HashMap<Resource, Value>) -> Option<&Value> {
    live.get(&Resource::User).or_else(|| {
        live.get(&Resource::Account)?
            .as_object()?
            .values()
            .find(|entry| entry.is_object())
    })
}

/// The requests reading `resource` for `user` takes, at least (the estimate's count): one,
/// but a user's account read before a delete reads everything it holds
/// ([`account::DELETE_READS`]).
pub fn reads(resource: Resource, user: &crate::plan::UserPlan) -> u64 {
    match resource {
        Resource::Account if !absent_before(user) => account::DELETE_READS,
        _ => 1,
    }
}

/// An entry of list `resource` as a message shows it, in a few words (a user's account
/// by its names, not the whole record a delete keeps).
pub fn brief(resource: Resource, entry: &Value) -> String {
    match resource {
        Resource::Account => account::brief(entry),
        _ => entry.to_string(),
    }
}

/// Whether `user` does not exist before its steps run (its plan creates it): of its own
/// resources only its existence is read (API.md §14).
pub fn absent_before(user: &crate::plan::UserPlan) -> bool {
    account::creates(&user.steps)
}

/// The credentials of the user's credentials step that another of its steps sends (a
/// created user's web password goes with its `POST /users`, API.md §14): its credentials
/// step leaves them out.
pub fn carried<'a>(
    steps: impl IntoIterator<Item = &'a crate::plan::Step>,
) -> Vec<crate::credentials::Credential> {
    account::carried(steps)
}

/// Why Odin would refuse `step` of `user`, by its operation's rules and the user's live
/// documents; `None` when nothing is known to fail.
pub fn refused(
    user: &crate::plan::UserPlan,
    step: &crate::plan::Step,
    live: &HashMap<Resource, Value>,
) -> Option<String> {
    match step.resource() {
        Resource::SharedCallAppearance => sca_rules::refused(user, step, live),
        _ => None,
    }
}

/// What the reads of all `users` together show Odin refuses, that no user's own reads
/// show (an SCA line port another user of the sheet holds): (index of the user, why).
/// `live` is each user's documents (`None`: not read).
pub fn refused_together(
    users: &[&crate::plan::UserPlan],
    live: &[Option<&HashMap<Resource, Value>>],
) -> Vec<(usize, String)> {
    sca_rules::held_by_others(users, live)
}

/// The requests writing `body` (a step's body, as the diff makes it) takes against
/// `before` (the resource's read): one for a document; for a list, one per entry, two
/// for an entry whose device changes (a removal and an add).
pub fn requests(resource: Resource, body: &Value, before: &Value) -> u64 {
    match resource {
        Resource::SharedCallAppearance => body
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, after)| sca::requests(before.get(id).filter(|v| !v.is_null()), after))
            .sum(),
        Resource::Account => body
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, after)| account::requests(before.get(id).filter(|v| !v.is_null()), after))
            .sum(),
        _ => 1,
    }
}

/// Write `body` (the changes of one step, without identity keys) to `resource` for
/// `identity`. `before` is the resource as it stood (a list's entries, as [`read`] gives
/// them): a list's entries are written one by one in `body`'s order, and the first that
/// fails ends the write (those before it stay written: the step's undo removes or restores
/// every entry the step names, and the engine re-reads to tell). Attempts add up over the
/// requests sent.
pub async fn write(
    client: &OdinClient,
    identity: &UserIdentity,
    resource: Resource,
    body: &Value,
    before: &Value,
) -> Call {
    write_as(client, (identity, None), resource, body, before).await
}

/// [`write`], with the credentials the user's plan sets (`None` where there are none to
/// hand): a write that must carry one takes it from there (a user created with its web
/// password, API.md §14).
pub async fn write_as(
    client: &OdinClient,
    (identity, credentials): (
        &UserIdentity,
        Option<&crate::credentials::CredentialChanges>,
    ),
    resource: Resource,
    body: &Value,
    before: &Value,
) -> Call {
    match resource {
        Resource::Account => {
            entry_by_entry(body, before, |_, was, after| {
                account::write(client, identity, credentials, was, after)
            })
            .await
        }
        Resource::SharedCallAppearance => {
            entry_by_entry(body, before, |id, was, after| {
                sca::write(client, identity, id, was, after)
            })
            .await
        }
        Resource::Numbers | Resource::Activation => {
            numbers::write(client, identity, resource, body, before).await
        }
        Resource::HuntGroups | Resource::CallCenters => {
            members::write(client, identity, resource, body, before).await
        }
        _ => {
            client
                .write(resource, &identity.stamp(resource, body))
                .await
        }
    }
}

/// A list's entries of `body` written one by one with `one(id, before, after)`, in order,
/// until one fails.
async fn entry_by_entry<'a, F, Fut>(body: &'a Value, before: &'a Value, mut one: F) -> Call
where
    F: FnMut(&'a str, Option<&'a Value>, &'a Value) -> Fut,
    Fut: std::future::Future<Output = Call>,
{
    let mut sent = Call {
        status: None,
        attempts: 0,
        result: Ok(Value::Null),
    };
    for (id, after) in body.as_object().into_iter().flatten() {
        let was = before.get(id).filter(|v| !v.is_null());
        let call = one(id, was, after).await;
        sent.attempts += call.attempts;
        sent.status = call.status.or(sent.status);
        if let Err(error) = call.result {
            sent.result = Err(error);
            return sent;
        }
    }
    sent
}
