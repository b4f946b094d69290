//! The history: `runs.jsonl` in the state directory, one line per command that talked to a
//! target (`plan --target`, `apply`, `rollback`, `export`, `check`), appended at its end.
//!
//! Each line is an [`Entry`] whose `prev` is the SHA-256 (hex) of the line before it (the
//! bytes between the line ends; 64 zeros for the first): a chain, so that a line edited or
//! removed breaks it at the next line. `runs.head` holds the SHA-256 of the last line, so
//! that the last one is covered too. Appends take an exclusive OS lock on `runs.jsonl`
//! (processes on one host, or hosts whose network filesystem passes locks on) and write
//! each line with one `write` in append mode, synced.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{StateDir, StateError};

/// The history file's name in the state directory.
pub const FILE: &str = "runs.jsonl";
/// The file holding the SHA-256 of the history's last line.
pub const HEAD: &str = "runs.head";
/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The sheet (or plan or rollback file) a command read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRef {
    /// Its path, as given to the command.
    pub path: String,
    /// Its bytes' SHA-256 (hex).
    pub sha256: String,
}

/// One command that talked to a target: a line of `runs.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The run's id: its start (UTC) and a few letters of hex, e.g. `20261207T081500Z-3f2a`.
    pub id: String,
    /// The subcommand: `plan`, `apply`, `rollback`, `export` or `check`.
    pub command: String,
    /// The target's URL.
    pub target: String,
    /// The target's name, where it was named (named targets: not yet).
    pub target_name: Option<String>,
    /// The OS user who ran it.
    pub os_user: String,
    /// The machine it ran on.
    pub host: String,
    /// The Odin user it logged in as (none when it stopped before asking).
    pub odin_user: Option<String>,
    /// Its command line, shell-quoted, a user name or password in a URL replaced by `…`.
    pub command_line: String,
    /// sleipnir's version.
    pub version: String,
    /// The sheet, plan or rollback file it read.
    pub sheet: Option<SheetRef>,
    /// Why (`--reason`: a change ticket).
    pub reason: Option<String>,
    /// When it started (UTC, RFC 3339).
    pub started: String,
    /// When it ended (UTC, RFC 3339).
    pub ended: String,
    /// Counts of what it did: users by outcome for runs, users for exports and plans.
    pub outcome: BTreeMap<String, u64>,
    /// Its exit code.
    pub exit_code: u8,
    /// Its run directory (absolute), for `apply` and `rollback`.
    pub run_dir: Option<String>,
    /// A run that left users `deferred`: the maintenance window or daily budget that
    /// deferred them, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_by: Option<String>,
    /// The SHA-256 (hex) of the line before this one ([`GENESIS`] for the first).
    pub prev: String,
}

/// A line of the history as read: the entry, or why it is not one.
#[derive(Debug)]
pub struct Line {
    /// Its line number (from 1).
    pub number: usize,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// What it holds.
    pub entry: Result<Entry, String>,
}

/// What `runs verify` finds wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A line that is not an entry.
    Unreadable {
        /// The line number.
        line: usize,
        /// Why it is not an entry.
        why: String,
    },
    /// A line whose `prev` is not the SHA-256 of the line before it: that line was edited,
    /// removed or inserted.
    BrokenChain {
        /// The line number of the line that does not follow.
        line: usize,
    },
    /// The last line is not the one `runs.head` names: it was edited or removed.
    BrokenHead,
    /// An entry's run directory is not there (from this machine).
    MissingRunDir {
        /// The line number.
        line: usize,
        /// The run's id.
        id: String,
        /// The run directory recorded.
        dir: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Unreadable { line, why } => write!(f, "line {line} is not a run: {why}"),
            Problem::BrokenChain { line } => write!(
                f,
                "line {line} does not follow line {}: the chain is broken (a line was edited, removed or inserted there)",
                line - 1
            ),
            Problem::BrokenHead => write!(
                f,
                "the last line is not the one `{HEAD}` names: it was edited or removed"
            ),
            Problem::MissingRunDir { line, id, dir } => {
                write!(
                    f,
                    "line {line} (run {id}): run directory `{dir}` is missing"
                )
            }
        }
    }
}

