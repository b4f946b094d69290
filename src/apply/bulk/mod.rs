//! Bulk writes (API.md §10): users of one group whose step asks the identical change of
//! bulk-writable fields (one service's settings, or user-record fields) are written with
//! one `PUT …/bulk` per chunk of at most `bulk_size` users, then one group read decides each
//! of them: the live values equal the desired ones → `applied`; anything else → that user
//! writes its step on its own, which gives it its own outcome and error.
//!
//! How it fits the worker pool: a user's worker runs its steps in order as ever; at a step
//! planned for a bulk write it records its `writing` journal line (its rollback entry is on
//! disk already) and *arrives* at its batch, giving its worker slot back while it waits, so
//! that the dispatcher starts the batch's other users. A batch is sent once every member the
//! plan gives it has arrived or cannot any more (its step is unchanged, an earlier step
//! failed, it was never started, the run paused for the canary or stopped), or once
//! `bulk_size` have arrived, or before its first member's group read is `max_age` old, or
//! when the waiting limit is reached (see [`BulkWrites`]; a batch of a group's own list is
//! one write whatever its size, so its members neither count towards that limit nor split
//! into chunks, outside a breaker's slow start). Members are known from the plan:
//! users of a group read at group scale whose step patch is the same, where [`worth`] says
//! a bulk write and its verification cost fewer requests than the users' own writes.
//!
//! A bulk write that is not served (404/405) sends its users to their own writes and no
//! more bulk writes go to that path; one refused whole (a 400: a listed user could not take
//! the change) is sent again in halves to find who cannot (`job.rs`); one failing after
//! retries sends that chunk's users to their own writes. One warning says so.

mod job;
mod list;
mod outcome;
mod parts;
mod pending;
mod send;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::{Semaphore, oneshot};

use crate::live::placement::GroupKey;
use crate::odin::OdinClient;
use crate::odin::group::BulkTarget;
use crate::plan::UserPlan;
use crate::resource::Resource;
pub use outcome::{Carried, ListEntries, ListSeen, Outcome};
pub use parts::{Tally, shared_groups, tally, targets_of};
use parts::{hash, parts_of};
pub use pending::Pending;

/// The most users one bulk write lists, unless `--bulk-size` says otherwise. No source
/// gives Odin's limit (its front end sends whatever rows are selected, API.md §10); 200
/// users of the listing's summaries make a body of about 50 KB, and a group of 200 costs
/// one write and one verifying read.
pub const DEFAULT_BULK_SIZE: usize = 200;

/// The fewest users a bulk write is sent for: it costs one write and one verifying read
/// per target, where the users' own writes cost one each.
pub const AT_LEAST: usize = 3;

/// Chunks sent (written and verified) at once.
const SENDING: usize = 2;

/// Whether a bulk write of `users` users with `targets` targets saves requests: it costs
/// two per target (the write and its verifying read), the users' own writes one each.
pub fn worth(users: usize, targets: usize) -> bool {
    users >= AT_LEAST && users > 2 * targets
}

/// What a batch writes: a group, and one step's patch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BatchKey {
    group: GroupKey,
    resource: Resource,
    /// The patch as compact JSON.
    patch: String,
}

/// What a batch writes: per target, the fields to change.
type Parts = Arc<Vec<(BulkTarget, Map<String, Value>)>>;

/// A planned batch: what it writes, by target, and where its members stand.
#[derive(Debug)]
struct Batch {
    parts: Parts,
    /// Members the dispatcher has not started yet.
    unstarted: usize,
    /// Members started that have neither arrived nor dropped out.
    in_flight: usize,
    arrived: Vec<Arrival>,
    /// For a group's own list: the list as this run's last write of it left it (null
    /// before one), held by the chunk writing it, so that the chunks of one list are
    /// written one after the other, each on what the one before left.
    written: Written,
}

/// A group's list as a run's last write of it left it, locked while a chunk writes it.
pub(super) type Written = Arc<tokio::sync::Mutex<Value>>;

/// A member waiting for its batch.
#[derive(Debug)]
struct Arrival {
    rows: HashMap<BulkTarget, Value>,
    reply: oneshot::Sender<Outcome>,
    /// When the member's before-state was read (its group's read).
    read_at: Instant,
    /// For a batch of a group's list: the member's entries to write, and its read of the
    /// list (what the write needs of it).
    entries: Option<ListEntries>,
}

#[derive(Debug, Default)]
struct Batches {
    by_key: HashMap<Arc<BatchKey>, Batch>,
    /// The dispatcher holds back unstarted users (the canary is being decided).
    paused: bool,
    /// Members waiting in all batches.
    waiting: usize,
}

