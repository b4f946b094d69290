//! The state directory (DESIGN.md §5): what sleipnir keeps between commands, beside no run
//! directory in particular. `claims/` holds the unfinished `apply`/`rollback` runs and the
//! users each is changing (see [`claims`]); `runs.jsonl` is the hash-chained history of every
//! command that talked to a target (see [`history`]); `budgets/` holds, per target, the ledger
//! of the requests all runs took from its daily budget (`--budget`), shared by every run and
//! admin using the directory (see [`budget`]).
//!
//! Where: `SLEIPNIR_STATE_DIR` when set (a team may point it at one shared path, e.g. on
//! NFS), else the platform's state directory: `$XDG_STATE_HOME/sleipnir` or
//! `~/.local/state/sleipnir` on Linux and other Unix systems, `~/Library/Application
//! Support/sleipnir` on macOS, `%LOCALAPPDATA%\sleipnir` on Windows.
//!
//! Permissions: a directory sleipnir makes is owner-only (0700) and so is every file it makes
//! there (0600). A directory the team made group-writable (e.g. `chmod 2770` with a shared
//! group) is a shared one: files are then made readable and writable by the group (0660), so
//! that every member's runs see and append to the same records.

pub mod budget;
pub mod claims;
pub mod history;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The environment variable that names the state directory.
pub const STATE_DIR_VAR: &str = "SLEIPNIR_STATE_DIR";

