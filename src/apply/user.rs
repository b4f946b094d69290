//! One user: read the resources its steps touch, diff, record the rollback entry (synced)
//! before the first write, then write its steps in order. A failure is a result, not an error:
//! it is reported, the user's later steps are skipped, and its written steps are undone
//! ([`super::undo`]), those of a resumed user's earlier attempts too ([`super::earlier`]).

use std::time::Instant;

use std::collections::HashMap;

use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};

use super::diff::{StepDiff, diff};
use super::groups::GroupReads;
use super::undo::{self, Compensation};
use super::{ApplyOptions, Inbox};
use crate::odin::OdinClient;
use crate::odin::resources::UserIdentity;
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;
use crate::rundir::{JournalEntry, JournalState, Status, StepResult};
use crate::services::{Kind, ServiceRef};

/// What happened, told to the collector.
#[derive(Debug)]
pub(crate) enum Event {
    /// A step changed state.
    Journal(JournalEntry),
    /// A step ended.
    Step(StepResult),
    /// The steps of a user that were not applied (failed, skipped, compensated), for
    /// `failed.jsonl`.
    Unfinished(UserPlan),
    /// A user's last step ended; `failed` when one of its steps failed.
    UserDone { failed: bool },
    /// A step whose result an earlier attempt recorded (`applied`) ends otherwise: its
    /// `results.csv` line gets this status and message.
    Amend {
        user_id: String,
        step: usize,
        status: Status,
        message: String,
    },
}

/// What earlier attempts left of a resumed user.
#[derive(Debug, Clone, Default)]
pub(crate) struct Earlier {
    /// Its first step still to run; the ones before finished.
    pub start: usize,
    /// Its rollback entry, when one is recorded already (it gets no second one).
    pub entry: Option<UserPlan>,
    /// How its steps before `start` ended.
    pub kept: Vec<Status>,
}

/// What needs an answer from the collector, on its own channel.
#[derive(Debug)]
pub(crate) enum Request {
    /// Record this rollback entry and answer once it is on disk.
    Rollback {
        entry: UserPlan,
        done: oneshot::Sender<Result<(), String>>,
    },
    /// The canary users are done: answer whether to go on.
    Canary { decide: oneshot::Sender<bool> },
}

/// The sending ends of the collector's two channels.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    events: mpsc::UnboundedSender<Event>,
    requests: mpsc::UnboundedSender<Request>,
}

impl Outbox {
    /// An outbox and the collector's two inboxes.
    pub fn new() -> (Outbox, Inbox<Event>, Inbox<Request>) {
        let (events, event_inbox) = mpsc::unbounded_channel();
        let (requests, request_inbox) = mpsc::unbounded_channel();
        (Outbox { events, requests }, event_inbox, request_inbox)
    }

