//! Sending one chunk of a batch: its bulk writes, one per target, then one group read per
//! target that tells each member whether it took the change.

use std::collections::HashSet;

use serde_json::Value;

use super::{Arrival, Outcome, Parts, worth};
use crate::apply::diff::same;
use crate::live::placement::GroupKey;
use crate::odin::OdinClient;
use crate::odin::group::{self, BulkTarget, BulkWriteError};

/// One chunk of a batch, to send.
#[derive(Debug)]
pub(super) struct Job {
    pub group: GroupKey,
    pub parts: Parts,
    pub chunk: Vec<Arrival>,
    /// A group's own list the chunk writes (its members' entries merged), instead of parts.
    pub list: Option<crate::resource::Resource>,
    /// For a group's own list: the list as the run's last write left it (see `Batch`).
    pub written: Option<super::Written>,
}

/// What sending a chunk taught the run.
#[derive(Debug, Default)]
pub(super) struct Sent {
    pub warning: Option<String>,
    pub not_served: Option<BulkTarget>,
}

/// A chunk whose bulk write Odin refused whole with a 400, untouched (no member answered):
/// what was taken before (earlier targets), and what the run learnt.
type Refused = (Job, Vec<BulkTarget>, Sent);

impl Job {
    /// Write the chunk (one request per target), read back each target once, and tell
    /// each member how it fared. `served`: no target is known to be unserved.
    ///
    /// A chunk refused whole (400: a server that fails a bulk write some listed user
    /// cannot take, API.md §10) is split in halves and each sent again, so that one user
    /// who cannot take the change costs a few requests, not its whole chunk written one by
    /// one; where both halves are refused too, their users are written one by one.
    pub async fn send(self, client: &OdinClient, served: bool) -> Sent {
        match self.try_send(client, served).await {
            Ok(sent) => sent,
            Err((job, taken, sent)) => {
                let mut sent = sent;
                let found = Box::pin(job.bisect(client, taken)).await;
                sent.warning = sent.warning.or(found.warning);
                sent
            }
        }
    }

    /// Send the two halves of a refused chunk; see [`Job::send`].
    async fn bisect(self, client: &OdinClient, taken: Vec<BulkTarget>) -> Sent {
        let half = self.chunk.len() / 2;
        if !worth(half, self.parts.len()) {
            self.reply_alone(&taken);
            return Sent::default();
        }
        let (group, parts) = (self.group.clone(), self.parts.clone());
        let mut left = self.chunk;
        let right = left.split_off(half);
        let halves = [left, right].map(|chunk| Job {
            group: group.clone(),
            parts: parts.clone(),
            chunk,
            list: None,
            written: None,
        });
        let [left, right] = halves;
        let mut refused = Vec::new();
        for half in [left, right] {
            if let Err(refusal) = half.try_send(client, true).await {
                refused.push(refusal);
            }
        }
        match refused.len() {
            // One half refused, the other taken: the users who cannot take it are there.
            1 => {
                let (job, taken, _) = refused.remove(0);
                Box::pin(job.bisect(client, taken)).await
            }
            _ => {
                for (job, taken, _) in refused {
                    job.reply_alone(&taken);
                }
                Sent::default()
            }
        }
    }

    /// [`Job::send`] without splitting: a 400 to a write gives the chunk back untouched.
    async fn try_send(self, client: &OdinClient, served: bool) -> Result<Sent, Refused> {
        let mut sent = Sent::default();
        if !served || !worth(self.chunk.len(), self.parts.len()) {
            self.reply_alone(&[]);
            return Ok(sent);
        }
        let (sp, group) = (&self.group.0, &self.group.1);
        let mut http_status = 200;
        let mut taken = Vec::new();
        for (target, data) in self.parts.iter() {
            let users: Vec<Value> = self
                .chunk
                .iter()
                .map(|a| a.rows.get(target).cloned().unwrap_or(Value::Null))
                .collect();
            match group::write_bulk(client, *target, &users, data).await {
                Ok(status) => {
                    http_status = status;
                    taken.push(*target);
                }
                Err(BulkWriteError::Failed { error, path }) if error.status() == Some(400) => {
                    sent.warning = Some(format!(
                        "`PUT {path}` was refused whole ({error}); its {} users of group \
                         `{sp}/{group}` were sent again in halves to find who cannot take it",
                        self.chunk.len()
                    ));
                    return Err((self, taken, sent));
                }
                Err(error) => {
                    if let BulkWriteError::NotServed { .. } = error {
                        sent.not_served = Some(*target);
                    }
                    sent.warning = Some(format!(
                        "{error}; its {} users of group `{sp}/{group}` were written one by one",
                        self.chunk.len()
                    ));
                    self.reply_alone(&taken);
                    return Ok(sent);
                }
            }
        }
        // Each member took the change only where the group now holds its desired values.
        let mut took = vec![Vec::new(); self.chunk.len()];
        for (target, data) in self.parts.iter() {
            let ids: HashSet<String> = self
                .chunk
                .iter()
                .filter_map(|a| group::text_of(a.rows.get(target)?.get("userId")))
                .collect();
            let keep = |id: &str| ids.contains(id);
            let live = match group::read_target(client, (sp, group), *target, keep).await {
                Ok(live) => live,
                Err(error) => {
                    sent.warning = Some(format!(
                        "group `{sp}/{group}` could not be read after a bulk write ({error}); \
                         its users were written one by one"
                    ));
                    self.reply_alone(&taken);
                    return Ok(sent);
                }
            };
            for (arrival, took) in self.chunk.iter().zip(took.iter_mut()) {
                let id = arrival
                    .rows
                    .get(target)
                    .and_then(|row| group::text_of(row.get("userId")));
                let now = id.and_then(|id| live.get(&id));
                if now.is_some_and(|now| {
                    data.iter()
                        .all(|(field, desired)| same(now.get(field), desired))
                }) {
                    took.push(*target);
                }
            }
        }
        let users = self.chunk.len();
        let targets = self.parts.len();
        for (arrival, landed) in self.chunk.into_iter().zip(took) {
            let outcome = if landed.len() == targets {
                Outcome::Applied {
                    http_status,
                    users,
                    unseen: false,
                    seen: None,
                }
            } else {
                Outcome::Alone { landed }
            };
            let _ = arrival.reply.send(outcome);
        }
        Ok(sent)
    }

    pub(super) fn reply_alone(self, landed: &[BulkTarget]) {
        for arrival in self.chunk {
            let landed = landed.to_vec();
            let _ = arrival.reply.send(Outcome::Alone { landed });
        }
    }
}