/// A problem with the state directory or a file in it.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// No state directory could be named: no `SLEIPNIR_STATE_DIR`, and no home directory.
    #[error(
        "no state directory: set {STATE_DIR_VAR} (no home directory or platform state directory is known)"
    )]
    Unnamed,
    /// A file or directory could not be read or written.
    #[error("state directory: cannot {doing} `{path}`: {source}")]
    Io {
        /// What was being done: `write`, `read`, `lock`, `make`.
        doing: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl StateError {
    /// A closure turning an I/O error on `path` while `doing` into a [`StateError`].
    pub(crate) fn io(
        doing: &'static str,
        path: &Path,
    ) -> impl FnOnce(std::io::Error) -> StateError {
        let path = path.to_path_buf();
        move |source| StateError::Io {
            doing,
            path,
            source,
        }
    }
}

/// The state directory, made if missing.
#[derive(Debug, Clone)]
pub struct StateDir {
    path: PathBuf,
    /// Made group-writable by the team: files are made for the group too.
    shared: bool,
}

impl StateDir {
    /// Where the state directory is: `SLEIPNIR_STATE_DIR`, else the platform's (see the
    /// module's documentation). `None` when neither is known.
    pub fn locate() -> Option<PathBuf> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(dir) = var(STATE_DIR_VAR) {
            return Some(PathBuf::from(dir));
        }
        if cfg!(windows) {
            return var("LOCALAPPDATA").map(|d| PathBuf::from(d).join("sleipnir"));
        }
        let home = var("HOME").map(PathBuf::from);
        if cfg!(target_os = "macos") {
            return home.map(|h| h.join("Library/Application Support/sleipnir"));
        }
        match var("XDG_STATE_HOME").map(PathBuf::from) {
            // The XDG base directory rules ignore a relative path.
            Some(dir) if dir.is_absolute() => Some(dir.join("sleipnir")),
            _ => home.map(|h| h.join(".local/state/sleipnir")),
        }
    }

    /// Open the state directory at [`StateDir::locate`]'s place.
    pub fn open_default() -> Result<StateDir, StateError> {
        StateDir::open(&StateDir::locate().ok_or(StateError::Unnamed)?)
    }

    /// Open the state directory `path`, made (owner-only, its parents as usual) if missing.
    pub fn open(path: &Path) -> Result<StateDir, StateError> {
        if !path.is_dir() {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(StateError::io("make", parent))?;
            }
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            match builder.create(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => {}
                Err(e) => return Err(StateError::io("make", path)(e)),
            }
        }
        Ok(StateDir {
            path: path.to_path_buf(),
            shared: group_writable(path),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the team made the directory group-writable (files are made for the group).
    pub fn shared(&self) -> bool {
        self.shared
    }

    /// A subdirectory of the state directory, made (with the directory's sharing) if missing.
    pub(crate) fn subdir(&self, name: &str) -> Result<PathBuf, StateError> {
        let dir = self.path.join(name);
        if !dir.is_dir() {
            match std::fs::create_dir(&dir) {
                Ok(()) => self.set_mode(&dir, true),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
                Err(e) => return Err(StateError::io("make", &dir)(e)),
            }
        }
        Ok(dir)
    }

    /// Open (made if missing) the file `path` of the state directory for reading and
    /// writing; `append` opens it for appending. A file it makes gets the directory's mode.
    pub(crate) fn open_file(&self, path: &Path, append: bool) -> Result<File, StateError> {
        let made = !path.exists();
        let mut options = OpenOptions::new();
        options.read(true).create(true);
        match append {
            true => options.append(true),
            false => options.write(true).truncate(false),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(StateError::io("write", path))?;
        if made {
            self.set_mode(path, false);
        }
        Ok(file)
    }

    /// Write `bytes` whole to `path` (see [`crate::atomic::write`]) with the directory's mode.
    pub(crate) fn write_file(&self, path: &Path, bytes: &[u8]) -> Result<(), StateError> {
        crate::atomic::write(path, bytes).map_err(StateError::io("write", path))?;
        self.set_mode(path, false);
        Ok(())
    }

    /// Owner-only, or for the group too in a shared directory. Explicit, so that a umask
    /// does not take the group's access away in a shared directory.
    fn set_mode(&self, path: &Path, dir: bool) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = match (self.shared, dir) {
                (false, false) => 0o600,
                (false, true) => 0o700,
                (true, false) => 0o660,
                (true, true) => 0o2770,
            };
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
        }
        #[cfg(not(unix))]
        let _ = (path, dir);
    }
}

/// Whether the team made `dir` group-writable.
fn group_writable(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o020 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

/// The OS user running this process: `USER`, `LOGNAME` or `USERNAME`; else (a service or
/// container without them) the name `/etc/passwd` gives its user id, or `uid N`.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|n| !n.is_empty()))
        .or_else(user_of_uid)
        .unwrap_or_else(|| "unknown".to_string())
}

/// This process's user, by its id (the owner of `/proc/self`), named from `/etc/passwd`.
fn user_of_uid() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = std::fs::metadata("/proc/self").ok()?.uid();
        let named = std::fs::read_to_string("/etc/passwd")
            .ok()
            .and_then(|passwd| {
                passwd.lines().find_map(|line| {
                    let mut fields = line.split(':');
                    let name = fields.next()?;
                    (fields.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
                })
            });
        Some(named.unwrap_or_else(|| format!("uid {uid}")))
    }
    #[cfg(not(unix))]
    None
}

/// The time now, as the state directory's records write it (UTC, RFC 3339, seconds).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_directory_made_here_is_the_owners_and_a_group_writable_one_is_shared() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
        let dir = tempfile::tempdir().unwrap();
        let own = StateDir::open(&dir.path().join("own")).unwrap();
        assert!(!own.shared());
        assert_eq!(mode(own.path()), 0o700);
        own.write_file(&own.path().join("f"), b"x").unwrap();
        assert_eq!(mode(&own.path().join("f")), 0o600);

        let team = dir.path().join("team");
        std::fs::create_dir(&team).unwrap();
        std::fs::set_permissions(&team, std::fs::Permissions::from_mode(0o2770)).unwrap();
        let shared = StateDir::open(&team).unwrap();
        assert!(shared.shared());
        shared.open_file(&team.join("runs.jsonl"), true).unwrap();
        assert_eq!(mode(&team.join("runs.jsonl")), 0o660);
        assert_eq!(mode(&shared.subdir("claims").unwrap()), 0o2770);
    }
}
