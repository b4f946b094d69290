//! The run directory, and the only code that writes and reads it back: `rollback.jsonl`
//! (each entry synced to disk before its user's first write), `results.csv` and
//! `journal.jsonl` (a line per step event, flushed as it happens), `failed.jsonl` (a plan of
//! the steps not applied, a user at a time), `summary.json` (whole, at the end) and `run.log`.
//!
//! Every file is appended line by line and flushed, so a crash at any instant leaves each of
//! them readable up to its last complete line. [`Ledger`] is the one writer, [`RunFiles`] the
//! one reader (used by `--resume` and reports), and [`records`] the typed lines of both.

mod reader;
pub mod records;
mod resume;

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use reader::RunFiles;
pub use records::{
    JournalEntry, JournalState, ResultRow, Status, StatusCounts, StepResult, Summary,
    TimelinePoint, spreadsheet_safe,
};
pub use resume::{Resume, ResumeError};

use crate::plan::{PlanSource, UserPlan};

/// The columns of `results.csv`, as [`ResultRow`] names them.
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
    journal: BufWriter<File>,
    results: csv::Writer<File>,
    failed: File,
    timeline: File,
    /// Lines of `results.csv` kept from an earlier attempt that end otherwise, applied when
    /// [`Ledger::finish`] rewrites the file: user id as written → (step, status, message).
    amendments: HashMap<String, Vec<Amendment>>,
}

/// A new status and message for a user's step whose `results.csv` line is already written.
#[derive(Debug, Clone)]
struct Amendment {
    step: usize,
    status: Status,
    message: String,
}

impl Ledger {
    /// Create the run directory (it must not exist or be empty) and its files, with the
    /// rollback file's header naming the plan being applied.
    pub fn create(dir: &Path, source: &PlanSource) -> Result<Ledger, LedgerError> {
        std::fs::create_dir_all(dir).map_err(LedgerError::at(dir))?;
        let occupied = std::fs::read_dir(dir)
            .map_err(LedgerError::at(dir))?
            .next()
            .is_some();
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
            OpenOptions::new()
                .create_new(true)
                .append(true)
                .open(&path)
                .map_err(LedgerError::at(&path))
        };
        let mut rollback = open(ROLLBACK)?;
        let rollback_path = dir.join(ROLLBACK);
        let header = plan_file_header(&rollback_path, ROLLBACK_OF, source)?;
        rollback
            .write_all(header.as_bytes())
            .and_then(|()| rollback.sync_all())
            .map_err(LedgerError::at(&rollback_path))?;
        let journal = BufWriter::new(open(JOURNAL)?);
        let timeline = open(TIMELINE)?;
        // The log is filled by the tracing subscriber, when one is installed for the run.
        open(LOG)?;
        let mut failed = open(FAILED)?;
        let failed_path = dir.join(FAILED);
        let header = plan_file_header(&failed_path, NOT_APPLIED_OF, source)?;
        failed
            .write_all(header.as_bytes())
            .map_err(LedgerError::at(&failed_path))?;
        let mut results = results_writer(open(RESULTS)?);
        let results_path = dir.join(RESULTS);
        results
            .write_record(RESULT_COLUMNS)
            .and_then(|()| results.flush().map_err(csv::Error::from))
            .map_err(|e| LedgerError::other(&results_path, e))?;
        Ok(Ledger {
            dir: dir.to_path_buf(),
            rollback,
            journal,
            results,
            failed,
            timeline,
            amendments: HashMap::new(),
        })
    }

    /// Open the files of an existing run directory to append to (a resumed run).
    fn reopen(dir: &Path) -> Result<Ledger, LedgerError> {
        let open = |name: &str| {
            let path = dir.join(name);
            OpenOptions::new()
                .create(matches!(name, LOG | FAILED | TIMELINE))
                .append(true)
                .open(&path)
                .map_err(LedgerError::at(&path))
        };
        open(LOG)?;
        Ok(Ledger {
            dir: dir.to_path_buf(),
            rollback: open(ROLLBACK)?,
            journal: BufWriter::new(open(JOURNAL)?),
            results: results_writer(open(RESULTS)?),
            failed: open(FAILED)?,
            timeline: open(TIMELINE)?,
            amendments: HashMap::new(),
        })
    }

    /// The run log, to append to.
    pub fn log_file(&self) -> Result<File, LedgerError> {
        let path = self.dir.join(LOG);
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(LedgerError::at(&path))
    }

    /// Append a user's rollback entry and sync it to disk; only then may the user be written.
    pub fn rollback(&mut self, entry: &UserPlan) -> Result<(), LedgerError> {
        let path = self.dir.join(ROLLBACK);
        append_line(&mut self.rollback, &path, entry, |file| file.sync_data())
    }

    /// Append a user's steps that were not applied to `failed.jsonl`.
    pub fn unfinished(&mut self, entry: &UserPlan) -> Result<(), LedgerError> {
        let path = self.dir.join(FAILED);
        append_line(&mut self.failed, &path, entry, |file| file.flush())
    }

    /// Append a journal line.
    pub fn journal(&mut self, entry: &JournalEntry) -> Result<(), LedgerError> {
        let path = self.dir.join(JOURNAL);
        append_line(&mut self.journal, &path, entry, BufWriter::flush)
    }

    /// Append a line to `timeline.jsonl`.
    pub fn timeline(&mut self, point: &TimelinePoint) -> Result<(), LedgerError> {
        let path = self.dir.join(TIMELINE);
        append_line(&mut self.timeline, &path, point, |file| file.flush())
    }

    /// Append a line to `results.csv`.
    pub fn result(&mut self, result: &StepResult) -> Result<(), LedgerError> {
        let path = self.dir.join(RESULTS);
        self.results
            .serialize(ResultRow::from(result).escaped())
            .map_err(|e| LedgerError::other(&path, e))?;
        self.results.flush().map_err(LedgerError::at(&path))
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

    /// Write `summary.json` whole, rewrite `results.csv` sorted by row (it was appended in
    /// the order steps ended) with the amended lines changed, then sync every file.
    pub fn finish(mut self, summary: &Summary) -> Result<PathBuf, LedgerError> {
        let results = self.dir.join(RESULTS);
        self.results.flush().map_err(LedgerError::at(&results))?;
        sort_results(&results, &self.amendments)?;
        let path = self.dir.join(SUMMARY);
        let text =
            serde_json::to_string_pretty(summary).map_err(|e| LedgerError::other(&path, e))?;
        crate::atomic::write(&path, format!("{text}\n").as_bytes())
            .map_err(LedgerError::at(&path))?;
        let journal = self.dir.join(JOURNAL);
        self.journal
            .flush()
            .and_then(|()| self.journal.get_ref().sync_all())
            .map_err(LedgerError::at(&journal))?;
        Ok(self.dir)
    }
}

