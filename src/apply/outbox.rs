//! What workers and the dispatcher tell the collector: facts ([`Event`]) on one channel,
//! requests that need an answer ([`Request`], each with its own reply channel) on another.

use tokio::sync::{mpsc, oneshot};

use super::Inbox;
use crate::plan::UserPlan;
use crate::rundir::{JournalEntry, Status, StepResult};

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
    /// Odin asked for a pause longer than `--max-wait` (why, in words): start no more
    /// users; the run can be continued with `--resume`.
    Pause(String),
    /// A step whose result an earlier attempt recorded (`applied`) ends otherwise: its
    /// `results.csv` line gets this status and message.
    Amend {
        user_id: String,
        step: usize,
        status: Status,
        message: String,
    },
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
