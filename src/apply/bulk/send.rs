//! Sending batches: when a batch goes (`send_ready`, and `send_by` at its deadline), and
//! the task that sends one chunk of it ([`Job`]) and records what the run learnt.

use std::sync::{Arc, PoisonError};
use std::time::Instant;

use super::job::Job;
use super::{Arrival, BatchKey, Batches, BulkWrites};
use crate::odin::group::BulkTarget;

impl BulkWrites {
    /// Send `key`'s waiting members, whoever has not arrived, at `deadline` if the first
    /// of them is still waiting then: a group read stands for their before-state only so
    /// long (their rollback entries hold it).
    pub(super) fn send_by(self: &Arc<Self>, key: Arc<BatchKey>, deadline: Instant) {
        let bulk = Arc::downgrade(self);
        tokio::spawn(async move {
            tokio::time::sleep_until(deadline.into()).await;
            let Some(bulk) = bulk.upgrade() else {
                return;
            };
            let mut batches = bulk.lock();
            let due = batches.by_key.get(&key).is_some_and(|batch| {
                batch
                    .arrived
                    .first()
                    .is_some_and(|a| a.read_at + bulk.max_age <= Instant::now())
            });
            if due {
                bulk.send_ready(&mut batches, Some(&key), true);
            }
        });
    }

    /// Send every batch (or just `only`) that is ready: `bulk_size` members arrived, or
    /// every member that could still arrive has; with `now`, `only` goes with whom it has.
    pub(super) fn send_ready(
        &self,
        batches: &mut Batches,
        only: Option<&Arc<BatchKey>>,
        now: bool,
    ) {
        let paused = batches.paused;
        let mut sent = 0;
        let keys: Vec<Arc<BatchKey>> = match only {
            Some(key) => vec![key.clone()],
            None => batches.by_key.keys().cloned().collect(),
        };
        for key in keys {
            let counted = self.counts(&key);
            let Some(batch) = batches.by_key.get_mut(&key) else {
                continue;
            };
            let most = if counted {
                self.bulk_size.max(1)
            } else {
                usize::MAX
            };
            loop {
                let full = batch.arrived.len() >= most;
                let last = !batch.arrived.is_empty()
                    && (now || batch.in_flight == 0 && (batch.unstarted == 0 || paused));
                if !full && !last {
                    break;
                }
                let take = batch.arrived.len().min(most);
                let chunk: Vec<Arrival> = batch.arrived.drain(..take).collect();
                if counted {
                    sent += chunk.len();
                }
                let job = Job {
                    group: key.group.clone(),
                    parts: batch.parts.clone(),
                    chunk,
                    list: key.resource.of_group().then_some(key.resource),
                    written: key.resource.of_group().then(|| batch.written.clone()),
                };
                self.spawn(job);
            }
        }
        batches.waiting -= sent;
    }

    fn spawn(&self, job: Job) {
        let client = self.client.clone();
        let (warning, not_served) = (self.warning.clone(), self.not_served.clone());
        let sending = self.sending.clone();
        tokio::spawn(async move {
            let served = |target: &BulkTarget| {
                !not_served
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .contains(target)
            };
            let served = job.parts.iter().all(|(target, _)| served(target));
            let turn = sending.acquire_owned().await;
            let sent = match job.list {
                Some(resource) => job.send_list(&client, resource).await,
                None => job.send(&client, served).await,
            };
            drop(turn);
            if let Some(message) = sent.warning {
                tracing::warn!("{message}");
                warning
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get_or_insert(message);
            }
            if let Some(target) = sent.not_served {
                not_served
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(target);
            }
        });
    }
}
