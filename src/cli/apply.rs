//! `sleipnir apply SHEET|PLAN --target URL`: change the users through Odin.

use std::path::PathBuf;

use super::Notes;
use super::plan::{Input, load};
use super::run::{RunArgs, RunConfig, execute};
use crate::error::Error;

/// Flags of `sleipnir apply`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The sheet (.csv, .xlsx, …) or a plan file (.jsonl) to apply.
    pub input: PathBuf,
    /// The worksheet to read from a workbook [default: the first].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// A mapping file (TOML) for sheets whose column titles are not field paths.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// How to run.
    #[command(flatten)]
    pub run: RunArgs,
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
    let input = Input::from_args(args.input, args.sheet, args.mapping)?;
    // The whole sheet is validated before anything else happens: an invalid one sends nothing.
    let plan = load(&input)?;
    for warning in &plan.warnings {
        notes.warn(warning);
    }
    let config = RunConfig::from_args(args.run)?;
    execute(&plan, config, "apply", notes)
}
