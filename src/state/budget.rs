//! The daily budget of a target: `budgets/<key>.jsonl` in the state directory, the ledger of
//! the requests every run against that target took, so that all runs and admins sharing the
//! directory (several processes at once, on several hosts over NFS) share one budget of
//! `per_day` requests in any 24 hours — a rolling window, not a calendar day.
//!
//! Each line is `{"at": <unix ms>, "run": "<run id>", "requests": <n>}`: `n` requests taken at
//! `at` by the run, or, negative, a give-back of the unused part of a take, carrying the take's
//! `at` so that both leave the window together. A line counts while `at` is at most
//! [`WINDOW`] before the time asked about (lines of the future, from a host whose clock is
//! ahead, count too). Every read and write happens under an exclusive OS lock on
//! `budgets/<key>.lock` (std's `File::lock`: `flock`, which Linux passes on to NFS servers),
//! with the ledger opened after the lock is had, so that a reader on another host sees every
//! line written before. A take checks and records at once under that lock: when every run takes
//! before it sends, the takes recorded in any span of [`WINDOW`] never add up to more than
//! `per_day`.
//!
//! A line is written with one `write` and synced. A crash mid-write leaves a torn last line
//! (no line end): it is ignored when read and cut off before the next line is written. A
//! damaged line before the last one (edited by hand) is an error naming it: the ledger cannot
//! be counted without it. Once the ledger holds [`COMPACT_AT`] lines or more, a take rewrites
//! it (atomic replace) when that at least halves it: lines older than [`KEEP`] are dropped and
//! the lines of one run at one instant (a take and its give-back) merge into one; every sum
//! over the window stays the same.
//!
//! Hosts sharing the directory must keep their clocks in step (NTP): a host whose clock is
//! behind counts less than the others would. Within one process, the takes of a run are
//! ordered by its [`Allowance`]'s mutex: on NFS, where the lock is one of the process, threads
//! of one process taking through separate [`Budget`]s would not exclude each other.

mod pool;

pub use pool::Allowance;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{StateDir, StateError};

/// A day.
pub const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// How long after its take an [`Allowance`]'s block may still be spent; its unused part is
/// then given back and a new block taken.
pub const BLOCK_LIFE: Duration = Duration::from_secs(60);

/// How long a take counts: a day and a block's life. A request goes at most [`BLOCK_LIFE`]
/// after the take that counts it, so the requests *sent* in any 24 hours are all counted
/// together at the last take among them, and never exceed the budget either.
pub const WINDOW: Duration = Duration::from_secs(24 * 60 * 60 + 60);

/// How long a line is kept when the ledger is compacted: the window and an hour, so that a
/// host whose clock is ahead does not drop lines the others still count.
pub const KEEP: Duration = Duration::from_secs(25 * 60 * 60 + 60);

/// The number of lines from which a take compacts the ledger (when that at least halves it).
pub const COMPACT_AT: usize = 1000;

/// The subdirectory of the state directory that holds the ledgers.
pub const DIR: &str = "budgets";

/// A line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Line {
    /// When the requests were taken (milliseconds since the Unix epoch, UTC).
    at: i64,
    /// The run that took them (its run directory).
    run: String,
    /// How many: negative for a give-back.
    requests: i64,
}

/// What a take was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    /// How many requests were granted (`0..=n` of the `n` asked).
    pub granted: u64,
    /// When they were taken (to the millisecond): they count until [`WINDOW`] after it.
    pub at: SystemTime,
}

/// The budget of a target, as one run sees it: its ledger, its size and the run's name.
#[derive(Debug, Clone)]
pub struct Budget {
    state: StateDir,
    file: PathBuf,
    lock: PathBuf,
    per_day: u64,
    run: String,
}

