//! `sleipnir rollback DIR --target URL`: apply a run's rollback file as a new run, with its
//! own results and rollback, so that a rollback can itself be undone.

use std::path::PathBuf;

use super::confirm::Applied;
use super::run::execute;
use super::run_config::{RunArgs, RunConfig};
use super::run_target::Recorded;
use super::{Notes, print};
use crate::error::Error;
use crate::resource::Resource;
use crate::rundir::{RunFiles, Status};

/// Flags of `sleipnir rollback`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory of the run to undo (it holds rollback.jsonl).
    pub dir: PathBuf,
    /// How to run.
    #[command(flatten)]
    pub run: RunArgs,
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
    let file = args.dir.join("rollback.jsonl");
    if !file.is_file() {
        return Err(Error::Usage(format!(
            "`{}` has no rollback.jsonl; name the directory of an apply run",
            args.dir.display()
        )));
    }
    // A rollback writes a run directory of its own: the run it undoes is read, never written.
    let own = args.run.resume.as_ref().or(args.run.out.as_ref());
    if let Some(own) = own
        && same_directory(own, &args.dir)
    {
        return Err(Error::Usage(format!(
            "`{}` is the run to undo; its rollback is a run of its own, in another directory: \
             `--out NEW` (or, to continue an interrupted rollback, `--resume` its directory)",
            args.dir.display()
        )));
    }
    // The run being undone is locked too, for the whole rollback: undoing a run that is
    // still going (or being resumed) would race its writes, and two rollbacks of one run
    // would both restore it.
    let _undone = super::run_lock::lock_undone(&args.dir, notes)?;
    // In the history, a rollback's sheet is the rollback file it applies.
    if let Ok(bytes) = std::fs::read(&file) {
        let sha256 = crate::state::history::sha256_hex(&bytes);
        notes.history.sheet(&file.display().to_string(), &sha256);
    }
    let run = RunFiles::new(&args.dir);
    let mut undo = run.undo_plan()?;
    for warning in undo.warnings(&file) {
        notes.warn(&warning);
    }
    // What the run never wrote is not restored (its results say so); a run without results
    // (stopped before its first line) is restored as recorded.
    if let Ok(results) = run.results_iter() {
        let left_out = undo.without_unwritten(results);
        tracing::info!(
            left_out,
            "steps the run never wrote left out of the rollback"
        );
    }
    let mut plan = undo.plan;
    plan.source.command = Some(format!(
        "sleipnir rollback {}",
        crate::text::shell_word(&args.dir.display().to_string())
    ));
    // Entries that only name credentials restore nothing: they are printed, not run.
    plan.users.retain(|user| !user.steps.is_empty());
    // Its values are Odin's own from before the run: none is a spreadsheet's loss. A field
    // someone else changed since the run is kept, the user's others restored.
    let config = RunConfig::from_args(args.run)?
        .allow_lossy_values(true)
        .keep_drifted();
    // A resume keeps the window and budget the run was given on its command line.
    if let Some(command) = &mut plan.source.command {
        command.push_str(&config.schedule_flags());
    }
    if plan.users.iter().any(|user| user.before.is_none()) {
        notes.warn(&format!(
            "`{}` does not record what the run wrote (made by an older sleipnir): fields \
             someone else changed since the run are restored too, not kept",
            file.display()
        ));
    }
    // A user the rollback deletes (the run created it) keeps nothing.
    let deleted: std::collections::HashSet<&str> = plan
        .users
        .iter()
        .filter(|u| u.deletes())
        .map(|u| u.user_id.as_str())
        .collect();
    if let Some(text) = kept_credentials(&RunFiles::new(&args.dir), &deleted) {
        print(&text)?;
    }
    let what = format!("the run in `{}` changed", args.dir.display());
    let recorded = vec![Recorded::of(what, &plan.source, true)];
    execute(plan, config, (Applied::Rollback, recorded), notes)
}

/// The users whose credentials the run changed, which no rollback restores (API.md §11):
/// a line each, `user: sipPassword, webPassword`; those whose credentials step failed part
/// way are named as possibly changed; those the rollback deletes (`deleted`) not at all.
/// `None` when the run set no credential.
fn kept_credentials(run: &RunFiles, deleted: &std::collections::HashSet<&str>) -> Option<String> {
    let rows = run.results().ok()?;
    let (mut kept, mut maybe) = (Vec::new(), Vec::new());
    let rows = rows
        .iter()
        .filter(|r| !deleted.contains(r.user_id.as_str()));
    for row in rows.filter(|r| r.resource == Resource::Credentials) {
        let line = |names: &str| format!("  {}: {names}\n", row.user_id);
        match row.status {
            Status::Applied | Status::Compensated => {
                kept.push(line(&row.changed.replace(';', ", ")))
            }
            // A step that failed part way says which credentials were set before Odin
            // refused the next; one Odin refused outright set nothing; one that got no
            // answer may or may not have set its last.
            Status::Failed => match row.message.split_once(crate::credentials::ALREADY_SET) {
                Some((_, names)) => kept.push(line(names.trim_end_matches(')'))),
                None if row.message.starts_with("HTTP ") => {}
                None => maybe.push(line(&row.changed.replace(';', ", "))),
            },
            _ => {}
        }
    }
    if kept.is_empty() && maybe.is_empty() {
        return None;
    }
    let mut text = String::new();
    if !kept.is_empty() {
        text.push_str(&format!(
            "{} keep the credentials this run set (a credential cannot be rolled back):\n",
            crate::text::counted(kept.len(), "user", "users")
        ));
        text.extend(kept);
    }
    if !maybe.is_empty() {
        text.push_str(&format!(
            "{} may keep some (Odin did not answer their credentials step; see results.csv):\n",
            crate::text::counted(maybe.len(), "user", "users")
        ));
        text.extend(maybe);
    }
    Some(text)
}

/// Whether `a` and `b` name one directory (as the file system resolves them, or as written
/// where one does not exist yet).
fn same_directory(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
