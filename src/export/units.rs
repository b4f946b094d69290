//! What an export reads, unit by unit: the named groups, the groups of the named service
//! providers, the file's users of known groups (by group), and the rest of the file's users
//! in batches read one by one.

use std::collections::HashSet;

use super::ExportError;
use super::selection::Selection;
use crate::odin::OdinClient;
use crate::odin::group::{self, GroupReadError};

/// A unit of reading: a group (all of it, or only some users), or users read one by one.
pub(super) enum Unit {
    Group {
        sp: String,
        group: String,
        only: Option<HashSet<String>>,
    },
    Users(Vec<String>),
}

/// The units in selection order: named groups, service providers' groups, the file's
/// users of known groups (by group), then the rest of the file's users in batches.
pub(super) async fn units(
    client: &OdinClient,
    selection: &Selection,
    batch: usize,
) -> Result<Vec<Unit>, ExportError> {
    let mut groups: Vec<(String, String)> = selection.groups.clone();
    for sp in &selection.service_providers {
        let listed = group::list_groups(client, sp)
            .await
            .map_err(|e| fatal(e, sp))?;
        groups.extend(
            listed
                .into_iter()
                .map(|g| (g.service_provider_id, g.group_id)),
        );
    }
    let mut whole: HashSet<(String, String)> = HashSet::new();
    let mut units = Vec::new();
    for key in groups {
        if whole.insert(key.clone()) {
            units.push(Unit::Group {
                sp: key.0,
                group: key.1,
                only: None,
            });
        }
    }
    let mut partial: Vec<((String, String), HashSet<String>)> = Vec::new();
    let mut loose = Vec::new();
    for (user_id, home) in &selection.users {
        match home {
            Some(key) if whole.contains(key) => {}
            Some(key) => match partial.iter_mut().find(|(k, _)| k == key) {
                Some((_, ids)) => {
                    ids.insert(user_id.clone());
                }
                None => partial.push((key.clone(), HashSet::from([user_id.clone()]))),
            },
            None => loose.push(user_id.clone()),
        }
    }
    for ((sp, group), ids) in partial {
        units.push(Unit::Group {
            sp,
            group,
            only: Some(ids),
        });
    }
    for chunk in loose.chunks(batch.max(1)) {
        units.push(Unit::Users(chunk.to_vec()));
    }
    Ok(units)
}

fn fatal(error: GroupReadError, what: &str) -> ExportError {
    match error {
        GroupReadError::NotFound { what, details } => ExportError::NotFound { what, details },
        GroupReadError::Odin(source) => ExportError::Odin {
            what: what.to_string(),
            source,
        },
        other => ExportError::Odin {
            what: what.to_string(),
            source: crate::odin::OdinError::Decode(other.to_string()),
        },
    }
}
