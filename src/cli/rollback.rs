//! `sleipnir rollback DIR --target URL`: apply a run's rollback file as a new run, with its
//! own results and rollback, so that a rollback can itself be undone.

use std::path::PathBuf;

use super::Notes;
use super::run::{RunArgs, RunConfig, execute};
use crate::error::Error;
use crate::plan;

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
    let config = RunConfig::from_args(args.run)?;
    execute(&plan, config, "roll back", notes)
}
