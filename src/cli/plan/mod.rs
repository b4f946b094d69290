//! `sleipnir plan SHEET|PLAN`: validate a sheet and show exactly what would change.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::target::{LoadArgs, PLAN_TARGET_HELP, TargetArgs};
use super::{Notes, print, render};
use crate::error::Error;
use crate::mapping::Mapping;
use crate::plan::{self, Plan};
use crate::report::review;
use crate::schema::Schema;
use crate::sheet;

mod live;

/// The input flags of `plan` and `apply`: a sheet with its options, or a plan file.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// The sheet (.csv, .tsv, .xlsx, .xlsm, .xlsb, .xls, .ods), or a plan file (.jsonl).
    pub input: PathBuf,
    /// The worksheet to read from a workbook [default: the active sheet when it is visible,
    /// else the first visible one]; a hidden worksheet is read only when named.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// A mapping file (TOML) for sheets whose column titles are not field paths.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Rows of a workbook hidden by hand, by a filter or in a collapsed outline: refused by
    /// default; `skip` leaves them out, `include` reads them as data.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = HiddenArg::Refuse)]
    pub hidden_rows: HiddenArg,
    /// Hidden columns of a workbook: refused by default; `skip` leaves them out, `include`
    /// reads them.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = HiddenArg::Refuse)]
    pub hidden_columns: HiddenArg,
    /// Plan (and apply) the rows whose `action` is `delete`: without it each is refused at
    /// its cell and nothing is planned. A rollback re-creates a deleted user, but not its
    /// credentials, voice messages or call logs.
    #[arg(long)]
    pub allow_delete: bool,
}

/// What to do with hidden rows or columns that hold something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HiddenArg {
    /// Refuse the sheet, naming them.
    Refuse,
    /// Leave them out.
    Skip,
    /// Read them as data.
    Include,
}

impl From<HiddenArg> for sheet::Hidden {
    fn from(arg: HiddenArg) -> sheet::Hidden {
        match arg {
            HiddenArg::Refuse => sheet::Hidden::Refuse,
            HiddenArg::Skip => sheet::Hidden::Skip,
            HiddenArg::Include => sheet::Hidden::Include,
        }
    }
}

/// Flags of `sleipnir plan`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("target", |arg| arg.help(PLAN_TARGET_HELP)))]
pub struct Args {
    /// What to plan.
    #[command(flatten)]
    pub source: InputArgs,
    /// Also write the plan to FILE: `.jsonl` the plan file (for `apply`), `.xlsx` the review
    /// workbook (one row per user and changed field, before and after, and the totals).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write the review workbook (`.xlsx`) to FILE, beside the plan file of --out.
    #[arg(long, value_name = "FILE.xlsx")]
    pub review: Option<PathBuf>,
    /// How to print the plan.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// With --target: read each user's live values and show before → after (nothing is
    /// written); the plan file records the before-values, so applying it detects drift.
    #[command(flatten)]
    pub odin: TargetArgs,
    /// With --target: how many users at once.
    #[command(flatten)]
    pub load: LoadArgs,
    /// With --target: the service provider (enterprise) of users the sheet does not place in
    /// a group; its one listing places them, so that they are read with their groups
    /// [default: the first such user's].
    #[arg(long, value_name = "SP")]
    pub service_provider: Option<String>,
    /// With --target: estimate the apply with bulk writes of up to N users, as `apply
    /// --bulk-size N` would send them.
    #[arg(long, value_name = "N", default_value_t = crate::apply::bulk::DEFAULT_BULK_SIZE as u32,
          value_parser = clap::value_parser!(u32).range(3..))]
    pub bulk_size: u32,
    /// With --target: estimate the apply with `--no-bulk-writes`.
    #[arg(long)]
    pub no_bulk_writes: bool,
    /// With --target: plan values that are the live ones as a spreadsheet loses them (`14`
    /// for `0014`, `15553000014` for `+15553000014`, `447701000000` for `447701234567`);
    /// by default each is listed with its cell and nothing is planned (exit 2).
    #[arg(long)]
    pub allow_lossy_values: bool,
    /// With --target: the window and budget the estimate is set against.
    #[command(flatten)]
    pub schedule: super::schedule::ScheduleArgs,
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
        options: sheet::ReadOptions,
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
            hidden_rows,
            hidden_columns,
            allow_delete: _,
        } = self;
        if plan::file::is_plan_file(&path) {
            let hidden = hidden_rows != HiddenArg::Refuse || hidden_columns != HiddenArg::Refuse;
            if worksheet.is_some() || mapping.is_some() || hidden {
                return Err(Error::Usage(format!(
                    "`{}` is a plan file; --sheet, --mapping, --hidden-rows and \
                     --hidden-columns apply to sheets only",
                    path.display()
                )));
            }
            return Ok(Input::PlanFile(path));
        }
        Ok(Input::Sheet {
            path,
            options: sheet::ReadOptions {
                worksheet,
                hidden_rows: hidden_rows.into(),
                hidden_columns: hidden_columns.into(),
            },
            mapping,
        })
    }
}

