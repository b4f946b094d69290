//! What an export reads (the selection and columns) and what its reader sends the writer.

use serde_json::Value;

use super::{ExportColumn, ExportError};
use crate::odin::group::UserFilter;

/// A user id from `--users FILE`, with (service provider, group) when the file says it.
pub type FileUser = (String, Option<(String, String)>);

/// Which users to export: a union, each user once.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--group SP/GROUP`, in order.
    pub groups: Vec<(String, String)>,
    /// `--service-provider SP`: every group of each.
    pub service_providers: Vec<String>,
    /// `--users FILE`: user ids, with their group when the file says it.
    pub users: Vec<FileUser>,
    /// `--where`: Odin's one filter.
    pub filter: Option<UserFilter>,
}

/// What to read and how hard to press.
#[derive(Debug, Clone)]
pub struct ReadPlan {
    /// Who.
    pub selection: Selection,
    /// What.
    pub columns: Vec<ExportColumn>,
    /// Users read at once where reads are per user.
    pub concurrency: usize,
    /// How many users a per-user batch holds before it is sent on.
    pub batch: usize,
}

/// One user's values, aligned with the columns.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    /// The user id.
    pub user_id: String,
    /// The service provider.
    pub service_provider_id: String,
    /// The group.
    pub group_id: String,
    /// The live value of each column; `None` when absent (or the service is not assigned).
    pub values: Vec<Option<Value>>,
}

/// What the reader sends to the writer, in selection order.
#[derive(Debug)]
pub enum Event {
    /// A group or batch has been read.
    Rows {
        /// What was read, e.g. `group ent/grp01`.
        unit: String,
        /// The users read, in Odin's order.
        rows: Vec<UserRow>,
        /// Users that could not be read: (user or group, why).
        unreadable: Vec<(String, String)>,
    },
    /// Worth telling the admin; sent once per cause.
    Warning(String),
    /// Per-user reads about to be sent for a group or batch (before they are).
    Reads {
        /// What is read, e.g. `group ent/grp01`.
        unit: String,
        /// Users read one by one.
        users: usize,
        /// Requests they take (each user's record, settings or policy, as the columns need).
        requests: u64,
    },
    /// The selection has been resolved: this many units (groups and batches) will follow.
    Units(usize),
    /// The export cannot go on.
    Fatal(ExportError),
}
