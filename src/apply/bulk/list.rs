//! Sending one chunk of a group's list batch: the members' entries merged into one write of
//! the group's list (API.md §12: numbers added in one `POST /groups/dns`, activations in one
//! `PUT /groups/dns`), then one read of the list that tells each member whether its entries
//! hold. A member whose entries do not hold, or a chunk whose write fails, writes on its
//! own (its own outcome and error).

use serde_json::{Map, Value};

use super::job::{Job, Sent};
use super::{Outcome, worth};
use crate::apply::diff::entry_holds;
use crate::resource::Resource;

impl Job {
    /// Write the chunk's entries of the group's list `resource` with one write, read the
    /// list back once, and tell each member how it fared.
    pub async fn send_list(self, client: &crate::odin::OdinClient, resource: Resource) -> Sent {
        let mut sent = Sent::default();
        if !worth(self.chunk.len(), 0) {
            self.reply_alone(&[]);
            return sent;
        }
        let (sp, group) = (self.group.0.clone(), self.group.1.clone());
        let mut body = Map::new();
        let mut context = Value::Null;
        for arrival in &self.chunk {
            let Some((entries, before)) = &arrival.entries else {
                continue;
            };
            for (key, entry) in entries.as_object().into_iter().flatten() {
                let key = crate::operation::group_key(resource, key, entry);
                body.insert(key, entry.clone());
            }
            if context.is_null() {
                context = before.clone();
            }
        }
        let body = Value::Object(body);
        let group_of = (sp.as_str(), group.as_str());
        let call = crate::operation::write_group(client, group_of, resource, &body, &context).await;
        let http_status = call.status.unwrap_or(200);
        // A write refused after it was sent more than once may be the refusal of a repeat
        // of one that landed (adding a number already added): the read below tells.
        if let Err(error) = &call.result
            && call.attempts < 2
        {
            sent.warning = Some(format!(
                "the {resource} of group `{sp}/{group}` could not be written in one request \
                 ({error}); its {} users were written one by one",
                self.chunk.len()
            ));
            self.reply_alone(&[]);
            return sent;
        }
        let read = crate::operation::read_group(client, group_of, resource).await;
        let Ok(now) = read.result else {
            sent.warning = Some(format!(
                "the {resource} of group `{sp}/{group}` could not be read after its write; its \
                 users were written one by one"
            ));
            self.reply_alone(&[]);
            return sent;
        };
        let users = self.chunk.len();
        for arrival in self.chunk {
            let took = arrival.entries.as_ref().is_some_and(|(entries, _)| {
                entries
                    .as_object()
                    .into_iter()
                    .flatten()
                    .all(|(key, entry)| {
                        let key = crate::operation::group_key(resource, key, entry);
                        entry_holds(now.get(&key), &without_number(entry))
                    })
            });
            let outcome = match took {
                true => Outcome::Applied { http_status, users },
                false => Outcome::alone(),
            };
            let _ = arrival.reply.send(outcome);
        }
        sent
    }
}

/// An entry without the number it names (a group's read keys entries by number).
fn without_number(entry: &Value) -> Value {
    match entry {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(key, _)| key.as_str() != crate::operation::numbers::NUMBER)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}
