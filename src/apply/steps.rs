//! Writing one user's steps in order, once its rollback entry is on disk: each on its own,
//! or through its batch's bulk write ([`super::bulk`]); after a failure the rest are
//! skipped.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Map, Value};

use super::bulk::{self, ListEntries, Outcome, Pending};
use super::diff::StepDiff;
use super::prepare::Prepared;
use super::reporter::Reporter;
use super::undo;
use super::unseen::Unseen;
use crate::odin::group::BulkTarget;
use crate::odin::resources::UserIdentity;
use crate::odin::{OdinClient, OdinError};
use crate::plan::{Step, UserPlan};
use crate::rundir::{JournalState, Status, StepResult};

/// Write the steps in order; after a failure the rest are skipped. The results, the index
/// of the step that failed or was held back, if one was, and why it was held back (Odin
/// asked to wait past `--max-wait`: the step is `skipped`, not failed).
pub(super) async fn write_steps(
    user: &UserPlan,
    (client, pending): (&OdinClient, &mut Pending<'_>),
    report: &Reporter<'_>,
    prepared: &Prepared,
) -> (Vec<StepResult>, Option<usize>, Option<String>) {
    let mut results = Vec::with_capacity(user.steps.len());
    let mut failed_at = None;
    let mut paused = None;
    let mut reads = prepared.read_attempts.clone();
    let mut unseen = Unseen::default();
    for (index, (step, change)) in user.steps.iter().zip(&prepared.diffs).enumerate() {
        let started = Instant::now();
        let (before, after) = maps(change);
        let mut result = report.result(index, step, Status::Skipped);
        (result.before, result.after) = (before, after);
        // Every request the step sent: its resource's read (for the first step of that
        // resource) and its write.
        result.attempts = reads.remove(&step.resource()).unwrap_or(0);
        let at = report.offset + index;
        // A step with fields kept (drifted) writes less than its batch's identical change.
        let kept = prepared.kept[index].is_some();
        if failed_at.is_some() || prepared.landed[index] || change.body.is_none() || kept {
            pending.drop_out(at);
        }
        if failed_at.is_some() {
            result.message = match paused {
                Some(_) => "not started: the run paused (continue it with --resume)".into(),
                None => "an earlier step of this user failed".into(),
            };
        } else if prepared.landed[index] {
            // Sent by an earlier attempt of this run, and it reached Odin: applied then,
            // once; nothing is sent again.
            result.status = Status::Applied;
            result.message = "applied by an earlier attempt of this run".into();
        } else if let Some(body) = &change.body {
            report.journal(index, step, JournalState::Writing);
            let rows = bulk_rows(step, prepared).filter(|_| pending.holds(at));
            if rows.is_none() {
                pending.drop_out(at);
            }
            let mut landed = Vec::new();
            if let Some(rows) = rows {
                let read_at = prepared.group_read_at.unwrap_or_else(Instant::now);
                let context = prepared.context.get(&step.resource());
                let entries = step.resource().of_group().then(|| ListEntries {
                    user: user.user_id.clone(),
                    order: user.rows.first().copied().unwrap_or_default(),
                    entries: body.clone(),
                    before: before_of(change, context),
                    shown_later: shown_later(user, index, prepared, pending, report.offset),
                });
                match pending.arrive(at, (rows, read_at, entries)).await {
                    Outcome::Applied {
                        http_status,
                        users,
                        unseen: not_seen,
                        seen,
                    } => {
                        if let Some(seen) = &seen {
                            let plan = (user, prepared.diffs.as_slice());
                            unseen.judge_by(plan, seen, &mut results, report);
                        }
                        if not_seen {
                            unseen.add(index);
                        }
                        result.status = Status::Applied;
                        result.http_status = Some(http_status);
                        result.message = format!("written by a bulk write of {users} users");
                        add_note(&mut result.message, look_alike(change));
                        add_note(&mut result.message, prepared.notes[index].clone());
                        result.duration_ms = started.elapsed().as_millis() as u64;
                        report.journal(index, step, JournalState::Ended(result.status));
                        results.push(result);
                        continue;
                    }
                    Outcome::Alone { landed: taken } => landed = taken,
                }
            }
            let mut carried_note = None;
            let call = match step {
                Step::Credentials(changes) => {
                    let carried = crate::operation::carried(sent_steps(report, prepared));
                    if !carried.is_empty() && changes.0.keys().all(|c| carried.contains(c)) {
                        carried_note = Some(format!(
                            "{} sent with an earlier step of the user",
                            names_of(&carried)
                        ));
                    }
                    let identity = &prepared.identity;
                    super::credentials::write(client, identity, changes, &carried).await
                }
                _ => {
                    let before = before_of(change, prepared.context.get(&step.resource()));
                    let writer = (&prepared.identity, report.whole.credentials().next());
                    crate::operation::write_as(client, writer, step.resource(), body, &before).await
                }
            };
            result.http_status = call.status;
            result.attempts += call.attempts;
            match call.result {
                Ok(answer) => {
                    if step.resource().of_group() {
                        // Its answer may be the group's list: it judges the user's unseen
                        // steps of that list too.
                        let seen = (step.resource(), std::sync::Arc::new(answer));
                        let plan = (user, prepared.diffs.as_slice());
                        unseen.judge_by(plan, &seen, &mut results, report);
                    }
                    result.status = Status::Applied;
                    add_note(&mut result.message, carried_note);
                    add_note(&mut result.message, look_alike(change));
                    add_note(&mut result.message, prepared.notes[index].clone());
                }
                Err(error) if error.pauses_run() => {
                    result.status = Status::Skipped;
                    let not = match error {
                        OdinError::TooLongWait { .. } => "not sent",
                        _ => "not written",
                    };
                    result.message = match landed.is_empty() {
                        true => format!("{not}: {error}; continue with --resume"),
                        // Its rollback entry holds them; --resume finds what landed.
                        false => format!(
                            "{not} on its own: {error}; a bulk write had written {} of it; \
                             continue with --resume",
                            names(&landed)
                        ),
                    };
                    failed_at = Some(index);
                    paused = Some(error.to_string());
                }
                Err(error)
                    if super::landed::judged_by_read(step.resource(), &error, call.attempts)
                        && landed.is_empty() =>
                {
                    // The answer was lost, or a repeat was refused: a read tells whether the
                    // write landed.
                    let before = before_of(change, prepared.context.get(&step.resource()));
                    let write = (step, change, body, &before);
                    let run = (client, &prepared.identity);
                    let (status, message) =
                        super::landed::judge(run, write, &error, &mut result.attempts).await;
                    if status == Status::Failed {
                        tracing::warn!(user = %user.user_id, resource = %step.resource(), %error, "step failed");
                        failed_at = Some(index);
                    } else {
                        tracing::warn!(user = %user.user_id, resource = %step.resource(), %error, "answer lost; the write landed");
                    }
                    (result.status, result.message) = (status, message);
                }
                Err(error) => {
                    tracing::warn!(user = %user.user_id, resource = %step.resource(), %error, "step failed");
                    result.status = Status::Failed;
                    result.message = error.to_string();
                    failed_at = Some(index);
                    if !landed.is_empty() {
                        result.message.push_str(
                            &undo_landed(step, change, &landed, client, &prepared.identity).await,
                        );
                    }
                }
            }
        } else {
            result.status = Status::Unchanged;
        }
        if let Some(kept) = &prepared.kept[index] {
            // The rest of the step was written (or already so): it ends `drifted`, saying
            // what was kept.
            if result.status.is_done() {
                result.status = Status::Drifted;
            }
            let said = std::mem::take(&mut result.message);
            result.message = kept.clone();
            add_note(&mut result.message, (!said.is_empty()).then_some(said));
        }
        result.duration_ms = started.elapsed().as_millis() as u64;
        report.journal(index, step, JournalState::Ended(result.status));
        results.push(result);
    }
    let plan = (user, prepared.diffs.as_slice());
    let read = (client, &prepared.identity);
    unseen.judge_rest(plan, read, &mut results, report).await;
    (results, failed_at, paused)
}

/// The user's steps that were sent: those finished by an earlier attempt (before this
/// attempt's first step), and of this attempt's those written or landed before. A
/// credential another step carries went with that step only where it was sent.
fn sent_steps<'a>(
    report: &'a Reporter<'_>,
    prepared: &'a Prepared,
) -> impl Iterator<Item = &'a Step> {
    let earlier = report.whole.steps[..report.offset].iter();
    let now = report.user.steps.iter().enumerate().filter(|(i, _)| {
        prepared.landed[*i] || (prepared.diffs[*i].body.is_some() && prepared.kept[*i].is_none())
    });
    earlier.chain(now.map(|(_, step)| step))
}

