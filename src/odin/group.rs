//! Group-scale reads (API.md §7a): a whole group's user records, and the Call Forwarding
//! settings of a whole group, one request each instead of one per user.
//!
//! Every read goes through [`OdinClient::get`], so the shared limiter, retries, 401 renewal
//! and 429 handling apply as to any other request. Values are kept exactly as Odin sent them
//! (phone numbers as JSON numbers, `"true"` strings): the caller decides what they mean.
//!
//! How `export` uses it, and how `apply`/`plan --target` can: [`read_group`] once per group,
//! then per user [`GroupUser::user`] stands for `GET /users?userId=` **only for the fields
//! it holds** ([`holds`]: a listing row is a summary, not a record, API.md §7a) and
//! [`GroupUser::settings`] for the bulk services' keys of `GET /users/services/settings`.
//! Whatever a snapshot does not hold (a field the row lacks, other services, policy,
//! assigned services, a bulk service the server does not serve, a user missing from a bulk
//! answer or whose element does not say whether the service is assigned) is read per user.
//! Nothing here reads an absent field as null.

mod kept;
mod parse;
mod service;
mod write;

use std::collections::BTreeMap;

use serde_json::Value;

pub use kept::{list_users_kept, read_bulk_kept, read_bulk_with};
pub(crate) use parse::text_of;
pub use parse::{BulkElement, parse_bulk, parse_bulk_elements, parse_groups, parse_users};
pub use service::{BulkService, BulkShape};
pub use write::{BulkTarget, BulkWriteError, read_target, write_bulk};

use super::{OdinClient, OdinError};
use crate::notation::Segment;

/// One group of a service provider, as `GET /groups` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The service provider (enterprise).
    pub service_provider_id: String,
    /// The group id.
    pub group_id: String,
    /// The display name, when Odin gave one.
    pub group_name: Option<String>,
    /// The most users the group may hold, when Odin gave it.
    pub user_limit: Option<u64>,
}

/// The one filter a user listing may carry (API.md §3), matched by Odin with `*` wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    /// The query parameter: `lastName`, `firstName`, `dn`, `emailAddress`, `extension` or
    /// `userId`.
    pub field: String,
    /// The pattern, e.g. `Tur*`.
    pub pattern: String,
}

impl UserFilter {
    /// The query parameters Odin accepts as the filter.
    pub const FIELDS: [&'static str; 6] = [
        "lastName",
        "firstName",
        "dn",
        "emailAddress",
        "extension",
        "userId",
    ];

    /// The user record key a filter field matches (`dn` is the phone number).
    pub fn record_key(&self) -> &str {
        if self.field == "dn" {
            "phoneNumber"
        } else {
            &self.field
        }
    }

    /// Whether `record` passes the filter, as Odin would judge it: for users read one by
    /// one, which no listing filtered.
    pub fn matches(&self, record: &Value) -> bool {
        let value = match record.get(self.record_key()) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        wildcard(&self.pattern, &value)
    }
}

/// Odin's filter wildcards: `v*`, `*v`, `*v*`, or the exact value.
pub fn wildcard(pattern: &str, value: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(""), _) => true,
        (Some(rest), _) if rest.ends_with('*') => value.contains(&rest[..rest.len() - 1]),
        (Some(suffix), _) => value.ends_with(suffix),
        (None, Some(prefix)) => value.starts_with(prefix),
        (None, None) => value == pattern,
    }
}

/// Why a group read failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GroupReadError {
    /// The server has no such endpoint (404 to a bulk read): read per user instead.
    #[error("`{path}` is not served by this Odin (404); reading per user instead")]
    Unsupported {
        /// The endpoint path.
        path: String,
    },
    /// The service provider or group does not exist (404 to a listing).
    #[error("{}", not_found(what, details))]
    NotFound {
        /// `service provider `SP`` or `group `SP/G``.
        what: String,
        /// Odin's own message.
        details: String,
    },
    /// The request failed (after retries).
    #[error(transparent)]
    Odin(#[from] OdinError),
    /// A 2xx whose body is not the documented shape.
    #[error("unexpected answer from `{path}`: {reason}")]
    Malformed {
        /// The endpoint path.
        path: String,
        /// What was wrong.
        reason: String,
    },
}

