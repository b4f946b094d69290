//! `sleipnir apply SHEET|PLAN --target URL`: change the users through Odin.

use std::path::PathBuf;

use super::Notes;
use super::confirm::Applied;
use super::plan::{Input, InputArgs, load};
use super::run::execute;
use super::run_config::{RunArgs, RunConfig};
use super::run_target::Recorded;
use crate::error::Error;
use crate::plan::Plan;

/// Flags of `sleipnir apply`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to apply.
    #[command(flatten)]
    pub source: InputArgs,
    /// With a plan file that sets credentials: the sheet it was made from, which holds the
    /// values the plan file does not (checked against the plan's SHA-256; its worksheet and
    /// mapping are the plan's).
    #[arg(long, value_name = "SHEET")]
    pub credentials: Option<PathBuf>,
    /// Write values that are the live ones as a spreadsheet loses them (`14` for `0014`,
    /// `15553000014` for `+15553000014`, `447701000000` for `447701234567`); by default such
    /// a user fails and nothing of it is sent.
    #[arg(long)]
    pub allow_lossy_values: bool,
    /// How to run.
    #[command(flatten)]
    pub run: RunArgs,
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
    let named = args.source.input.display().to_string();
    let mapping = args
        .source
        .mapping
        .as_ref()
        .map(|m| m.display().to_string());
    let allow_delete = args.source.allow_delete;
    let input = args.source.into_input()?;
    // The whole sheet is validated before anything else happens: an invalid one sends nothing.
    let mut plan = load(&input, allow_delete)?;
    let mut command = command_of(&named, &input, &plan, mapping.as_deref(), &args.credentials);
    if allow_delete {
        command.push_str(&format!(" {}", crate::plan::action::ALLOW_DELETE));
    }
    if args.allow_lossy_values {
        command.push_str(&format!(" {}", crate::apply::lossy::FLAG));
    }
    // Whether the run writes values a spreadsheet lost is part of how it reads its sheet:
    // recorded, so a resume or a plan file of it does the same.
    let made_with_lossy = plan.source.allow_lossy_values;
    plan.source.allow_lossy_values |= args.allow_lossy_values;
    plan.source.command = Some(command);
    if let Input::PlanFile(path) = &input
        && made_with_lossy
        && !args.allow_lossy_values
    {
        return Err(Error::Usage(format!(
            "plan file `{}` was made with {flag}: it plans values a spreadsheet lost against \
             the live ones (its warnings name them); pass {flag} to apply them as they are, \
             or fix the sheet and plan again",
            path.display(),
            flag = crate::apply::lossy::FLAG
        )));
    }
    match (&input, args.credentials) {
        (Input::PlanFile(_), Some(sheet)) => fill_credentials(&mut plan, sheet)?,
        (Input::PlanFile(path), None) if plan.needs_credentials() => {
            return Err(Error::Usage(format!(
                "plan file `{}` sets credentials, which plan files never hold; pass the sheet \
                 it was made from with --credentials SHEET",
                path.display()
            )));
        }
        (Input::Sheet { .. }, Some(_)) => {
            return Err(Error::Usage(
                "--credentials goes with a plan file; a sheet holds its own credentials".into(),
            ));
        }
        _ => {}
    }
    for warning in &plan.warnings {
        notes.warn(&warning.message);
    }
    let config = RunConfig::from_args(args.run)?.allow_lossy_values(args.allow_lossy_values);
    // A resume keeps the window and budget the run was given on its command line.
    if let Some(command) = &mut plan.source.command {
        command.push_str(&config.schedule_flags());
    }
    let (applied, recorded) = match &input {
        Input::Sheet { .. } => (Applied::Sheet, Vec::new()),
        Input::PlanFile(path) => {
            let what = format!("plan file `{}` was made against", path.display());
            (
                Applied::PlanFile,
                vec![Recorded::of(what, &plan.source, false)],
            )
        }
    };
    execute(plan, config, (applied, recorded), notes)
}

/// `sleipnir apply INPUT [--sheet W] [--hidden-rows H] [--hidden-columns H] [--mapping M]
/// [--credentials SHEET]`: what `--resume DIR` is added to. The worksheet is the one read,
/// named even where the admin let sleipnir choose it, so a resumed run reads the same one.
fn command_of(
    named: &str,
    input: &Input,
    plan: &Plan,
    mapping: Option<&str>,
    credentials: &Option<PathBuf>,
) -> String {
    let options = match input {
        Input::Sheet { .. } => plan.source.read_options(),
        Input::PlanFile(_) => Default::default(),
    };
    let mut command = crate::plan::apply_command(named, &options, mapping);
    if let Some(sheet) = credentials {
        command.push_str(&format!(
            " --credentials {}",
            crate::text::shell_word(&sheet.display().to_string())
        ));
    }
    command
}

/// The credential values of `plan` (a plan file's, `********`) from the sheet it was made
/// from: the same bytes (SHA-256), read with the plan's worksheet and mapping.
fn fill_credentials(plan: &mut Plan, sheet: PathBuf) -> Result<(), Error> {
    let source = Input::Sheet {
        path: sheet.clone(),
        options: plan.source.read_options(),
        mapping: plan.source.mapping.clone().map(PathBuf::from),
    };
    // Read for its credential values only: whether it may delete is the plan file's.
    let from = load(&source, true)?;
    if from.source.sha256 != plan.source.sha256 {
        return Err(Error::Usage(format!(
            "`{}` is not the sheet the plan was made from (`{}`: its SHA-256 differs); \
             pass that sheet to --credentials",
            sheet.display(),
            crate::rundir::original_sheet(&plan.source.source)
        )));
    }
    plan.fill_credentials(&from).map_err(Error::Usage)
}
