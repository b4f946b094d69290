//! `export`: live state → a sheet in the notation that `plan` and `apply` read, which plans
//! to no change until a cell is edited (DESIGN.md §4, the round trip).
//!
//! The stages: [`columns`] resolves what to export against the schema; [`read`] reads the
//! selection group by group with the group-scale reads of [`crate::odin::group`] (per-user
//! reads only for what has none) and sends each group's values down a channel as it is
//! read; [`cells`] turns each live value into the cell that reads back as it; [`write`]
//! streams rows into a temporary file beside the output, renamed into place at the end.

pub mod cells;
pub mod columns;
pub mod members;
pub mod read;
pub mod sca;
mod selection;
mod units;
pub mod write;

use std::path::PathBuf;

use crate::odin::OdinError;
use crate::schema::SchemaError;
use crate::sheet::SheetError;

pub use cells::{ExportCell, SheetFormat, cell_for};
pub use columns::{ExportColumn, IDENTITY_COLUMNS};
pub use read::{Event, ReadPlan, Selection, UserRow};
pub use write::{About, SheetWriter};

/// Why an export cannot start or finish; nothing is left behind.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A column that names no known field.
    #[error("column `{column}`: {source}")]
    UnknownColumn {
        /// The column as written.
        column: String,
        /// Why, with a suggestion.
        source: SchemaError,
    },
    /// A column that is not a field path, or an action rather than a field.
    #[error("column `{column}`: {reason}")]
    BadColumn {
        /// The column as written.
        column: String,
        /// Why.
        reason: String,
    },
    /// No columns to export.
    #[error(
        "no columns to export; name some with --columns (e.g. `user.extension,settings.Do Not Disturb.*`), --template or --like"
    )]
    NoColumns,
    /// The sheet given to `--users` or `--like` could not be read.
    #[error(transparent)]
    Sheet(#[from] SheetError),
    /// `--users FILE` has no user id column.
    #[error(
        "`{0}` has no `userId` column; give it one, or make it a plain list of user ids in one column"
    )]
    NoUserIds(PathBuf),
    /// The selection matched nobody.
    #[error(
        "the selection matched no users; check --group, --service-provider, --users and --where"
    )]
    EmptySelection,
    /// A group or service provider Odin does not know.
    #[error(
        "{what} not found in Odin ({details}); check the spelling (`sleipnir export --service-provider SP` lists every group of SP)"
    )]
    NotFound {
        /// What was looked for.
        what: String,
        /// Odin's message.
        details: String,
    },
    /// A listing failed outright.
    #[error("reading {what}: {source}")]
    Odin {
        /// What was being read.
        what: String,
        /// The failure.
        source: OdinError,
    },
    /// The output exists and `--force` was not given.
    #[error("`{0}` already exists; pass --force to overwrite it, or choose another --out")]
    Exists(PathBuf),
    /// The output's extension is not one export writes.
    #[error("`{0}`: export writes .xlsx or .csv files; name the output e.g. `users.xlsx`")]
    UnknownFormat(PathBuf),
    /// The output (or its directory) cannot be written.
    #[error("cannot write `{path}`: {message}; choose a writable place with --out")]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        message: String,
    },
}

impl ExportError {
    /// 3 when Odin could not be reached (nothing was written), else 2 (input or usage).
    pub fn exit_code(&self) -> u8 {
        match self {
            ExportError::Odin { source, .. } if !matches!(source, OdinError::Http { .. }) => 3,
            _ => 2,
        }
    }
}
