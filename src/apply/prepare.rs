//! Before a user is written: its resources read ([`crate::live`]), checked against a
//! reviewed plan (drift), against values a spreadsheet lost and writes Odin refuses, and each
//! step diffed; what an earlier attempt of the run already landed found from its rollback
//! entry.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use serde_json::{Map, Value};

use super::ApplyOptions;
use super::diff::{StepDiff, diff};
use super::earlier::Earlier;
use super::reporter::Unprepared;
use super::turns::Turns;
use super::undo;
use crate::live::groups::GroupReads;
use crate::odin::OdinClient;
use crate::odin::group::{BulkService, BulkTarget};
use crate::odin::resources::UserIdentity;
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;
use crate::services::ServiceRef;

/// A user's live state and what each of its steps would change.
pub(super) struct Prepared {
    pub(super) diffs: Vec<StepDiff>,
    /// Per step: its write was sent by an earlier attempt and reached Odin (the live state
    /// holds its values; its diff is what that write changed, from the rollback entry).
    pub(super) landed: Vec<bool>,
    /// The settings of the services the user is about to lose (unassigned, or in an
    /// unassigned pack), as field paths: what assigning them again restores.
    pub(super) captured: Map<String, Value>,
    pub(super) identity: UserIdentity,
    /// Per list read: what its write needs besides the entries (the values of its read
    /// that are not entries, such as a group's country code).
    pub(super) context: HashMap<Resource, Value>,
    /// When the group read used was made, if one was.
    pub(super) group_read_at: Option<Instant>,
    /// Requests sent to read each resource for this user: counted in the attempts of the
    /// first step of that resource.
    pub(super) read_attempts: HashMap<Resource, u32>,
    /// What a bulk write lists the user as, per target read at group scale.
    pub(super) rows: HashMap<BulkTarget, Value>,
    /// Bulk services the group read says the user has not assigned.
    pub(super) unassigned: BTreeSet<BulkService>,
    /// Per step: what its result says besides what happened (values a spreadsheet lost,
    /// written as the sheet has them under `--allow-lossy-values`).
    pub(super) notes: Vec<Option<String>>,
    /// Per step: the fields someone else changed since they were recorded, kept as they are
    /// (a rollback, [`ApplyOptions::keep_drifted`]): the step writes the rest and ends
    /// `drifted`, this saying which were kept.
    pub(super) kept: Vec<Option<String>>,
}

/// [`prepare`], once more when a group read it used has grown older than the bound since:
/// the user's rollback entry and writes follow at once.
pub(super) async fn prepare_fresh(
    user: &UserPlan,
    reads: (&OdinClient, &GroupReads, &Turns),
    options: &ApplyOptions,
    earlier: &Earlier,
) -> Result<Prepared, Unprepared> {
    let prepared = prepare(user, reads, options, earlier).await?;
    match prepared.group_read_at {
        Some(at) if at.elapsed() >= reads.1.max_age() => {
            tracing::debug!(user = %user.user_id, "group read too old by now; reading again");
            prepare(user, reads, options, earlier).await
        }
        _ => Ok(prepared),
    }
}

