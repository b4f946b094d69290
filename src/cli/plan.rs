//! `sleipnir plan SHEET|PLAN`: validate a sheet and show exactly what would change.

use std::path::PathBuf;

use clap::ValueEnum;

use super::{Notes, print, render};
use crate::error::Error;
use crate::mapping::Mapping;
use crate::plan::{self, Plan};
use crate::schema::Schema;
use crate::sheet;

/// The input flags of `plan` and `apply`: a sheet with its options, or a plan file.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// The sheet (.csv, .tsv, .xlsx, .xlsm, .xlsb, .xls, .ods), or a plan file (.jsonl).
    pub input: PathBuf,
    /// The worksheet to read from a workbook [default: the first].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// A mapping file (TOML) for sheets whose column titles are not field paths.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

/// Flags of `sleipnir plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to plan.
    #[command(flatten)]
    pub source: InputArgs,
    /// Also write the plan to this file (JSON Lines), for review and for `apply`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How to print the plan.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable plan for people.
    Text,
    /// One JSON document for scripts.
    Json,
}

/// What to plan from, validated.
pub(super) enum Input {
    Sheet {
        path: PathBuf,
        worksheet: Option<String>,
        mapping: Option<PathBuf>,
    },
    PlanFile(PathBuf),
}

impl InputArgs {
    /// A plan file (by its `.jsonl` name) or a sheet with its options.
    pub(super) fn into_input(self) -> Result<Input, Error> {
        let InputArgs {
            input: path,
            sheet: worksheet,
            mapping,
        } = self;
        if plan::file::is_plan_file(&path) {
            if worksheet.is_some() || mapping.is_some() {
                return Err(Error::Usage(format!(
                    "`{}` is a plan file; --sheet and --mapping apply to sheets only",
                    path.display()
                )));
            }
            return Ok(Input::PlanFile(path));
        }
        Ok(Input::Sheet {
            path,
            worksheet,
            mapping,
        })
    }
}

/// The validated flags.
struct Config {
    input: Input,
    out: Option<PathBuf>,
    format: Format,
}

impl Config {
    fn from_args(args: Args) -> Result<Config, Error> {
        let input = args.source.into_input()?;
        Ok(Config {
            input,
            out: args.out,
            format: args.format,
        })
    }
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<(), Error> {
    let config = Config::from_args(args)?;
    let plan = load(&config.input)?;
    for warning in &plan.warnings {
        notes.warn(warning);
    }
    if let Some(out) = &config.out {
        plan::file::write(&plan, out)?;
        notes.note(&format!(
            "wrote the plan of {} users to `{}`",
            plan.users.len(),
            out.display()
        ));
    }
    let text = match config.format {
        Format::Text => render::text(&plan),
        Format::Json => render::json(&plan),
    };
    print(&text)
}

/// The plan of a sheet (validated whole) or of a plan file.
pub(super) fn load(input: &Input) -> Result<Plan, Error> {
    match input {
        Input::PlanFile(path) => Ok(plan::file::read(path)?),
        Input::Sheet {
            path,
            worksheet,
            mapping,
        } => {
            let mapping = mapping.as_deref().map(Mapping::load).transpose()?;
            let sheet = sheet::read(path, worksheet.as_deref())?;
            let schema = Schema::builtin()?;
            Ok(plan::build(&sheet, mapping.as_ref(), &schema)?)
        }
    }
}
