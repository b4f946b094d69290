//! Reading a run directory back as typed records, for `--resume` and reports. Files are read
//! up to their last complete line: a torn line left by a crash is ignored, never an error.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::names::{JOURNAL, RESULTS, ROLLBACK, SUMMARY, TIMELINE};
use super::{JournalEntry, LedgerError, RESULT_COLUMNS, ResultRow, Summary, TimelinePoint};
use crate::plan::{Plan, PlanSource};

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
        Ok(self.results_iter()?.collect())
    }

    /// `results.csv` streamed: one row at a time, so a 50,000-user run is never held in
    /// memory whole. Reading stops at the first record that
    /// does not parse (a torn last line is cut off before reading).
    pub fn results_iter(&self) -> Result<impl Iterator<Item = ResultRow> + use<>, LedgerError> {
        let path = self.dir.join(RESULTS);
        let mut file = std::fs::File::open(&path).map_err(LedgerError::reading(&path))?;
        let complete = complete_length(&mut file).map_err(LedgerError::reading(&path))?;
        // Read by position, padded to every column: a run of an older sleipnir (resumed by
        // this one) holds lines without `at`, read empty.
        let reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(BufReader::new(file.take(complete)));
        let columns = csv::StringRecord::from(RESULT_COLUMNS.to_vec());
        Ok(reader
            .into_records()
            .map_while(Result::ok)
            .map_while(move |mut record| {
                while record.len() < columns.len() {
                    record.push_field("");
                }
                record.deserialize::<ResultRow>(Some(&columns)).ok()
            })
            .map(ResultRow::unescaped))
    }

    /// What the run applied, as the header of `rollback.jsonl` names it (the header's source
    /// reads `rollback of <the plan's source>`; its `target` is the plan's, when recorded).
    pub fn source(&self) -> Result<PlanSource, LedgerError> {
        let path = self.dir.join(ROLLBACK);
        let file = std::fs::File::open(&path).map_err(LedgerError::reading(&path))?;
        let mut first = String::new();
        BufReader::new(file)
            .read_line(&mut first)
            .map_err(LedgerError::reading(&path))?;
        crate::plan::file::parse(&path, &first)
            .map(|plan| plan.source)
            .map_err(|e| LedgerError::unreadable(&path, e))
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

    /// `rollback.jsonl` as the plan it is (entries up to the last complete line), each user
    /// once, at its earliest recorded state (see [`RunFiles::undo_plan`]).
    pub fn rollback(&self) -> Result<Plan, LedgerError> {
        super::undo_file::recorded(&self.dir.join(ROLLBACK))
    }

    /// How many users `failed.jsonl` holds (0 when it is missing or holds only its header).
    pub fn failed_users(&self) -> Result<usize, LedgerError> {
        let path = self.dir.join(super::names::FAILED);
        if !path.is_file() {
            return Ok(0);
        }
        let text = complete_lines(&path)?;
        Ok(text
            .lines()
            .skip(1)
            .filter(|line| !line.trim().is_empty())
            .count())
    }

    /// Whether `failed.jsonl` holds a credentials step: applying it needs `--credentials`
    /// with the sheet it was made from (plan files never hold credential values).
    pub fn failed_sets_credentials(&self) -> bool {
        let path = self.dir.join(super::names::FAILED);
        let Ok(text) = complete_lines(&path) else {
            return false;
        };
        crate::plan::file::parse(&path, &text).is_ok_and(|plan| {
            plan.users.iter().any(|user| {
                user.steps
                    .iter()
                    .any(|step| step.resource() == crate::resource::Resource::Credentials)
            })
        })
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

/// The length of `file` up to and including its last line end, found by reading backwards
/// from its end; the file is left positioned at its start.
pub(super) fn complete_length(file: &mut std::fs::File) -> std::io::Result<u64> {
    const CHUNK: u64 = 8192;
    let mut end = file.seek(SeekFrom::End(0))?;
    let mut buffer = vec![0u8; CHUNK as usize];
    let complete = loop {
        if end == 0 {
            break 0;
        }
        let start = end.saturating_sub(CHUNK);
        let len = (end - start) as usize;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buffer[..len])?;
        if let Some(at) = buffer[..len].iter().rposition(|&b| b == b'\n') {
            break start + at as u64 + 1;
        }
        end = start;
    };
    file.seek(SeekFrom::Start(0))?;
    Ok(complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::UserPlan;
    use crate::resource::Resource;
    use crate::rundir::{Ledger, Status, StepResult};

    #[test]
    fn streamed_results_equal_read_results_and_stop_at_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        let source = PlanSource {
            hidden_rows: Default::default(),
            hidden_columns: Default::default(),
            allow_lossy_values: false,
            mapping_sha256: None,
            command: None,
            source: "s.csv".into(),
            sha256: "00".into(),
            worksheet: None,
            mapping: None,
            target: Some("https://odin.example/api/v2".into()),
            odin_user: None,
            target_name: None,
        };
        let mut ledger = Ledger::create(&run, &source).unwrap();
        for n in 0..3000 {
            let user = UserPlan {
                user_id: format!("=u{n}@x"),
                rows: vec![n + 2],
                service_provider_id: None,
                group_id: None,
                steps: vec![],
                before: None,
                not_restorable: Vec::new(),
                cells: Default::default(),
            };
            let mut result = StepResult::new(&user, 0, Resource::User, Status::Failed);
            result.message = format!("line {n}\nwith a line end");
            ledger.result(&result).unwrap();
        }
        drop(ledger);
        let files = RunFiles::new(&run);
        let all = files.results().unwrap();
        assert_eq!(all.len(), 3000);
        assert_eq!(files.results_iter().unwrap().collect::<Vec<_>>(), all);
        let path = run.join(RESULTS);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("9,torn,user,failed,,0,0,,,,\"half a mess");
        std::fs::write(&path, text).unwrap();
        assert_eq!(files.results_iter().unwrap().count(), 3000);
        let read = files.source().unwrap();
        assert_eq!(read.source, "rollback of s.csv");
        assert_eq!(read.target.as_deref(), Some("https://odin.example/api/v2"));
    }
}
