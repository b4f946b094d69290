//! Documents of a group that an operation's rules need ([`crate::operation::group_doc`]:
//! the group's devices for SCA endpoints), each read once per group and run, whoever asks
//! first, and shared by the group's users.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::super::placement::GroupKey;
use crate::odin::OdinClient;

/// A group document's answer, or why it could not be read (with the status Odin answered).
type Answer = Result<Value, (String, Option<u16>)>;

/// A group document's answer once read, shared by whoever asks.
type Shared = Arc<tokio::sync::OnceCell<Answer>>;

/// The group documents of one run.
#[derive(Debug, Default)]
pub struct GroupDocs {
    read: Mutex<HashMap<(GroupKey, &'static str), Shared>>,
}

impl GroupDocs {
    /// `GET path?serviceProviderId=&groupId=` of group `key`: read by the first user that
    /// asks, the others wait for it and share its answer.
    pub async fn get(&self, client: &OdinClient, key: &GroupKey, path: &'static str) -> Answer {
        let cell = self
            .read
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((key.clone(), path))
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            let query = [
                ("serviceProviderId", key.0.as_str()),
                ("groupId", key.1.as_str()),
            ];
            let call = client.get(path, &query).await;
            call.result.map_err(|error| {
                (
                    format!("reading `{path}` of group `{}`: {error}", key.1),
                    call.status,
                )
            })
        })
        .await
        .clone()
    }
}
