//! The run directory, and the only code that writes and reads it back: `rollback.jsonl`
//! (each entry synced to disk before its user's first write), `results.csv` and
//! `journal.jsonl` (a line per step event, flushed as it happens), `failed.jsonl` (a plan of
//! the steps not applied, a user at a time), `summary.json` (whole, at the end), `run.log`,
//! and `credentials.csv` (generated credentials, owner-only, before the first write).
//!
//! Every file is appended line by line and flushed, so a crash at any instant leaves each of
//! them readable up to its last complete line. [`Ledger`] is the one writer, [`RunFiles`] the
//! one reader (used by `--resume` and reports), and [`records`] the typed lines of both.

mod append;
mod credentials;
mod lock;
mod reader;
pub mod records;
mod results;
mod resume;
mod summary;
mod undo_file;

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use append::DISK_FULL_AFTER;
pub use lock::{Holder, LockError, RunLock, host_name};
pub use reader::RunFiles;
pub use records::{JournalEntry, JournalState, ResultRow, Status, StepResult, spreadsheet_safe};
use results::{Amendment, sort_results, write_results};
pub use resume::{Resume, ResumeError};
pub use summary::{
    Attempt, StatusCounts, Summary, TimelinePoint, UserCounts, attempts, deferred_by_budget,
};
pub use undo_file::{UndoPlan, read_undo};

use crate::plan::{PlanSource, UserPlan};

/// The columns of `results.csv`, as [`ResultRow`] names them (`at` last: a run resumed from
/// an older sleipnir's directory, whose lines lack it, is read with it empty).
pub const RESULT_COLUMNS: [&str; 12] = [
    "row",
    "userId",
    "resource",
    "status",
    "httpStatus",
    "attempts",
    "durationMs",
    "changed",
    "before",
    "after",
    "message",
    "at",
];

/// The run files by name.
pub mod names {
    /// The plan that undoes the run.
    pub const ROLLBACK: &str = "rollback.jsonl";
    /// One line per user × step.
    pub const RESULTS: &str = "results.csv";
    /// The steps not applied, as a plan.
    pub const FAILED: &str = "failed.jsonl";
    /// Step state changes.
    pub const JOURNAL: &str = "journal.jsonl";
    /// Counts and figures of the run.
    pub const SUMMARY: &str = "summary.json";
    /// The log.
    pub const LOG: &str = "run.log";
    /// The run's counters second by second.
    pub const TIMELINE: &str = "timeline.jsonl";
    /// The results as a typed, status-coloured workbook with Summary and Failures sheets.
    pub const WORKBOOK: &str = "results.xlsx";
    /// The run for people: one self-contained page.
    pub const REPORT: &str = "report.html";
    /// The generated credentials (owner-only): the one file a credential value is in.
    pub const CREDENTIALS: &str = "credentials.csv";
    /// The file the run's OS lock is held on (empty).
    pub const LOCK: &str = "run.lock";
    /// Who holds the lock: pid, host, command line, start.
    pub const HOLDER: &str = "holder.json";
}
use names::{FAILED, JOURNAL, LOG, RESULTS, ROLLBACK, SUMMARY, TIMELINE};

/// Why the run directory could not be written or read.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} run file `{path}`: {source}")]
pub struct LedgerError {
    /// `read` or `write`.
    pub action: &'static str,
    /// The file.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

impl LedgerError {
    fn at(path: &Path) -> impl Fn(std::io::Error) -> LedgerError + '_ {
        move |source| LedgerError {
            action: "write",
            path: path.to_path_buf(),
            source,
        }
    }

    fn other(path: &Path, error: impl std::error::Error + Send + Sync + 'static) -> LedgerError {
        LedgerError::at(path)(std::io::Error::other(error))
    }

    fn reading(path: &Path) -> impl Fn(std::io::Error) -> LedgerError + '_ {
        move |source| LedgerError {
            action: "read",
            path: path.to_path_buf(),
            source,
        }
    }

    fn unreadable(
        path: &Path,
        error: impl std::error::Error + Send + Sync + 'static,
    ) -> LedgerError {
        LedgerError::reading(path)(std::io::Error::other(error))
    }
}

/// The open run directory: the one writer of its files.
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    rollback: File,
    journal: File,
    results: File,
    failed: File,
    timeline: File,
    /// What the run files may still grow by: unlimited but for tests of a full disk
    /// ([`append::DISK_FULL_AFTER`]).
    room: append::Room,
    /// Lines of `results.csv` kept from an earlier attempt that end otherwise, applied when
    /// [`Ledger::finish`] rewrites the file: user id as written → (step, status, message).
    amendments: HashMap<String, Vec<Amendment>>,
}

