//! What `apply` and `rollback` share: the run flags, the target and credential checks, the
//! confirmation, the progress display, and the final summary.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::confirm::Applied;
use super::run_summary::summary_text;
use super::target::TargetArgs;
use super::{Notes, print};
use crate::apply::{self, ApplyOptions, Progress, Summary};
use crate::error::Error;
use crate::odin::OdinClient;
use crate::plan::Plan;
use crate::rundir::{Ledger, Resume, StepResult};

/// Flags of every command that changes users.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Where Odin is.
    #[command(flatten)]
    pub odin: TargetArgs,
    /// The run directory for results, rollback, journal and summary [default: runs/<UTC time>]
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the run in DIR (stopped by Ctrl-C, a crash or a kill) with the same sheet or
    /// plan: finished steps are not sent again, and its rollback file keeps restoring the
    /// state from before the first attempt.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Keep a user's applied steps when a later step of it fails (default: undo them).
    #[arg(long)]
    pub no_compensate: bool,
    /// Stop starting users once N users have failed; the rest are skipped.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_failures: Option<u32>,
    /// Stop starting users once more than this share (0 to 1) of finished users failed,
    /// judged after 20 users.
    #[arg(long, value_name = "P", value_parser = share)]
    pub max_failure_rate: Option<f64>,
    /// Write users of a reviewed plan even when their live values changed since it was made.
    #[arg(long)]
    pub force: bool,
    /// Apply the first N users, show their results, and go on only if confirmed (or --yes).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub canary: Option<u32>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// For users whose group is known, a group-scale read stands for their before-state for
    /// this many seconds; older, it is read again (0: read every user one by one).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = seconds)]
    pub group_read_max_age: f64,
    /// Users of a group given the identical change are written with one bulk request per N
    /// users (at least 3: fewer never saves a request), then read back with one group read;
    /// a user the read shows unchanged is written on its own.
    #[arg(long, value_name = "N", default_value_t = crate::apply::bulk::DEFAULT_BULK_SIZE as u32,
          value_parser = clap::value_parser!(u32).range(3..))]
    pub bulk_size: u32,
    /// Write every user on its own (no bulk writes).
    #[arg(long)]
    pub no_bulk_writes: bool,
    /// The service provider (enterprise) of users the sheet does not place in a group: its
    /// one listing places them, so that they are read and written with their groups
    /// [default: the first such user's].
    #[arg(long, value_name = "SP")]
    pub service_provider: Option<String>,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(s),
        _ => Err(format!("`{text}` is not a number of seconds")),
    }
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a share between 0 and 1")),
    }
}

/// The run flags, checked.
pub(super) struct RunConfig {
    target: String,
    odin: TargetArgs,
    out: PathBuf,
    resuming: bool,
    yes: bool,
    options: ApplyOptions,
}

impl RunConfig {
    pub fn from_args(args: RunArgs) -> Result<RunConfig, Error> {
        let target = args
            .odin
            .checked_target(true)?
            .ok_or_else(|| Error::Usage("no target: pass --target URL or set ODIN_URL".into()))?;
        let resuming = args.resume.is_some();
        let out = match args.resume.or(args.out) {
            Some(dir) if resuming => dir,
            Some(dir) => {
                let occupied =
                    std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some());
                if occupied {
                    return Err(Error::Usage(format!(
                        "`{}` already holds files; a run needs a new or empty directory",
                        dir.display()
                    )));
                }
                dir
            }
            None => default_run_dir(),
        };
        Ok(RunConfig {
            target,
            out,
            resuming,
            yes: args.yes,
            options: ApplyOptions {
                concurrency: usize::from(args.odin.concurrency),
                compensate: !args.no_compensate,
                max_failures: args.max_failures.map(|n| n as usize),
                max_failure_rate: args.max_failure_rate,
                force: args.force,
                canary: args.canary.map(|n| n as usize),
                group_max_age: std::time::Duration::from_secs_f64(args.group_read_max_age),
                bulk_size: match args.no_bulk_writes {
                    true => 0,
                    false => args.bulk_size as usize,
                },
                service_provider: args.service_provider,
                allow_lossy_values: false,
            },
            odin: args.odin,
        })
    }
}

