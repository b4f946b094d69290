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
    let command = command_of(&args.source);
    let input = args.source.into_input()?;
    // The whole sheet is validated before anything else happens: an invalid one sends nothing.
    let mut plan = load(&input)?;
    plan.source.command = Some(command);
    for warning in &plan.warnings {
        notes.warn(warning);
    }
    let config = RunConfig::from_args(args.run)?;
    execute(&plan, config, "apply", notes)
}

/// `sleipnir apply INPUT [--sheet W] [--mapping M]`, as the admin named them: what
/// `--resume DIR` is added to.
fn command_of(source: &InputArgs) -> String {
    use crate::text::shell_word;
    let mut command = format!(
        "sleipnir apply {}",
        shell_word(&source.input.display().to_string())
    );
    if let Some(sheet) = &source.sheet {
        command.push_str(&format!(" --sheet {}", shell_word(sheet)));
    }
    if let Some(mapping) = &source.mapping {
        command.push_str(&format!(
            " --mapping {}",
            shell_word(&mapping.display().to_string())
        ));
    }
    command
}