/// The validated flags.
struct Config {
    input: Input,
    /// Where to write the plan file.
    out: Option<PathBuf>,
    /// Where to write the review workbook.
    review: Option<PathBuf>,
    format: Format,
    /// Where to read live values, when planning against a target.
    target: Option<String>,
    odin: TargetArgs,
    load: LoadArgs,
    service_provider: Option<String>,
    /// Bulk writes of up to this many users in the estimate (0: none).
    bulk_size: usize,
    /// Plan values a spreadsheet lost against the live ones.
    allow_lossy_values: bool,
    /// The window and budget of the estimate.
    schedule: super::schedule::Schedule,
}

impl Config {
    fn from_args(mut args: Args) -> Result<Config, Error> {
        let input = args.source.into_input()?;
        let (out, review) = outputs(args.out, args.review)?;
        // Planning stays offline unless asked: ODIN_URL alone does not make it read Odin.
        let target = args.odin.checked_target(false)?;
        let schedule = args.schedule.resolve(args.odin.resolved.as_ref())?;
        Ok(Config {
            input,
            out,
            review,
            format: args.format,
            target,
            odin: args.odin,
            load: args.load,
            service_provider: args.service_provider,
            bulk_size: match args.no_bulk_writes {
                true => 0,
                false => args.bulk_size as usize,
            },
            allow_lossy_values: args.allow_lossy_values,
            schedule,
        })
    }
}

fn is_workbook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx"))
}

/// `--out` and `--review` as (plan file, review workbook): the extension of `--out` picks
/// what it is; anything but `.jsonl` and `.xlsx` is a usage error, checked before any work.
fn outputs(
    out: Option<PathBuf>,
    review: Option<PathBuf>,
) -> Result<(Option<PathBuf>, Option<PathBuf>), Error> {
    if let Some(review) = &review
        && !is_workbook(review)
    {
        return Err(Error::Usage(format!(
            "--review `{}`: the review workbook is written as .xlsx",
            review.display()
        )));
    }
    match out {
        None => Ok((None, review)),
        Some(out) if plan::file::is_plan_file(&out) => Ok((Some(out), review)),
        Some(out) if is_workbook(&out) => match review {
            None => Ok((None, Some(out))),
            Some(_) => Err(Error::Usage(format!(
                "--out `{}` is already the review workbook; to write both, use \
                 --out PLAN.jsonl --review REVIEW.xlsx",
                out.display()
            ))),
        },
        Some(out) => Err(Error::Usage(format!(
            "--out `{}`: write the plan file as .jsonl or the review workbook as .xlsx",
            out.display()
        ))),
    }
}