    /// Tell the collector (a collector that is gone has nothing left to record).
    pub fn send(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// Ask the collector; the answer comes on the request's own channel.
    pub fn request(&self, request: Request) {
        let _ = self.requests.send(request);
    }
}

/// Why a user is not written at all: the first step's status (failed or drifted), the
/// message, and the HTTP status of a failed read.
struct Unprepared {
    message: String,
    status: Status,
    http_status: Option<u16>,
}

impl Unprepared {
    fn failed(message: String, http_status: Option<u16>) -> Unprepared {
        Unprepared {
            message,
            status: Status::Failed,
            http_status,
        }
    }
}

/// A user's live state and what each of its steps would change.
struct Prepared {
    diffs: Vec<StepDiff>,
    /// The settings of the services the user is about to lose (unassigned, or in an
    /// unassigned pack), as field paths: what assigning them again restores.
    captured: Map<String, Value>,
    identity: UserIdentity,
    /// When the group read used was made, if one was.
    group_read_at: Option<Instant>,
}

/// Apply one user's plan; with `compensate`, a user whose step fails for good after earlier
/// steps were written has those undone; without `force`, a user whose live values moved
/// since a reviewed plan recorded them is `drifted` and not written. Returns whether a step
/// failed.
///
/// A resumed user starts at step `earlier.start` (the ones before it finished in an earlier
/// attempt) and, when its rollback entry is recorded already, gets no second one; when
/// compensated, its steps applied by earlier attempts are undone too.
pub(crate) async fn apply(
    whole: &UserPlan,
    (client, groups): (&OdinClient, &GroupReads),
    outbox: &Outbox,
    options: &ApplyOptions,
    earlier: &Earlier,
) -> bool {
    let start = earlier.start;
    let rest;
    let user = if start == 0 {
        whole
    } else {
        rest = remaining(whole, start);
        &rest
    };
    let report = Reporter {
        user,
        whole,
        outbox,
        offset: start,
    };
    let started = Instant::now();
    let prepared = match prepare_fresh(user, (client, groups), options).await {
        Ok(prepared) => prepared,
        Err(failure) => {
            // A drifted user is not written at all; a failed one is undone whole.
            let mut undone = Vec::new();
            if failure.status == Status::Failed && options.compensate {
                let identity = UserIdentity::resolve(
                    &whole.user_id,
                    whole.service_provider_id.as_deref(),
                    whole.group_id.as_deref(),
                    None,
                );
                undone = undo_earlier(&report, earlier, client, &identity, 0).await;
            }
            return report.fail_all(failure, started, &undone);
        }
    };
    if earlier.entry.is_none() && prepared.diffs.iter().any(|d| d.body.is_some()) {
        let entry = undo::rollback_entry(
            user,
            &prepared.diffs,
            &prepared.captured,
            &prepared.identity,
        );
        if let Err(why) = record_rollback(entry, outbox).await {
            let message = format!("not written: the rollback entry could not be recorded ({why})");
            return report.fail_all(Unprepared::failed(message, None), started, &[]);
        }
    }
    let (mut results, failed_at) = write_steps(user, client, &report, &prepared).await;
    let mut undone_earlier = Vec::new();
    if let (Some(at), true) = (failed_at, options.compensate) {
        let undone = undo::compensate(
            user,
            client,
            (&prepared.diffs, &prepared.captured),
            &results,
            at,
            &prepared.identity,
        )
        .await;
        report.compensated(&mut results, undone, at);
        undone_earlier = undo_earlier(&report, earlier, client, &prepared.identity, at).await;
    }
    report.finish(results, &undone_earlier)
}

/// This attempt's step `failed_at` failed for good: undo the steps earlier attempts applied
/// and report them; the indices (among all the user's steps) of those undone.
async fn undo_earlier(
    report: &Reporter<'_>,
    earlier: &Earlier,
    client: &OdinClient,
    identity: &UserIdentity,
    failed_at: usize,
) -> Vec<usize> {
    let kept = &earlier.kept[..earlier.kept.len().min(earlier.start)];
    if !kept.contains(&Status::Applied) {
        return Vec::new();
    }
    let entry = earlier.entry.as_ref();
    let undone = super::earlier::undo_earlier(report.whole, kept, entry, client, identity).await;
    report.amended(undone, failed_at)
}

/// [`prepare`], once more when a group read it used has grown older than the bound since:
/// the user's rollback entry and writes follow at once.
async fn prepare_fresh(
    user: &UserPlan,
    reads: (&OdinClient, &GroupReads),
    options: &ApplyOptions,
) -> Result<Prepared, Unprepared> {
    let prepared = prepare(user, reads, options).await?;
    match prepared.group_read_at {
        Some(at) if at.elapsed() >= reads.1.max_age() => {
            tracing::debug!(user = %user.user_id, "group read too old by now; reading again");
            prepare(user, reads, options).await
        }
        _ => Ok(prepared),
    }
}

/// Read the user's resources, check them against a reviewed plan's before-values, and diff
/// each step; or the message and status (failed, drifted) the whole user ends with.
async fn prepare(
    user: &UserPlan,
    (client, groups): (&OdinClient, &GroupReads),
    options: &ApplyOptions,
) -> Result<Prepared, Unprepared> {
    let read = super::live::read(user, client, Some(groups))
        .await
        .map_err(|why| Unprepared::failed(why.message, why.http_status))?;
    let (mut live, group_read_at) = (read.docs, read.group_read_at);
    if unassigns(user) && (read.partial_settings || !live.contains_key(&Resource::Settings)) {
        // Before a service is unassigned its settings are kept, so that rollback and
        // compensation can assign it again with exactly these settings: that needs the
        // user's whole settings document (a group read holds only the services the steps
        // touch).
        let call = client.read(Resource::Settings, &user.user_id).await;
        let doc = call.result.map_err(|error| {
            let message = format!("reading {} before unassigning: {error}", Resource::Settings);
            Unprepared::failed(message, call.status)
        })?;
        live.insert(Resource::Settings, doc);
    }
    if !options.force {
        let moved = super::live::drift(user, &live);
        if !moved.is_empty() {
            tracing::warn!(user = %user.user_id, fields = moved.len(), "drifted since the plan");
            return Err(Unprepared {
                message: moved.join("; "),
                status: Status::Drifted,
                http_status: None,
            });
        }
    }
    let diffs = user
        .steps
        .iter()
        .map(|step| diff(step, &live[&step.resource()]))
        .collect::<Result<Vec<StepDiff>, _>>()
        .map_err(|error| Unprepared::failed(format!("cannot apply the plan: {error}"), None))?;
    let captured = captured_settings(&diffs, &live);
    let identity = UserIdentity::resolve(
        &user.user_id,
        user.service_provider_id.as_deref(),
        user.group_id.as_deref(),
        live.get(&Resource::User),
    );
    Ok(Prepared {
        diffs,
        captured,
        identity,
        group_read_at,
    })
}

/// The settings of the services the user is about to lose: those its services steps really
/// unassign. A pack's services are not listed by Odin, so unassigning a pack keeps the
/// settings of every service.
fn captured_settings(diffs: &[StepDiff], live: &HashMap<Resource, Value>) -> Map<String, Value> {
    let lost: Vec<&ServiceRef> = diffs.iter().flat_map(|d| &d.services.unassign).collect();
    let Some(doc) = live.get(&Resource::Settings).filter(|_| !lost.is_empty()) else {
        return Map::new();
    };
    let names: Vec<&str> = lost.iter().map(|s| s.name.as_str()).collect();
    let packs = lost.iter().any(|s| s.kind == Kind::Pack);
    undo::settings_of(doc, (!packs).then_some(names.as_slice()))
}

/// Whether a services step of `user` unassigns anything.
fn unassigns(user: &UserPlan) -> bool {
    user.steps
        .iter()
        .any(|step| matches!(step, Step::Services(changes) if !changes.unassign.is_empty()))
}

/// Have the collector append `entry` to `rollback.jsonl` and wait until it is on disk.
async fn record_rollback(entry: UserPlan, outbox: &Outbox) -> Result<(), String> {
    let (done, recorded) = oneshot::channel();
    outbox.request(Request::Rollback { entry, done });
    recorded
        .await
        .unwrap_or_else(|_| Err("the run stopped".to_string()))
}

/// Write the steps in order; after a failure the rest are skipped. The results, and the
/// index of the step that failed, if one did.
async fn write_steps(
    user: &UserPlan,
    client: &OdinClient,
    report: &Reporter<'_>,
    prepared: &Prepared,
) -> (Vec<StepResult>, Option<usize>) {
    let mut results = Vec::with_capacity(user.steps.len());
    let mut failed_at = None;
    for (index, (step, change)) in user.steps.iter().zip(&prepared.diffs).enumerate() {
        let started = Instant::now();
        let (before, after) = maps(change);
        let mut result = report.result(index, step, Status::Skipped);
        (result.before, result.after) = (before, after);
        if failed_at.is_some() {
            result.message = "an earlier step of this user failed".into();
        } else if let Some(body) = &change.body {
            report.journal(index, step, JournalState::Writing);
            let body = prepared.identity.stamp(step.resource(), body);
            let call = client.write(step.resource(), &body).await;
            result.http_status = call.status;
            result.attempts = call.attempts;
            match call.result {
                Ok(_) => result.status = Status::Applied,
                Err(error) => {
                    tracing::warn!(user = %user.user_id, resource = %step.resource(), %error, "step failed");
                    result.status = Status::Failed;
                    result.message = error.to_string();
                    failed_at = Some(index);
                }
            }
        } else {
            result.status = Status::Unchanged;
        }
        result.duration_ms = started.elapsed().as_millis() as u64;
        report.journal(index, step, JournalState::Ended(result.status));
        results.push(result);
    }
    (results, failed_at)
}

/// Results and journal lines of one user.
struct Reporter<'a> {
    user: &'a UserPlan,
    /// All of the user's steps (`user` holds those of this attempt).
    whole: &'a UserPlan,
    outbox: &'a Outbox,
    /// The original index of `user.steps[0]` (non-zero for a resumed user).
    offset: usize,
}

