//! Continuing a run that stopped at any instant (Ctrl-C, SIGKILL, power loss).
//!
//! The journal says which steps finished. A user's steps run in order and everything after a
//! failure is skipped, so its finished steps (`applied`, `unchanged`) are a prefix: the
//! resume starts each user at its first unfinished step. A step left `writing` may or may
//! not have reached Odin; it is re-read and re-decided like any other. Rollback entries
//! already on disk are kept, and a user that has one gets no second one, so the rollback
//! still restores the state from before the first run. `results.csv` keeps the lines of the
//! finished steps (a user's k-th line is its step k), and the resumed steps add theirs; when
//! a resumed user is compensated, its kept lines are amended at the end of the run
//! ([`Ledger::amend`]) and the journal says at once that those steps were undone, so a
//! further resume starts that user again at its first step.

use std::collections::{HashMap, HashSet};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use super::names::{FAILED, JOURNAL, RESULTS, ROLLBACK, SUMMARY, TIMELINE};
use super::{
    JournalEntry, JournalState, Ledger, LedgerError, NOT_APPLIED_OF, ROLLBACK_OF, ResultRow,
    RunFiles, Status, StatusCounts, plan_file_header, reader, write_results,
};
use crate::plan::{Plan, PlanSource, UserPlan};

/// What a resumed run already has.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    /// User → how many of its first steps finished.
    finished: HashMap<String, usize>,
    /// Rollback entries on disk, by user.
    recorded: HashMap<String, UserPlan>,
    /// The statuses of the finished steps, in step order, of the users with steps left.
    partial: HashMap<String, Vec<Status>>,
    /// Step results kept from earlier attempts.
    pub kept: StatusCounts,
    /// The earlier attempts (from the timeline), each with its wall time and requests: the
    /// run's summary gives each and their totals.
    pub attempts_before: Vec<super::Attempt>,
}

impl Resume {
    /// The index of `user`'s first step still to run.
    pub fn start_of(&self, user: &str) -> usize {
        self.finished.get(user).copied().unwrap_or(0)
    }

    /// Whether `user`'s rollback entry is already recorded.
    pub fn has_rollback(&self, user: &str) -> bool {
        self.recorded.contains_key(user)
    }

    /// `user`'s rollback entry recorded by an earlier attempt.
    pub fn rollback_of(&self, user: &str) -> Option<&UserPlan> {
        self.recorded.get(user)
    }