/// Read the user's resources, check them against a reviewed plan's before-values, and diff
/// each step; or the message and status (failed, drifted) the whole user ends with.
async fn prepare(
    user: &UserPlan,
    (client, groups, turns): (&OdinClient, &GroupReads, &Turns),
    options: &ApplyOptions,
    earlier: &Earlier,
) -> Result<Prepared, Unprepared> {
    let read = crate::live::read(user, client, Some(groups))
        .await
        .map_err(|why| match why.paused {
            true => Unprepared::paused(why.message).after(why.attempts),
            false => Unprepared::failed(why.message, why.http_status).after(why.attempts),
        })?;
    let mut read_attempts = read.read_attempts;
    // An extension another user of the group holds, whom the sheet does not move: nothing
    // of the user is sent (Odin would refuse its record, after its other steps).
    if let Some(why) = read
        .extension_holder
        .as_deref()
        .and_then(|holder| turns.extension_held(&user.user_id, holder))
    {
        let step = user
            .steps
            .iter()
            .position(|s| s.resource() == Resource::User && s.sets("extension"))
            .unwrap_or(0);
        let refused = Unprepared {
            step,
            ..Unprepared::failed(format!("not sent: {why}"), None)
        };
        return Err(refused.after(read_attempts.values().sum()));
    }
    let (rows, unassigned) = (read.rows, read.unassigned);
    let (mut live, group_read_at) = (read.docs, read.group_read_at);
    if unassigns(user) && (read.partial_settings || !live.contains_key(&Resource::Settings)) {
        // Before a service is unassigned its settings are kept, so that rollback and
        // compensation can assign it again with exactly these settings: that needs the
        // user's whole settings document (a group read holds only the services the steps
        // touch).
        let call = client.read(Resource::Settings, &user.user_id).await;
        *read_attempts.entry(Resource::Settings).or_default() += call.attempts;
        let doc = call.result.map_err(|error| {
            let message = format!("reading {} before unassigning: {error}", Resource::Settings);
            Unprepared::failed(message, call.status).after(read_attempts.values().sum())
        })?;
        live.insert(Resource::Settings, doc);
    }
    let mut kept = vec![None; user.steps.len()];
    let mut steps = std::borrow::Cow::Borrowed(&user.steps);
    let moved = match options.force {
        true => Vec::new(),
        false => super::drift::drift(user, &live),
    };
    if !moved.is_empty() {
        tracing::warn!(user = %user.user_id, fields = moved.len(), "drifted since recorded");
        if !options.keep_drifted {
            let described: Vec<String> = moved.iter().map(|m| m.describe("when planned")).collect();
            return Err(
                Unprepared::drifted(described.join("; ")).after(read_attempts.values().sum())
            );
        }
        kept = super::drift::kept(user, &moved);
        steps = std::borrow::Cow::Owned(super::drift::without(user, &moved));
    }
    // Entries someone else relies on now (a number the run added, another user holds since):
    // kept as they are, whatever `--force` says (Odin would refuse their change), the rest
    // written.
    let held = held_entries(&steps, &live);
    if !held.is_empty() {
        tracing::warn!(user = %user.user_id, entries = held.len(), "held by others now");
        if !options.keep_drifted {
            let said: Vec<&str> = held.iter().map(|(_, _, why)| why.as_str()).collect();
            return Err(Unprepared::drifted(said.join("; ")).after(read_attempts.values().sum()));
        }
        steps = std::borrow::Cow::Owned(without_held(&steps, &held));
        for (index, _, why) in held {
            kept[index] = Some(match kept[index].take() {
                Some(said) => format!("{said}; {why}"),
                None => why,
            });
        }
    }
    let notes = match options.allow_lossy_values {
        false => {
            refuse_lost(user, &live).map_err(|why| why.after(read_attempts.values().sum()))?;
            vec![None; user.steps.len()]
        }
        true => allowed_losses(user, &live),
    };
    let writing = user.with_steps(steps.to_vec());
    if let Some((step, why)) = super::refused::refused_step(&writing, &live) {
        tracing::warn!(user = %user.user_id, "a write Odin refuses: nothing of the user is sent");
        return Err(Unprepared::refused(step, why).after(read_attempts.values().sum()));
    }
    let mut diffs = steps
        .iter()
        .map(|step| diff(step, live.get(&step.resource()).unwrap_or(&Value::Null)))
        .collect::<Result<Vec<StepDiff>, _>>()
        .map_err(|error| Unprepared::failed(format!("cannot apply the plan: {error}"), None))?;
    let landed = landed_earlier(user, earlier, &live, (&mut diffs, &kept));
    let captured = captured_settings(&diffs, &live);
    let identity = UserIdentity::resolve(
        &user.user_id,
        user.service_provider_id.as_deref(),
        user.group_id.as_deref(),
        crate::operation::record(&live),
    );
    // What a list's write needs of its read besides the entries (a group's country code).
    let context = live
        .iter()
        .filter(|(resource, _)| resource.is_list())
        .map(|(resource, doc)| {
            let meta = doc.as_object().into_iter().flatten();
            let meta = meta.filter(|(_, v)| !v.is_object() && !v.is_null());
            (
                *resource,
                Value::Object(meta.map(|(k, v)| (k.clone(), v.clone())).collect()),
            )
        })
        .collect();
    Ok(Prepared {
        diffs,
        landed,
        captured,
        identity,
        context,
        group_read_at,
        read_attempts,
        rows,
        unassigned,
        notes,
        kept,
    })
}

/// The entries of `steps`' lists whose change the live reads show is not to be sent
/// ([`crate::operation::held`]): (step index, entry key, why).
fn held_entries(steps: &[Step], live: &HashMap<Resource, Value>) -> Vec<(usize, String, String)> {
    let mut held = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        let Step::Entries { resource, entries } = step else {
            continue;
        };
        let doc = live.get(resource).unwrap_or(&Value::Null);
        for (key, wanted) in entries.iter() {
            if let Some(why) = crate::operation::held(*resource, doc, key, wanted) {
                held.push((index, key.clone(), why));
            }
        }
    }
    held
}

