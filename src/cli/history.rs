//! The CLI's side of the state directory: what a command that talks to a target records
//! as it goes ([`Draft`]), its history line appended when it ends, and the claim of an
//! `apply`/`rollback` on its users. The state directory never fails a command: where it
//! cannot be written (no home, a read-only or full disk, a shared path not mounted) the
//! command warns once and goes on — unrecorded, and unseen by other runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use super::Notes;
use crate::error::Error;
use crate::state::claims::{Claim, ClaimError, ClaimRecord};
use crate::state::history::{self, Entry, SheetRef};
use crate::state::{StateDir, StateError};

/// What a command that talks to a target records as it goes; its history line is written
/// when it ends (see [`Draft::finish`]) if it got as far as naming its target.
#[derive(Debug)]
pub(crate) struct Draft {
    id: String,
    started: String,
    inner: Mutex<Option<Known>>,
}

/// What is known of the command so far.
#[derive(Debug, Default)]
struct Known {
    target: String,
    target_name: Option<String>,
    reason: Option<String>,
    odin_user: Option<String>,
    sheet: Option<SheetRef>,
    run_dir: Option<String>,
    outcome: BTreeMap<String, u64>,
    deferred_by: Option<String>,
}

impl Draft {
    /// A command starting now.
    pub fn new() -> Draft {
        Draft {
            id: history::new_id(),
            started: crate::state::now(),
            inner: Mutex::new(None),
        }
    }

    fn with(&self, change: impl FnOnce(&mut Known)) {
        if let Ok(mut inner) = self.inner.lock() {
            change(inner.get_or_insert_with(Known::default));
        }
    }

    /// The command talks to `target` (the named target `resolved` where it is one), for
    /// `reason` (`--reason`). Refused when the target requires a reason
    /// (`require_reason = true` in targets.toml) and none was given (see [`require_reason`]).
    pub fn target(
        &self,
        target: &str,
        resolved: Option<&crate::targets::Target>,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        let required = resolved.is_some_and(|t| t.require_reason.value);
        let named = resolved
            .and_then(|t| t.name.as_deref())
            .map_or_else(|| format!("`{target}`"), |name| format!("target `{name}`"));
        require_reason(required, reason, &named)?;
        self.with(|known| {
            known.target = target.to_string();
            known.target_name = resolved.and_then(|t| t.name.clone());
            known.reason = reason.map(str::to_string);
        });
        Ok(())
    }

    /// The Odin user it logs in as.
    pub fn odin_user(&self, name: &str) {
        self.with(|known| known.odin_user = Some(name.to_string()));
    }

    /// The sheet (plan or rollback file) it read and its SHA-256; the first one named.
    pub fn sheet(&self, path: &str, sha256: &str) {
        self.with(|known| {
            known.sheet.get_or_insert(SheetRef {
                path: absolute(Path::new(path)),
                sha256: sha256.to_string(),
            });
        });
    }

    /// Its run directory.
    pub fn run_dir(&self, dir: &Path) {
        self.with(|known| known.run_dir = Some(absolute(dir)));
    }

    /// The window or budget that deferred some of its users.
    pub fn deferred_by(&self, why: &str) {
        self.with(|known| known.deferred_by = Some(why.to_string()));
    }

    /// A count of what it did (`changed`, `failed`, `users`, …).
    pub fn count(&self, what: &str, n: u64) {
        self.with(|known| {
            known.outcome.insert(what.to_string(), n);
        });
    }

    /// Append the history line of `command` that ended with `exit_code`, if it named a
    /// target; a state directory that cannot be written is a warning.
    pub fn finish(&self, command: &str, exit_code: u8, notes: &Notes) {
        let Some(known) = self
            .inner
            .lock()
            .ok()
            .and_then(|mut inner| inner.take())
            .filter(|known| !known.target.is_empty())
        else {
            return;
        };
        let entry = Entry {
            id: self.id.clone(),
            command: command.to_string(),
            target: known.target,
            target_name: known.target_name,
            os_user: crate::state::os_user(),
            host: crate::rundir::host_name(),
            odin_user: known.odin_user,
            command_line: command_line(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            sheet: known.sheet,
            reason: known.reason,
            started: self.started.clone(),
            ended: crate::state::now(),
            outcome: known.outcome,
            exit_code,
            run_dir: known.run_dir,
            deferred_by: known.deferred_by,
            prev: String::new(),
        };
        if let Err(why) = StateDir::open_default().and_then(|state| history::append(&state, entry))
        {
            notes.warn(&format!("{why}; this command is not in the history"));
        }
    }
}

/// Refuse a command against a target that requires a reason (`require_reason = true` in
/// its named target) when `--reason` gave none. `required` comes from the target's
/// settings; `target` names it as the message does (``target `acme` `` or its URL quoted).
pub(super) fn require_reason(
    required: bool,
    reason: Option<&str>,
    target: &str,
) -> Result<(), Error> {
    match (required, reason.map(str::trim)) {
        (true, None | Some("")) => Err(Error::Usage(format!(
            "{target} requires a reason for every command: pass --reason TEXT (e.g. the change ticket)"
        ))),
        _ => Ok(()),
    }
}

/// Claim `users` on `target` for the run in `run_dir` applying `sheet`, before it logs in:
/// refused (exit 2) when a live run on the same target changes any of them. A state
/// directory that cannot be written is a warning, and the run goes on unclaimed.
pub(super) fn claim(
    draft: &Draft,
    target: &str,
    users: Vec<String>,
    (run_dir, sheet): (&Path, &str),
    notes: &Notes,
) -> Result<Option<Claim>, Error> {
    let mut users = users;
    users.sort();
    users.dedup();
    let record = ClaimRecord {
        run_id: draft.id.clone(),
        target: target.to_string(),
        target_key: crate::targets::resolve::url_key(target),
        target_name: None,
        users,
        os_user: crate::state::os_user(),
        host: crate::rundir::host_name(),
        pid: std::process::id(),
        started: crate::state::now(),
        run_dir: absolute(run_dir),
        sheet: sheet.to_string(),
    };
    match StateDir::open_default()
        .map_err(ClaimError::State)
        .and_then(|state| Claim::take(&state, &record))
    {
        Ok(claim) => Ok(Some(claim)),
        Err(refused @ ClaimError::Overlap { .. }) => {
            Err(Error::Usage(format!("{refused}; nothing was sent")))
        }
        Err(ClaimError::State(why)) => {
            notes.warn(&unclaimed(&why));
            Ok(None)
        }
    }
}

fn unclaimed(why: &StateError) -> String {
    format!("{why}; other runs on this target cannot see this one's users")
}

/// `path` made absolute (against the working directory), as text.
fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// This process's command line, shell-quoted, with a user name or password in a URL
/// replaced by `…` (there are no secret flags).
fn command_line() -> String {
    std::iter::once("sleipnir".to_string())
        .chain(
            std::env::args_os()
                .skip(1)
                .map(|arg| crate::text::shell_word(&super::target::shown(&arg.to_string_lossy()))),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_that_requires_a_reason_refuses_a_command_without_one() {
        assert!(require_reason(true, None, "https://odin").is_err());
        assert!(require_reason(true, Some("  "), "https://odin").is_err());
        assert!(require_reason(true, Some("CHG-1"), "https://odin").is_ok());
        assert!(require_reason(false, None, "https://odin").is_ok());
    }
}