impl Reporter<'_> {
    fn result(&self, step: usize, plan_step: &Step, status: Status) -> StepResult {
        StepResult::new(self.user, step + self.offset, plan_step.resource(), status)
    }

    fn journal(&self, step: usize, plan_step: &Step, state: JournalState) {
        self.outbox.send(Event::Journal(JournalEntry {
            user_id: self.user.user_id.clone(),
            step: step + self.offset,
            resource: plan_step.resource(),
            state,
        }));
    }

    /// Why compensation undid a step: the step that failed (an index of this attempt).
    fn cause(&self, failed_at: usize) -> String {
        format!(
            "step {} ({}) failed",
            failed_at + self.offset + 1,
            self.user.steps[failed_at].resource()
        )
    }

    /// Nothing of this user was written in this attempt: its first step ends as `why` says
    /// (failed or drifted), the rest are skipped; `undone_earlier` as for
    /// [`Reporter::finish`].
    fn fail_all(&self, why: Unprepared, started: Instant, undone_earlier: &[usize]) -> bool {
        let (message, first) = (why.message.as_str(), why.status);
        tracing::warn!(user = %self.user.user_id, message, "user not changed");
        let mut results = Vec::with_capacity(self.user.steps.len());
        for (index, step) in self.user.steps.iter().enumerate() {
            let (status, text) = match (index, first) {
                (0, _) => (first, message.to_string()),
                (_, Status::Drifted) => {
                    (Status::Skipped, "not written: the user drifted".to_string())
                }
                _ => (
                    Status::Skipped,
                    "an earlier step of this user failed".to_string(),
                ),
            };
            let mut result = self.result(index, step, status);
            if index == 0 {
                result.http_status = why.http_status;
            }
            result.after = step.patch().into_owned();
            result.message = text;
            result.duration_ms = started.elapsed().as_millis() as u64;
            self.journal(index, step, JournalState::Ended(status));
            results.push(result);
        }
        self.finish(results, undone_earlier)
    }

    /// Mark the steps compensation undid, and say why the others could not be.
    fn compensated(&self, results: &mut [StepResult], undone: Vec<Compensation>, failed_at: usize) {
        let cause = self.cause(failed_at);
        for Compensation { index, outcome } in undone {
            match outcome {
                Ok(()) => {
                    results[index].status = Status::Compensated;
                    results[index].message = format!("undone because {cause}");
                    self.journal(
                        index,
                        &self.user.steps[index],
                        JournalState::Ended(Status::Compensated),
                    );
                }
                Err(why) => results[index].message = format!("{cause}; {why}"),
            }
        }
    }

    /// Steps of earlier attempts were undone (`undone`, by their index among all the user's
    /// steps): their recorded results become `compensated`, or say why they could not be
    /// undone. Returns the indices of those undone, in step order.
    fn amended(&self, undone: Vec<Compensation>, failed_at: usize) -> Vec<usize> {
        let cause = self.cause(failed_at);
        let mut steps = Vec::new();
        for Compensation { index, outcome } in undone {
            let (status, message) = match outcome {
                Ok(()) => {
                    steps.push(index);
                    (Status::Compensated, format!("undone because {cause}"))
                }
                Err(why) => (Status::Applied, format!("{cause}; {why}")),
            };
            if status == Status::Compensated {
                self.outbox.send(Event::Journal(JournalEntry {
                    user_id: self.user.user_id.clone(),
                    step: index,
                    resource: self.whole.steps[index].resource(),
                    state: JournalState::Ended(status),
                }));
            }
            self.outbox.send(Event::Amend {
                user_id: self.user.user_id.clone(),
                step: index,
                status,
                message,
            });
        }
        steps.sort_unstable();
        steps
    }

    /// Report the user's results and its unfinished steps (with the steps of earlier attempts
    /// at `undone_earlier`, indices among all the user's steps, undone and so unfinished
    /// again); whether a step failed.
    fn finish(&self, results: Vec<StepResult>, undone_earlier: &[usize]) -> bool {
        let unfinished: Vec<Step> = self
            .user
            .steps
            .iter()
            .zip(&results)
            .filter(|(_, r)| !r.status.is_done())
            .map(|(step, _)| step.clone())
            .collect();
        if !undone_earlier.is_empty() {
            let again = undone_earlier.iter().map(|&i| self.whole.steps[i].clone());
            let steps = again.chain(unfinished).collect();
            self.outbox
                .send(Event::Unfinished(with_steps(self.whole, steps)));
        } else if !unfinished.is_empty() {
            self.outbox.send(Event::Unfinished(UserPlan {
                steps: unfinished,
                ..self.user.clone()
            }));
        }
        let failed = results.iter().any(|r| r.status == Status::Failed);
        for result in results {
            self.outbox.send(Event::Step(result));
        }
        failed
    }
}

/// The steps of `user` from `start` on, with the before-values of just their fields (so the
/// drift check ignores fields an earlier attempt already changed).
fn remaining(user: &UserPlan, start: usize) -> UserPlan {
    with_steps(user, user.steps[start..].to_vec())
}

/// `user` with just `steps` (some of its own), and the before-values of just their fields.
fn with_steps(user: &UserPlan, steps: Vec<Step>) -> UserPlan {
    let before = user.before.as_ref().map(|recorded| {
        recorded
            .iter()
            .map(|(resource, fields)| {
                let fields = fields
                    .iter()
                    .filter(|(key, _)| {
                        steps
                            .iter()
                            .any(|s| s.resource() == *resource && s.patch().contains_key(*key))
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (*resource, fields)
            })
            .collect()
    });
    UserPlan {
        steps,
        before,
        ..user.clone()
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
