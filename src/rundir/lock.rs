//! One writer per run directory (DESIGN.md §5): `apply`, `rollback` and `--resume` hold an
//! exclusive OS lock on the directory's `run.lock` for the run's whole life. The kernel
//! releases it when the process ends, however it ends, so a run killed with SIGKILL is
//! resumed with no manual step. Beside it, `holder.json` says who holds it (pid, host,
//! command line, start), for the refusal of a second writer.
//!
//! The lock is taken before the CLI logs in, and before anything in the directory is read
//! or changed: a second writer is refused having sent nothing and touched nothing.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::LedgerError;
use super::names::{HOLDER, LOCK};

/// Who holds a run directory's lock, as `holder.json` records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    /// The holding process.
    pub pid: u32,
    /// The machine it runs on.
    pub host: String,
    /// Its command line (never a secret: passwords and tokens are never flags, and a target
    /// with a login in it is refused before the lock is taken).
    pub command: String,
    /// When it took the lock (UTC, RFC 3339).
    pub started: String,
}

impl Holder {
    /// This process, running `command`, from now.
    pub fn this_process(command: String) -> Holder {
        Holder {
            pid: std::process::id(),
            host: host_name(),
            command,
            started: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} on {}, since {}: `{}`",
            self.pid, self.host, self.started, self.command
        )
    }
}

/// Why a run directory cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the directory's lock.
    #[error(
        "`{dir}` is in use by another run ({holder}); wait for it to end, or stop it, then try again"
    )]
    Held {
        /// The run directory.
        dir: PathBuf,
        /// Who holds it, as its `holder.json` says (or that it does not say).
        holder: String,
    },
    /// A fresh run was pointed at a directory that already holds files.
    #[error(
        "`{0}` already holds files; a run needs a new or empty directory (to continue the run in it, use --resume)"
    )]
    Occupied(PathBuf),
    /// `--resume` of a directory that does not exist.
    #[error("`{0}` does not exist; --resume takes the directory of an earlier run")]
    Missing(PathBuf),
    /// The lock or its holder record could not be made.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// The exclusive lock on a run directory, held until dropped. A fresh run's directory that
/// holds nothing but the lock when it is dropped (the run stopped before its files were
/// made: declined, login refused) is left as it was found.
#[derive(Debug)]
pub struct RunLock {
    dir: PathBuf,
    /// Held open: the lock lives as long as this handle.
    _file: File,
    /// The directory was made by this lock (removed again if nothing was written in it).
    made_dir: bool,
    /// The lock file was made by this lock (removed again if the directory holds no run).
    made_lock: bool,
}

impl RunLock {
    /// Lock `dir` for a new run: made if missing (owner-only), refused when another run
    /// holds it or when it holds any file but a lock.
    pub fn fresh(dir: &Path, holder: &Holder) -> Result<RunLock, LockError> {
        let made_dir = !dir.exists();
        make_dir(dir)?;
        let lock = RunLock::take(dir, holder, made_dir)?;
        if !only_lock_files(dir)? {
            return Err(LockError::Occupied(dir.to_path_buf()));
        }
        Ok(lock)
    }

    /// Lock the existing run directory `dir` (to resume it, or to roll it back), and make
    /// its files owner-only where an older sleipnir left them readable by others.
    pub fn existing(dir: &Path, holder: &Holder) -> Result<RunLock, LockError> {
        if !dir.is_dir() {
            return Err(LockError::Missing(dir.to_path_buf()));
        }
        let lock = RunLock::take(dir, holder, false)?;
        owner_only_tree(dir);
        Ok(lock)
    }