/// `steps` without the entries `held` names.
fn without_held(steps: &[Step], held: &[(usize, String, String)]) -> Vec<Step> {
    steps
        .iter()
        .enumerate()
        .map(|(index, step)| match step {
            Step::Entries { resource, entries } => Step::Entries {
                resource: *resource,
                entries: entries
                    .iter()
                    .filter(|(key, _)| !held.iter().any(|(i, k, _)| *i == index && k == *key))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            },
            other => other.clone(),
        })
        .collect()
}

/// Per step, the values a spreadsheet lost that `--allow-lossy-values` writes as the sheet
/// has them, named in the step's result so the run's record says what was allowed.
fn allowed_losses(user: &UserPlan, live: &HashMap<Resource, Value>) -> Vec<Option<String>> {
    let mut notes: Vec<Vec<String>> = vec![Vec::new(); user.steps.len()];
    for loss in super::lossy::losses(user, live) {
        if let Some(step) = user
            .steps
            .iter()
            .position(|s| s.resource() == loss.resource && s.sets(&loss.key))
        {
            notes[step].push(loss.brief(user));
        }
    }
    if notes.iter().any(|n| !n.is_empty()) {
        tracing::warn!(user = %user.user_id, "values a spreadsheet lost, written as --allow-lossy-values asks");
    }
    notes
        .into_iter()
        .map(|found| {
            (!found.is_empty()).then(|| {
                format!(
                    "as the sheet has it ({}): {}",
                    super::lossy::FLAG,
                    found.join("; ")
                )
            })
        })
        .collect()
}

/// Values of the user's steps that a spreadsheet lost against the live ones
/// ([`super::lossy`]) fail the user before anything is sent: the first step holding one
/// ends `failed` with every such value named (its cell, or the plan file's rows), the other
/// steps are skipped, and the user lands in `failed.jsonl` to be fixed.
fn refuse_lost(user: &UserPlan, live: &HashMap<Resource, Value>) -> Result<(), Unprepared> {
    let lost = super::lossy::losses(user, live);
    let Some(first) = lost.first() else {
        return Ok(());
    };
    tracing::warn!(user = %user.user_id, values = lost.len(), "values a spreadsheet lost");
    let step = user
        .steps
        .iter()
        .position(|s| s.resource() == first.resource && s.sets(&first.key))
        .unwrap_or(0);
    let problems: Vec<String> = lost.iter().map(|l| l.problem(user).to_string()).collect();
    let message = format!("not sent: {}", problems.join("; "));
    Err(Unprepared {
        step,
        ..Unprepared::failed(message, None)
    })
}

/// The steps of this attempt whose write an earlier attempt sent and which the live state
/// shows landed: their diffs become what that write changed (from the rollback entry), so
/// they are reported `applied` with their before-values, and compensation undoes them.
///
/// Which steps an earlier attempt sent is told by the rollback entry alone, not by the
/// journal: the entry is on disk before the user's first write and names only fields whose
/// live value then differed from the desired one, so a step whose fields now hold the
/// desired values where the entry holds others was written since — by that attempt, whose
/// `writing` line may not have reached the journal before it was killed. (Were it someone
/// else, the rollback restores it all the same: the run's record and its rollback agree.)
fn landed_earlier(
    user: &UserPlan,
    earlier: &Earlier,
    live: &HashMap<Resource, Value>,
    (diffs, kept): (&mut [StepDiff], &[Option<String>]),
) -> Vec<bool> {
    let mut landed = vec![false; diffs.len()];
    let Some(entry) = &earlier.entry else {
        return landed;
    };
    for (index, step) in user.steps.iter().enumerate() {
        // A step with fields kept (someone changed them since) is not the step as planned:
        // its live values say nothing of an earlier attempt's write.
        if diffs[index].body.is_some() || kept[index].is_some() {
            continue;
        }
        let doc = live.get(&step.resource()).unwrap_or(&Value::Null);
        if let Some(change) = super::earlier::landed(step, entry, doc) {
            diffs[index] = change;
            landed[index] = true;
        }
    }
    landed
}

/// The settings of the services the user is about to lose: those its services steps really
/// unassign. A pack's services are not listed by Odin, so unassigning a pack keeps the
/// settings of every service.
fn captured_settings(diffs: &[StepDiff], live: &HashMap<Resource, Value>) -> Map<String, Value> {
    let lost: Vec<ServiceRef> = diffs
        .iter()
        .flat_map(|d| d.services.unassign.iter().cloned())
        .collect();
    let Some(doc) = live.get(&Resource::Settings).filter(|_| !lost.is_empty()) else {
        return Map::new();
    };
    undo::settings_of(doc, |service| undo::restores(&lost, service))
}

/// Whether a services step of `user` unassigns anything.
fn unassigns(user: &UserPlan) -> bool {
    user.steps
        .iter()
        .any(|step| matches!(step, Step::Services(changes) if !changes.unassign.is_empty()))
}