impl Budget {
    /// The budget of `per_day` requests (per any [`WINDOW`], 24 h and a minute) for `target`
    /// (its URL: spellings that name the same Odin share it, see [`key`]), kept in `state`;
    /// `run` names this run in the lines (its run directory). Makes `budgets/` and the lock
    /// file if missing; errors when they cannot be made.
    pub fn open(
        state: &StateDir,
        target: &str,
        per_day: u64,
        run: &str,
    ) -> Result<Budget, StateError> {
        let dir = state.subdir(DIR)?;
        let key = key(target);
        let lock = dir.join(format!("{key}.lock"));
        // Made now, so that a directory the run cannot write fails before the run starts.
        state.open_file(&lock, false)?;
        Ok(Budget {
            state: state.clone(),
            file: dir.join(format!("{key}.jsonl")),
            lock,
            per_day,
            run: run.to_string(),
        })
    }

    /// The budget: requests per any [`WINDOW`].
    pub fn per_day(&self) -> u64 {
        self.per_day
    }

    /// The ledger's file.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// Requests counted (all runs) in the [`WINDOW`] before `now`.
    pub fn used(&self, now: SystemTime) -> Result<u64, StateError> {
        let ledger = self.read_locked()?;
        Ok(used_at(&ledger.lines, millis(now)))
    }

    /// Requests left at `now`: `per_day` less [`Budget::used`], 0 when spent.
    pub fn remaining(&self, now: SystemTime) -> Result<u64, StateError> {
        Ok(self.per_day.saturating_sub(self.used(now)?))
    }

    /// Take up to `n` requests at `now`: granted are `n`, or what is left when less (0 when
    /// nothing is), recorded at once (no line for 0).
    pub fn take(&self, n: u64, now: SystemTime) -> Result<Taken, StateError> {
        let at = millis(now);
        let (_guard, mut file, mut ledger) = self.open_locked()?;
        let left = self.per_day.saturating_sub(used_at(&ledger.lines, at));
        let granted = n.min(left);
        let taken = Taken {
            granted,
            at: instant(at),
        };
        if granted == 0 {
            return Ok(taken);
        }
        let line = Line {
            at,
            run: self.run.clone(),
            requests: i64::try_from(granted).unwrap_or(i64::MAX),
        };
        if ledger.lines.len() + 1 >= COMPACT_AT {
            ledger.lines.push(line.clone());
            let kept = compacted(&ledger.lines, at);
            if kept.len() * 2 <= ledger.lines.len() {
                drop(file);
                self.rewrite(&kept)?;
                return Ok(taken);
            }
        }
        self.append(&mut file, &ledger, &line)?;
        Ok(taken)
    }

    /// Give back `n` unused requests of `taken` (at the end of a run): recorded with the take's
    /// instant, so they leave the window with it. At most `taken.granted`, and at most what this
    /// run's takes at that instant still hold (so no give-back, even repeated, makes the ledger
    /// hold less than nothing); give back each take's unused part once ([`Allowance`] does).
    pub fn give_back(&self, taken: &Taken, n: u64) -> Result<(), StateError> {
        let (_guard, mut file, ledger) = self.open_locked()?;
        match self.give_back_line(&ledger, taken, n) {
            Some(line) => self.append(&mut file, &ledger, &line),
            None => Ok(()),
        }
    }

    /// Trade what a run holds for a new take, under one lock: give back `back` unused
    /// requests of `old` (as [`Budget::give_back`] does) and take up to `n` at `now` (as
    /// [`Budget::take`] does, what was given back counted as free), so that no other run can
    /// take what was given back in between, and what the run holds is always its last take's
    /// (a later give-back returns all of it).
    pub fn renew(
        &self,
        old: Option<(Taken, u64)>,
        n: u64,
        now: SystemTime,
    ) -> Result<Taken, StateError> {
        let at = millis(now);
        let (_guard, mut file, mut ledger) = self.open_locked()?;
        let mut lines = Vec::new();
        if let Some((taken, back)) = old
            && let Some(line) = self.give_back_line(&ledger, &taken, back)
        {
            ledger.lines.push(line.clone());
            lines.push(line);
        }
        let left = self.per_day.saturating_sub(used_at(&ledger.lines, at));
        let granted = n.min(left);
        if granted > 0 {
            lines.push(Line {
                at,
                run: self.run.clone(),
                requests: i64::try_from(granted).unwrap_or(i64::MAX),
            });
        }
        self.append_all(&mut file, &ledger, &lines)?;
        Ok(Taken {
            granted,
            at: instant(at),
        })
    }

