//! The one error type the CLI edge turns into a message and an exit code.

use std::path::PathBuf;

use crate::mapping::MappingError;
use crate::odin::OdinError;
use crate::plan::file::PlanFileError;
use crate::problem::Problems;
use crate::rundir::LedgerError;
use crate::schema::SchemaError;
use crate::sheet::SheetError;
use crate::sim::SimError;
use crate::templates::UnknownTemplate;

/// Everything that can stop a command, each carrying its own location.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The sheet could not be read at all.
    #[error(transparent)]
    Sheet(#[from] SheetError),
    /// The mapping file could not be read or is malformed.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The sheet was read but is invalid; every problem is listed.
    #[error(transparent)]
    Invalid(#[from] Problems),
    /// A plan file could not be read or written.
    #[error(transparent)]
    PlanFile(#[from] PlanFileError),
    /// The embedded schema is broken (a build defect).
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The simulator could not start.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// Odin could not be reached, refused the login, or answered it 402 (the admin's password
    /// has expired): nothing was changed.
    #[error(transparent)]
    Odin(#[from] OdinError),
    /// A run cannot be resumed (another sheet, or not a run directory): nothing was sent.
    #[error(transparent)]
    Resume(#[from] crate::rundir::ResumeError),
    /// Odin's generators could not make the run's `<generate>` credentials: nothing was
    /// written.
    #[error(transparent)]
    Generate(#[from] crate::apply::generate::GenerateError),
    /// A run file could not be written: the run stopped starting users.
    #[error(transparent)]
    Ledger(LedgerError),
    /// A run file could not be written during a run: the run stopped starting users, and
    /// what it did is in the summary (printed before this error).
    #[error(transparent)]
    Unrecorded(Box<crate::apply::Unrecorded>),
    /// The run directory is another run's (locked), already holds files, or is missing:
    /// nothing was sent.
    #[error(transparent)]
    Lock(#[from] crate::rundir::LockError),
    /// An export could not start or finish; nothing was left behind.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    /// A run's report, or a plan's review workbook, could not be made.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// `template NAME` with an unknown name.
    #[error(transparent)]
    Template(#[from] UnknownTemplate),
    /// Reads Odin held back (a redirect, a pause past `--max-wait`) stopped `plan --target`:
    /// what it answered, and how many users were not read (exit 1: users it could not read).
    #[error("{0}")]
    Stopped(String),
    /// Named targets: `targets.toml`, a name it does not hold, a password command, the OS
    /// keyring.
    #[error(transparent)]
    Targets(#[from] crate::targets::TargetsError),
    /// Flags that do not go together, or a file that would be overwritten.
    #[error("{0}")]
    Usage(String),
    /// Writing an output file failed.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The machine failed sleipnir (an async runtime that cannot start, a terminal that cannot
    /// be read): neither the input's fault nor Odin's.
    #[error("cannot {what}: {source}")]
    Io {
        /// What could not be done, e.g. `read the password`.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing to standard output failed.
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
    /// Not now: outside the maintenance window (or in a frozen day), or the target's daily
    /// request budget spent; when it opens or frees, in words. Nothing was sent.
    #[error("{0}")]
    NotNow(String),
    /// Ctrl-C before anything was sent (while waiting for the window).
    #[error("{0}")]
    Interrupted(String),
}

impl Error {
    /// A failure of the machine while trying to `what`.
    pub fn io(what: &str) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Io {
            what: what.to_string(),
            source,
        }
    }

    /// The documented exit code (DESIGN.md section 5): 3 when Odin is unreachable or refuses
    /// the login, an expired admin password included (nothing changed), 1 when a run could not
    /// keep its files (it stopped starting users; `--resume` continues it) or the machine
    /// failed, 2 for invalid input or usage, a run directory another run holds or a new run's
    /// directory that holds files (nothing sent).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Odin(_) => 3,
            Error::NotNow(_) => 4,
            Error::Interrupted(_) => 130,
            Error::Ledger(_)
            | Error::Stopped(_)
            | Error::Unrecorded(_)
            | Error::Io { .. }
            | Error::Report(_)
            | Error::Generate(_) => 1,
            Error::Lock(crate::rundir::LockError::Ledger(_)) => 1,
            Error::Lock(_) => 2,
            Error::Export(error) => error.exit_code(),
            Error::Targets(error) => error.exit_code(),
            Error::Sheet(_)
            | Error::Mapping(_)
            | Error::Invalid(_)
            | Error::PlanFile(_)
            | Error::Schema(_)
            | Error::Template(_)
            | Error::Sim(_)
            | Error::Resume(_)
            | Error::Usage(_)
            | Error::Write { .. }
            | Error::Stdout(_) => 2,
        }
    }
}
