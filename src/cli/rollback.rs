//! `sleipnir rollback DIR --target URL`: apply a run's rollback file as a new run, with its
//! own results and rollback, so that a rollback can itself be undone.

use std::path::PathBuf;

use super::run::{RunArgs, RunConfig, execute};
use super::{Notes, print};
use crate::error::Error;
use crate::plan;
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
    let mut plan = plan::file::read(&file)?;
    plan.source.command = Some(format!(
        "sleipnir rollback {}",
        crate::text::shell_word(&args.dir.display().to_string())
    ));
    // Entries that only name credentials restore nothing: they are printed, not run.
    plan.users.retain(|user| !user.steps.is_empty());
    let config = RunConfig::from_args(args.run)?;
    if let Some(text) = kept_credentials(&RunFiles::new(&args.dir)) {
        print(&text)?;
    }
    execute(&plan, config, "roll back", notes)
}

/// The users whose credentials the run changed, which no rollback restores (API.md §11):
/// a line each, `user: sipPassword, webPassword`; those whose credentials step failed part
/// way are named as possibly changed. `None` when the run set no credential.
fn kept_credentials(run: &RunFiles) -> Option<String> {
    let rows = run.results().ok()?;
    let (mut kept, mut maybe) = (Vec::new(), Vec::new());
    for row in rows.iter().filter(|r| r.resource == Resource::Credentials) {
        let line = format!("  {}: {}\n", row.user_id, row.changed.replace(';', ", "));
        match row.status {
            Status::Applied | Status::Compensated => kept.push(line),
            Status::Failed => maybe.push(line),
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
            "{} may keep some (their credentials step failed part way; see results.csv):\n",
            crate::text::counted(maybe.len(), "user", "users")
        ));
        text.extend(maybe);
    }
    Some(text)
}