fn results_writer(file: File) -> csv::Writer<File> {
    // The header is written once, when the file is made; appends add records only.
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(file)
}

/// How the header of `rollback.jsonl` names what it undoes.
const ROLLBACK_OF: &str = "rollback of";
/// How the header of `failed.jsonl` names the plan whose steps it holds.
const NOT_APPLIED_OF: &str = "steps not applied of";

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

/// Put the lines of the `results.csv` at `path` in row order (a stable sort: a user's steps
/// keep their order), whole or not at all, with the `amendments` made (a user's k-th line
/// in the file is its step k). Lines are moved as bytes, by position, so the run's results
/// are held once, as text, however many there are; only amended lines are written anew.
fn sort_results(
    path: &Path,
    amendments: &HashMap<String, Vec<Amendment>>,
) -> Result<(), LedgerError> {
    let bytes = std::fs::read(path).map_err(LedgerError::reading(path))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut record = csv::ByteRecord::new();
    // (row, start, end, amended) of each line; the first record is the header.
    let mut lines: Vec<(usize, usize, usize, Option<usize>)> = Vec::new();
    let mut amended: Vec<Vec<u8>> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut start = 0;
    let mut header_end = 0;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| LedgerError::unreadable(path, e))?
    {
        let end = reader.position().byte() as usize;
        if header_end == 0 {
            header_end = end;
        } else {
            let row = std::str::from_utf8(record.get(0).unwrap_or_default())
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let new = amend_line(&record, amendments, &mut seen)
                .map_err(|e| LedgerError::other(path, e))?
                .map(|line| {
                    amended.push(line);
                    amended.len() - 1
                });
            lines.push((row, start, end, new));
        }
        start = end;
    }
    lines.sort_by_key(|(row, ..)| *row);
    crate::atomic::write_with(path, |file| {
        let mut out = BufWriter::new(file);
        out.write_all(&bytes[..header_end])?;
        for (_, start, end, new) in &lines {
            match new {
                Some(index) => out.write_all(&amended[*index])?,
                None => out.write_all(&bytes[*start..*end])?,
            }
        }
        out.flush()
    })
    .map_err(LedgerError::at(path))
}

