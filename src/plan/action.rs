//! A row's `action` (API.md §14): `create` turns the row's required record fields into the
//! user's account entry, `delete` asks for the user's removal and nothing else. Checked
//! here, before anything is read or sent, with the row and the column.

use serde_json::{Map, Value};

use super::merge::ChangeSet;
use super::rows::{Action, Source};
use crate::credentials::Credential;
use crate::notation::Namespace;
use crate::operation::account::REQUIRED;
use crate::problem::{Column, Problem};
use crate::resource::Resource;

/// The flag that lets a sheet delete users.
pub const ALLOW_DELETE: &str = "--allow-delete";

/// Check the user's action and record it as its account entry: a create's required record
/// fields move from its user step into the entry; a delete's entry is null.
pub(super) fn apply(
    set: &mut ChangeSet,
    allow_delete: bool,
    columns: &[Column],
    problems: &mut Vec<Problem>,
) {
    let Some((action, source)) = set.action.clone() else {
        return;
    };
    match action {
        Action::Change => {}
        Action::Create => create(set, &source, columns, problems),
        Action::Delete => delete(set, allow_delete, &source, columns, problems),
    }
}

fn create(set: &mut ChangeSet, source: &Source, columns: &[Column], problems: &mut Vec<Problem>) {
    let mut missing: Vec<String> = Vec::new();
    if set.service_provider_id.is_none() {
        missing.push("`user.serviceProviderId`".into());
    }
    if set.group_id.is_none() {
        missing.push("`user.groupId`".into());
    }
    let mut entry = Map::new();
    for name in REQUIRED {
        let at = set
            .fields
            .iter()
            .position(|(path, _)| path.namespace == Namespace::User && path.relative() == name);
        match at.map(|i| &set.fields[i].1.0) {
            Some(Value::String(text)) if !text.trim().is_empty() => {
                if let Some(i) = at {
                    let (_, (value, _)) = set.fields.remove(i);
                    entry.insert(name.to_string(), value);
                }
            }
            _ => missing.push(format!("`user.{name}`")),
        }
    }
    if !set.credentials.contains_key(&Credential::WebPassword) {
        missing.push("`credentials.webPassword` (a password, or `<generate>`)".into());
    }
    if !missing.is_empty() {
        problems.push(source.problem(
            columns,
            format!(
                "creating user `{}` needs {}: fill {} in on its row",
                set.user_id,
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            ),
        ));
        return;
    }
    let id = set.user_id.clone();
    set.entries.insert(
        (Resource::Account, id),
        (Some(Value::Object(entry)), source.clone()),
    );
}

fn delete(
    set: &mut ChangeSet,
    allow_delete: bool,
    source: &Source,
    columns: &[Column],
    problems: &mut Vec<Problem>,
) {
    if !allow_delete {
        problems.push(source.problem(
            columns,
            format!(
                "deleting user `{}` needs {ALLOW_DELETE} on `plan` and `apply` (a deleted user's \
                 credentials, messages and call logs cannot be brought back); pass it, or clear \
                 this cell",
                set.user_id
            ),
        ));
        return;
    }
    // A deleted user keeps nothing: any other change of its rows has no meaning.
    let mut others: Vec<&Source> = Vec::new();
    others.extend(set.fields.iter().map(|(_, (_, s))| s));
    others.extend(set.services.values().map(|(_, s)| s));
    others.extend(set.credentials.values().map(|(_, s)| s));
    others.extend(set.entries.values().map(|(_, s)| s));
    for other in others {
        problems.push(other.problem(
            columns,
            format!(
                "{} deletes user `{}`: clear this cell (a deleted user keeps nothing)",
                source.describe(columns),
                set.user_id
            ),
        ));
    }
    let id = set.user_id.clone();
    set.entries
        .insert((Resource::Account, id), (None, source.clone()));
}

/// Where a user's plan goes in the run: creates first, deletes last (API.md §14; issue
/// order: creates before changes, deletes after every list the run changes).
pub(super) fn rank(action: Option<Action>) -> u8 {
    match action {
        Some(Action::Create) => 0,
        None | Some(Action::Change) => 1,
        Some(Action::Delete) => 2,
    }
}