impl Ledger {
    /// Create the run directory (it must not exist, or hold nothing but its lock; see
    /// [`RunLock`]) and its files, owner-only, with the rollback file's header naming the
    /// plan being applied.
    pub fn create(dir: &Path, source: &PlanSource) -> Result<Ledger, LedgerError> {
        lock::make_dir(dir)?;
        let mut occupied = false;
        for entry in std::fs::read_dir(dir).map_err(LedgerError::at(dir))? {
            let name = entry.map_err(LedgerError::at(dir))?.file_name();
            occupied |= name != names::LOCK && name != names::HOLDER;
        }
        if occupied {
            return Err(LedgerError {
                action: "write",
                path: dir.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "the run directory is not empty; choose another --out",
                ),
            });
        }
        let open = |name: &str| {
            let path = dir.join(name);
            lock::owner_only_options()
                .create_new(true)
                .append(true)
                .open(&path)
                .map_err(LedgerError::at(&path))
        };
        // The headers count against a test's full disk as every line after them does.
        let mut room = append::Room::from_env();
        let mut rollback = open(ROLLBACK)?;
        let rollback_path = dir.join(ROLLBACK);
        let header = plan_file_header(&rollback_path, ROLLBACK_OF, source)?;
        room.spend(&rollback_path, header.len() as u64)?;
        rollback
            .write_all(header.as_bytes())
            .and_then(|()| rollback.sync_all())
            .map_err(LedgerError::at(&rollback_path))?;
        let journal = open(JOURNAL)?;
        let timeline = open(TIMELINE)?;
        // The log is filled by the tracing subscriber, when one is installed for the run.
        open(LOG)?;
        let mut failed = open(FAILED)?;
        let failed_path = dir.join(FAILED);
        let header = plan_file_header(&failed_path, NOT_APPLIED_OF, source)?;
        room.spend(&failed_path, header.len() as u64)?;
        failed
            .write_all(header.as_bytes())
            .map_err(LedgerError::at(&failed_path))?;
        let mut results = open(RESULTS)?;
        let results_path = dir.join(RESULTS);
        let header = append::csv_line(RESULT_COLUMNS, |out, row| out.write_record(row))
            .map_err(|e| LedgerError::other(&results_path, e))?;
        room.spend(&results_path, header.len() as u64)?;
        results
            .write_all(&header)
            .map_err(LedgerError::at(&results_path))?;
        Ok(Ledger {
            dir: dir.to_path_buf(),
            rollback,
            journal,
            results,
            failed,
            timeline,
            room,
            amendments: HashMap::new(),
        })
    }

    /// Open the files of an existing run directory to append to (a resumed run).
    fn reopen(dir: &Path) -> Result<Ledger, LedgerError> {
        let open = |name: &str| {
            let path = dir.join(name);
            lock::owner_only_options()
                .create(matches!(name, LOG | FAILED | TIMELINE))
                .append(true)
                .open(&path)
                .map_err(LedgerError::at(&path))
        };
        open(LOG)?;
        Ok(Ledger {
            dir: dir.to_path_buf(),
            rollback: open(ROLLBACK)?,
            journal: open(JOURNAL)?,
            results: open(RESULTS)?,
            failed: open(FAILED)?,
            timeline: open(TIMELINE)?,
            room: append::Room::from_env(),
            amendments: HashMap::new(),
        })
    }

    /// The run log, to append to.
    pub fn log_file(&self) -> Result<File, LedgerError> {
        let path = self.dir.join(LOG);
        lock::owner_only_options()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(LedgerError::at(&path))
    }

    /// Append a user's rollback entry and sync it to disk; only then may the user be written.
    pub fn rollback(&mut self, entry: &UserPlan) -> Result<(), LedgerError> {
        let path = self.dir.join(ROLLBACK);
        let line = append::json_line(&path, entry)?;
        self.room
            .append(&mut self.rollback, &path, &line, append::Sync::Data)
    }

    /// Append a user's steps that were not applied to `failed.jsonl`.
    pub fn unfinished(&mut self, entry: &UserPlan) -> Result<(), LedgerError> {
        let path = self.dir.join(FAILED);
        let line = append::json_line(&path, entry)?;
        self.room
            .append(&mut self.failed, &path, &line, append::Sync::No)
    }

    /// Append a journal line.
    pub fn journal(&mut self, entry: &JournalEntry) -> Result<(), LedgerError> {
        let path = self.dir.join(JOURNAL);
        let line = append::json_line(&path, &Timed::now(entry))?;
        self.room
            .append(&mut self.journal, &path, &line, append::Sync::No)
    }

    /// Append a line to `timeline.jsonl`.
    pub fn timeline(&mut self, point: &TimelinePoint) -> Result<(), LedgerError> {
        let path = self.dir.join(TIMELINE);
        let line = append::json_line(&path, point)?;
        self.room
            .append(&mut self.timeline, &path, &line, append::Sync::No)
    }

    /// Append a line to `results.csv`.
    pub fn result(&mut self, result: &StepResult) -> Result<(), LedgerError> {
        let path = self.dir.join(RESULTS);
        let row = ResultRow::from(result).escaped();
        let line = append::csv_line(&row, |out, row| out.serialize(row))
            .map_err(|e| LedgerError::other(&path, e))?;
        self.room
            .append(&mut self.results, &path, &line, append::Sync::No)
    }

    /// Give step `step` of `user_id`, whose `results.csv` line an earlier attempt wrote (its
    /// lines come first in the file, in step order), a new `status` and `message` when
    /// [`Ledger::finish`] rewrites the file. The journal says so at once; see
    /// [`Ledger::journal`].
    pub fn amend(&mut self, user_id: &str, step: usize, status: Status, message: &str) {
        self.amendments
            .entry(spreadsheet_safe(user_id).into_owned())
            .or_default()
            .push(Amendment {
                step,
                status,
                message: message.to_string(),
            });
    }

    /// Rewrite `results.csv` sorted by row (it was appended in the order steps ended) with
    /// the amended lines changed, count its users into `summary.users_by_outcome` (every
    /// attempt's, as the file ends), write `summary.json` whole, then sync every file.
    pub fn finish(mut self, summary: &mut Summary) -> Result<PathBuf, LedgerError> {
        let results = self.dir.join(RESULTS);
        // The rewrite needs room for a second copy while it is made.
        let size = self.results.metadata().map_or(0, |m| m.len());
        self.room.spend(&results, size)?;
        summary.users_by_outcome = sort_results(&results, &self.amendments)?;
        let path = self.dir.join(SUMMARY);
        let text =
            serde_json::to_string_pretty(summary).map_err(|e| LedgerError::other(&path, e))?;
        self.room.spend(&path, text.len() as u64 + 1)?;
        crate::atomic::write(&path, format!("{text}\n").as_bytes())
            .map_err(LedgerError::at(&path))?;
        let journal = self.dir.join(JOURNAL);
        self.journal.sync_all().map_err(LedgerError::at(&journal))?;
        Ok(self.dir)
    }
}

