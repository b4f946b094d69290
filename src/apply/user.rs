//! One user: read the resources its steps touch, diff, record the rollback entry (synced)
//! before the first write, then write its steps in order ([`super::steps`]). A failure is a
//! result, not an error:
//! it is reported, the user's later steps are skipped, and its written steps are undone
//! ([`super::undo`]), those of a resumed user's earlier attempts too ([`super::earlier`]).

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::oneshot;

use super::ApplyOptions;
use super::bulk::{BulkWrites, Pending};
use super::earlier::Earlier;
use super::outbox::{Event, Outbox, Request};
use super::prepare::prepare_fresh;
use super::reporter::{Reporter, Unprepared};
use super::steps::write_steps;
use super::turns::Turns;
use super::undo;
use crate::live::groups::GroupReads;
use crate::odin::OdinClient;
use crate::odin::resources::UserIdentity;
use crate::plan::UserPlan;
use crate::rundir::Status;

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
    (client, groups, bulk, turns): (&OdinClient, &GroupReads, &Arc<BulkWrites>, &Turns),
    outbox: &Outbox,
    options: &ApplyOptions,
    earlier: &Earlier,
) -> bool {
    let start = earlier.start;
    // Dropped at the end, whichever way this user ends: no batch waits for it then.
    let mut pending = Pending::new(bulk, whole, start);
    let rest;
    let user = if start == 0 {
        whole
    } else {
        rest = whole.with_steps(whole.steps[start..].to_vec());
        &rest
    };
    let report = Reporter {
        user,
        whole,
        outbox,
        offset: start,
    };
    let started = Instant::now();
    // Refused with others of its group, or waiting for a user whose write it takes over.
    let turn = match turns.refused(&whole.user_id) {
        Some(why) => Err(why.to_string()),
        None => turns
            .wait(&whole.user_id)
            .await
            .map_err(|holder| format!("it takes over from `{holder}`, whose change failed")),
    };
    if let Err(why) = turn {
        let why = Unprepared::failed(format!("not sent: {why}"), None);
        return report.fail_all(why, started, &[]);
    }
    let prepared = match prepare_fresh(user, (client, groups, turns), options, earlier).await {
        Ok(prepared) => prepared,
        Err(failure) => {
            // A drifted user is not written at all; a failed one, or one with a step Odin
            // would refuse, is undone whole (what earlier attempts applied); a paused one
            // (Odin asked to wait past --max-wait) pauses the run.
            if failure.paused {
                outbox.send(Event::Pause(failure.message.clone()));
            }
            let mut undone = Vec::new();
            let refused = failure.status == Status::Skipped && !failure.paused;
            if (failure.status == Status::Failed || refused) && options.compensate {
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
    // A user whose only change is its credentials gets an entry too: one that names them
    // as not restorable, with no steps.
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
    let (mut results, failed_at, paused) =
        write_steps(user, (client, &mut pending), &report, &prepared).await;
    drop(pending);
    let mut undone_earlier = Vec::new();
    if let Some(reason) = paused {
        // Held back, not failed: what was written stays, and --resume continues the user.
        outbox.send(Event::Pause(reason));
    } else if let (Some(at), true) = (failed_at, options.compensate) {
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

/// Have the collector append `entry` to `rollback.jsonl` and wait until it is on disk.
async fn record_rollback(entry: UserPlan, outbox: &Outbox) -> Result<(), String> {
    let (done, recorded) = oneshot::channel();
    outbox.request(Request::Rollback { entry, done });
    recorded
        .await
        .unwrap_or_else(|_| Err("the run stopped".to_string()))
}
