//! Sending one chunk of a group's list batch: the members' entries merged into one write of
//! the group's list (API.md §12: numbers added in one `POST /groups/dns`, activations in one
//! `PUT /groups/dns`), then each member told whether its entries hold, by what shows the
//! list after the write:
//! - the write's own answer, where it is the whole list (`PUT /groups/dns`);
//! - else nothing yet, where every member writes the same list again later through its
//!   batch (numbers added, then activated): the write is taken on its 2xx, and the later
//!   write's answer shows these entries too (the member judges them then, or reads);
//! - else one read of the list.
//!
//! A write whose answer was lost, or refused after a retry, is judged by that read too
//! ([`crate::apply::landed`]). A member whose entries do not hold, or a chunk whose write
//! fails, writes on its own (its own outcome and error).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::job::{Job, Sent};
use super::{Outcome, worth};
use crate::apply::diff::entry_holds;
use crate::apply::landed::judged_by_read;
use crate::resource::Resource;

impl Job {
    /// Write the chunk's entries of the group's list `resource` with one write, and tell
    /// each member how it fared (see the module).
    pub async fn send_list(self, client: &crate::odin::OdinClient, resource: Resource) -> Sent {
        let mut sent = Sent::default();
        if !worth(self.chunk.len(), 0) && !crate::operation::one_writer(resource) {
            self.reply_alone(&[]);
            return sent;
        }
        // One chunk of a list at a time, each on the list as the one before left it.
        let mut written = match &self.written {
            Some(written) => Some(written.clone().lock_owned().await),
            None => None,
        };
        let (sp, group) = (self.group.0.clone(), self.group.1.clone());
        let mut body = Map::new();
        // What the write needs of the members' reads: each part once, whoever read it.
        let mut context = Map::new();
        for arrival in &self.chunk {
            let Some(list) = &arrival.entries else {
                continue;
            };
            let member = crate::operation::Member {
                user: &list.user,
                order: list.order,
            };
            for (key, entry) in list.entries.as_object().into_iter().flatten() {
                let key = crate::operation::group_key(resource, member, key, entry);
                body.insert(key, entry.clone());
            }
            for (key, value) in list.before.as_object().into_iter().flatten() {
                context.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
        let mut context = Value::Object(context);
        if let Some(last) = written.as_deref() {
            context = crate::operation::context_after(resource, context, last);
        }
        let body = Value::Object(body);
        let group_of = (sp.as_str(), group.as_str());
        // The oldest read the write stands on.
        let read_at = self
            .chunk
            .iter()
            .map(|arrival| arrival.read_at)
            .min()
            .unwrap_or_else(std::time::Instant::now);
        let call =
            crate::operation::write_group(client, group_of, resource, (&body, &context), read_at)
                .await;
        let http_status = call.status.unwrap_or(200);
        let users = self.chunk.len();
        // The write's answer, where it is the whole list and shows every entry written.
        let shown = |answer: &Value| {
            let doc = crate::operation::group_answer(resource, answer)?;
            let mut entries = self
                .chunk
                .iter()
                .filter_map(|a| a.entries.as_ref())
                .flat_map(|list| {
                    let entries = list.entries.as_object().into_iter().flatten();
                    entries.map(|(key, entry)| {
                        crate::operation::group_entry(resource, &list.user, key, entry)
                    })
                });
            let all = entries.all(|(key, entry)| entry.is_null() || doc.get(&key).is_some());
            all.then_some(doc)
        };
        let answer = match call.result {
            Ok(answer) => match shown(&answer) {
                Some(doc) => Some((doc, answer)),
                None if self
                    .chunk
                    .iter()
                    .all(|a| a.entries.as_ref().is_some_and(|l| l.shown_later)) =>
                {
                    // Taken on its 2xx: each member's later write of the list shows it.
                    for arrival in self.chunk {
                        let outcome = Outcome::Applied {
                            http_status,
                            users,
                            unseen: true,
                            seen: None,
                        };
                        let _ = arrival.reply.send(outcome);
                    }
                    return sent;
                }
                None => None,
            },
            Err(error) if judged_by_read(resource, &error, call.attempts) => None,
            Err(error) => {
                sent.warning = Some(format!(
                    "the {resource} of group `{sp}/{group}` could not be written in one request \
                     ({error}); its {users} users were written one by one"
                ));
                self.reply_alone(&[]);
                return sent;
            }
        };
        let (now, answer) = match answer {
            Some(shown) => shown,
            None => {
                let read = crate::operation::read_group(client, group_of, resource, &body).await;
                let read = read.result.ok().and_then(|answer| {
                    Some((crate::operation::group_answer(resource, &answer)?, answer))
                });
                let Some(read) = read else {
                    sent.warning = Some(format!(
                        "the {resource} of group `{sp}/{group}` could not be read after its \
                         write; its users were written one by one"
                    ));
                    self.reply_alone(&[]);
                    return sent;
                };
                read
            }
        };
        if let Some(last) = written.as_deref_mut() {
            *last = answer.clone();
        }
        let seen = (resource, Arc::new(answer));
        for arrival in self.chunk {
            let took = arrival.entries.as_ref().is_some_and(|list| {
                list.entries
                    .as_object()
                    .into_iter()
                    .flatten()
                    .all(|(key, entry)| {
                        let (key, entry) =
                            crate::operation::group_entry(resource, &list.user, key, entry);
                        entry_holds(now.get(&key), &entry)
                    })
            });
            let outcome = match took {
                true => Outcome::Applied {
                    http_status,
                    users,
                    unseen: false,
                    seen: Some(seen.clone()),
                },
                false => Outcome::alone(),
            };
            let _ = arrival.reply.send(outcome);
        }
        sent
    }
}
