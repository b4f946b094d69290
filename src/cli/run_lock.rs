//! The run directory's lock, as the CLI takes it: before login, for the run's whole life
//! (see `rundir::RunLock`), with this process's command line in its holder record.

use std::io::ErrorKind;
use std::path::Path;

use crate::error::Error;
use crate::rundir::{Holder, LockError, RunLock};

/// Take the lock of run directory `dir` for this process: a new run's directory (made if
/// missing, refused when it holds files), or the run to resume. Before any request: a second
/// writer is refused having sent nothing.
pub(super) fn lock(dir: &Path, resuming: bool) -> Result<RunLock, Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is a file, not a run directory; name a new directory with --out{}",
            dir.display(),
            if resuming {
                ""
            } else {
                " (one that does not exist, or is empty)"
            }
        )));
    }
    let holder = Holder::this_process(command_line());
    Ok(match resuming {
        true => RunLock::existing(dir, &holder)?,
        false => RunLock::fresh(dir, &holder)?,
    })
}

/// Lock the run a rollback undoes, in `dir`, so that it is not resumed (or undone twice)
/// meanwhile. A directory this user cannot write (an archived run, made read-only) cannot be
/// locked, and no sleipnir of this user can be writing it either: it is read unlocked, with
/// a warning.
pub(super) fn lock_undone(dir: &Path, notes: &super::Notes) -> Result<Option<RunLock>, Error> {
    match lock(dir, true) {
        Ok(lock) => Ok(Some(lock)),
        Err(Error::Lock(LockError::Ledger(error)))
            if matches!(
                error.source.kind(),
                ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            notes.warn(&format!("{error}; the run is read without its lock"));
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// This process's command line, for the lock's holder record: `sleipnir` and its
/// arguments, shell-quoted. It holds no secret: passwords and tokens are never flags, and a
/// target with a login in it was refused before.
fn command_line() -> String {
    std::iter::once("sleipnir".to_string())
        .chain(
            std::env::args_os()
                .skip(1)
                .map(|arg| crate::text::shell_word(&arg.to_string_lossy())),
        )
        .collect::<Vec<_>>()
        .join(" ")
}
