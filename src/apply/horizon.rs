//! What else ends the starting of users before a plan is done, besides the operator, the
//! breaker and the canary: a maintenance window closing (its close less `--window-cutoff`)
//! and the daily request budget (DESIGN.md §6). The users a horizon leaves unstarted are
//! `deferred`, never failed: `--resume` continues them, inside the next window.

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;

use crate::odin::Allowance;
use crate::plan::UserPlan;

/// When a run stops starting users, and why in words.
#[derive(Debug, Clone, Default)]
pub struct Horizon {
    /// Start no user at or after this instant: the window's close less the cutoff; why
    /// (`the maintenance window Mon-Fri 22:00-05:30 (Europe/Berlin) closes at …`).
    pub until: Option<(SystemTime, String)>,
    /// The run's share of the daily request budget: a user starts only when the requests it
    /// may send, and those promised to the users in flight, still fit.
    pub budget: Option<Arc<dyn Allowance>>,
}

impl PartialEq for Horizon {
    fn eq(&self, other: &Horizon) -> bool {
        let same_budget = match (&self.budget, &other.budget) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.until == other.until && same_budget
    }
}

/// Why a user may not start now.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Refusal {
    /// The window is closing: no user starts again in this run.
    Window(String),
    /// The budget does not hold its requests and those of the users in flight: once those
    /// end and give back what they did not use, it may.
    Budget(String),
}

impl Refusal {
    /// Why, in words.
    pub fn why(self) -> String {
        match self {
            Refusal::Window(why) | Refusal::Budget(why) => why,
        }
    }

    /// What a step it left unstarted says (its numbers are in `summary.json`'s
    /// `deferredBy`: a message without them reads the same for every user).
    pub fn step_message(&self) -> &'static str {
        match self {
            Refusal::Window(_) => {
                "not started: the maintenance window was closing (its close less \
                 --window-cutoff); --resume continues it in the next window"
            }
            Refusal::Budget(_) => {
                "not started: the daily request budget was reached; --resume continues it \
                 once the budget has room"
            }
        }
    }
}

impl Horizon {
    /// Why a user that may send `cost` requests cannot start now, while `promised` requests
    /// are promised to the users in flight; `None` when it may (its requests and theirs are
    /// then held in the budget, see [`Allowance::reserve`]).
    pub(super) fn refuses(&self, cost: u64, promised: u64) -> Option<Refusal> {
        if let Some((until, why)) = &self.until
            && SystemTime::now() >= *until
        {
            return Some(Refusal::Window(why.clone()));
        }
        match &self.budget {
            Some(budget) if !budget.reserve(cost + promised) => {
                Some(Refusal::Budget(budget.refusal()))
            }
            _ => None,
        }
    }
}

/// The requests `user`'s steps from `start` on may send when each goes through first time:
/// a read and the step's writes (a list step one per entry it names, `operation::requests`),
/// and two more for its group's reads and a write's check. Users of a bulk write or a group
/// read send fewer; retries send more, and the budget refuses a request past it unsent.
pub fn cost(user: &UserPlan, start: usize) -> u64 {
    2 + user
        .steps
        .iter()
        .skip(start)
        .map(|step| {
            1 + crate::operation::requests(
                step.resource(),
                &Value::Object(step.patch().into_owned()),
                &Value::Null,
            )
        })
        .sum::<u64>()
}
