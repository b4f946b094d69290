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
//! `bulk_size` have arrived. Members are known from the plan: users of a group read at group
//! scale whose step patch is the same, with at least [`AT_LEAST`] of them (below that a bulk
//! write and its verification cost more requests than the users' own writes).
//!
//! A bulk write that is not served (404/405) sends its users to their own writes and no
//! more bulk writes go to that path; one refused whole (a 400: a listed user could not take
//! the change, or a server that wants another body) or failing after retries sends that
//! chunk's users to their own writes. One warning says so.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};
use tokio::sync::{Semaphore, oneshot};

use super::diff::same;
use super::placement::GroupKey;
use crate::notation::{self, Segment};
use crate::odin::OdinClient;
use crate::odin::group::{self, BulkService, BulkTarget, BulkWriteError};
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;
use crate::services::settings_service;

/// The most users one bulk write lists, unless `--bulk-size` says otherwise.
pub const DEFAULT_BULK_SIZE: usize = 100;

/// The fewest users a bulk write is sent for: it costs one write and one verifying read
/// per target, where the users' own writes cost one each.
pub const AT_LEAST: usize = 3;

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
}

/// A member waiting for its batch.
#[derive(Debug)]
struct Arrival {
    rows: HashMap<BulkTarget, Value>,
    reply: oneshot::Sender<Outcome>,
}

/// How a user's step fared in its bulk write.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The group read after the write shows the user's desired values.
    Applied {
        /// The status of the bulk write.
        http_status: u16,
        /// Users the write listed.
        users: usize,
    },
    /// Not written by a bulk write, or not taken: write the step on its own. `landed`: the
    /// targets the user did take (or whose write was taken before another target's was
    /// not): what the step's own write must undo if it fails.
    Alone {
        /// Targets written for this user by the bulk write.
        landed: Vec<BulkTarget>,
    },
}

impl Outcome {
    fn alone() -> Outcome {
        Outcome::Alone { landed: Vec::new() }
    }
}

#[derive(Debug, Default)]
struct Batches {
    by_key: HashMap<Arc<BatchKey>, Batch>,
    /// The dispatcher holds back unstarted users (the canary is being decided).
    paused: bool,
}

