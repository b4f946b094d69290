//! Continuing a run that stopped at any instant (Ctrl-C, SIGKILL, power loss).
//!
//! The journal says which steps finished. A user's steps run in order and everything after a
//! failure is skipped, so its finished steps (`applied`, `unchanged`) are a prefix: the
//! resume starts each user at its first unfinished step. A step left `writing` may or may
//! not have reached Odin; it is re-read and re-decided like any other. Rollback entries
//! already on disk are kept, and a user that has one gets no second one, so the rollback
//! still restores the state from before the first run. `results.csv` keeps the lines of the
//! finished steps (a user's k-th line is its step k), and the resumed steps add theirs.

use std::collections::{HashMap, HashSet};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::StatusCounts;
use super::ledger::{
    Ledger, LedgerError, NOT_APPLIED_OF, ROLLBACK_OF, plan_file_header, write_results,
};
use crate::plan::{Plan, PlanSource};

/// What a resumed run already has.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    /// User → how many of its first steps finished.
    finished: HashMap<String, usize>,
    /// Users whose rollback entry is on disk.
    recorded: HashSet<String>,
    /// Step results kept from earlier attempts.
    pub kept: StatusCounts,
}

impl Resume {
    /// The index of `user`'s first step still to run.
    pub fn start_of(&self, user: &str) -> usize {
        self.finished.get(user).copied().unwrap_or(0)
    }

    /// Whether `user`'s rollback entry is already recorded.
    pub fn has_rollback(&self, user: &str) -> bool {
        self.recorded.contains(user)
    }
}

/// Why a run cannot be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// The directory holds no run.
    #[error("`{0}` is not a run directory (it has no rollback.jsonl and journal.jsonl)")]
    NotARun(PathBuf),
    /// The run applied another sheet.
    #[error(
        "`{dir}` is a run of another sheet (sha256 {run}), not of `{source_name}` (sha256 {plan}); resume it with the sheet it started with"
    )]
    DifferentSheet {
        /// The run directory.
        dir: PathBuf,
        /// The sheet's hash recorded by the run.
        run: String,
        /// The sheet given now.
        source_name: String,
        /// Its hash.
        plan: String,
    },
    /// A run file could not be read or rewritten.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> LedgerError + '_ {
    move |source| LedgerError {
        path: path.to_path_buf(),
        source,
    }
}

/// The complete lines of `path`; a torn last line (a crash mid-write) is cut off the file.
fn complete_lines(path: &Path) -> Result<String, LedgerError> {
    let mut text = std::fs::read_to_string(path).map_err(io(path))?;
    if !text.is_empty() && !text.ends_with('\n') {
        let keep = text.rfind('\n').map_or(0, |at| at + 1);
        text.truncate(keep);
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io(path))?;
        file.set_len(keep as u64).map_err(io(path))?;
        file.sync_all().map_err(io(path))?;
    }
    Ok(text)
}

/// Reopen the run in `dir` to continue `plan` in it.
pub fn reopen(dir: &Path, plan: &Plan) -> Result<(Ledger, Resume), ResumeError> {
    let rollback_path = dir.join("rollback.jsonl");
    let journal_path = dir.join("journal.jsonl");
    if !rollback_path.is_file() {
        return Err(ResumeError::NotARun(dir.to_path_buf()));
    }
    let mut rollback = complete_lines(&rollback_path)?;
    if rollback.is_empty() {
        // Killed while the run directory was being made: nothing was written yet.
        rollback = plan_file_header(&rollback_path, ROLLBACK_OF, &plan.source)?;
        crate::atomic::write(&rollback_path, rollback.as_bytes()).map_err(io(&rollback_path))?;
    }
    if !journal_path.is_file() {
        crate::atomic::write(&journal_path, b"").map_err(io(&journal_path))?;
    }
    let results_path = dir.join("results.csv");
    if !results_path.is_file() {
        write_results(&results_path, &[])?;
    }
    let mut lines = rollback.lines();
    let header: Value = lines
        .next()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or(Value::Null);
    let run_sha = header["sha256"].as_str().unwrap_or_default();
    if run_sha != plan.source.sha256 {
        return Err(ResumeError::DifferentSheet {
            dir: dir.to_path_buf(),
            run: run_sha.to_string(),
            source_name: plan.source.source.clone(),
            plan: plan.source.sha256.clone(),
        });
    }
    let recorded: HashSet<String> = lines
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|entry| entry["userId"].as_str().map(str::to_string))
        .collect();

    let mut last: HashMap<(String, usize), String> = HashMap::new();
    for line in complete_lines(&journal_path)?.lines() {
        if let Ok(entry) = serde_json::from_str::<Value>(line)
            && let (Some(user), Some(step), Some(state)) = (
                entry["userId"].as_str(),
                entry["step"].as_u64(),
                entry["state"].as_str(),
            )
        {
            last.insert((user.to_string(), step as usize), state.to_string());
        }
    }
    let journaled: HashMap<String, usize> = plan
        .users
        .iter()
        .map(|user| {
            let done = (0..user.steps.len())
                .take_while(|step| {
                    matches!(
                        last.get(&(user.user_id.clone(), *step)).map(String::as_str),
                        Some("applied" | "unchanged")
                    )
                })
                .count();
            (user.user_id.clone(), done)
        })
        .collect();

    let (finished, kept) = keep_finished_results(&dir.join("results.csv"), &journaled)?;
    reset_failed(&dir.join("failed.jsonl"), &plan.source)?;
    let ledger = Ledger::reopen(dir)?;
    Ok((
        ledger,
        Resume {
            finished,
            recorded,
            kept,
        },
    ))
}

