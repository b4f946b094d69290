//! Drift: which of a user's recorded values someone else changed since they were recorded —
//! a reviewed plan's before-values (`plan --target`), or in a rollback entry what the run
//! wrote — and the before-values a plan records. A value that is the one the plan sets is no
//! drift: that part already landed.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::diff::{StepDiff, holds, live_value};
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;

/// Each planned field's live value (null when absent), by resource: what `before` records.
pub fn before_values(
    user: &UserPlan,
    live: &HashMap<Resource, Value>,
) -> BTreeMap<Resource, Map<String, Value>> {
    let mut before: BTreeMap<Resource, Map<String, Value>> = BTreeMap::new();
    for step in user
        .steps
        .iter()
        .filter(|s| s.resource() != Resource::Credentials)
    {
        let doc = live.get(&step.resource()).unwrap_or(&Value::Null);
        let values = before.entry(step.resource()).or_default();
        for key in step.patch().keys() {
            values.insert(
                key.clone(),
                live_value(step.resource(), doc, key).unwrap_or(Value::Null),
            );
        }
    }
    before
}

/// A field that someone else changed since its value was recorded: its live value is
/// neither the recorded one (`then`: the live value when the plan was made, or in a rollback
/// entry what the run wrote) nor the one the plan sets (already there: `unchanged`).
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// The resource of the field.
    pub resource: Resource,
    /// The plan key (a field path, or a service's key).
    pub key: String,
    /// The value recorded.
    pub then: Value,
    /// The live value now (null when absent).
    pub now: Value,
}

impl Moved {
    /// ``settings `Do Not Disturb.isActive` was false when planned, is true now``, where
    /// `when` says when the recorded value was read (`when planned`, `after the run`); two
    /// values that print the same show what tells them apart, escaped.
    pub fn describe(&self, when: &str) -> String {
        let (then, now) = match super::diff::look_alike(Some(&self.then), &self.now) {
            Some((then, now)) => (format!("`{then}`"), format!("`{now}`")),
            None => (
                crate::operation::brief(self.resource, &self.then),
                crate::operation::brief(self.resource, &self.now),
            ),
        };
        format!(
            "{} `{}` was {then} {when}, is {now} now",
            self.resource, self.key
        )
    }
}

/// The fields of `user` that drifted: whose live value is no longer the one its `before`
/// recorded and is not the one its steps set either. A value equal to what the plan sets is
/// no drift (the plan, or that part of it, already landed: the step is `unchanged`); only a
/// value that is neither is someone else's change. Empty when nothing was recorded.
pub fn drift(user: &UserPlan, live: &HashMap<Resource, Value>) -> Vec<Moved> {
    let Some(recorded) = &user.before else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (resource, fields) in recorded {
        let doc = live.get(resource).unwrap_or(&Value::Null);
        for (key, then) in fields {
            if holds(*resource, doc, key, then) {
                continue;
            }
            if planned_value(user, *resource, key)
                .is_some_and(|wanted| holds(*resource, doc, key, &wanted))
            {
                continue;
            }
            let now = live_value(*resource, doc, key);
            found.push(Moved {
                resource: *resource,
                key: key.clone(),
                then: then.clone(),
                now: now.unwrap_or(Value::Null),
            });
        }
    }
    found
}

/// The value `user`'s steps set at plan key `key` of `resource` (for a service, whether it
/// ends up assigned); `None` when no step sets it.
fn planned_value(user: &UserPlan, resource: Resource, key: &str) -> Option<Value> {
    user.steps.iter().find_map(|step| match step {
        Step::Fields { resource: r, patch } if *r == resource => patch.get(key).cloned(),
        Step::Entries {
            resource: r,
            entries,
        } if *r == resource => entries.get(key).cloned(),
        Step::Services(changes) if resource == Resource::Services => changes
            .entries()
            .into_iter()
            .find(|(service, _)| service.key() == key)
            .map(|(_, assign)| Value::Bool(assign)),
        _ => None,
    })
}

