//! Runs that know about each other: every unfinished `apply`/`rollback` (and `--resume` of
//! either) holds a claim in `claims/` of the state directory, naming its target and the
//! users it changes. A run whose users overlap a live claim on the same target is refused
//! before it logs in; runs on disjoint users go ahead side by side.
//!
//! A claim is two files: `<run id>.json`, the [`ClaimRecord`], and `<run id>.lock`, on which
//! the run holds an exclusive OS lock for its whole life and whose modification time it
//! touches every [`HEARTBEAT`] (the heartbeat). A claim is live when its lock is held; or,
//! for a run on another host sharing the directory (where the lock may not reach across the
//! network filesystem), when its heartbeat is younger than [`STALE_AFTER`]. A run that died
//! — killed, crashed, its machine gone — therefore blocks no one: on this host the kernel
//! released its lock, elsewhere its heartbeat stopped. The claim's age alone never counts.
//!
//! Checking the claims and writing a new one happen under `claims.lock`, held for that
//! moment only, so two runs starting at once cannot both pass.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{StateDir, StateError};

/// How often a run touches its claim's heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(10);

/// A claim on another host whose heartbeat is older than this (six missed beats) is dead.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// What an unfinished run records about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimRecord {
    /// The run's id (the history's, see [`super::history`]).
    pub run_id: String,
    /// The target's URL, as given.
    pub target: String,
    /// The target's URL compared: equal for URLs that name the same Odin.
    pub target_key: String,
    /// The target's name, where it was given by name.
    pub target_name: Option<String>,
    /// The users the run changes, sorted.
    pub users: Vec<String>,
    /// The OS user running it.
    pub os_user: String,
    /// The machine it runs on.
    pub host: String,
    /// Its process id on that machine.
    pub pid: u32,
    /// When it claimed the users (UTC, RFC 3339).
    pub started: String,
    /// Its run directory.
    pub run_dir: String,
    /// The sheet, plan or rollback file it applies.
    pub sheet: String,
}

impl ClaimRecord {
    /// Who, where and when, for a refusal: `pid 41873 of ana on ops-1, since …, run
    /// directory `…`, sheet `…``.
    pub fn describe(&self) -> String {
        format!(
            "pid {} of {} on {}, since {}, run directory `{}`, sheet `{}`",
            self.pid, self.os_user, self.host, self.started, self.run_dir, self.sheet
        )
    }
}

/// Why a claim could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// A live run on the same target is changing some of the same users.
    #[error(
        "{} on {} {} being changed by another run ({}); wait for it to end, or leave {} out of this run, then try again",
        users_in_words(.overlap, *.count),
        .holder.target,
        if *.count == 1 { "is" } else { "are" },
        .holder.describe(),
        if *.count == 1 { "that user" } else { "those users" }
    )]
    Overlap {
        /// The other run.
        holder: Box<ClaimRecord>,
        /// The first few users both change.
        overlap: Vec<String>,
        /// How many users both change.
        count: usize,
    },
    /// The state directory could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
}

/// How many overlapping users a refusal names.
const NAMED: usize = 5;

