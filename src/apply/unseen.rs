//! Steps written through a write of their group's list that Odin answered 2xx but nothing
//! has shown yet ([`super::bulk::Outcome::Applied`] with `unseen`): a later write of the
//! same list by the same user, through its batch, shows the list after it (its answer, or
//! the read that judged it), and that judges them; those no later write showed (the user
//! failed or paused before it, or it was written on its own) are judged by one read each.
//! A step the list does not show after all is `failed`, never left `applied`.

use serde_json::Value;

use super::bulk::ListSeen;
use super::diff::{StepDiff, entry_holds};
use super::landed::{self, Landed};
use super::reporter::Reporter;
use crate::odin::OdinClient;
use crate::odin::resources::UserIdentity;
use crate::plan::UserPlan;
use crate::rundir::{JournalState, Status, StepResult};

/// A user's steps applied on a 2xx alone, by index among its steps of this attempt.
#[derive(Debug, Default)]
pub(super) struct Unseen(Vec<usize>);

impl Unseen {
    /// Step `index` was applied on its write's 2xx alone.
    pub fn add(&mut self, index: usize) {
        self.0.push(index);
    }

    /// The list `seen` (after a later write of it: its answer, or a read) judges the unseen
    /// steps of the same list; an answer that is not the list judges none.
    pub fn judge_by(
        &mut self,
        (user, diffs): (&UserPlan, &[StepDiff]),
        seen: &ListSeen,
        results: &mut [StepResult],
        report: &Reporter<'_>,
    ) {
        let (from, answer) = seen;
        self.0.retain(|&index| {
            let resource = user.steps[index].resource();
            if !crate::operation::same_group_list(resource, *from) {
                return true;
            }
            // An answer that is not the list judges nothing.
            let Some(doc) = crate::operation::group_answer(resource, answer) else {
                return true;
            };
            let body = diffs[index].body.as_ref();
            let mut entries = body.and_then(Value::as_object).into_iter().flatten();
            let shows = entries.all(|(key, entry)| {
                let (key, entry) =
                    crate::operation::group_entry(resource, &user.user_id, key, entry);
                entry_holds(doc.get(&key), &entry)
            });
            if !shows {
                not_shown(index, &mut results[index], report, user);
            }
            false
        });
    }

    /// Read each step still unseen once, and judge it by the read.
    pub async fn judge_rest(
        self,
        (user, diffs): (&UserPlan, &[StepDiff]),
        (client, identity): (&OdinClient, &UserIdentity),
        results: &mut [StepResult],
        report: &Reporter<'_>,
    ) {
        for index in self.0 {
            let step = &user.steps[index];
            let result = &mut results[index];
            let mut attempts = 0;
            let (landed, _) =
                landed::check(client, identity, (step, &diffs[index]), &mut attempts).await;
            result.attempts += attempts;
            match landed {
                Landed::Yes => {}
                Landed::No => not_shown(index, result, report, user),
                Landed::Unknown(why) => result
                    .message
                    .push_str(&format!("; no read has shown it yet ({why})")),
            }
        }
    }
}

/// Step `index`, applied on its write's 2xx, is not in the list read after it: failed.
fn not_shown(index: usize, result: &mut StepResult, report: &Reporter<'_>, user: &UserPlan) {
    tracing::warn!(user = %user.user_id, resource = %result.resource, "a write answered 2xx did not land");
    result.status = Status::Failed;
    result.message = format!(
        "Odin answered the write {}, but the list read after it does not show it",
        result.http_status.unwrap_or(200)
    );
    report.journal(
        index,
        &user.steps[index],
        JournalState::Ended(Status::Failed),
    );
}
