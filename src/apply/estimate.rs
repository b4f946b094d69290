//! What applying a plan would send, estimated by `plan --target` from the live values it
//! read: requests by kind (the same kinds a run's summary counts) and the time they take at
//! `--rate`. In production the server's rate is the bound, so this is the run's duration.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::bulk;
use super::diff::diff;
use crate::live::LiveState;
use crate::live::groups::GroupReads;
use crate::live::placement::{GroupKey, Placed};
use crate::odin::group::BulkTarget;
use crate::plan::UserPlan;
use crate::resource::Resource;

/// Requests an apply would send, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    /// The login.
    pub logins: u64,
    /// Placing users (the enterprise listing), group reads and the reads that verify bulk
    /// writes.
    pub group_reads: u64,
    /// Reads of one user's resource (the first user's record, to place users).
    pub user_reads: u64,
    /// Writes of one user's resource.
    pub writes: u64,
    /// Bulk writes.
    pub bulk_writes: u64,
    /// Writes of a group's own lists (its numbers, API.md §12): one per group for its users
    /// where their entries go together, else one per user.
    #[serde(default)]
    pub group_writes: u64,
}

impl Estimate {
    /// All requests.
    pub fn requests(&self) -> u64 {
        self.logins
            + self.group_reads
            + self.user_reads
            + self.writes
            + self.bulk_writes
            + self.group_writes
    }

    /// Seconds they take at `rate` requests per second.
    pub fn seconds(&self, rate: f64) -> f64 {
        if rate > 0.0 {
            self.requests() as f64 / rate
        } else {
            0.0
        }
    }
}

/// Estimate the requests of applying `users` (just read into `states`, in plan order)
/// with bulk writes of up to `bulk_size` users (0: none). Assumes every write goes through
/// first time and every bulk write is taken by all its users; retries, 429s and users that
/// do not take a bulk write add to it.
pub fn estimate(
    users: &[UserPlan],
    states: &[LiveState],
    (groups, placed): (&GroupReads, &Placed),
    bulk_size: usize,
) -> Estimate {
    // Placing users costs the enterprise listing, after the first users' records when the
    // service provider was not known.
    let mut estimate = Estimate {
        logins: 1,
        group_reads: placed.listings + groups.planned_requests(),
        user_reads: placed.user_reads,
        ..Estimate::default()
    };
    let mut batches: HashMap<(GroupKey, Resource, String), (u64, u64)> = HashMap::new();
    // Per batch of a group's list, its members whose later step writes the same list
    // through a batch too (that write shows their entries: no read verifies this one).
    let mut shown_later: HashMap<(GroupKey, Resource), u64> = HashMap::new();
    // Of a group's lists written whole by one writer: the lists its users' steps name.
    let mut named: HashMap<(GroupKey, Resource), std::collections::BTreeSet<String>> =
        HashMap::new();
    for (user, state) in users.iter().zip(states) {
        estimate.user_reads += groups.own_reads(user);
        let Ok(live) = state else {
            continue;
        };
        // Odin would refuse one of its steps: nothing of the user is sent.
        if super::refused::refused_step(user, live).is_some() {
            continue;
        }
        let group = groups
            .covers(user)
            .then(|| groups.placement().key_of(user))
            .flatten();
        let bodies: Vec<Option<Value>> = user
            .steps
            .iter()
            .map(|step| {
                let doc = live.get(&step.resource()).unwrap_or(&Value::Null);
                diff(step, doc).ok().and_then(|d| d.body)
            })
            .collect();
        let changed: Vec<bool> = bodies.iter().map(Option::is_some).collect();
        for (index, (step, body)) in user.steps.iter().zip(bodies).enumerate() {
            let doc = live.get(&step.resource()).unwrap_or(&Value::Null);
            let Some(body) = body else {
                continue;
            };
            if step.resource().of_group() {
                match &group {
                    Some(group)
                        if bulk_size > 0 || crate::operation::one_writer(step.resource()) =>
                    {
                        if crate::operation::one_writer(step.resource()) {
                            let lists = named.entry((group.clone(), step.resource())).or_default();
                            lists.extend(crate::operation::lists_written(
                                step.resource(),
                                doc,
                                &body,
                            ));
                        }
                        let key = (group.clone(), step.resource(), String::new());
                        batches.entry(key).or_insert((0, 0)).0 += 1;
                        let later = user.steps.iter().zip(&changed).skip(index + 1).any(
                            |(later, changed)| {
                                *changed
                                    && crate::operation::same_group_list(
                                        later.resource(),
                                        step.resource(),
                                    )
                            },
                        );
                        if later {
                            *shown_later
                                .entry((group.clone(), step.resource()))
                                .or_default() += 1;
                        }
                    }
                    _ => estimate.group_writes += 1,
                }
                continue;
            }
            let targets = bulk::targets_of(step);
            // A user the read shows without a service is written on its own.
            let assigned = targets.iter().all(|target| match target {
                BulkTarget::Service(service) => doc.get(service.service_name()).is_some(),
                BulkTarget::UserRecord => true,
            });
            let targets = targets.len() as u64;
            match &group {
                Some(group) if targets > 0 && bulk_size > 0 && assigned => {
                    let patch = Value::Object(step.patch().into_owned()).to_string();
                    let key = (group.clone(), step.resource(), patch);
                    let (count, _) = batches.entry(key).or_insert((0, targets));
                    *count += 1;
                }
                // One request, or one per entry of a list (its operation says).
                _ => estimate.writes += crate::operation::requests(step.resource(), &body, doc),
            }
        }
    }
    let lists: Vec<((GroupKey, Resource), u64)> = batches
        .iter()
        .filter(|((_, resource, _), _)| resource.of_group())
        .map(|((group, resource, _), (count, _))| ((group.clone(), *resource), *count))
        .collect();
    for ((group, resource, _), (count, targets)) in batches {
        if crate::operation::one_writer(resource) {
            // One write per list its users name, whatever their number; answered, it is
            // the list sent.
            let lists = named.get(&(group.clone(), resource)).map_or(1, |l| l.len());
            estimate.group_writes += lists as u64;
            continue;
        }
        if resource.of_group() {
            // One write of the group's list, whatever its size; a read verifies it unless
            // its answer is the list, or every member's later write of the list (in a
            // batch of its own) shows it.
            if !bulk::worth(count as usize, 0) {
                estimate.group_writes += count;
                continue;
            }
            estimate.group_writes += 1;
            let later = shown_later.get(&(group.clone(), resource)) == Some(&count)
                && lists.iter().any(|((g, other), n)| {
                    *g == group
                        && *other != resource
                        && crate::operation::same_group_list(*other, resource)
                        && bulk::worth(*n as usize, 0)
                });
            if !crate::operation::write_answers_list(resource) && !later {
                estimate.group_reads += 1;
            }
            continue;
        }
        if bulk::worth(count as usize, targets as usize) {
            let chunks = count.div_ceil(bulk_size as u64);
            estimate.bulk_writes += chunks * targets;
            estimate.group_reads += chunks * targets;
        } else {
            estimate.writes += count;
        }
    }
    estimate
}