    /// How `user`'s steps before [`Resume::start_of`] ended in earlier attempts (`applied`
    /// or `unchanged`), in step order; empty for a user with no step left.
    pub fn kept_of(&self, user: &str) -> &[Status] {
        self.partial.get(user).map_or(&[], Vec::as_slice)
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
    /// The run read the same sheet another way: another worksheet, mapping, or handling of
    /// hidden rows or columns; continuing it so would mix two plans in one run.
    #[error("`{dir}` read {run}, and this reads {now}; resume it as it started: `{command}`")]
    DifferentReading {
        /// The run directory.
        dir: PathBuf,
        /// How the run read the sheet (`worksheet `Wave 1``).
        run: String,
        /// How it is read now.
        now: String,
        /// The command that continues the run as it started.
        command: String,
    },
    /// The run is of another kind of plan made from the same sheet: an apply of it, a
    /// rollback of a run of it, or the steps a run of it did not apply (`failed.jsonl`);
    /// continuing it with this plan would mix two plans in one run and count the other's
    /// steps as done.
    #[error("`{dir}` is a run of `{run}`, not of `{now}`; resume it as it started: `{command}`")]
    DifferentPlan {
        /// The run directory.
        dir: PathBuf,
        /// What the run applied (`rollback of users.csv`).
        run: String,
        /// What is given now.
        now: String,
        /// The command that continues the run as it started.
        command: String,
    },
    /// A run file could not be read or rewritten.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// The kinds of run file a plan's source went through, outermost first (`rollback of`,
/// `steps not applied of`), without the sheet's name: the same sheet named another way
/// (`./users.csv`) is the same plan, its rollback is not.
fn kinds(source: &str) -> Vec<&str> {
    let mut kinds = Vec::new();
    let mut rest = source;
    loop {
        let shorter = [super::ROLLBACK_OF, super::NOT_APPLIED_OF]
            .into_iter()
            .find_map(|prefix| Some((prefix, rest.strip_prefix(prefix)?.strip_prefix(' ')?)));
        match shorter {
            Some((prefix, inner)) => {
                kinds.push(prefix);
                rest = inner;
            }
            None => return kinds,
        }
    }
}

/// The first way `run` and `now` (the sources of a run and of the plan resuming it) read their
/// one sheet differently, as (the run's, now's), or `None` when they read it alike.
fn reading_differs(run: &PlanSource, now: &PlanSource) -> Option<(String, String)> {
    let named = |what: &str, value: &Option<String>| match value {
        Some(value) => format!("{what} `{value}`"),
        None => format!("no {what}"),
    };
    if run.worksheet != now.worksheet {
        return Some((
            named("worksheet", &run.worksheet),
            named("worksheet", &now.worksheet),
        ));
    }
    if run.mapping != now.mapping {
        return Some((
            named("mapping", &run.mapping),
            named("mapping", &now.mapping),
        ));
    }
    // The same name, other content (a run recorded before mappings were hashed has none).
    if let (Some(then), Some(since)) = (&run.mapping_sha256, &now.mapping_sha256)
        && then != since
    {
        let name = now.mapping.clone().unwrap_or_default();
        return Some((
            format!("mapping `{name}` as it was then"),
            "it as it is now (its content changed)".to_string(),
        ));
    }
    if run.allow_lossy_values != now.allow_lossy_values {
        let with = |allowed: bool| match allowed {
            true => format!("it with {}", crate::apply::lossy::FLAG),
            false => format!("it without {}", crate::apply::lossy::FLAG),
        };
        return Some((with(run.allow_lossy_values), with(now.allow_lossy_values)));
    }
    for (flag, then, since) in [
        ("--hidden-rows", run.hidden_rows, now.hidden_rows),
        ("--hidden-columns", run.hidden_columns, now.hidden_columns),
    ] {
        if then != since {
            return Some((
                format!("it with {flag} {}", then.name()),
                format!("it with {flag} {}", since.name()),
            ));
        }
    }
    None
}

/// Whether `plan` is what the run in `dir`, whose rollback file's header is `run`, applied:
/// the same sheet (SHA-256), the same kind of input, read the same way.
fn same_plan(dir: &Path, run: &PlanSource, plan: &Plan) -> Result<(), ResumeError> {
    if run.sha256 != plan.source.sha256 {
        return Err(ResumeError::DifferentSheet {
            dir: dir.to_path_buf(),
            run: run.sha256.clone(),
            source_name: plan.source.source.clone(),
            plan: plan.source.sha256.clone(),
        });
    }
    // The rollback file's header names what the run applied, as `rollback of …`.
    let applied = run
        .source
        .strip_prefix(super::ROLLBACK_OF)
        .and_then(|rest| rest.strip_prefix(' '))
        .unwrap_or(&run.source);
    if kinds(applied) != kinds(&plan.source.source) {
        return Err(ResumeError::DifferentPlan {
            dir: dir.to_path_buf(),
            run: applied.to_string(),
            now: plan.source.source.clone(),
            command: run.resume_command(dir),
        });
    }
    if let Some((then, now)) = reading_differs(run, &plan.source) {
        return Err(ResumeError::DifferentReading {
            dir: dir.to_path_buf(),
            run: then,
            now,
            command: run.resume_command(dir),
        });
    }
    Ok(())
}

impl Ledger {
    /// Check, reading only, that the run in `dir` can be continued with `plan` (what
    /// [`Ledger::resume`] checks before it changes anything): nothing is written, so a
    /// resume that is refused, declined or cannot log in after this leaves the run's files
    /// as they were. A rollback file without a line yet (a run killed while its directory
    /// was made) holds nothing to check.
    pub fn check_resume(dir: &Path, plan: &Plan) -> Result<(), ResumeError> {
        let rollback_path = dir.join(ROLLBACK);
        if !rollback_path.is_file() {
            return Err(ResumeError::NotARun(dir.to_path_buf()));
        }
        let header_written = std::fs::read(&rollback_path)
            .map_err(LedgerError::at(&rollback_path))?
            .contains(&b'\n');
        if !header_written {
            return Ok(());
        }
        let rollback = RunFiles::new(dir).rollback()?;
        same_plan(dir, &rollback.source, plan)
    }

    /// Reopen the run in `dir` to continue `plan` in it: torn last lines are cut off, the
    /// results of unfinished steps dropped, `failed.jsonl` started afresh; what the run
    /// already holds is returned. Nothing is changed when the run is of another sheet.
    pub fn resume(dir: &Path, plan: &Plan) -> Result<(Ledger, Resume), ResumeError> {
        let rollback_path = dir.join(ROLLBACK);
        if !rollback_path.is_file() {
            return Err(ResumeError::NotARun(dir.to_path_buf()));
        }
        if cut_torn_line(&rollback_path)? == 0 {
            // Killed while the run directory was being made: nothing was written yet.
            let header = plan_file_header(&rollback_path, ROLLBACK_OF, &plan.source)?;
            crate::atomic::write(&rollback_path, header.as_bytes())
                .map_err(LedgerError::at(&rollback_path))?;
        }
        let files = RunFiles::new(dir);
        let rollback = files.rollback()?;
        same_plan(dir, &rollback.source, plan)?;
        // The summary is of an earlier attempt: a report of this one, if it is killed too,
        // must not take its figures from there. This attempt writes its own at its end.
        let summary_path = dir.join(SUMMARY);
        match std::fs::remove_file(&summary_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(LedgerError::at(&summary_path)(e).into());
            }
            _ => {}
        }
        let journal_path = dir.join(JOURNAL);
        if journal_path.is_file() {
            cut_torn_line(&journal_path)?;
        } else {
            crate::atomic::write(&journal_path, b"").map_err(LedgerError::at(&journal_path))?;
        }
        let timeline_path = dir.join(TIMELINE);
        if timeline_path.is_file() {
            cut_torn_line(&timeline_path)?;
        }
        let attempts_before = super::attempts(&files.timeline()?);
        let results_path = dir.join(RESULTS);
        if results_path.is_file() {
            cut_torn_line(&results_path)?;
        } else {
            write_results(&results_path, &[])?;
        }
        let journal = files.journal()?;
        let last = last_states(&journal);
        let journaled = journaled_prefixes(plan, &last);
        let (finished, kept_rows) = finished_steps(files.results()?, &journaled);
        let mut kept = StatusCounts::default();
        let steps: HashMap<&str, usize> = plan
            .users
            .iter()
            .map(|user| (user.user_id.as_str(), user.steps.len()))
            .collect();
        let mut partial: HashMap<String, Vec<Status>> = HashMap::new();
        for row in &kept_rows {
            kept.add(row.status);
            let left = finished.get(&row.user_id).copied().unwrap_or(0)
                < steps.get(row.user_id.as_str()).copied().unwrap_or(0);
            if left {
                partial
                    .entry(row.user_id.clone())
                    .or_default()
                    .push(row.status);
            }
        }
        write_results(&results_path, &kept_rows)?;
        let failed = dir.join(FAILED);
        let header = plan_file_header(&failed, NOT_APPLIED_OF, &plan.source)?;
        crate::atomic::write(&failed, header.as_bytes()).map_err(LedgerError::at(&failed))?;
        let recorded = rollback
            .users
            .into_iter()
            .map(|entry| (entry.user_id.clone(), entry))
            .collect();
        let resume = Resume {
            finished,
            recorded,
            partial,
            kept,
            attempts_before,
        };
        Ok((Ledger::reopen(dir)?, resume))
    }
}

/// Cut a torn last line (a crash mid-write) off the file, found by reading back from its
/// end; the length of its complete lines.
fn cut_torn_line(path: &Path) -> Result<u64, LedgerError> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(LedgerError::at(path))?;
    let complete = reader::complete_length(&mut file).map_err(LedgerError::reading(path))?;
    let whole = file.metadata().map_err(LedgerError::reading(path))?.len();
    if whole != complete {
        file.set_len(complete)
            .and_then(|()| file.sync_all())
            .map_err(LedgerError::at(path))?;
    }
    Ok(complete)
}