/// `user` without the fields in `moved`: the steps with those keys left out (a step may be
/// left empty). What a rollback writes of a user whose fields drifted.
pub fn without(user: &UserPlan, moved: &[Moved]) -> Vec<Step> {
    let gone = |resource: Resource, key: &str| {
        moved.iter().any(|m| m.resource == resource && m.key == key)
    };
    user.steps
        .iter()
        .map(|step| match step {
            Step::Fields { resource, patch } => Step::Fields {
                resource: *resource,
                patch: patch
                    .iter()
                    .filter(|(key, _)| !gone(*resource, key))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            },
            Step::Services(changes) => {
                let keep = |list: &[crate::services::ServiceRef]| {
                    list.iter()
                        .filter(|s| !gone(Resource::Services, &s.key()))
                        .cloned()
                        .collect()
                };
                Step::Services(crate::services::ServiceChanges {
                    assign: keep(&changes.assign),
                    unassign: keep(&changes.unassign),
                })
            }
            Step::Entries { resource, entries } => Step::Entries {
                resource: *resource,
                entries: entries
                    .iter()
                    .filter(|(key, _)| !gone(*resource, key))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            },
            Step::Credentials(_) => step.clone(),
        })
        .collect()
}

/// Per step of `user`, what a rollback keeps of it because someone else changed it since
/// the run (`moved`): ``kept `extension`: was "2001" after the run, is "4242" now``.
pub fn kept(user: &UserPlan, moved: &[Moved]) -> Vec<Option<String>> {
    user.steps
        .iter()
        .map(|step| {
            let mine: Vec<String> = moved
                .iter()
                .filter(|m| m.resource == step.resource() && step.sets(&m.key))
                .map(|m| m.describe("after the run"))
                .collect();
            (!mine.is_empty()).then(|| {
                format!(
                    "kept as someone else changed it since the run (--force restores it): {}",
                    mine.join("; ")
                )
            })
        })
        .collect()
}

/// What the run leaves at each key of the rollback entry's `steps`, by resource: the entry's
/// `before`, so that the rollback, applied as a plan, tells a field someone else changed
/// since the run (drift) from one still as the run left it. A service: whether the run left
/// it assigned. A field or whole unit: what the write sent there (nulls inside an object
/// left out, as Odin drops them); the settings of a service the run unassigned: null (Odin
/// shows none).
pub(super) fn after_values(
    user: &UserPlan,
    diffs: &[StepDiff],
    steps: &[Step],
    captured: &Map<String, Value>,
) -> BTreeMap<Resource, Map<String, Value>> {
    let mut written: BTreeMap<Resource, Map<String, Value>> = BTreeMap::new();
    for step in steps {
        let values = written.entry(step.resource()).or_default();
        match step {
            Step::Services(changes) => {
                for (service, restored) in changes.entries() {
                    values.insert(service.key(), Value::Bool(!restored));
                }
            }
            Step::Fields { resource, patch } => {
                for key in patch.keys() {
                    let sent = match captured.contains_key(key) && *resource == Resource::Settings {
                        true => None,
                        false => sent_at(user, diffs, *resource, key),
                    };
                    values.insert(key.clone(), sent.map_or(Value::Null, without_nulls));
                }
            }
            // An entry as the write sent it (null: removed).
            Step::Entries { resource, entries } => {
                for key in entries.keys() {
                    let sent = user
                        .steps
                        .iter()
                        .zip(diffs)
                        .filter(|(step, _)| step.resource() == *resource)
                        .find_map(|(_, change)| change.body.as_ref()?.get(key).cloned());
                    values.insert(key.clone(), sent.unwrap_or(Value::Null));
                }
            }
            Step::Credentials(_) => {}
        }
    }
    written
}

/// The value the write of `resource` among `diffs` sent at plan key `key`.
fn sent_at(user: &UserPlan, diffs: &[StepDiff], resource: Resource, key: &str) -> Option<Value> {
    let path = crate::notation::parse_relative(key).ok()?;
    user.steps
        .iter()
        .zip(diffs)
        .filter(|(step, _)| step.resource() == resource)
        .find_map(|(_, change)| crate::notation::get(change.body.as_ref()?, &path).cloned())
}

/// `value` with the null members of its objects left out, inside nested ones too.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests;
