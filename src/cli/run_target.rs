//! A run's way back goes to its own server: the target a plan file, a run to roll back or a
//! run to resume recorded is checked against the one this command points at, before it
//! logs in (nothing is sent when they differ), unless `--other-target`.

use std::path::Path;

use super::Notes;
use super::target::same_target;
use crate::error::Error;
use crate::plan::PlanSource;

/// A target something recorded, and what recorded it, for messages: ``plan file
/// `wave.jsonl` was made against``, ``the run in `runs/x` changed``.
pub(super) struct Recorded {
    /// What recorded it, as the start of a sentence that the target ends.
    pub what: String,
    /// The URL, when recorded.
    pub target: Option<String>,
    /// Its name in targets.toml, when it had one.
    pub target_name: Option<String>,
    /// The Odin user that read or changed it there, when recorded.
    pub odin_user: Option<String>,
    /// Whether a missing target is worth a word: a run of an older sleipnir (an offline
    /// plan has none and needs none).
    pub say_if_missing: bool,
}

impl Recorded {
    /// The target `source` records, recorded by `what`.
    pub fn of(what: String, source: &PlanSource, say_if_missing: bool) -> Recorded {
        Recorded {
            what,
            target: source.target.clone(),
            target_name: source.target_name.clone(),
            odin_user: source.odin_user.clone(),
            say_if_missing,
        }
    }

    /// The run in `dir`, as the header of its `rollback.jsonl` records it; `None` when it
    /// cannot be read (resuming it says why).
    pub fn run(dir: &Path) -> Option<Recorded> {
        let source = crate::rundir::RunFiles::new(dir).source().ok()?;
        Some(Recorded::of(
            format!("the run in `{}` changed", dir.display()),
            &source,
            true,
        ))
    }
}

/// The target this command points at: its URL, its name (when it has one) and where it
/// came from (`--target`, `SLEIPNIR_TARGET`, `ODIN_URL`).
pub(super) struct Here<'a> {
    /// The URL.
    pub url: &'a str,
    /// Its name in targets.toml.
    pub name: Option<&'a str>,
    /// Where it came from.
    pub origin: &'a str,
}

/// `` `name` (URL) `` or the URL alone.
fn named(name: Option<&str>, url: &str) -> String {
    match name {
        Some(name) => format!("`{name}` ({url})"),
        None => url.to_string(),
    }
}

/// Refuse to run against `here` when something recorded another target, unless
/// `other_target`; each recorded target is compared as a URL ([`same_target`]), and both
/// are named by name (where they have one) and URL. A run of an older sleipnir that
/// recorded none is run with one warning saying so.
pub(super) fn check(
    recorded: &[Recorded],
    here: &Here<'_>,
    other_target: bool,
    notes: &Notes,
) -> Result<(), Error> {
    let target = named(here.name, here.url);
    let origin = here.origin;
    for record in recorded {
        let Some(then) = &record.target else {
            if record.say_if_missing {
                notes.warn(&format!(
                    "{} a target it does not record (made by an older sleipnir): make sure \
                     {target} is that server",
                    record.what
                ));
            }
            continue;
        };
        if same_target(then, here.url) {
            continue;
        }
        let who = record
            .odin_user
            .as_deref()
            .map(|user| format!(" (as `{user}`)"))
            .unwrap_or_default();
        let then_named = named(record.target_name.as_deref(), then);
        let back = record.target_name.as_deref().unwrap_or(then);
        if other_target {
            notes.warn(&format!(
                "{} {then_named}{who}; running against {target} as --other-target asks",
                record.what
            ));
            continue;
        }
        return Err(Error::Usage(format!(
            "{} {then_named}{who}, but this command points at {target} ({origin}); nothing \
             was sent. Run it with --target {back}, or pass --other-target to run it against \
             {} anyway",
            record.what,
            here.name.unwrap_or(here.url)
        )));
    }
    Ok(())
}