/// The line `record` becomes when an amendment names it (its user's `seen`-th line), as
/// CSV bytes with its line end; `None` when it stays as it is.
fn amend_line<'a>(
    record: &csv::ByteRecord,
    amendments: &'a HashMap<String, Vec<Amendment>>,
    seen: &mut HashMap<&'a str, usize>,
) -> Result<Option<Vec<u8>>, csv::Error> {
    let user = String::from_utf8_lossy(record.get(1).unwrap_or_default());
    let Some((user, wanted)) = amendments.get_key_value(user.as_ref()) else {
        return Ok(None);
    };
    let index = seen.entry(user.as_str()).or_default();
    let step = *index;
    *index += 1;
    let Some(change) = wanted.iter().rev().find(|a| a.step == step) else {
        return Ok(None);
    };
    let message = spreadsheet_safe(&change.message);
    let fields = record.iter().enumerate().map(|(at, field)| match at {
        3 => change.status.name().as_bytes(),
        10 => message.as_bytes(),
        _ => field,
    });
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    out.write_record(fields)?;
    out.into_inner()
        .map(Some)
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// Replace the `results.csv` at `path` with its header and `rows`, whole or not at all.
fn write_results(path: &Path, rows: &[ResultRow]) -> Result<(), LedgerError> {
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    out.write_record(RESULT_COLUMNS)
        .map_err(|e| LedgerError::other(path, e))?;
    for row in rows {
        out.serialize(row.escaped())
            .map_err(|e| LedgerError::other(path, e))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| LedgerError::other(path, e.into_error()))?;
    crate::atomic::write(path, &bytes).map_err(LedgerError::at(path))
}

/// Write `value` as one JSON line to `file`, then make it durable with `settle` (flush, or
/// sync to disk).
fn append_line<W: Write>(
    file: &mut W,
    path: &Path,
    value: &impl Serialize,
    settle: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> Result<(), LedgerError> {
    let line = serde_json::to_string(value).map_err(|e| LedgerError::other(path, e))?;
    writeln!(file, "{line}").map_err(LedgerError::at(path))?;
    settle(file).map_err(LedgerError::at(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Resource;

    fn source() -> PlanSource {
        PlanSource {
            source: "s.csv".into(),
            sha256: "00".into(),
            worksheet: None,
            mapping: None,
            target: None,
        }
    }

    #[test]
    fn refuses_a_directory_with_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), "").unwrap();
        assert!(Ledger::create(dir.path(), &source()).is_err());
        let fresh = dir.path().join("run");
        Ledger::create(&fresh, &source()).unwrap();
        let header = std::fs::read_to_string(fresh.join(ROLLBACK)).unwrap();
        assert!(header.starts_with("{\"sleipnir\":\"plan\""), "{header}");
        let results = std::fs::read_to_string(fresh.join(RESULTS)).unwrap();
        assert_eq!(results.trim_end(), RESULT_COLUMNS.join(","));
    }

    #[test]
    fn results_are_sorted_by_row_as_they_were_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(RESULTS);
        let header = RESULT_COLUMNS.join(",");
        std::fs::write(
            &path,
            format!("{header}\n10,b,user,applied,,,,,,,\n2,a,user,failed,,,,,,,\"two\nlines\"\n2,a,settings,skipped,,,,,,,\n"),
        )
        .unwrap();
        sort_results(&path, &HashMap::new()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!(
                "{header}\n2,a,user,failed,,,,,,,\"two\nlines\"\n2,a,settings,skipped,,,,,,,\n10,b,user,applied,,,,,,,\n"
            )
        );
    }

    #[test]
    fn amended_lines_change_status_and_message_by_the_users_step() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(RESULTS);
        let header = RESULT_COLUMNS.join(",");
        std::fs::write(
            &path,
            format!("{header}\n3,'=b,user,applied,200,1,5,x,,,\n3,'=b,policy,applied,200,1,5,y,,,\n2,a,user,applied,200,1,5,x,,,\n3,'=b,settings,failed,400,1,5,z,,,no\n"),
        )
        .unwrap();
        let amendment = |step| Amendment {
            step,
            status: Status::Compensated,
            message: "undone because step 3 (settings) failed".into(),
        };
        let amendments = HashMap::from([("'=b".to_string(), vec![amendment(1)])]);
        sort_results(&path, &amendments).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!(
                "{header}\n2,a,user,applied,200,1,5,x,,,\n3,'=b,user,applied,200,1,5,x,,,\n3,'=b,policy,compensated,200,1,5,y,,,undone because step 3 (settings) failed\n3,'=b,settings,failed,400,1,5,z,,,no\n"
            )
        );
    }

    #[test]
    fn what_the_ledger_writes_the_reader_reads() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        let mut ledger = Ledger::create(&run, &source()).unwrap();
        let user = UserPlan {
            user_id: "=a@x".into(),
            rows: vec![7],
            service_provider_id: None,
            group_id: None,
            steps: vec![],
            before: None,
        };
        let mut result = StepResult::new(&user, 0, Resource::User, Status::Failed);
        result.message = "+not a number".into();
        result.http_status = Some(400);
        ledger.result(&result).unwrap();
        ledger
            .journal(&JournalEntry {
                user_id: user.user_id.clone(),
                step: 0,
                resource: Resource::User,
                state: JournalState::Writing,
            })
            .unwrap();
        let text = std::fs::read_to_string(run.join(RESULTS)).unwrap();
        assert!(text.contains("'=a@x"), "{text}");
        let files = RunFiles::new(&run);
        assert_eq!(files.results().unwrap(), [ResultRow::from(&result)]);
        assert_eq!(files.journal().unwrap()[0].state, JournalState::Writing);
    }
}
