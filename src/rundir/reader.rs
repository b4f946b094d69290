//! Reading a run directory back as typed records, for `--resume` and reports. Files are read
//! up to their last complete line: a torn line left by a crash is ignored, never an error.

use std::path::{Path, PathBuf};

use super::names::{JOURNAL, RESULTS, ROLLBACK, SUMMARY, TIMELINE};
use super::{JournalEntry, LedgerError, ResultRow, Summary, TimelinePoint};
use crate::plan::Plan;

/// The files of one run directory, read on demand.
#[derive(Debug, Clone)]
pub struct RunFiles {
    dir: PathBuf,
}

impl RunFiles {
    /// The run in `dir` (nothing is read yet).
    pub fn new(dir: &Path) -> RunFiles {
        RunFiles {
            dir: dir.to_path_buf(),
        }
    }

    /// The run directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `results.csv`, line by line in file order, with the spreadsheet escaping taken off;
    /// reading stops at a torn last record.
    pub fn results(&self) -> Result<Vec<ResultRow>, LedgerError> {
        let path = self.dir.join(RESULTS);
        let text = complete_lines(&path)?;
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows = reader
            .deserialize::<ResultRow>()
            .map_while(Result::ok)
            .map(ResultRow::unescaped)
            .collect();
        Ok(rows)
    }

    /// `journal.jsonl`, every complete line in order.
    pub fn journal(&self) -> Result<Vec<JournalEntry>, LedgerError> {
        self.json_lines(JOURNAL)
    }

    /// `timeline.jsonl`, every complete line in order; each attempt of a resumed run starts
    /// its seconds at 0 again. Empty for runs made before it existed.
    pub fn timeline(&self) -> Result<Vec<TimelinePoint>, LedgerError> {
        if !self.dir.join(TIMELINE).is_file() {
            return Ok(Vec::new());
        }
        self.json_lines(TIMELINE)
    }

    fn json_lines<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Vec<T>, LedgerError> {
        let path = self.dir.join(name);
        let text = complete_lines(&path)?;
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| serde_json::from_str(line).map_err(|e| LedgerError::unreadable(&path, e)))
            .collect()
    }

    /// `rollback.jsonl` as the plan it is (entries up to the last complete line).
    pub fn rollback(&self) -> Result<Plan, LedgerError> {
        let path = self.dir.join(ROLLBACK);
        let text = complete_lines(&path)?;
        crate::plan::file::parse(&path, &text).map_err(|e| LedgerError::unreadable(&path, e))
    }

    /// `summary.json`, written when the run ended (absent while running or after a kill).
    pub fn summary(&self) -> Result<Option<Summary>, LedgerError> {
        let path = self.dir.join(SUMMARY);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| LedgerError::unreadable(&path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LedgerError::reading(&path)(e)),
        }
    }
}

/// The text of `path` up to its last line end (a torn last line is left out).
pub(super) fn complete_lines(path: &Path) -> Result<String, LedgerError> {
    let mut text = std::fs::read_to_string(path).map_err(LedgerError::reading(path))?;
    let keep = text.rfind('\n').map_or(0, |at| at + 1);
    text.truncate(keep);
    Ok(text)
}