impl RunConfig {
    /// The same, writing values a spreadsheet lost (`apply --allow-lossy-values`; a
    /// rollback, whose values are Odin's own).
    pub fn allow_lossy_values(mut self, allow: bool) -> RunConfig {
        self.options.allow_lossy_values = allow;
        self
    }
}

/// `runs/<UTC time>`, with a suffix if a run of the same second exists.
pub(super) fn default_run_dir() -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string();
    let base = Path::new("runs").join(&stamp);
    (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                Path::new("runs").join(format!("{stamp}-{n}"))
            }
        })
        .find(|dir| !dir.exists())
        .unwrap_or(base)
}

/// Log in, confirm, apply `plan`, print the summary; the exit code of the run.
pub(super) fn execute(
    plan: &Plan,
    config: RunConfig,
    applied: Applied,
    notes: &Notes,
) -> Result<u8, Error> {
    let what = applied.verb();
    if plan.users.is_empty() {
        print(&format!("nothing to {what}: the plan has no users\n"))?;
        return Ok(0);
    }
    let interactive = std::io::stdin().is_terminal();
    if !config.yes && !interactive {
        return Err(Error::Usage(format!(
            "refusing to {what} without confirmation: pass --yes when not on a terminal"
        )));
    }
    // A run to resume is checked (same sheet, readable files) before anything is sent.
    let resumed = if config.resuming {
        Some(Ledger::resume(&config.out, plan)?)
    } else {
        None
    };
    let (runtime, client) = config.odin.connect(&config.target, notes)?;
    print(&super::confirm::text(plan, &config.target, applied))?;
    // Said before the question: these are the changes no rollback can undo.
    if let Some(line) = super::render::irreversible_line(plan) {
        print(&format!("{line}\n"))?;
    }
    if !config.yes && !confirm(&format!("{what} these changes now? [y/N] "))? {
        print("nothing was changed\n")?;
        return Ok(0);
    }
    // Values generated by an earlier attempt are in its credentials.csv and may be set
    // already: generating them again would hand out the wrong ones. Before any was
    // generated (no file yet), nothing stands in the way.
    let generated = crate::rundir::RunFiles::new(&config.out)
        .generated_credentials()
        .is_some();
    if resumed.is_some() && plan.generates_credentials() && generated {
        return Err(Error::Usage(
            "a run that generates credentials cannot be resumed: its values are in the \
             first attempt's credentials.csv; apply the rest from a sheet with the values"
                .into(),
        ));
    }
    let (ledger, resume) = match resumed {
        Some((ledger, resume)) => {
            print(&format!(
                "resuming `{}`: {} steps finished earlier are not sent again\n",
                config.out.display(),
                resume.kept.applied + resume.kept.unchanged
            ))?;
            (ledger, resume)
        }
        None => {
            let ledger = Ledger::create(&config.out, &plan.source).map_err(Error::Ledger)?;
            (ledger, Resume::default())
        }
    };
    if let Err(why) = super::logging::to_run_log(&ledger, notes.verbose) {
        notes.warn(&format!("no run log: {why}"));
    }
    let generated = super::generate::fill(plan, &runtime, &client, &ledger)?;
    let plan = generated.as_ref().map_or(plan, |(plan, _)| plan);
    tracing::info!(target = %config.target, users = plan.users.len(), rate = config.odin.rate, concurrency = config.options.concurrency, "run started");
    let summary = run_with_progress(
        &runtime,
        plan,
        (ledger, resume),
        client,
        config.options,
        config.yes,
        notes,
    )?;
    tracing::info!(
        applied = summary.steps.applied,
        failed = summary.steps.failed,
        "run finished"
    );
    for warning in &summary.warnings {
        notes.warn(warning);
    }
    print(&summary_text(&summary, &config.out, &config.target))?;
    if let Some((_, line)) = &generated {
        print(line)?;
    }
    super::report::after_run(&config.out, &config.target, notes)?;
    Ok(summary.exit_code())
}