/// Top-level keys of the user record that listing rows hold in another shape: `department`
/// is the department's name as text in a row, an object in the record (API.md §7a).
const ROW_SHAPED_OTHERWISE: [&str; 1] = ["department"];

/// Keys of the user record that even extended listing rows lack (API.md §7a, [C] the real
/// example `fixtures/group-users.json`): a change of one of them needs the user's record.
pub const EXTENDED_ROWS_LACK: [&str; 5] = [
    "address",
    "department",
    "emailAddress",
    "nationalPrefix",
    "phoneNumberActivated",
];

/// Whether listing row `row` stands for the record's field at `path` (segments inside the
/// user record, e.g. `address.city`): the row holds the path's top-level key — the whole
/// object when the path goes into one, since a nested object is written whole — in the
/// record's shape. A field it lacks is unknown, never null: read the user's record.
pub fn holds(row: &Value, path: &[Segment]) -> bool {
    let Some(Segment::Key(top)) = path.first() else {
        return false;
    };
    if ROW_SHAPED_OTHERWISE.contains(&top.as_str()) {
        return false;
    }
    match row.get(top) {
        None => false,
        Some(value) if path.len() > 1 => value.is_object() || value.is_array(),
        Some(_) => true,
    }
}

/// One user of a group snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupUser {
    /// The user's listing row: a summary of `GET /users?userId=` that stands only for the
    /// fields it [`holds`].
    pub user: Value,
    /// Per bulk service read: `Some(settings)` as `GET /users/services/settings` holds them
    /// under the service name (without `userId`), `None` when the service is not assigned.
    /// A service missing here was not read for this user: read it per user.
    pub settings: BTreeMap<BulkService, Option<Value>>,
}

impl GroupUser {
    /// The user id of the record (a JSON number is taken as its digits).
    pub fn user_id(&self) -> String {
        parse::text_of(self.user.get("userId")).unwrap_or_default()
    }
}

/// A group's users with the bulk services' settings, read once.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSnapshot {
    /// The service provider.
    pub service_provider_id: String,
    /// The group.
    pub group_id: String,
    /// The users in Odin's listing order (after the filter, when one was given).
    pub users: Vec<GroupUser>,
    /// Bulk services asked for whose endpoint answered 404: read them per user.
    pub unsupported: Vec<BulkService>,
}

/// `GET /groups?serviceProviderId=SP`: the groups of a service provider.
pub async fn list_groups(
    client: &OdinClient,
    service_provider: &str,
) -> Result<Vec<Group>, GroupReadError> {
    let path = "/groups";
    let call = client
        .get(path, &[("serviceProviderId", service_provider)])
        .await;
    let body = listing(call.result, || {
        format!("service provider `{service_provider}`")
    })?;
    parse_groups(&body).map_err(|reason| malformed(path, reason))
}

/// Which listing to read: `GET /users?serviceProviderId=SP[&groupId=G][&FILTER=PATTERN]
/// [&extended=true]`.
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    /// The service provider.
    pub service_provider: &'a str,
    /// The group; `None` lists the whole service provider.
    pub group: Option<&'a str>,
    /// The one filter Odin applies, if any.
    pub filter: Option<&'a UserFilter>,
    /// Ask for the richer rows.
    pub extended: bool,
}

impl Listed<'_> {
    /// The query parameters.
    fn query(&self) -> Vec<(&str, &str)> {
        let mut query = vec![("serviceProviderId", self.service_provider)];
        if let Some(group) = self.group {
            query.push(("groupId", group));
        }
        if self.extended {
            query.push(("extended", "true"));
        }
        if let Some(filter) = self.filter {
            query.push((filter.field.as_str(), filter.pattern.as_str()));
        }
        query
    }

    /// What a 404 says was not found.
    fn what(&self) -> String {
        match self.group {
            Some(group) => format!("group `{}/{group}`", self.service_provider),
            None => format!("service provider `{}`", self.service_provider),
        }
    }
}