/// A step is finished when the journal says so and its `results.csv` line made it to disk
/// (a user's lines are written when the user ends, so a crash can lose them). Rewrite
/// `results.csv` with only the lines of finished steps; return each user's finished prefix
/// and the counts of the lines kept.
fn keep_finished_results(
    path: &Path,
    journaled: &HashMap<String, usize>,
) -> Result<(HashMap<String, usize>, StatusCounts), LedgerError> {
    let text = complete_lines(path)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    // A record torn inside a quoted field ends the readable part.
    let records: Vec<csv::StringRecord> = reader.records().map_while(Result::ok).collect();
    let mut finished: HashMap<String, usize> = HashMap::new();
    let mut broken: HashSet<String> = HashSet::new();
    for record in &records {
        let user = record.get(1).unwrap_or_default();
        let done = matches!(record.get(3), Some("applied" | "unchanged"));
        if !done {
            broken.insert(user.to_string());
        } else if !broken.contains(user) {
            *finished.entry(user.to_string()).or_default() += 1;
        }
    }
    for (user, count) in finished.iter_mut() {
        *count = (*count).min(journaled.get(user).copied().unwrap_or(0));
    }
    let mut kept = StatusCounts::default();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut keep = Vec::new();
    for record in &records {
        let user = record.get(1).unwrap_or_default();
        let index = seen.entry(user).or_default();
        let finished_step = *index < finished.get(user).copied().unwrap_or(0);
        *index += 1;
        if finished_step {
            match record.get(3) {
                Some("applied") => kept.applied += 1,
                _ => kept.unchanged += 1,
            }
            keep.push(record.clone());
        }
    }
    write_results(path, &keep)?;
    Ok((finished, kept))
}

/// `failed.jsonl` is rebuilt by the resumed run: back to its header.
fn reset_failed(path: &Path, source: &PlanSource) -> Result<(), LedgerError> {
    let header = plan_file_header(path, NOT_APPLIED_OF, source)?;
    crate::atomic::write(path, header.as_bytes()).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"b\":").unwrap();
        assert_eq!(complete_lines(&path).unwrap(), "{\"a\":1}\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":1}\n");
    }

    #[test]
    fn a_step_is_finished_only_with_its_journal_entry_and_its_results_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        let header = crate::apply::ledger::RESULT_COLUMNS.join(",");
        std::fs::write(
            &path,
            format!("{header}\n2,a,user,applied,200,1,5,x,,,\n2,a,settings,applied,200,1,5,y,,,\n3,b,user,failed,400,1,5,x,,,\n"),
        )
        .unwrap();
        // The journal says a finished 3 steps, but only 2 results lines made it to disk.
        let journaled = HashMap::from([("a".to_string(), 3), ("b".to_string(), 0)]);
        let (finished, kept) = keep_finished_results(&path, &journaled).unwrap();
        assert_eq!(finished["a"], 2);
        assert_eq!(finished.get("b").copied().unwrap_or(0), 0);
        assert_eq!(kept.applied, 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(!text.contains(",b,"));
    }
}