/// How the header of `rollback.jsonl` names what it undoes.
/// The sheet a plan file of a run was first made from: its header's source without the
/// `rollback of ` and `steps not applied of ` the run directory's files add.
pub fn original_sheet(source: &str) -> &str {
    let mut sheet = source;
    loop {
        let shorter = [ROLLBACK_OF, NOT_APPLIED_OF]
            .iter()
            .find_map(|prefix| sheet.strip_prefix(prefix)?.strip_prefix(' '));
        match shorter {
            Some(rest) => sheet = rest,
            None => return sheet,
        }
    }
}

pub(super) const ROLLBACK_OF: &str = "rollback of";
/// How the header of `failed.jsonl` names the plan whose steps it holds.
pub(super) const NOT_APPLIED_OF: &str = "steps not applied of";

/// The header line (with its line end) of a run file that is itself a plan file:
/// `rollback.jsonl` or `failed.jsonl`, whose source reads `<what> <the plan's source>`.
fn plan_file_header(path: &Path, what: &str, source: &PlanSource) -> Result<String, LedgerError> {
    let mut header = crate::plan::file::header_line(&PlanSource {
        source: format!("{what} {}", source.source),
        ..source.clone()
    })
    .map_err(|e| LedgerError::other(path, e))?;
    header.push('\n');
    Ok(header)
}

#[cfg(test)]
mod tests;

/// A journal line as written: the entry and the time of its write (`at`, UTC, RFC 3339 with
/// milliseconds; readers of the entry ignore it).
#[derive(serde::Serialize)]
struct Timed<'a, T> {
    #[serde(flatten)]
    entry: &'a T,
    at: String,
}

impl<'a, T> Timed<'a, T> {
    fn now(entry: &'a T) -> Timed<'a, T> {
        Timed {
            entry,
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }
}