/// Credentials by name, `, `-separated.
fn names_of(credentials: &[crate::credentials::Credential]) -> String {
    let names: Vec<&str> = credentials.iter().map(|c| c.name()).collect();
    names.join(", ")
}

/// Whether a later step of `user` than `index` writes the same group list as it through
/// its batch (`offset`: the index of the user's first step in its whole plan): the answer of
/// that write shows this one's entries too.
fn shown_later(
    user: &UserPlan,
    index: usize,
    prepared: &Prepared,
    pending: &Pending<'_>,
    offset: usize,
) -> bool {
    let resource = user.steps[index].resource();
    user.steps
        .iter()
        .enumerate()
        .skip(index + 1)
        .any(|(later, step)| {
            crate::operation::same_group_list(step.resource(), resource)
                && prepared.diffs[later].body.is_some()
                && prepared.kept[later].is_none()
                && !prepared.landed[later]
                && pending.holds(offset + later)
        })
}

/// The part of a failed step a bulk write had given the user, written back; what the
/// step's message adds about it.
async fn undo_landed(
    step: &Step,
    change: &StepDiff,
    landed: &[BulkTarget],
    client: &OdinClient,
    identity: &UserIdentity,
) -> String {
    let names = names(landed);
    match undo::undo_landed(step, change, landed, client, identity).await {
        Ok(()) => format!("; the part a bulk write had written ({names}) was undone"),
        Err(why) => {
            format!("; the part a bulk write had written ({names}) could not be undone: {why}")
        }
    }
}

