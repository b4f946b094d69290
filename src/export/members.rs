//! Hunt group and call center membership in an export (API.md §15): the columns
//! `huntGroups.add` and `callCenters.add`, each user's lists as `;`-separated service user
//! ids in the group's listing order. Each group's listing and lists are read once per
//! export (not per user), so a round trip plans to nothing.

use std::collections::HashMap;

use serde_json::Value;

use super::ExportError;
use crate::odin::{OdinClient, OdinError};
use crate::operation::members::{self, COLUMNS};
use crate::resource::Resource;

/// User id → the lists (service user ids) it is an agent of, in listing order.
pub type Memberships = HashMap<String, Vec<String>>;

/// The membership column one spec names (`huntGroups.add`, `callCenters.add`), `None` when
/// the spec is not one.
pub fn expand(spec: &str) -> Option<Result<Resource, ExportError>> {
    let spec = spec.trim();
    let (_, resource, add) = COLUMNS.iter().find(|(title, ..)| *title == spec)?;
    Some(match add {
        true => Ok(*resource),
        false => Err(ExportError::BadColumn {
            column: spec.to_string(),
            reason: format!(
                "`{spec}` takes users out of lists, it is not a field export can read; export \
                 `{}.add` to see the lists each user is in",
                resource.name()
            ),
        }),
    })
}

/// The column's title.
pub fn title(resource: Resource) -> String {
    format!("{}.add", resource.name())
}

/// Read a group's lists of `resource`: its listing, then each list (one request each).
pub async fn read_group(
    client: &OdinClient,
    resource: Resource,
    group: (&str, &str),
) -> Result<Memberships, OdinError> {
    let listing = members::read_listing(client, resource, group)
        .await
        .result?;
    let mut by_user = Memberships::new();
    for (id, _) in listing {
        let record = members::read_list(client, resource, &id).await.result?;
        for (user, _) in record.agents {
            by_user.entry(user).or_default().push(id.clone());
        }
    }
    Ok(by_user)
}

/// A user's cell: its lists joined with `;`, or nothing.
pub fn value(lists: Option<&Vec<String>>) -> Option<Value> {
    lists
        .filter(|l| !l.is_empty())
        .map(|l| Value::String(l.join(";")))
}