fn users_in_words(users: &[String], count: usize) -> String {
    let named = users
        .iter()
        .map(|u| format!("`{u}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match count {
        1 => format!("user {named}"),
        n if n > users.len() => format!("{n} users ({named} and {} more)", n - users.len()),
        n => format!("{n} users ({named})"),
    }
}

/// A run's claim on its users, held until dropped: the lock held and the heartbeat beating.
/// Dropping it removes the claim.
#[derive(Debug)]
pub struct Claim {
    dir: PathBuf,
    lock_path: PathBuf,
    record_path: PathBuf,
    /// Closed on drop: stops the heartbeat.
    stop: Option<mpsc::Sender<()>>,
    beat: Option<std::thread::JoinHandle<()>>,
}

impl Claim {
    /// Claim `record`'s users on its target in `state`, refused when a live claim on the
    /// same target names any of them. Dead claims met on the way are removed.
    pub fn take(state: &StateDir, record: &ClaimRecord) -> Result<Claim, ClaimError> {
        let dir = state.subdir("claims")?;
        let guard = Guard::take(state)?;
        let mine: BTreeSet<&str> = record.users.iter().map(String::as_str).collect();
        for other in live_claims(&dir, &record.target_key)? {
            let overlap: Vec<String> = other
                .users
                .iter()
                .filter(|u| mine.contains(u.as_str()))
                .cloned()
                .collect();
            if !overlap.is_empty() {
                return Err(ClaimError::Overlap {
                    count: overlap.len(),
                    overlap: overlap.into_iter().take(NAMED).collect(),
                    holder: Box::new(other),
                });
            }
        }
        let lock_path = dir.join(format!("{}.lock", record.run_id));
        let record_path = dir.join(format!("{}.json", record.run_id));
        let file = state.open_file(&lock_path, false)?;
        file.try_lock().map_err(|e| {
            let error = match e {
                std::fs::TryLockError::WouldBlock => std::io::ErrorKind::WouldBlock.into(),
                std::fs::TryLockError::Error(e) => e,
            };
            StateError::io("lock", &lock_path)(error)
        })?;
        let text = serde_json::to_string(record)
            .map_err(|e| StateError::io("write", &record_path)(std::io::Error::other(e)))?;
        if let Err(why) = state.write_file(&record_path, format!("{text}\n").as_bytes()) {
            // No lock file is left without its record.
            let _ = std::fs::remove_file(&lock_path);
            return Err(why.into());
        }
        drop(guard);
        let (stop, stopped) = mpsc::channel::<()>();
        let beat = std::thread::Builder::new()
            .name("claim heartbeat".into())
            .spawn(move || heartbeat(file, stopped))
            .map_err(StateError::io("lock", &lock_path))?;
        Ok(Claim {
            dir: state.path().to_path_buf(),
            lock_path,
            record_path,
            stop: Some(stop),
            beat: Some(beat),
        })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(beat) = self.beat.take() {
            // The thread holds the lock's file: joined, the lock is released.
            let _ = beat.join();
        }
        // Removed under the directory's lock, so that no run starting now reads half of it.
        let guard = Guard::take_in(&self.dir);
        let _ = std::fs::remove_file(&self.record_path);
        let _ = std::fs::remove_file(&self.lock_path);
        drop(guard);
    }
}

/// Touch `file` every [`HEARTBEAT`] until `stopped` is closed; the file (and its lock) is
/// held until then.
fn heartbeat(file: File, stopped: mpsc::Receiver<()>) {
    let _ = file.set_modified(SystemTime::now());
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(HEARTBEAT) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// `claims.lock`: held while the claims are read and one is written or removed (the lock
/// lives as long as the handle).
struct Guard {
    _file: Option<File>,
}

impl Guard {
    fn take(state: &StateDir) -> Result<Guard, StateError> {
        let path = state.path().join("claims.lock");
        let file = state.open_file(&path, false)?;
        file.lock().map_err(StateError::io("lock", &path))?;
        Ok(Guard { _file: Some(file) })
    }

    /// The same, best effort (for a claim's removal).
    fn take_in(dir: &Path) -> Guard {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.join("claims.lock"))
            .ok()
            .filter(|f| f.lock().is_ok());
        Guard { _file: file }
    }
}

/// The live claims in `dir` on the target `key`; dead ones (of any target) are removed.
fn live_claims(dir: &Path, key: &str) -> Result<Vec<ClaimRecord>, StateError> {
    let this_host = crate::rundir::host_name();
    let mut live = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(StateError::io("read", dir))? {
        let path = entry.map_err(StateError::io("read", dir))?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        // A record that cannot be read (being removed, damaged) claims nothing.
        let Some(record) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str::<ClaimRecord>(&text).ok())
        else {
            continue;
        };
        let lock_path = path.with_extension("lock");
        match liveness(&lock_path, record.host == this_host, SystemTime::now()) {
            Liveness::Live => {
                if record.target_key == key {
                    live.push(record);
                }
            }
            Liveness::Dead(lock) => {
                let _ = std::fs::remove_file(&path);
                let _ = std::fs::remove_file(&lock_path);
                drop(lock);
            }
        }
    }
    live.sort_by(|a, b| a.started.cmp(&b.started));
    Ok(live)
}

/// Whether a claim is held.
enum Liveness {
    Live,
    /// Dead, with its lock held (if it could be) while it is removed.
    Dead(Option<File>),
}

/// Whether the claim whose lock file is `lock_path` is held: its lock held by a process, or
/// (for a claim of another host) its heartbeat younger than [`STALE_AFTER`] at `now`.
fn liveness(lock_path: &Path, this_host: bool, now: SystemTime) -> Liveness {
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(lock_path)
    else {
        // No lock file: a run that was never fully claimed, or is being removed.
        return Liveness::Dead(None);
    };
    match file.try_lock() {
        Err(std::fs::TryLockError::WouldBlock) => return Liveness::Live,
        // A lock this filesystem cannot take tells nothing: the heartbeat decides.
        Err(std::fs::TryLockError::Error(_)) => {}
        Ok(()) if this_host => return Liveness::Dead(Some(file)),
        Ok(()) => {}
    }
    let beat = file.metadata().and_then(|m| m.modified()).ok();
    match beat.map(|b| now.duration_since(b).unwrap_or_default()) {
        Some(age) if age < STALE_AFTER => Liveness::Live,
        _ => Liveness::Dead(Some(file)),
    }
}

#[cfg(test)]
mod tests;
