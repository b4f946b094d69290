//! The run directory, and the only code that writes it: `rollback.jsonl` (each entry synced to
//! disk before its user's first write), `results.csv` and `journal.jsonl` (a line per step
//! event, flushed as it happens), `failed.jsonl` (a plan of the steps not applied, a user at
//! a time), `summary.json` (whole, at the end) and `run.log`.
//!
//! Every file is appended line by line and flushed, so a crash at any instant leaves each of
//! them readable up to its last complete line.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::plan::{PlanSource, UserPlan};
use crate::resource::Resource;

/// The columns of `results.csv`.
pub const RESULT_COLUMNS: [&str; 11] = [
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
];

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Written.
    Applied,
    /// Live values already were the desired ones; nothing was sent.
    Unchanged,
    /// Failed for good.
    Failed,
    /// Not attempted: an earlier step of the user failed, or the run stopped first.
    Skipped,
    /// Written, then undone because a later step of the user failed.
    Compensated,
    /// Not written: a live value changed since the reviewed plan recorded it.
    Drifted,
}

impl Status {
    /// The word in results and the journal.
    pub fn name(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Unchanged => "unchanged",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Compensated => "compensated",
            Status::Drifted => "drifted",
        }
    }
}

/// One line of `results.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    /// The user's first sheet row.
    pub row: usize,
    /// The user.
    pub user_id: String,
    /// The step's index among the user's steps.
    pub step: usize,
    /// The resource.
    pub resource: Resource,
    /// How it ended.
    pub status: Status,
    /// The last HTTP status, when a request was answered.
    pub http_status: Option<u16>,
    /// Requests made for this step's write (0 when nothing was sent).
    pub attempts: u32,
    /// Time spent on the step.
    pub duration_ms: u64,
    /// Field path → value before, for the fields changed (or that would have been).
    pub before: Map<String, Value>,
    /// Field path → value after.
    pub after: Map<String, Value>,
    /// Why it failed or was skipped; Odin's own `details` when it said no.
    pub message: String,
}

/// A line of `journal.jsonl`: enough to know, after a crash, which steps finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// The user.
    pub user_id: String,
    /// The step's index among the user's steps.
    pub step: usize,
    /// The resource.
    pub resource: Resource,
    /// `writing` before a write is sent, then the step's final status.
    pub state: &'static str,
}

/// Why the run directory could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write run file `{path}`: {source}")]
pub struct LedgerError {
    /// The file.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

/// The open run directory.
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    rollback: File,
    journal: BufWriter<File>,
    results: csv::Writer<File>,
    failed: File,
}