/// The bulk writes of one run, shared by its workers and its dispatcher.
#[derive(Debug)]
pub struct BulkWrites {
    bulk_size: usize,
    /// How long a group read stands for a user's before-state: a batch is sent before it
    /// has passed since its first member's read.
    max_age: Duration,
    /// Chunks sent or verified at once: a verifying read of a large group is its whole
    /// answer (megabytes; a `/bulk` read takes no filter), so only this many are held.
    sending: Arc<Semaphore>,
    /// The most members waiting at once, all batches together: `bulk_size`, or, in a run
    /// with a breaker (`--max-failures`, `--max-failure-rate`), a slow start from the
    /// worker count that grows by one with each user that ends, so that failures surface
    /// while few users are in flight.
    waiting_limit: Arc<AtomicUsize>,
    /// Whether the run has a breaker: past the limit, an arriving member's own batch goes
    /// and the member keeps its slot (the dispatcher starts no one meanwhile).
    slow_start: bool,
    client: Arc<OdinClient>,
    /// The run's worker slots: a waiting member gives its slot back.
    slots: Arc<Semaphore>,
    /// (user id, step index) → the batch of that step.
    members: HashMap<(String, usize), Arc<BatchKey>>,
    batches: Mutex<Batches>,
    not_served: Arc<Mutex<HashSet<BulkTarget>>>,
    warning: Arc<Mutex<Option<String>>>,
}

impl BulkWrites {
    /// Plan the batches of `users`: per group `key_of` gives (`None`: not read at group
    /// scale), the steps with the same bulk-writable patch, where at least [`AT_LEAST`]
    /// users share one (`tally`, from [`tally`]). A `bulk_size` of zero plans none.
    pub fn plan(
        users: &[UserPlan],
        (key_of, tally): (impl Fn(&UserPlan) -> Option<GroupKey>, &Tally),
        (bulk_size, max_age): (usize, Duration),
        (client, slots): (Arc<OdinClient>, Arc<Semaphore>),
        slow_start: Option<usize>,
    ) -> BulkWrites {
        let mut keys: HashMap<Arc<BatchKey>, (Parts, usize)> = HashMap::new();
        let mut members = HashMap::new();
        for user in users {
            let Some(group) = key_of(user) else {
                continue;
            };
            for (index, step) in user.steps.iter().enumerate() {
                // A list written whole goes through its group's one writer even where the
                // run plans no bulk writes (`--bulk-size 0`): users' own writes of one list
                // would undo each other.
                if bulk_size == 0 && !crate::operation::one_writer(step.resource()) {
                    continue;
                }
                if step.resource().of_group() {
                    // A group's own list: the group's members' entries go in one write,
                    // whatever each sets.
                    let key = Arc::new(BatchKey {
                        group: group.clone(),
                        resource: step.resource(),
                        patch: String::new(),
                    });
                    let (_, count) = keys
                        .entry(key.clone())
                        .or_insert_with(|| (Arc::default(), 0));
                    *count += 1;
                    let key = keys.get_key_value(&key).map_or(key, |(k, _)| k.clone());
                    members.insert((user.user_id.clone(), index), key);
                    continue;
                }
                let patch = Value::Object(step.patch().into_owned()).to_string();
                let counted = (group.clone(), step.resource(), hash(&patch));
                if tally.get(&counted).is_none_or(|n| *n < AT_LEAST) {
                    continue;
                }
                let Some(parts) = parts_of(step) else {
                    continue;
                };
                let key = Arc::new(BatchKey {
                    group: group.clone(),
                    resource: step.resource(),
                    patch,
                });
                let (_, count) = keys
                    .entry(key.clone())
                    .or_insert_with(|| (Arc::new(parts), 0));
                *count += 1;
                let key = keys.get_key_value(&key).map_or(key, |(k, _)| k.clone());
                members.insert((user.user_id.clone(), index), key);
            }
        }
        // A list written whole by one writer goes through its batch whatever its size.
        let kept = |key: &BatchKey, parts: &Parts, n: usize| {
            worth(n, parts.len()) || crate::operation::one_writer(key.resource)
        };
        members.retain(|_, key| keys.get(key).is_some_and(|(parts, n)| kept(key, parts, *n)));
        let by_key = keys
            .into_iter()
            .filter(|(key, (parts, n))| kept(key, parts, *n))
            .map(|(key, (parts, unstarted))| {
                let batch = Batch {
                    parts,
                    unstarted,
                    in_flight: 0,
                    arrived: Vec::new(),
                    written: Arc::new(tokio::sync::Mutex::new(Value::Null)),
                };
                (key, batch)
            })
            .collect();
        let start = slow_start.map_or(bulk_size, |workers| workers.max(AT_LEAST).min(bulk_size));
        BulkWrites {
            bulk_size,
            max_age,
            waiting_limit: Arc::new(AtomicUsize::new(start)),
            slow_start: slow_start.is_some(),
            sending: Arc::new(Semaphore::new(SENDING)),
            client,
            slots,
            members,
            batches: Mutex::new(Batches {
                by_key,
                paused: false,
                waiting: 0,
            }),
            not_served: Arc::default(),
            warning: Arc::default(),
        }
    }

    /// Whether step `index` of `user_id` is planned for a bulk write.
    pub fn planned(&self, user_id: &str, index: usize) -> bool {
        self.members.contains_key(&(user_id.to_string(), index))
    }

