//! Reading one group: its listing rows and `/bulk` elements, kept as compact text for the
//! run's users of the group only, and its number list when its users' numbers change.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use serde_json::Value;

use super::{GroupReads, IDENTITY, Member, Snapshot, Wanted, text};
use crate::live::placement::GroupKey;
use crate::odin::OdinClient;
use crate::odin::group::{self, GroupReadError};
use crate::operation::numbers;

impl GroupReads {
    /// Read a group, keeping the users `keep` names; one that cannot be read holds nobody
    /// (per-user reads).
    pub(super) async fn read(
        &self,
        key: &GroupKey,
        wanted: &Wanted,
        client: &OdinClient,
        keep: impl Fn(&str) -> bool,
    ) -> Snapshot {
        let (sp, group) = (key.0.as_str(), key.1.as_str());
        let mut read_at = Instant::now();
        let mut users: HashMap<String, Member> = HashMap::new();
        let mut unsupported = Vec::new();
        let mut extensions = HashMap::new();
        if wanted.users {
            // Each row is trimmed as it is read, only the run's users of the group kept, and
            // kept as text.
            let trim = |mut row: Value| {
                let id = group::text_of(row.get("userId"))?;
                // Every user's extension, where the group's users change extensions: who
                // holds one is refused to another (API.md §12).
                if wanted.extensions
                    && let Some(extension) = group::text_of(row.get("extension"))
                    && !extension.is_empty()
                {
                    extensions.insert(extension, id.clone());
                }
                if !keep(&id) {
                    return None;
                }
                if let Value::Object(fields) = &mut row {
                    fields.retain(|key, _| {
                        IDENTITY.contains(&key.as_str()) || wanted.row_keys.contains(key)
                    });
                }
                Some((id, text(&row)))
            };
            let listed = group::Listed {
                service_provider: sp,
                group: Some(group),
                filter: None,
                extended: true,
            };
            match group::list_users_kept(client, listed, trim).await {
                Ok(rows) => {
                    users.reserve(rows.len());
                    for (id, row) in rows {
                        let row = Some(row);
                        users.insert(
                            id,
                            Member {
                                row,
                                ..Member::default()
                            },
                        );
                    }
                }
                Err(error) => return self.unreadable(sp, group, &error),
            }
        }
        for &service in &wanted.services {
            // A summary is what a bulk write lists the user as: kept only where one may be
            // sent; each element is kept as text as it is read.
            let summaries = service.writable() && wanted.summaries;
            let kept = |id: String, element: group::BulkElement| {
                if !keep(&id) {
                    return None;
                }
                let summary = summaries.then(|| text(&element.summary));
                Some((id, element.settings.as_ref().map(text), summary))
            };
            match group::read_bulk_with(client, (sp, group), service, kept).await {
                Ok(by_user) => {
                    for (user_id, settings, summary) in by_user {
                        let user = users.entry(user_id).or_default();
                        user.settings.retain(|(s, _)| *s != service);
                        user.settings.push((service, settings));
                        user.summaries.retain(|(s, _)| *s != service);
                        user.summaries
                            .extend(summary.map(|summary| (service, summary)));
                    }
                }
                Err(GroupReadError::Unsupported { path }) => {
                    self.warn_once(&format!(
                        "`{path}` answered 404: its settings are read per user"
                    ));
                    unsupported.push(service);
                }
                Err(error) => return self.unreadable(sp, group, &error),
            }
        }
        let mut others = HashMap::new();
        for (&resource, keys) in &wanted.keys {
            let listing = self
                .listings
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&(key.clone(), resource))
                .cloned();
            let listing = listing.as_deref();
            let call =
                crate::operation::read_group_keys(client, (sp, group), resource, keys, listing)
                    .await;
            match call.result {
                Ok(answer) => {
                    others.insert(resource, Arc::new(answer));
                }
                // Its users read their lists one by one, and say why it fails.
                Err(error) => self.warn_once(&format!(
                    "the {resource} of group `{sp}/{group}` could not be read ({error}); its \
                     users read them one by one"
                )),
            }
        }
        // The number list, where a list of the group's other than those is wanted.
        let numbers_wanted = wanted.lists.iter().any(|r| !wanted.keys.contains_key(r));
        let mut numbers = None;
        let seeded = self
            .seeded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key)
            .filter(|(at, _)| at.elapsed() < self.max_age);
        if let Some((at, list)) = seeded.filter(|_| numbers_wanted) {
            // Read just before the run: the group's read is as old as its oldest part.
            numbers = Some(list);
            read_at = read_at.min(at);
            tracing::debug!(sp, group, "number list as read before the run");
        } else if numbers_wanted {
            let call = numbers::read_group(client, sp, group).await;
            match call.result {
                Ok(list) => numbers = Some(Arc::new(list)),
                Err(error) => {
                    // Its users read the list one by one, and say why it fails.
                    self.warn_once(&format!(
                        "the number list of group `{sp}/{group}` could not be read ({error}); \
                         its users read it one by one"
                    ));
                }
            }
        }
        tracing::debug!(sp, group, users = users.len(), "group read");
        Snapshot {
            read_at,
            users,
            unsupported,
            numbers,
            others,
            extensions: (wanted.extensions && wanted.users).then(|| Arc::new(extensions)),
        }
    }

    /// A group that could not be read (a 404: no such group, or a server without the
    /// listing; or a failure after retries) holds nobody: its users are read one by one, and
    /// the group is tried again only once the bound has passed.
    pub(super) fn unreadable(&self, sp: &str, group: &str, error: &GroupReadError) -> Snapshot {
        self.warn_once(&format!(
            "group `{sp}/{group}` could not be read ({error}); its users are read one by one"
        ));
        Snapshot {
            read_at: Instant::now(),
            users: HashMap::new(),
            unsupported: Vec::new(),
            numbers: None,
            others: HashMap::new(),
            extensions: None,
        }
    }

    pub(super) fn warn_once(&self, message: &str) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!("{message}");
            *self.warning.lock().unwrap_or_else(PoisonError::into_inner) = Some(message.into());
        }
    }
}