impl Ledger {
    /// Create the run directory (it must not exist or be empty) and its files, with the
    /// rollback file's header naming the plan being applied.
    pub fn create(dir: &Path, source: &PlanSource) -> Result<Ledger, LedgerError> {
        let fail = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LedgerError { path, source }
        };
        std::fs::create_dir_all(dir).map_err(fail(dir))?;
        let occupied = std::fs::read_dir(dir).map_err(fail(dir))?.next().is_some();
        if occupied {
            return Err(LedgerError {
                path: dir.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "the run directory is not empty; choose another --out",
                ),
            });
        }
        let open = |name: &str| {
            let path = dir.join(name);
            OpenOptions::new()
                .create_new(true)
                .append(true)
                .open(&path)
                .map_err(fail(&path))
        };
        let mut rollback = open("rollback.jsonl")?;
        let rollback_path = dir.join("rollback.jsonl");
        let header = plan_file_header(&rollback_path, ROLLBACK_OF, source)?;
        rollback
            .write_all(header.as_bytes())
            .and_then(|()| rollback.sync_all())
            .map_err(fail(&rollback_path))?;
        let journal = BufWriter::new(open("journal.jsonl")?);
        // The log is filled by the tracing subscriber, when one is installed for the run.
        open("run.log")?;
        let mut failed = open("failed.jsonl")?;
        let failed_path = dir.join("failed.jsonl");
        let header = plan_file_header(&failed_path, NOT_APPLIED_OF, source)?;
        failed
            .write_all(header.as_bytes())
            .map_err(fail(&failed_path))?;
        let mut results = csv::Writer::from_writer(open("results.csv")?);
        results
            .write_record(RESULT_COLUMNS)
            .and_then(|()| results.flush().map_err(csv::Error::from))
            .map_err(|e| LedgerError {
                path: dir.join("results.csv"),
                source: std::io::Error::other(e),
            })?;
        Ok(Ledger {
            dir: dir.to_path_buf(),
            rollback,
            journal,
            results,
            failed,
        })
    }

    /// Open the files of an existing run directory to append to (a resumed run).
    pub fn reopen(dir: &Path) -> Result<Ledger, LedgerError> {
        let open = |name: &str| {
            let path = dir.join(name);
            OpenOptions::new()
                .create(matches!(name, "run.log" | "failed.jsonl"))
                .append(true)
                .open(&path)
                .map_err(|source| LedgerError { path, source })
        };
        open("run.log")?;
        Ok(Ledger {
            dir: dir.to_path_buf(),
            rollback: open("rollback.jsonl")?,
            journal: BufWriter::new(open("journal.jsonl")?),
            results: csv::Writer::from_writer(open("results.csv")?),
            failed: open("failed.jsonl")?,
        })
    }

    /// The run directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A file of the run directory for the run log.
    pub fn log_file(&self) -> Result<File, LedgerError> {
        let path = self.dir.join("run.log");
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| LedgerError { path, source })
    }

    /// Append a user's rollback entry and sync it to disk; only then may the user be written.
    pub fn rollback(&mut self, entry: &UserPlan) -> Result<(), LedgerError> {
        let path = self.dir.join("rollback.jsonl");
        append_line(&mut self.rollback, &path, entry, |file| file.sync_data())
    }

    /// Append a user's steps that were not applied to `failed.jsonl`.
    pub fn unfinished(&mut self, entry: &UserPlan) -> Result<(), LedgerError> {
        let path = self.dir.join("failed.jsonl");
        append_line(&mut self.failed, &path, entry, |file| file.flush())
    }

    /// Append a journal line.
    pub fn journal(&mut self, entry: &JournalEntry) -> Result<(), LedgerError> {
        let path = self.dir.join("journal.jsonl");
        append_line(&mut self.journal, &path, entry, BufWriter::flush)
    }

    /// Append a line to `results.csv`.
    pub fn result(&mut self, result: &StepResult) -> Result<(), LedgerError> {
        let keys: Vec<&str> = result.after.keys().map(String::as_str).collect();
        let record = [
            result.row.to_string(),
            result.user_id.clone(),
            result.resource.name().to_string(),
            result.status.name().to_string(),
            result
                .http_status
                .map(|s| s.to_string())
                .unwrap_or_default(),
            result.attempts.to_string(),
            result.duration_ms.to_string(),
            keys.join(";"),
            compact(&result.before),
            compact(&result.after),
            result.message.clone(),
        ];
        let fail = |e: csv::Error| LedgerError {
            path: self.dir.join("results.csv"),
            source: std::io::Error::other(e),
        };
        self.results
            .write_record(
                record
                    .iter()
                    .map(|cell| spreadsheet_safe(cell).into_owned()),
            )
            .map_err(fail)?;
        self.results.flush().map_err(|e| fail(csv::Error::from(e)))
    }

    /// Write `summary.json` whole, rewrite `results.csv` sorted by row (it was appended in
    /// the order steps ended), then sync every file.
    pub fn finish(mut self, summary: &impl Serialize) -> Result<PathBuf, LedgerError> {
        self.sort_results()?;
        let path = self.dir.join("summary.json");
        let text = serde_json::to_string_pretty(summary).map_err(|e| LedgerError {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        crate::atomic::write(&path, format!("{text}\n").as_bytes()).map_err(|source| {
            LedgerError {
                path: path.clone(),
                source,
            }
        })?;
        let journal = self.dir.join("journal.jsonl");
        self.journal
            .flush()
            .and_then(|()| self.journal.get_ref().sync_all())
            .map_err(|source| LedgerError {
                path: journal,
                source,
            })?;
        Ok(self.dir)
    }
}

impl Ledger {
    /// Replace `results.csv` with its lines in row order (a user's steps keep their order),
    /// through a temporary file, so a crash leaves the old file or the new one.
    fn sort_results(&mut self) -> Result<(), LedgerError> {
        let path = self.dir.join("results.csv");
        let fail = |e: csv::Error| LedgerError {
            path: path.clone(),
            source: std::io::Error::other(e),
        };
        self.results.flush().map_err(|e| fail(e.into()))?;
        let mut reader = csv::Reader::from_path(&path).map_err(fail)?;
        let mut records = reader
            .records()
            .collect::<Result<Vec<csv::StringRecord>, _>>()
            .map_err(fail)?;
        let row =
            |r: &csv::StringRecord| r.get(0).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
        records.sort_by_key(row);
        write_results(&path, &records)
    }
}

/// How the header of `rollback.jsonl` names what it undoes.
pub(super) const ROLLBACK_OF: &str = "rollback of";
/// How the header of `failed.jsonl` names the plan whose steps it holds.
pub(super) const NOT_APPLIED_OF: &str = "steps not applied of";

/// The header line (with its line end) of a run file that is itself a plan file:
/// `rollback.jsonl` or `failed.jsonl`, whose source reads `<what> <the plan's source>`.
pub(super) fn plan_file_header(
    path: &Path,
    what: &str,
    source: &PlanSource,
) -> Result<String, LedgerError> {
    let mut header = crate::plan::file::header_line(&PlanSource {
        source: format!("{what} {}", source.source),
        ..source.clone()
    })
    .map_err(|e| LedgerError {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    header.push('\n');
    Ok(header)
}

/// Replace the `results.csv` at `path` with its header and `records`, whole or not at all.
pub(super) fn write_results(path: &Path, records: &[csv::StringRecord]) -> Result<(), LedgerError> {
    let fail = |e: csv::Error| LedgerError {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(RESULT_COLUMNS).map_err(fail)?;
    for record in records {
        out.write_record(record).map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| fail(csv::Error::from(e.into_error())))?;
    crate::atomic::write(path, &bytes).map_err(|source| LedgerError {
        path: path.to_path_buf(),
        source,
    })
}

/// Write `value` as one JSON line to `file`, then make it durable with `settle` (flush, or
/// sync to disk).
fn append_line<W: Write>(
    file: &mut W,
    path: &Path,
    value: &impl Serialize,
    settle: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> Result<(), LedgerError> {
    let fail = |source| LedgerError {
        path: path.to_path_buf(),
        source,
    };
    let line = serde_json::to_string(value).map_err(|e| fail(std::io::Error::other(e)))?;
    writeln!(file, "{line}").map_err(fail)?;
    settle(file).map_err(fail)
}

fn compact(map: &Map<String, Value>) -> String {
    if map.is_empty() {
        String::new()
    } else {
        Value::Object(map.clone()).to_string()
    }
}

/// A cell a spreadsheet would run as a formula gets a leading `'`: one starting with `=`,
/// `@`, tab or CR, or with `+`/`-` when it is not a number (`+15551234567` stays).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = match cell.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => cell[1..].parse::<f64>().is_err(),
        _ => false,
    };
    if risky {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_phone_numbers_kept() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("+15551234567"), "+15551234567");
        assert_eq!(spreadsheet_safe("-12"), "-12");
        assert_eq!(spreadsheet_safe("-cmd"), "'-cmd");
        assert_eq!(spreadsheet_safe("\tx"), "'\tx");
        assert_eq!(spreadsheet_safe("plain"), "plain");
    }

    #[test]
    fn refuses_a_directory_with_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), "").unwrap();
        let source = PlanSource {
            source: "s.csv".into(),
            sha256: "00".into(),
            worksheet: None,
            mapping: None,
            target: None,
        };
        assert!(Ledger::create(dir.path(), &source).is_err());
        let fresh = dir.path().join("run");
        let ledger = Ledger::create(&fresh, &source).unwrap();
        assert_eq!(ledger.dir(), fresh);
        let header = std::fs::read_to_string(fresh.join("rollback.jsonl")).unwrap();
        assert!(header.starts_with("{\"sleipnir\":\"plan\""), "{header}");
        let results = std::fs::read_to_string(fresh.join("results.csv")).unwrap();
        assert_eq!(results.trim_end(), RESULT_COLUMNS.join(","));
    }
}