/// Each user's leading steps whose last journal state is applied or unchanged.
fn journaled_prefixes(plan: &Plan, last: &LastStates<'_>) -> HashMap<String, usize> {
    plan.users
        .iter()
        .map(|user| {
            let done = (0..user.steps.len())
                .take_while(|step| {
                    matches!(
                        last.get(&(user.user_id.as_str(), *step)),
                        Some(JournalState::Ended(status)) if status.is_done()
                    )
                })
                .count();
            (user.user_id.clone(), done)
        })
        .collect()
}

/// Each (user, step)'s last state in the journal.
type LastStates<'a> = HashMap<(&'a str, usize), JournalState>;

/// The journal's last word on each step.
fn last_states(journal: &[JournalEntry]) -> LastStates<'_> {
    journal
        .iter()
        .map(|entry| ((entry.user_id.as_str(), entry.step), entry.state))
        .collect()
}

/// A step is finished when the journal says so and its `results.csv` line made it to disk
/// (a user's lines are written when the user ends, so a crash can lose them). Each user's
/// finished prefix, and the results lines of just those steps.
fn finished_steps(
    rows: Vec<ResultRow>,
    journaled: &HashMap<String, usize>,
) -> (HashMap<String, usize>, Vec<ResultRow>) {
    let mut finished: HashMap<String, usize> = HashMap::new();
    let mut broken: HashSet<String> = HashSet::new();
    for row in &rows {
        if !row.status.is_done() {
            broken.insert(row.user_id.clone());
        } else if !broken.contains(&row.user_id) {
            *finished.entry(row.user_id.clone()).or_default() += 1;
        }
    }
    for (user, count) in finished.iter_mut() {
        *count = (*count).min(journaled.get(user).copied().unwrap_or(0));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let kept = rows
        .into_iter()
        .filter(|row| {
            let index = seen.entry(row.user_id.clone()).or_default();
            let keep = *index < finished.get(&row.user_id).copied().unwrap_or(0);
            *index += 1;
            keep
        })
        .collect();
    (finished, kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rundir::RESULT_COLUMNS;

    #[test]
    fn a_torn_last_line_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"b\":").unwrap();
        assert_eq!(cut_torn_line(&path).unwrap(), "{\"a\":1}\n".len() as u64);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":1}\n");
    }

    #[test]
    fn a_step_is_finished_only_with_its_journal_entry_and_its_results_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        let header = RESULT_COLUMNS.join(",");
        std::fs::write(
            &path,
            format!("{header}\n2,a,user,applied,200,1,5,x,,,\n2,a,settings,applied,200,1,5,y,,,\n3,b,user,failed,400,1,5,x,,,\n"),
        )
        .unwrap();
        let rows = RunFiles::new(dir.path()).results().unwrap();
        // The journal says a finished 3 steps, but only 2 results lines made it to disk.
        let journaled = HashMap::from([("a".to_string(), 3), ("b".to_string(), 0)]);
        let (finished, kept) = finished_steps(rows, &journaled);
        assert_eq!(finished["a"], 2);
        assert_eq!(finished.get("b").copied().unwrap_or(0), 0);
        assert_eq!(kept.len(), 2);
        assert!(kept.iter().all(|r| r.user_id == "a"));
    }
}