/// What the live resource held at the units `change` writes (a list's entries as they
/// were, with the `context` of its read), for a write that needs it.
fn before_of(change: &StepDiff, context: Option<&Value>) -> Value {
    let mut before: Map<String, Value> = context
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    before.extend(
        change
            .restore
            .iter()
            .filter_map(|(key, before)| Some((key.clone(), before.clone()?))),
    );
    Value::Object(before)
}

/// `Call Recording, Call Forwarding Always`.
fn names(targets: &[BulkTarget]) -> String {
    let names: Vec<String> = targets.iter().map(ToString::to_string).collect();
    names.join(", ")
}

/// What a bulk write would list the user as, per target of `step`, when every target's
/// document came from a group read and, for a service, the read says it is assigned (a user
/// without it writes on its own and gets its own error).
fn bulk_rows(step: &Step, prepared: &Prepared) -> Option<HashMap<BulkTarget, Value>> {
    // A group's own list is written with its group's other members' entries, whoever they
    // are: there is nothing to list the user as.
    if step.resource().of_group() {
        return Some(HashMap::new());
    }
    let targets = bulk::targets_of(step);
    if targets.is_empty() {
        return None;
    }
    targets
        .into_iter()
        .map(|target| {
            if let BulkTarget::Service(service) = target
                && prepared.unassigned.contains(&service)
            {
                return None;
            }
            Some((target, prepared.rows.get(&target)?.clone()))
        })
        .collect()
}

/// What a results line says of the changed fields whose before and after print the same
/// (only invisible characters or spaces differ; [`super::diff::look_alike`]): each with
/// that difference escaped, since its `before` and `after` cells hold the values as they
/// are.
fn look_alike(change: &StepDiff) -> Option<String> {
    let fields: Vec<String> = change
        .changes
        .iter()
        .filter_map(|c| {
            let (before, after) = super::diff::look_alike(c.before.as_ref(), &c.after)?;
            Some(format!("`{}` `{before}` → `{after}`", c.path))
        })
        .collect();
    (!fields.is_empty()).then(|| {
        format!(
            "only characters that do not show differ: {}",
            fields.join(", ")
        )
    })
}

/// `message`, with `note` added after what it says.
fn add_note(message: &mut String, note: Option<String>) {
    match note {
        Some(note) if message.is_empty() => *message = note,
        Some(note) => *message = format!("{message}; {note}"),
        None => {}
    }
}

/// Field path → before (null when absent) and → after, for the fields a step changes.
fn maps(change: &StepDiff) -> (Map<String, Value>, Map<String, Value>) {
    let before = change
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.before.clone().unwrap_or(Value::Null)))
        .collect();
    let after = change
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.after.clone()))
        .collect();
    (before, after)
}