/// The bulk writes of one run, shared by its workers and its dispatcher.
#[derive(Debug)]
pub struct BulkWrites {
    bulk_size: usize,
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
        bulk_size: usize,
        client: Arc<OdinClient>,
        slots: Arc<Semaphore>,
    ) -> BulkWrites {
        let mut keys: HashMap<Arc<BatchKey>, (Parts, usize)> = HashMap::new();
        let mut members = HashMap::new();
        for user in users.iter().filter(|_| bulk_size > 0) {
            let Some(group) = key_of(user) else {
                continue;
            };
            for (index, step) in user.steps.iter().enumerate() {
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
        members.retain(|_, key| keys.get(key).is_some_and(|(_, n)| *n >= AT_LEAST));
        let by_key = keys
            .into_iter()
            .filter(|(_, (_, n))| *n >= AT_LEAST)
            .map(|(key, (parts, unstarted))| {
                let batch = Batch {
                    parts,
                    unstarted,
                    in_flight: 0,
                    arrived: Vec::new(),
                };
                (key, batch)
            })
            .collect();
        BulkWrites {
            bulk_size,
            client,
            slots,
            members,
            batches: Mutex::new(Batches {
                by_key,
                paused: false,
            }),
            not_served: Arc::default(),
            warning: Arc::default(),
        }
    }

    /// Whether step `index` of `user_id` is planned for a bulk write.
    pub fn planned(&self, user_id: &str, index: usize) -> bool {
        self.members.contains_key(&(user_id.to_string(), index))
    }

    /// Bulk writes planned, as (batches, member steps): for plans and tests.
    pub fn planned_counts(&self) -> (usize, usize) {
        (self.lock().by_key.len(), self.members.len())
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
        self.send_ready(&mut batches, Some(key));
    }

    /// The dispatcher holds back (or goes on starting) the users it has not started.
    pub fn pause(&self, paused: bool) {
        let mut batches = self.lock();
        batches.paused = paused;
        self.send_ready(&mut batches, None);
    }

    /// Step `index` of `user_id` arrives at its batch with `rows` (what the write lists the
    /// user as, per target); waits, without its worker slot, until the batch is written and
    /// verified. The step is `applied` by the bulk write, or to be written alone.
    pub async fn arrive(
        self: &Arc<Self>,
        user_id: &str,
        index: usize,
        rows: HashMap<BulkTarget, Value>,
    ) -> Outcome {
        let Some(key) = self.members.get(&(user_id.to_string(), index)) else {
            return Outcome::alone();
        };
        let (reply, outcome) = oneshot::channel();
        {
            let mut batches = self.lock();
            let Some(batch) = batches.by_key.get_mut(key) else {
                return Outcome::alone();
            };
            batch.in_flight -= 1;
            batch.arrived.push(Arrival { rows, reply });
            self.send_ready(&mut batches, Some(key));
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

    /// The warning the run's bulk writes gave, if any (the first).
    pub fn warning(&self) -> Option<String> {
        self.warning
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
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
        self.send_ready(&mut batches, None);
    }

    /// Send every batch (or just `only`) that is ready: `bulk_size` members arrived, or
    /// every member that could still arrive has.
    fn send_ready(&self, batches: &mut Batches, only: Option<&Arc<BatchKey>>) {
        let paused = batches.paused;
        let keys: Vec<Arc<BatchKey>> = match only {
            Some(key) => vec![key.clone()],
            None => batches.by_key.keys().cloned().collect(),
        };
        for key in keys {
            let Some(batch) = batches.by_key.get_mut(&key) else {
                continue;
            };
            loop {
                let full = batch.arrived.len() >= self.bulk_size;
                let last = !batch.arrived.is_empty()
                    && batch.in_flight == 0
                    && (batch.unstarted == 0 || paused);
                if !full && !last {
                    break;
                }
                let take = batch.arrived.len().min(self.bulk_size);
                let chunk: Vec<Arrival> = batch.arrived.drain(..take).collect();
                let job = Job {
                    group: key.group.clone(),
                    parts: batch.parts.clone(),
                    chunk,
                };
                self.spawn(job);
            }
        }
    }

    fn spawn(&self, job: Job) {
        let client = self.client.clone();
        let (warning, not_served) = (self.warning.clone(), self.not_served.clone());
        tokio::spawn(async move {
            let served = |target: &BulkTarget| {
                !not_served
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .contains(target)
            };
            let served = job.parts.iter().all(|(target, _)| served(target));
            let sent = job.send(&client, served).await;
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

/// One chunk of a batch, to send.
#[derive(Debug)]
struct Job {
    group: GroupKey,
    parts: Parts,
    chunk: Vec<Arrival>,
}

/// What sending a chunk taught the run.
#[derive(Debug, Default)]
struct Sent {
    warning: Option<String>,
    not_served: Option<BulkTarget>,
}

impl Job {
    /// Write the chunk (one request per target), read back each target once, and tell
    /// each member how it fared. `served`: no target is known to be unserved.
    async fn send(self, client: &OdinClient, served: bool) -> Sent {
        let mut sent = Sent::default();
        if !served || self.chunk.len() < AT_LEAST {
            self.reply_alone(&[]);
            return sent;
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
                Err(error) => {
                    if let BulkWriteError::NotServed { .. } = error {
                        sent.not_served = Some(*target);
                    }
                    sent.warning = Some(format!(
                        "{error}; its {} users of group `{sp}/{group}` were written one by one",
                        self.chunk.len()
                    ));
                    self.reply_alone(&taken);
                    return sent;
                }
            }
        }
        // Each member took the change only where the group now holds its desired values.
        let mut took = vec![Vec::new(); self.chunk.len()];
        for (target, data) in self.parts.iter() {
            let live = match group::read_target(client, sp, group, *target).await {
                Ok(live) => live,
                Err(error) => {
                    sent.warning = Some(format!(
                        "group `{sp}/{group}` could not be read after a bulk write ({error});                          its users were written one by one"
                    ));
                    self.reply_alone(&taken);
                    return sent;
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
                Outcome::Applied { http_status, users }
            } else {
                Outcome::Alone { landed }
            };
            let _ = arrival.reply.send(outcome);
        }
        sent
    }

    fn reply_alone(self, landed: &[BulkTarget]) {
        for arrival in self.chunk {
            let landed = landed.to_vec();
            let _ = arrival.reply.send(Outcome::Alone { landed });
        }
    }
}

/// The targets and data of `step` if it can be written in bulk: user-record fields that
/// are top-level keys an extended listing row holds (not the identity keys), or fields of
/// writable bulk services (one level inside the service: a nested part is written whole per
/// user, API.md §3).
fn parts_of(step: &Step) -> Option<Vec<(BulkTarget, Map<String, Value>)>> {
    let Step::Fields { resource, patch } = step else {
        return None;
    };
    let mut parts: BTreeMap<BulkTarget, Map<String, Value>> = BTreeMap::new();
    for (key, value) in patch.iter() {
        let segments = notation::parse_relative(key).ok()?;
        let (target, field) = match (resource, segments.as_slice()) {
            (Resource::User, [Segment::Key(field)]) => {
                let identity = ["userId", "serviceProviderId", "groupId"];
                if identity.contains(&field.as_str())
                    || group::EXTENDED_ROWS_LACK.contains(&field.as_str())
                {
                    return None;
                }
                (BulkTarget::UserRecord, field.clone())
            }
            (Resource::Settings, [Segment::Key(_), Segment::Key(field)]) => {
                let service = BulkService::from_service_name(settings_service(key))
                    .filter(|s| s.writable())?;
                (BulkTarget::Service(service), field.clone())
            }
            _ => return None,
        };
        parts
            .entry(target)
            .or_default()
            .insert(field, value.clone());
    }
    (!parts.is_empty()).then(|| parts.into_iter().collect())
}

/// How many users of each group share each step patch that a bulk write could carry:
/// (group, resource, hash of the patch) → users. Counted with a hash so that the count of
/// 50,000 different patches costs little; a collision only plans a batch that turns out
/// smaller, whose users are written on their own.
pub type Tally = HashMap<(GroupKey, Resource, u64), usize>;

/// The [`Tally`] of `users`, placed by `key_of`.
pub fn tally(users: &[UserPlan], key_of: impl Fn(&UserPlan) -> Option<GroupKey>) -> Tally {
    let mut tally = Tally::new();
    for user in users {
        let Some(group) = key_of(user) else {
            continue;
        };
        for step in user.steps.iter().filter(|s| parts_of(s).is_some()) {
            let patch = Value::Object(step.patch().into_owned()).to_string();
            *tally
                .entry((group.clone(), step.resource(), hash(&patch)))
                .or_default() += 1;
        }
    }
    tally
}

/// Whether `tally` holds a change of `group` that at least [`AT_LEAST`] users share.
pub fn shared_in(tally: &Tally, group: &GroupKey) -> bool {
    tally
        .iter()
        .any(|((g, _, _), n)| g == group && *n >= AT_LEAST)
}

fn hash(text: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(text)
}

/// The targets a step planned for a bulk write writes.
pub fn targets_of(step: &Step) -> Vec<BulkTarget> {
    parts_of(step)
        .map(|parts| parts.into_iter().map(|(target, _)| target).collect())
        .unwrap_or_default()
}

/// A started user's steps planned for bulk writes that have not arrived at their batch:
/// whatever ends the user's work (a failure, a pause, its end) drops them out, so that no
/// batch waits for them.
#[derive(Debug)]
pub struct Pending<'a> {
    bulk: &'a Arc<BulkWrites>,
    user_id: String,
    steps: Vec<usize>,
}

impl<'a> Pending<'a> {
    /// The steps of `user` from `start` on that are planned for bulk writes (indices in
    /// the whole plan of the user).
    pub fn new(bulk: &'a Arc<BulkWrites>, user: &UserPlan, start: usize) -> Pending<'a> {
        let steps = (start..user.steps.len())
            .filter(|&index| bulk.planned(&user.user_id, index))
            .collect();
        Pending {
            bulk,
            user_id: user.user_id.clone(),
            steps,
        }
    }

    /// Whether step `index` waits to arrive at a batch.
    pub fn holds(&self, index: usize) -> bool {
        self.steps.contains(&index)
    }

    /// Step `index` will not arrive.
    pub fn drop_out(&mut self, index: usize) {
        if let Some(at) = self.steps.iter().position(|&s| s == index) {
            self.steps.remove(at);
            self.bulk.drop_out(&self.user_id, index);
        }
    }

    /// Step `index` arrives at its batch; see [`BulkWrites::arrive`].
    pub async fn arrive(&mut self, index: usize, rows: HashMap<BulkTarget, Value>) -> Outcome {
        let Some(at) = self.steps.iter().position(|&s| s == index) else {
            return Outcome::alone();
        };
        self.steps.remove(at);
        self.bulk.arrive(&self.user_id, index, rows).await
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        for index in std::mem::take(&mut self.steps) {
            self.bulk.drop_out(&self.user_id, index);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn step(resource: Resource, patch: Value) -> Step {
        Step::from_patch(resource, patch.as_object().cloned().unwrap_or_default()).unwrap()
    }

    #[test]
    fn what_a_bulk_write_can_carry() {
        let settings = step(
            Resource::Settings,
            json!({"Call Recording.recordingOption": "Always", "Call Forwarding Always.isActive": true}),
        );
        let parts = parts_of(&settings).unwrap();
        let targets: Vec<BulkTarget> = parts.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            targets,
            [
                BulkTarget::Service(BulkService::CallForwardingAlways),
                BulkTarget::Service(BulkService::CallRecording)
            ]
        );
        assert_eq!(
            parts[1].1,
            *json!({"recordingOption": "Always"}).as_object().unwrap()
        );
        let user = step(
            Resource::User,
            json!({"timeZone": "Europe/Oslo", "language": "English"}),
        );
        assert_eq!(targets_of(&user), [BulkTarget::UserRecord]);
        // A service without a bulk write, one read only, a nested part, a list element,
        // fields listing rows lack, and identity keys are written per user.
        for (resource, patch) in [
            (
                Resource::Settings,
                json!({"Call Recording.recordingOption": "Always", "Do Not Disturb.isActive": true}),
            ),
            (
                Resource::Settings,
                json!({"Anonymous Call Rejection.isActive": true}),
            ),
            (
                Resource::Settings,
                json!({"Voice Messaging User.Voice Messaging User.isActive": true}),
            ),
            (
                Resource::Settings,
                json!({"Speed Dial 8.speedCodes[0].phoneNumber": "+1"}),
            ),
            (
                Resource::User,
                json!({"timeZone": "Europe/Oslo", "emailAddress": "a@x"}),
            ),
            (Resource::User, json!({"address.city": "Oslo"})),
            (Resource::Policy, json!({"clidPolicy": "Use DN"})),
        ] {
            assert!(
                parts_of(&step(resource, patch.clone())).is_none(),
                "{patch}"
            );
        }
    }
}