/// Returns the exit code: 1 when some users could not be read from the target.
pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
    let allow_delete = args.source.allow_delete;
    let config = Config::from_args(args)?;
    let mut plan = load(&config.input, allow_delete)?;
    if config.target.is_some() {
        // A saved plan's warnings from an earlier read are replaced by this read's.
        plan.warnings.retain(|warning| !warning.live);
    }
    for warning in &plan.warnings {
        notes.warn(&warning.message);
    }
    let (unreadable, estimate, lists) = match &config.target {
        Some(target) => {
            let printed = plan.warnings.len();
            if let Some(line) = super::reads::live_values(&plan, config.odin.rate()) {
                notes.note(&line);
            }
            let (unreadable, estimate, lists) = live::read_live(&mut plan, target, &config, notes)?;
            for warning in &plan.warnings[printed..] {
                notes.warn(&warning.message);
            }
            let rate = config.odin.rate();
            let fit = super::schedule::fit(
                &config.schedule,
                target,
                (
                    estimate.requests(),
                    estimate.seconds(rate),
                    plan.users
                        .first()
                        .map_or(0, |user| crate::apply::horizon::cost(user, 0)),
                ),
                jiff::Timestamp::now(),
            );
            (unreadable, Some((estimate, rate, fit)), lists)
        }
        None => {
            if config.schedule.window.is_some() || config.schedule.budget.is_some() {
                notes.warn(
                    "--window, --freeze and --budget set plan --target's estimate against the \
                     window and the budget; without --target there is no estimate",
                );
            }
            (Vec::new(), None, Vec::new())
        }
    };
    if let Some(out) = &config.out {
        plan::file::write(&plan, out)?;
        notes.note(&format!(
            "wrote the plan of {} to `{}`",
            crate::text::count(plan.users.len(), "user"),
            out.display()
        ));
    }
    if let Some(review) = &config.review {
        let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let counts = review::write(&plan, &unreadable, review, &time)?;
        notes.note(&format!(
            "wrote the review of {} ({}) to `{}`",
            crate::text::count(counts.fields, "changed field"),
            crate::text::count(counts.users_to_change, "user"),
            review.display()
        ));
    }
    let text = match (config.format, estimate) {
        (Format::Text, None) => render::text(&plan),
        (Format::Text, Some((estimate, rate, fit))) => {
            let mut text = render::live_text(&plan, &unreadable);
            text.push_str(&render::lists_text(&lists));
            text.push_str(&render::estimate_line(&estimate, rate));
            text.push('\n');
            text.push_str(&fit.text(&config.schedule));
            text
        }
        (Format::Json, estimate) => render::json(&plan, (&unreadable, &lists), estimate),
    };
    print(&text)?;
    Ok(u8::from(!unreadable.is_empty()))
}

/// The plan of a sheet (validated whole) or of a plan file; rows that delete users only
/// with `allow_delete` (`--allow-delete`).
pub(super) fn load(input: &Input, allow_delete: bool) -> Result<Plan, Error> {
    match input {
        Input::PlanFile(path) => {
            let plan = plan::file::read(path)?;
            let deleting: Vec<&str> = plan
                .users
                .iter()
                .filter(|u| u.deletes())
                .map(|u| u.user_id.as_str())
                .collect();
            if !deleting.is_empty() && !allow_delete {
                return Err(Error::Usage(format!(
                    "plan file `{}` deletes {} ({}{}); pass {} to use it",
                    path.display(),
                    crate::text::counted(deleting.len(), "user", "users"),
                    deleting[..deleting.len().min(5)].join(", "),
                    if deleting.len() > 5 { ", …" } else { "" },
                    plan::action::ALLOW_DELETE
                )));
            }
            Ok(plan)
        }
        Input::Sheet {
            path,
            options,
            mapping,
        } => {
            let mapping = mapping.as_deref().map(Mapping::load).transpose()?;
            let sheet = sheet::read(path, options)?;
            let schema = Schema::builtin()?;
            Ok(plan::build_with(
                &sheet,
                mapping.as_ref(),
                &schema,
                allow_delete,
            )?)
        }
    }
}