    /// The line that gives back `n` unused requests of `taken`: at most `taken.granted`, and
    /// at most what this run's takes at that instant still hold; `None` when that is none.
    fn give_back_line(&self, ledger: &Ledger, taken: &Taken, n: u64) -> Option<Line> {
        let at = millis(taken.at);
        let held: i64 = ledger
            .lines
            .iter()
            .filter(|l| l.at == at && l.run == self.run)
            .map(|l| l.requests)
            .sum();
        let back = i64::try_from(n.min(taken.granted))
            .unwrap_or(i64::MAX)
            .min(held);
        (back > 0).then(|| Line {
            at,
            run: self.run.clone(),
            requests: -back,
        })
    }

    /// When at least `n` requests will be free again: the earliest instant from `now` on at
    /// which the requests counted drop to `per_day - n`, given no new takes; `now` if they
    /// already have. `n` above `per_day` is taken as `per_day` (the instant the whole budget
    /// is free).
    pub fn frees_at(&self, n: u64, now: SystemTime) -> Result<SystemTime, StateError> {
        let ledger = self.read_locked()?;
        let from = millis(now);
        let limit = self.per_day - n.min(self.per_day);
        let mut lines: Vec<&Line> = ledger.lines.iter().filter(|l| counts(l, from)).collect();
        lines.sort_by_key(|l| l.at);
        let mut used: i128 = lines.iter().map(|l| i128::from(l.requests)).sum();
        if used <= i128::from(limit) {
            return Ok(now);
        }
        let mut rest = lines.as_slice();
        while let Some(first) = rest.first() {
            let at = first.at;
            let leaving = rest.iter().take_while(|l| l.at == at).count();
            used -= rest[..leaving]
                .iter()
                .map(|l| i128::from(l.requests))
                .sum::<i128>();
            rest = &rest[leaving..];
            if used <= i128::from(limit) {
                return Ok(instant(at.saturating_add(window_ms()).saturating_add(1)));
            }
        }
        // Unreachable: with every line gone, nothing is counted.
        Ok(now)
    }

    /// The lock held, the ledger opened (made if missing) and read.
    fn open_locked(&self) -> Result<(File, File, Ledger), StateError> {
        let guard = self.state.open_file(&self.lock, false)?;
        guard.lock().map_err(StateError::io("lock", &self.lock))?;
        let mut file = self.state.open_file(&self.file, false)?;
        let ledger = read_ledger(&mut file, &self.file)?;
        Ok((guard, file, ledger))
    }

    /// The ledger read under the lock.
    fn read_locked(&self) -> Result<Ledger, StateError> {
        self.open_locked().map(|(_guard, _file, ledger)| ledger)
    }

    /// Write `line` at the end of `ledger`'s complete lines (cutting a torn line off), synced.
    fn append(&self, file: &mut File, ledger: &Ledger, line: &Line) -> Result<(), StateError> {
        self.append_all(file, ledger, std::slice::from_ref(line))
    }

    /// Write `lines` at the end of `ledger`'s complete lines in one write (cutting a torn
    /// line off), synced; nothing for none.
    fn append_all(
        &self,
        file: &mut File,
        ledger: &Ledger,
        lines: &[Line],
    ) -> Result<(), StateError> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for line in lines {
            text.push_str(
                &serde_json::to_string(line)
                    .map_err(|e| StateError::io("write", &self.file)(std::io::Error::other(e)))?,
            );
            text.push('\n');
        }
        let cut = match ledger.torn {
            true => file.set_len(ledger.complete),
            false => Ok(()),
        };
        cut.and_then(|()| file.seek(SeekFrom::Start(ledger.complete)))
            .and_then(|_| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_data())
            .map_err(StateError::io("write", &self.file))
    }

    /// Replace the ledger with `lines`, whole or not at all.
    fn rewrite(&self, lines: &[Line]) -> Result<(), StateError> {
        let mut text = String::new();
        for line in lines {
            let json = serde_json::to_string(line)
                .map_err(|e| StateError::io("write", &self.file)(std::io::Error::other(e)))?;
            text.push_str(&json);
            text.push('\n');
        }
        self.state.write_file(&self.file, text.as_bytes())
    }
}