    /// The dispatcher starts `user` at step `start`: its steps from there on may arrive;
    /// those before it never will.
    pub fn started(&self, user: &UserPlan, start: usize) {
        self.update(user, |batch, index| {
            batch.unstarted -= 1;
            if index >= start {
                batch.in_flight += 1;
            }
        });
    }

    /// The dispatcher will not start `user`.
    pub fn never(&self, user: &UserPlan) {
        self.update(user, |batch, _| batch.unstarted -= 1);
    }

    /// Step `index` of `user_id`, started, will not arrive (unchanged, or the user failed,
    /// paused or ended before it).
    pub fn drop_out(&self, user_id: &str, index: usize) {
        let Some(key) = self.members.get(&(user_id.to_string(), index)) else {
            return;
        };
        let mut batches = self.lock();
        if let Some(batch) = batches.by_key.get_mut(key) {
            batch.in_flight -= 1;
        }
        self.send_ready(&mut batches, Some(key), false);
    }

    /// The dispatcher holds back (or goes on starting) the users it has not started.
    pub fn pause(&self, paused: bool) {
        let mut batches = self.lock();
        batches.paused = paused;
        self.send_ready(&mut batches, None, false);
    }

    /// Step `index` of `user_id` arrives at its batch with `rows` (what the write lists the
    /// user as, per target); waits, without its worker slot, until the batch is written and
    /// verified. The step is `applied` by the bulk write, or to be written alone.
    pub async fn arrive(
        self: &Arc<Self>,
        user_id: &str,
        index: usize,
        (rows, read_at, entries): Carried,
    ) -> Outcome {
        let Some(key) = self.members.get(&(user_id.to_string(), index)) else {
            return Outcome::alone();
        };
        let (reply, outcome) = oneshot::channel();
        let hold = {
            let mut batches = self.lock();
            let Some(batch) = batches.by_key.get_mut(key) else {
                return Outcome::alone();
            };
            batch.in_flight -= 1;
            let counted = self.counts(key);
            batch.arrived.push(Arrival {
                rows,
                reply,
                read_at,
                entries,
            });
            let first = batch.arrived.len() == 1;
            batches.waiting += usize::from(counted);
            // No more users wait at once than the limit (the dispatcher would otherwise
            // start a whole large group, and a breaker or a stop would find all of it in
            // flight): past it, the fullest batch goes; with a breaker, this member's own
            // batch goes with whom it has, and the member keeps its slot. Members of a
            // group's own list wait outside the limit: the list is one write however many
            // entries it takes, and the batch goes once its group's members have all arrived
            // (the dispatcher starts users group by group, and those that wait for others
            // last), or at the latest when its first member's read is `max_age` old.
            let crowded = counted && batches.waiting >= self.waiting_limit.load(Ordering::Relaxed);
            let hold = crowded && self.slow_start;
            if crowded && !self.slow_start {
                // The fullest batch goes: where several batches wait together (a step of
                // each of several groups), chunks stay as large as they can be.
                let fullest = batches
                    .by_key
                    .iter()
                    .filter(|(key, _)| self.counts(key))
                    .max_by_key(|(_, batch)| batch.arrived.len())
                    .map(|(key, _)| key.clone());
                if let Some(fullest) = fullest {
                    self.send_ready(&mut batches, Some(&fullest), true);
                }
            }
            self.send_ready(&mut batches, Some(key), hold);
            let waits = batches
                .by_key
                .get(key)
                .is_some_and(|b| !b.arrived.is_empty());
            if first && waits {
                self.send_by(key.clone(), read_at + self.max_age);
            }
            hold
        };
        if hold {
            return outcome.await.unwrap_or_else(|_| Outcome::alone());
        }
        // Waiting sends nothing: the slot lets the dispatcher start the batch's others.
        self.slots.add_permits(1);
        let outcome = outcome.await.unwrap_or_else(|_| Outcome::alone());
        // A closed semaphore means the run is stopping: finish without a slot.
        if let Ok(slot) = self.slots.acquire().await {
            slot.forget();
        }
        outcome
    }

    /// A started user has ended (all its steps done, failed or skipped): with a breaker,
    /// one more user may wait (the slow start grows with users whose outcome is known, so
    /// that failures surface while few users are in flight).
    pub fn user_ended(&self) {
        if self.slow_start {
            let _ = self
                .waiting_limit
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    Some((n + 1).min(self.bulk_size))
                });
        }
    }

    /// The warning the run's bulk writes gave, if any (the first).
    pub fn warning(&self) -> Option<String> {
        self.warning
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the members of `key`'s batch count towards the waiting limit and its chunks
    /// hold at most `bulk_size`: all but a group's own list outside a slow start.
    fn counts(&self, key: &BatchKey) -> bool {
        self.slow_start || !key.resource.of_group()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Batches> {
        self.batches.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, user: &UserPlan, mut change: impl FnMut(&mut Batch, usize)) {
        let mut batches = self.lock();
        for index in 0..user.steps.len() {
            if let Some(key) = self.members.get(&(user.user_id.clone(), index))
                && let Some(batch) = batches.by_key.get_mut(key)
            {
                change(batch, index);
            }
        }
        self.send_ready(&mut batches, None, false);
    }
}
