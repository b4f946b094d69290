//! Bulk writes (API.md §10): one `PUT` changes many users of a group, and one group read
//! tells what each of them holds afterwards.
//!
//! What Odin answers when some listed users cannot take the change is unknown (the request
//! may fail whole, or skip them silently), and Odin's own front end ignores the answer and
//! reads the group again: so does sleipnir. [`write_bulk`] only says whether the request
//! was taken; [`read_target`] is what decides each user.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::{
    BulkService, GroupReadError, Listed, OdinClient, OdinError, list_users_kept, read_bulk_kept,
};

/// What one bulk write changes for every user it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BulkTarget {
    /// User-record fields: `PUT /users/bulk` (API.md §3).
    UserRecord,
    /// One service's settings: `PUT /users/{slug}/bulk` (API.md §10); only
    /// [`BulkService::writable`] ones.
    Service(BulkService),
}

impl BulkTarget {
    /// The path of the write.
    pub fn path(self) -> String {
        match self {
            BulkTarget::UserRecord => "/users/bulk".to_string(),
            BulkTarget::Service(service) => service.path(),
        }
    }
}

impl std::fmt::Display for BulkTarget {
    /// `the user record`, or the service's name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BulkTarget::UserRecord => f.write_str("the user record"),
            BulkTarget::Service(service) => write!(f, "{service}"),
        }
    }
}

/// Why a bulk write was not taken.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BulkWriteError {
    /// The server has no such write (404, or 405 where the path is served for reads only):
    /// write these users one by one, and send no more bulk writes there.
    #[error("`PUT {path}` is not served by this Odin ({status})")]
    NotServed {
        /// The path.
        path: String,
        /// 404 or 405.
        status: u16,
    },
    /// The request failed (a 400 for the whole request, or a failure after retries).
    #[error("`PUT {path}` was refused: {error}")]
    Failed {
        /// The path.
        path: String,
        /// Odin's answer.
        error: OdinError,
    },
}

/// `PUT {target path}` with `{"users": users, "data": data}`: `users` as the group read
/// listed them (API.md §10: the rows of the `/bulk` read, or of the listing for the user
/// record), `data` only the fields to change. The HTTP status of a taken request; its
/// answer is not read (unknown, API.md §10): verify with [`read_target`].
pub async fn write_bulk(
    client: &OdinClient,
    target: BulkTarget,
    users: &[Value],
    data: &Map<String, Value>,
) -> Result<u16, BulkWriteError> {
    let path = target.path();
    let body = json!({ "users": users, "data": data });
    let call = client.put_bulk(&path, &body).await;
    match call.result {
        Ok(_) => Ok(call.status.unwrap_or(200)),
        Err(error) => match error.status() {
            Some(status @ (404 | 405)) => Err(BulkWriteError::NotServed { path, status }),
            _ => Err(BulkWriteError::Failed { path, error }),
        },
    }
}

/// What a group holds now for `target`, for the users `keep` names, per user id: the
/// extended listing row (user record) or the service's settings (`Null` where the service
/// is not assigned). A user the read does not speak for is absent. Only the kept users'
/// parts of the answer are held (a large group's answer is megabytes).
pub async fn read_target(
    client: &OdinClient,
    (service_provider, group): (&str, &str),
    target: BulkTarget,
    keep: impl Fn(&str) -> bool,
) -> Result<HashMap<String, Value>, GroupReadError> {
    match target {
        BulkTarget::UserRecord => {
            let listed = Listed {
                service_provider,
                group: Some(group),
                filter: None,
                extended: true,
            };
            let kept = |row: Value| {
                let id = super::text_of(row.get("userId"))?;
                keep(&id).then_some(row)
            };
            let rows = list_users_kept(client, listed, kept).await?;
            Ok(rows
                .into_iter()
                .filter_map(|row| Some((super::text_of(row.get("userId"))?, row)))
                .collect())
        }
        BulkTarget::Service(service) => {
            let elements = read_bulk_kept(client, service_provider, group, service, keep).await?;
            Ok(elements
                .into_iter()
                .map(|(id, element)| (id, element.settings.unwrap_or(Value::Null)))
                .collect())
        }
    }
}