/// `GET /users?serviceProviderId=SP[&groupId=G][&FILTER=PATTERN][&extended=true]`: the
/// listing rows of a group, or of the whole service provider when `group` is `None`. Rows
/// are summaries, not records (API.md §7a): use a field only where [`holds`] says so.
/// `extended` asks for the richer rows (names, CLID number, language, time zone, endpoint…).
pub async fn list_users(
    client: &OdinClient,
    service_provider: &str,
    group: Option<&str>,
    filter: Option<&UserFilter>,
    extended: bool,
) -> Result<Vec<Value>, GroupReadError> {
    let listed = Listed {
        service_provider,
        group,
        filter,
        extended,
    };
    list_users_kept(client, listed, Some).await
}

/// `GET /users/{slug}/bulk?serviceProviderId=&groupId=`: user id → its element (settings,
/// `None` = not assigned, and the user summary a bulk write lists); a user whose element
/// does not say is left out (read per user). A 404 is [`GroupReadError::Unsupported`].
pub async fn read_bulk(
    client: &OdinClient,
    service_provider: &str,
    group: &str,
    service: BulkService,
) -> Result<BTreeMap<String, BulkElement>, GroupReadError> {
    read_bulk_kept(client, service_provider, group, service, |_| true).await
}

/// Read a group: its extended listing rows (filtered by Odin when `filter` is given), then
/// each of `services` with its bulk read. `1 + services.len()` requests whatever the
/// group's size.
///
/// Guarantees: users come in Odin's listing order, each once; a bulk service that answered
/// 404 is listed in [`GroupSnapshot::unsupported`] and absent from every user's settings;
/// any other failure fails the whole read (nothing is half-read).
pub async fn read_group(
    client: &OdinClient,
    service_provider: &str,
    group: &str,
    services: &[BulkService],
    filter: Option<&UserFilter>,
) -> Result<GroupSnapshot, GroupReadError> {
    let records = list_users(client, service_provider, Some(group), filter, true).await?;
    let mut users: Vec<GroupUser> = records
        .into_iter()
        .map(|user| GroupUser {
            user,
            settings: BTreeMap::new(),
        })
        .collect();
    let mut unsupported = Vec::new();
    for &service in services {
        if users.is_empty() {
            break;
        }
        match read_bulk(client, service_provider, group, service).await {
            Ok(mut by_user) => {
                for user in &mut users {
                    if let Some(element) = by_user.remove(&user.user_id()) {
                        user.settings.insert(service, element.settings);
                    }
                }
            }
            Err(GroupReadError::Unsupported { .. }) => unsupported.push(service),
            Err(other) => return Err(other),
        }
    }
    Ok(GroupSnapshot {
        service_provider_id: service_provider.to_string(),
        group_id: group.to_string(),
        users,
        unsupported,
    })
}

/// A listing's body, with a 404 told as the thing that was not found.
fn listing<T>(
    result: Result<T, OdinError>,
    what: impl FnOnce() -> String,
) -> Result<T, GroupReadError> {
    match result {
        Ok(body) => Ok(body),
        Err(OdinError::Http {
            status: 404,
            details,
            ..
        }) => Err(GroupReadError::NotFound {
            what: what(),
            details,
        }),
        Err(error) => Err(error.into()),
    }
}

/// `group `SP/G` not found: <Odin's text>`, or Odin's text alone where it says as much.
fn not_found(what: &str, details: &str) -> String {
    if details.contains(what) {
        details.to_string()
    } else {
        format!("{what} not found: {details}")
    }
}

fn malformed(path: &str, reason: String) -> GroupReadError {
    GroupReadError::Malformed {
        path: path.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests;