/// Apply `plan` into `ledger` with a progress display; Ctrl-C stops starting users.
pub(super) fn run_with_progress(
    runtime: &tokio::runtime::Runtime,
    plan: &Plan,
    (ledger, resume): (Ledger, Resume),
    client: Arc<OdinClient>,
    options: ApplyOptions,
    yes: bool,
    notes: &Notes,
) -> Result<Summary, Error> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut display = Display::new(plan.users.len(), yes, notes);
    let summary = runtime.block_on(async {
        let interrupt = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop.send(true);
            }
        });
        let summary =
            apply::run(plan, client, ledger, options, resume, stopped, &mut display).await;
        interrupt.abort();
        summary
    });
    display.finish();
    summary.map_err(Error::Ledger)
}

fn confirm(question: &str) -> Result<bool, Error> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(Error::io("read the answer"))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// A progress bar on a terminal; a plain line every few seconds otherwise; nothing with -q.
/// After a canary, it shows the canary users' results and asks whether to go on.
struct Display {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    last_line: Instant,
    yes: bool,
}

impl apply::Observer for Display {
    fn progress(&mut self, progress: &Progress) {
        self.update(progress);
    }

    fn canary(&mut self, results: &[StepResult], progress: &Progress) -> bool {
        let text = canary_text(results, progress.users_total - progress.users_done);
        let ask = |text: &str| -> bool {
            let _ = print(text);
            if self.yes {
                return true;
            }
            confirm("go on with the other users? [y/N] ").unwrap_or(false)
        };
        match &self.bar {
            Some(bar) => bar.suspend(|| ask(&text)),
            None => ask(&text),
        }
    }
}

/// The canary users' results, a line per user: each step's resource and status, and the
/// message of any step not applied or unchanged.
fn canary_text(results: &[StepResult], remaining: usize) -> String {
    let mut users: Vec<(&str, Vec<&StepResult>)> = Vec::new();
    for result in results {
        match users.iter_mut().find(|(id, _)| *id == result.user_id) {
            Some((_, steps)) => steps.push(result),
            None => users.push((&result.user_id, vec![result])),
        }
    }
    let mut text = format!(
        "canary: {} done, {remaining} to go\n",
        crate::text::count(users.len(), "user")
    );
    for (user, steps) in users {
        let states: Vec<String> = steps
            .iter()
            .map(|s| format!("{} {}", s.resource, s.status.name()))
            .collect();
        text.push_str(&format!("  {user}: {}\n", states.join(", ")));
        for step in steps.iter().filter(|s| !s.message.is_empty()) {
            text.push_str(&format!("      {}: {}\n", step.resource, step.message));
        }
    }
    text
}

impl Display {
    fn new(users: usize, yes: bool, notes: &Notes) -> Display {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !notes.quiet).then(|| {
            let bar = indicatif::ProgressBar::new(users as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} users  {msg}  ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            notes.waits.above(&bar);
            bar
        });
        Display {
            bar,
            plain: !terminal && !notes.quiet,
            last_line: Instant::now(),
            yes,
        }
    }

    fn update(&mut self, p: &Progress) {
        let rate = p.requests as f64 / p.elapsed.as_secs_f64().max(1e-3);
        let counts = format!(
            "steps: applied {} · unchanged {} · failed {} · {:.1} req/s",
            p.steps.applied, p.steps.unchanged, p.steps.failed, rate
        );
        if let Some(bar) = &self.bar {
            bar.set_position(p.users_done as u64);
            bar.set_message(counts);
        } else if self.plain && self.last_line.elapsed() >= Duration::from_secs(5) {
            self.last_line = Instant::now();
            eprintln!("{}/{} users done; {counts}", p.users_done, p.users_total);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
