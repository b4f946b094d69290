//! What a member brings to its batch and how its step fared there.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use crate::odin::group::BulkTarget;
use crate::resource::Resource;

/// A member's part of a write of its group's list.
#[derive(Debug)]
pub struct ListEntries {
    /// The member.
    pub user: String,
    /// Its first row in the sheet (where a list that keeps an order puts what it adds).
    pub order: usize,
    /// The member's entries to write (its step's body).
    pub entries: Value,
    /// Its read of the list (what the write needs of it besides the entries).
    pub before: Value,
    /// A later step of the member writes the same list through its batch: the answer (or
    /// read) of that write will show this one's entries too.
    pub shown_later: bool,
}

/// What a member brings to its batch: what a bulk write lists it as (per target), when its
/// before-state was read, and for a group's list its entries ([`Arrival`]).
pub type Carried = (HashMap<BulkTarget, Value>, Instant, Option<ListEntries>);

/// A group's list as a write of it answered or a read after it showed it: the resource
/// written, and the answer ([`crate::operation::group_answer`] reads it).
pub type ListSeen = (Resource, Arc<Value>);

/// How a user's step fared in its bulk write.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The group read after the write shows the user's desired values (or, with `unseen`,
    /// Odin answered the write of a group's list 2xx and a later write's answer is to show
    /// them: [`ListEntries::shown_later`]).
    Applied {
        /// The status of the bulk write.
        http_status: u16,
        /// Users the write listed.
        users: usize,
        /// The write was answered 2xx and nothing has shown its entries yet.
        unseen: bool,
        /// For a group's list: the list after the write, which shows the member's earlier
        /// unseen entries of the same list too.
        seen: Option<ListSeen>,
    },
    /// Not written by a bulk write, or not taken: write the step on its own. `landed`: the
    /// targets the user did take (or whose write was taken before another target's was
    /// not): what the step's own write must undo if it fails.
    Alone {
        /// Targets written for this user by the bulk write.
        landed: Vec<BulkTarget>,
    },
}

impl Outcome {
    pub(super) fn alone() -> Outcome {
        Outcome::Alone { landed: Vec::new() }
    }
}
