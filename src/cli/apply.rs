//! `sleipnir apply SHEET|PLAN --target URL`: change the users through Odin.

use super::Notes;
use super::plan::{InputArgs, load};
use super::run::{RunArgs, RunConfig, execute};
use crate::error::Error;

/// Flags of `sleipnir apply`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to apply.
    #[command(flatten)]
    pub source: InputArgs,
    /// How to run.
    #[command(flatten)]
    pub run: RunArgs,
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
    let input = args.source.into_input()?;
    // The whole sheet is validated before anything else happens: an invalid one sends nothing.
    let plan = load(&input)?;
    for warning in &plan.warnings {
        notes.warn(warning);
    }
    let config = RunConfig::from_args(args.run)?;
    execute(&plan, config, "apply", notes)
}
