//! The results and journal lines of one user, as its worker reports them.

use std::time::Instant;

use super::outbox::{Event, Outbox};
use super::undo::Compensation;
use crate::plan::{Step, UserPlan};
use crate::rundir::{JournalEntry, JournalState, Status, StepResult};

/// Why a user is not written at all: the status of the step it ends at (failed, drifted,
/// or skipped: held back by a pause, or a write Odin is known to refuse), the message, and
/// the HTTP status of a failed read.
pub(super) struct Unprepared {
    pub message: String,
    pub status: Status,
    /// Held back because Odin asked for a pause past `--max-wait`: the run pauses.
    pub paused: bool,
    pub http_status: Option<u16>,
    /// The requests the user's reads sent before it ended so: the attempts of the step
    /// it ends at.
    pub attempts: u32,
    /// The step (of this attempt) that ends with `status` and the message: the first, but
    /// for a value refused in a later step; the others are skipped.
    pub step: usize,
}

impl Unprepared {
    pub fn failed(message: String, http_status: Option<u16>) -> Unprepared {
        Unprepared {
            message,
            status: Status::Failed,
            paused: false,
            http_status,
            attempts: 0,
            step: 0,
        }
    }

    /// Not sent: step `step` is a write the live reads show Odin refuses
    /// ([`super::refused`]); it is `skipped` with the reason, and so are the others.
    pub fn refused(step: usize, message: String) -> Unprepared {
        Unprepared {
            message,
            status: Status::Skipped,
            paused: false,
            http_status: None,
            attempts: 0,
            step,
        }
    }

    /// Not written: its fields moved since the plan recorded them (`drifted`).
    pub fn drifted(message: String) -> Unprepared {
        Unprepared {
            status: Status::Drifted,
            ..Unprepared::failed(message, None)
        }
    }

    /// Held back, not failed: Odin asked for a pause past `--max-wait` (its steps are
    /// `skipped`, for `--resume`).
    pub fn paused(message: String) -> Unprepared {
        Unprepared {
            message,
            status: Status::Skipped,
            paused: true,
            http_status: None,
            attempts: 0,
            step: 0,
        }
    }

    /// The same, having sent `attempts` requests.
    pub fn after(mut self, attempts: u32) -> Unprepared {
        self.attempts = attempts;
        self
    }
}

/// Results and journal lines of one user.
pub(super) struct Reporter<'a> {
    pub user: &'a UserPlan,
    /// All of the user's steps (`user` holds those of this attempt).
    pub whole: &'a UserPlan,
    pub outbox: &'a Outbox,
    /// The original index of `user.steps[0]` (non-zero for a resumed user).
    pub offset: usize,
}

impl Reporter<'_> {
    pub(super) fn result(&self, step: usize, plan_step: &Step, status: Status) -> StepResult {
        StepResult::new(self.user, step + self.offset, plan_step.resource(), status)
    }

    pub(super) fn journal(&self, step: usize, plan_step: &Step, state: JournalState) {
        self.outbox.send(Event::Journal(JournalEntry {
            user_id: self.user.user_id.clone(),
            step: step + self.offset,
            resource: plan_step.resource(),
            state,
        }));
    }

    /// Why compensation undid a step: the step that failed (an index of this attempt).
    pub(super) fn cause(&self, failed_at: usize) -> String {
        format!(
            "step {} ({}) failed",
            failed_at + self.offset + 1,
            self.user.steps[failed_at].resource()
        )
    }

    /// Nothing of this user was written in this attempt: its step `why.step` (the first,
    /// unless a later one holds a refused value) ends as `why` says (failed or drifted), the
    /// rest are skipped; `undone_earlier` as for [`Reporter::finish`].
    pub(super) fn fail_all(
        &self,
        why: Unprepared,
        started: Instant,
        undone_earlier: &[usize],
    ) -> bool {
        let (message, first, paused) = (why.message.as_str(), why.status, why.paused);
        tracing::warn!(user = %self.user.user_id, message, "user not changed");
        let mut results = Vec::with_capacity(self.user.steps.len());
        let at = why.step.min(self.user.steps.len().saturating_sub(1));
        for (index, step) in self.user.steps.iter().enumerate() {
            let (status, text) = match (index, first) {
                _ if index == at => (first, message.to_string()),
                (_, Status::Failed) if index < at => (
                    Status::Skipped,
                    format!(
                        "not written: step {} ({}) of this user failed before anything was sent",
                        at + self.offset + 1,
                        self.user.steps[at].resource()
                    ),
                ),
                (_, Status::Drifted) => {
                    (Status::Skipped, "not written: the user drifted".to_string())
                }
                (_, Status::Skipped) if paused => (
                    Status::Skipped,
                    "not started: the run paused (continue it with --resume)".to_string(),
                ),
                (_, Status::Skipped) => (
                    Status::Skipped,
                    format!(
                        "not written: step {} ({}) of this user would be refused by Odin, so \
                         nothing of it was sent",
                        at + self.offset + 1,
                        self.user.steps[at].resource()
                    ),
                ),
                _ => (
                    Status::Skipped,
                    "an earlier step of this user failed".to_string(),
                ),
            };
            let mut result = self.result(index, step, status);
            if index == at {
                result.http_status = why.http_status;
                result.attempts = why.attempts;
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
    pub(super) fn compensated(
        &self,
        results: &mut [StepResult],
        undone: Vec<Compensation>,
        failed_at: usize,
    ) {
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
    pub(super) fn amended(&self, undone: Vec<Compensation>, failed_at: usize) -> Vec<usize> {
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
    pub(super) fn finish(&self, results: Vec<StepResult>, undone_earlier: &[usize]) -> bool {
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
                .send(Event::Unfinished(self.whole.with_steps(steps)));
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