/// The SHA-256 (hex) of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Append `entry` to the history in `state`, its `prev` set to the SHA-256 of the last line.
pub fn append(state: &StateDir, mut entry: Entry) -> Result<Entry, StateError> {
    let path = state.path().join(FILE);
    let mut file = state.open_file(&path, true)?;
    file.lock().map_err(StateError::io("lock", &path))?;
    entry.prev = match last_line(&mut file).map_err(StateError::io("read", &path))? {
        Some(line) => sha256_hex(&line),
        None => GENESIS.to_string(),
    };
    let text = serde_json::to_string(&entry)
        .map_err(|e| StateError::io("write", &path)(std::io::Error::other(e)))?;
    file.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(StateError::io("write", &path))?;
    state.write_file(
        &state.path().join(HEAD),
        format!("{}\n", sha256_hex(text.as_bytes())).as_bytes(),
    )?;
    Ok(entry)
}

/// The last line of `file` (without its line end), `None` when it is empty.
fn last_line(file: &mut std::fs::File) -> std::io::Result<Option<Vec<u8>>> {
    let len = file.metadata()?.len();
    let mut from = len.saturating_sub(64 * 1024);
    loop {
        file.seek(SeekFrom::Start(from))?;
        let mut tail = Vec::new();
        file.read_to_end(&mut tail)?;
        let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
        if body.is_empty() && from == 0 {
            return Ok(None);
        }
        match body.iter().rposition(|&b| b == b'\n') {
            Some(at) => return Ok(Some(body[at + 1..].to_vec())),
            None if from == 0 => return Ok(Some(body.to_vec())),
            // A line longer than the tail read: read it all.
            None => from = 0,
        }
    }
}

/// Every line of the history in `state` (none when there is no history yet).
pub fn read(state_dir: &Path) -> Result<Vec<Line>, StateError> {
    let path = state_dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StateError::io("read", &path)(e)),
    };
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if body.is_empty() {
        return Ok(Vec::new());
    }
    Ok(body
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(n, line)| Line {
            number: n + 1,
            sha256: sha256_hex(line),
            entry: serde_json::from_slice(line).map_err(|e| e.to_string()),
        })
        .collect())
}

/// What is wrong with the history in `state_dir`: lines that are not entries, a broken
/// chain or head, run directories that are missing. Empty when all is well.
pub fn verify(state_dir: &Path) -> Result<Vec<Problem>, StateError> {
    let lines = read(state_dir)?;
    let mut problems = Vec::new();
    let mut prev = GENESIS.to_string();
    for line in &lines {
        match &line.entry {
            Err(why) => problems.push(Problem::Unreadable {
                line: line.number,
                why: why.clone(),
            }),
            Ok(entry) => {
                if entry.prev != prev {
                    problems.push(Problem::BrokenChain { line: line.number });
                }
                if let Some(dir) = &entry.run_dir
                    && !PathBuf::from(dir).is_dir()
                {
                    problems.push(Problem::MissingRunDir {
                        line: line.number,
                        id: entry.id.clone(),
                        dir: dir.clone(),
                    });
                }
            }
        }
        prev = line.sha256.clone();
    }
    let head_path = state_dir.join(HEAD);
    match std::fs::read_to_string(&head_path) {
        Ok(head) if head.trim() != prev || lines.is_empty() => problems.push(Problem::BrokenHead),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && lines.is_empty() => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => problems.push(Problem::BrokenHead),
        Err(e) => return Err(StateError::io("read", &head_path)(e)),
    }
    Ok(problems)
}

/// A new run id: the time now and four hex digits of this process and instant.
pub fn new_id() -> String {
    let now = chrono::Utc::now();
    let seed = format!(
        "{}:{}:{}",
        crate::rundir::host_name(),
        std::process::id(),
        now.timestamp_nanos_opt().unwrap_or_default()
    );
    format!(
        "{}-{}",
        now.format("%Y%m%dT%H%M%SZ"),
        &sha256_hex(seed.as_bytes())[..4]
    )
}

#[cfg(test)]
mod tests;