/// The ledger's name for `target` (a URL), safe in a file name and stable: the host, then 16
/// hex digits of the SHA-256 of the URL as targets compare
/// ([`crate::targets::resolve::url_key`]), e.g. `odin.example.net-3f2a…`.
pub fn key(target: &str) -> String {
    let url = crate::targets::resolve::url_key(target);
    let host = reqwest::Url::parse(&url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "target".to_string());
    let readable: String = host
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .take(48)
        .collect();
    let hash = super::history::sha256_hex(url.as_bytes());
    format!("{}-{}", readable.trim_matches('.'), &hash[..16])
}

/// The ledger as read.
#[derive(Debug)]
struct Ledger {
    /// Its complete lines.
    lines: Vec<Line>,
    /// The length of its complete lines (bytes).
    complete: u64,
    /// Whether bytes follow them: a torn last line.
    torn: bool,
}

/// Read the ledger `file` (at `path`) from its start.
fn read_ledger(file: &mut File, path: &Path) -> Result<Ledger, StateError> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_end(&mut bytes))
        .map_err(StateError::io("read", path))?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut lines = Vec::new();
    for (number, text) in bytes[..complete].split(|&b| b == b'\n').enumerate() {
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = serde_json::from_slice::<Line>(text).map_err(|e| {
            StateError::io("read", path)(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "line {} is not a budget line ({e}); remove it, or the ledger, once no run is using this target",
                    number + 1
                ),
            ))
        })?;
        lines.push(line);
    }
    Ok(Ledger {
        lines,
        complete: complete as u64,
        torn: complete < bytes.len(),
    })
}

/// [`WINDOW`] in milliseconds.
fn window_ms() -> i64 {
    i64::try_from(WINDOW.as_millis()).unwrap_or(i64::MAX)
}

/// Whether `line` counts at `now` (ms): taken at most [`WINDOW`] before it, or after it.
fn counts(line: &Line, now: i64) -> bool {
    line.at >= now.saturating_sub(window_ms())
}

/// The requests counted at `now` (ms), never below 0.
fn used_at(lines: &[Line], now: i64) -> u64 {
    let sum: i128 = lines
        .iter()
        .filter(|l| counts(l, now))
        .map(|l| i128::from(l.requests))
        .sum();
    u64::try_from(sum.max(0)).unwrap_or(u64::MAX)
}

/// `lines` compacted at `now` (ms): those taken within [`KEEP`] of it, one per run and
/// instant (their sum; none where that is 0), in the order of their first line.
fn compacted(lines: &[Line], now: i64) -> Vec<Line> {
    let keep = i64::try_from(KEEP.as_millis()).unwrap_or(i64::MAX);
    let mut merged: Vec<Line> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for line in lines.iter().filter(|l| l.at >= now.saturating_sub(keep)) {
        match index.get(&(line.at, line.run.as_str())) {
            Some(&i) => {
                let into: &mut Line = &mut merged[i];
                into.requests = into.requests.saturating_add(line.requests);
            }
            None => {
                index.insert((line.at, line.run.as_str()), merged.len());
                merged.push(line.clone());
            }
        }
    }
    merged.retain(|l| l.requests != 0);
    merged
}

/// `time` in milliseconds since the Unix epoch (negative before it).
fn millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// The instant `ms` milliseconds after the Unix epoch.
fn instant(ms: i64) -> SystemTime {
    let offset = Duration::from_millis(ms.unsigned_abs());
    let moved = match ms >= 0 {
        true => UNIX_EPOCH.checked_add(offset),
        false => UNIX_EPOCH.checked_sub(offset),
    };
    moved.unwrap_or(UNIX_EPOCH)
}

#[cfg(test)]
mod tests;