    /// The locked directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn take(dir: &Path, holder: &Holder, made_dir: bool) -> Result<RunLock, LockError> {
        let path = dir.join(LOCK);
        let made_lock = !path.exists();
        // A lock file removed by a fresh run that gave up (see Drop) may be replaced by a new
        // one between open and lock: a lock on the old one would lock nothing, so try again.
        for _ in 0..8 {
            let file = owner_only_options()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(LedgerError::at(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(LockError::Held {
                        dir: dir.to_path_buf(),
                        holder: holder_of(dir),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(LedgerError::at(&path)(e).into());
                }
            }
            if !still_at(&file, &path) {
                continue;
            }
            let record = dir.join(HOLDER);
            let text = serde_json::to_string(holder).map_err(|e| LedgerError::other(&record, e))?;
            crate::atomic::write(&record, format!("{text}\n").as_bytes())
                .map_err(LedgerError::at(&record))?;
            return Ok(RunLock {
                dir: dir.to_path_buf(),
                _file: file,
                made_dir,
                made_lock,
            });
        }
        Err(LockError::Held {
            dir: dir.to_path_buf(),
            holder: holder_of(dir),
        })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // A fresh run that stopped before making its files leaves nothing behind, so the same
        // --out can be used again; nor does a --resume of a directory that holds no run.
        // Removed while still locked; see `take` for the race.
        let no_run = match self.made_lock {
            true => !self.dir.join(super::names::ROLLBACK).exists(),
            false => only_lock_files(&self.dir).unwrap_or(false),
        };
        if no_run {
            let _ = std::fs::remove_file(self.dir.join(HOLDER));
            let _ = std::fs::remove_file(self.dir.join(LOCK));
            if self.made_dir {
                let _ = std::fs::remove_dir(&self.dir);
            }
        }
    }
}

/// Who holds `dir`'s lock, in words, from its `holder.json`. The record may still be the
/// one a process that ended left (the new holder writes its own just after it locks): a
/// process of this host that is gone is not named; the record is read again for a moment,
/// then the holder is said not to have named itself yet.
fn holder_of(dir: &Path) -> String {
    for _ in 0..40 {
        let holder = std::fs::read_to_string(dir.join(HOLDER))
            .ok()
            .and_then(|text| serde_json::from_str::<Holder>(&text).ok());
        if let Some(holder) = holder
            && !holder.is_gone()
        {
            return holder.to_string();
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    "a process that has not said who it is yet".to_string()
}

impl Holder {
    /// Whether this record is of a process of this host that no longer runs (as far as the
    /// OS tells: on Linux, by `/proc`; elsewhere never said).
    fn is_gone(&self) -> bool {
        if self.host != host_name() {
            return false;
        }
        #[cfg(target_os = "linux")]
        {
            !Path::new(&format!("/proc/{}", self.pid)).exists()
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }
}

/// Whether `dir` holds nothing but the lock and its holder record.
fn only_lock_files(dir: &Path) -> Result<bool, LedgerError> {
    for entry in std::fs::read_dir(dir).map_err(LedgerError::reading(dir))? {
        let entry = entry.map_err(LedgerError::reading(dir))?;
        let name = entry.file_name();
        if name != LOCK && name != HOLDER {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `path` still names the file `file` has open.
fn still_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        // Elsewhere an open file cannot be removed from under its handle.
        let _ = (file, path);
        true
    }
}

/// Make the run directory `dir` (its parents as usual), owner-only where the OS has modes.
pub(super) fn make_dir(dir: &Path) -> Result<(), LedgerError> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(LedgerError::at(parent))?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {
            owner_only(dir, 0o700);
            Ok(())
        }
        Err(e) => Err(LedgerError::at(dir)(e)),
    }
}

/// Options that create a file owner-only (0600) where the OS has modes.
pub(super) fn owner_only_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// The directory 0700 and its files 0600, as far as this user may change them: a run
/// directory written by an older sleipnir had some of its files readable by everyone.
fn owner_only_tree(dir: &Path) {
    owner_only(dir, 0o700);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                owner_only(&entry.path(), 0o600);
            }
        }
    }
}

fn owner_only(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o777 != mode
        {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// This machine's name, for the holder record and the state directory's records.
pub fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .or_else(|| {
            ["HOSTNAME", "COMPUTERNAME"]
                .iter()
                .find_map(|var| std::env::var(var).ok().filter(|n| !n.is_empty()))
        })
        .unwrap_or_else(|| "an unnamed host".to_string())
}

#[cfg(test)]
mod tests;
