//! What `apply` and `rollback` share: the run flags, the target and credential checks, the
//! confirmation, Ctrl-C, and the final summary (the progress display is `progress.rs`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::confirm::Applied;
use super::interrupt::{Answer, Interrupt};
use super::progress::Display;
use super::run_summary::summary_text;
use super::run_target::Recorded;
use super::target::{LoadArgs, TargetArgs};
use super::{Notes, print};
use crate::apply::{self, ApplyOptions, Summary};
use crate::error::Error;
use crate::odin::OdinClient;
use crate::plan::Plan;
use crate::rundir::{Ledger, Resume};

/// Flags of every command that changes users.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Where Odin is.
    #[command(flatten)]
    pub odin: TargetArgs,
    /// How many users at once.
    #[command(flatten)]
    pub load: LoadArgs,
    /// The run directory for results, rollback, journal and summary [default: runs/<UTC time>]
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the run in DIR (stopped by Ctrl-C, a crash or a kill) as it started: `apply`
    /// with the same sheet or plan file, `rollback` of the same run; finished steps are not
    /// sent again, and its rollback file keeps restoring the state from before the first
    /// attempt. A run of another plan is refused.
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
    /// Write fields someone else changed since they were recorded: a reviewed plan's users
    /// whose live values moved since it was made, or in a rollback the fields changed since
    /// the run (default: `drifted`, not written).
    #[arg(long)]
    pub force: bool,
    /// Run against a target other than the one recorded by the plan file (`plan
    /// --target`), the run rolled back or the run resumed; without it, such a run is
    /// refused before logging in.
    #[arg(long)]
    pub other_target: bool,
    /// Apply the first N users, show their results, and go on only if confirmed (or --yes).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub canary: Option<u32>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The target's name, typed out: with --yes, a production target needs it (without
    /// --yes, the question asks for it); given for another target, it must name it too.
    #[arg(long, value_name = "NAME")]
    pub confirm_target: Option<String>,
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

/// A number of seconds from 0 to a day (a group read older than that is no before-state).
fn seconds(text: &str) -> Result<f64, String> {
    const DAY: f64 = 86_400.0;
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=DAY).contains(&s) => Ok(s),
        Ok(s) if s.is_finite() && s > DAY => Err(format!(
            "`{text}` seconds is more than a day (86400); a group read that old is no \
             before-state"
        )),
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
    max_wait: std::time::Duration,
    other_target: bool,
    out: PathBuf,
    resuming: bool,
    yes: bool,
    confirm_target: Option<String>,
    options: ApplyOptions,
}

impl RunConfig {
    pub fn from_args(mut args: RunArgs) -> Result<RunConfig, Error> {
        let target = args
            .odin
            .checked_target(true)?
            .ok_or_else(|| Error::Usage("no target: pass --target URL or set ODIN_URL".into()))?;
        let resuming = args.resume.is_some();
        // A new or empty directory, or the run to resume: checked under its lock (see
        // `lock`), before anything is sent.
        let out = args.resume.or(args.out).unwrap_or_else(default_run_dir);
        Ok(RunConfig {
            target,
            out,
            resuming,
            yes: args.yes,
            confirm_target: args.confirm_target,
            other_target: args.other_target,
            options: ApplyOptions {
                concurrency: args.load.concurrency(&args.odin),
                compensate: !args.no_compensate,
                max_failures: args.max_failures.map(|n| n as usize),
                max_failure_rate: args.max_failure_rate,
                force: args.force,
                keep_drifted: false,
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
            max_wait: args.load.max_wait(),
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

    /// The same, for a rollback: a field someone else changed since the run is kept and the
    /// user's other fields restored (see [`ApplyOptions::keep_drifted`]).
    pub fn keep_drifted(mut self) -> RunConfig {
        self.options.keep_drifted = true;
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

/// Check the targets `recorded` (by the plan file or the run rolled back) and the run
/// resumed recorded, log in, confirm, apply `plan`, print the summary; the exit code of the
/// run. The run records its target and Odin user in its files (the plan's source). The run
/// directory is locked for all of it. Once logged in, Ctrl-C stops the run (or answers a
/// question with "no, and stop": exit 130) and a second Ctrl-C ends the process. Standard
/// output closed early ends the printing only: the run goes on, writes its files and exits
/// with its own code.
pub(super) fn execute(
    mut plan: Plan,
    config: RunConfig,
    (applied, mut recorded): (Applied, Vec<Recorded>),
    notes: &Notes,
) -> Result<u8, Error> {
    let what = applied.verb();
    // Production is hard to hit by mistake: told before anything else is done.
    production_guard(&config, what)?;
    let _lock = super::run_lock::lock(&config.out, config.resuming)?;
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
    // The way back goes to the run's own server: checked before anything is sent.
    if config.resuming {
        recorded.extend(Recorded::run(&config.out));
    }
    let origin = config.odin.origin();
    let resolved = config.odin.resolved.as_ref();
    let name = resolved.and_then(|t| t.name.as_deref());
    let here = super::run_target::Here {
        url: &config.target,
        name,
        origin: &origin,
    };
    super::run_target::check(&recorded, &here, config.other_target, notes)?;
    // The run's users are claimed on its target before it logs in: a run on any of them
    // that is still going is named and this one refused, having sent nothing.
    notes
        .history
        .target(&config.target, resolved, config.odin.reason.as_deref())?;
    notes
        .history
        .sheet(&plan.source.source, &plan.source.sha256);
    notes.history.run_dir(&config.out);
    let users = plan.users.iter().map(|u| u.user_id.clone()).collect();
    let _claim = super::history::claim(
        &notes.history,
        &config.target,
        users,
        (&config.out, &plan.source.source),
        notes,
    )?;
    let credentials = super::target::credentials(resolved)?;
    plan.source.target = Some(config.target.clone());
    plan.source.target_name = name.map(String::from);
    plan.source.odin_user = Some(credentials.username.clone());
    let plan = &plan;
    // A run to resume is checked (same sheet, readable files) before anything is sent.
    let resumed = if config.resuming {
        Some(Ledger::resume(&config.out, plan)?)
    } else {
        None
    };
    let (runtime, client) =
        config
            .odin
            .connect_as(&config.target, credentials, config.max_wait, notes)?;
    let continue_with = format!(
        "{} --target {}",
        plan.source.resume_command(&config.out),
        config.target
    );
    let interrupt = Interrupt::listen(
        &runtime,
        format!("The run files hold every step that ended; continue it with: {continue_with}"),
    )?;
    print(&super::confirm::text(
        plan,
        &banner_target(&config),
        applied,
        config.options.force,
    ))?;
    // Said before the question: these are the changes no rollback can undo.
    if let Some(line) = super::render::irreversible_line(plan) {
        print(&format!("{line}\n"))?;
    }
    let production = resolved.filter(|t| t.is_production());
    if let (false, Some(name)) = (config.yes, production.and_then(|t| t.name.as_deref())) {
        let question =
            format!("{what} these changes on production target `{name}`? Type its name to go on: ");
        match interrupt.ask_line(&question)? {
            Some(typed) if typed.trim() == name => {}
            Some(_) => {
                print(&format!("that is not `{name}`: nothing was changed\n"))?;
                return Ok(0);
            }
            None => {
                print("interrupted: nothing was changed\n")?;
                if config.resuming {
                    print(&format!("continue it with: {continue_with}\n"))?;
                }
                return Ok(130);
            }
        }
    } else if !config.yes {
        match interrupt.ask(&format!("{what} these changes now? [y/N] "))? {
            Answer::Yes => {}
            Answer::No => {
                print("nothing was changed\n")?;
                return Ok(0);
            }
            Answer::Interrupted => {
                print("interrupted: nothing was changed\n")?;
                if config.resuming {
                    print(&format!("continue it with: {continue_with}\n"))?;
                }
                return Ok(130);
            }
        }
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
            let ledger = Ledger::create(&config.out, &plan.source).map_err(|error| {
                // Before the first user: what was made of the run directory holds no step.
                notes.warn(&format!(
                    "nothing was changed (no user was started); once the run's files can be \
                     written (free space, or fix the directory's permissions), start it with: \
                     {continue_with}"
                ));
                Error::Ledger(error)
            })?;
            (ledger, Resume::default())
        }
    };
    if let Err(why) = super::logging::to_run_log(&ledger, notes.verbose) {
        notes.warn(&format!("no run log: {why}"));
    }
    let generated = super::generate::fill(plan, &runtime, &client, &ledger)?;
    let plan = generated.as_ref().map_or(plan, |(plan, _)| plan);
    tracing::info!(target = %config.target, users = plan.users.len(), rate = config.odin.rate(), concurrency = config.options.concurrency, "run started");
    let outcome = run_with_progress(
        &runtime,
        plan,
        (ledger, resume),
        client,
        config.options,
        (config.yes, &interrupt),
        notes,
    );
    let (summary, unwritten) = match outcome {
        Ok(summary) => (summary, None),
        Err(Error::Unrecorded(stopped)) => (*stopped.summary, Some(stopped.error)),
        Err(other) => return Err(other),
    };
    tracing::info!(
        applied = summary.steps.applied,
        failed = summary.steps.failed,
        "run finished"
    );
    for warning in &summary.warnings {
        notes.warn(warning);
    }
    if let Ok(serde_json::Value::Object(counts)) = serde_json::to_value(summary.users_by_outcome) {
        for (what, n) in counts {
            notes.history.count(&what, n.as_u64().unwrap_or_default());
        }
    }
    // The run is over: what follows only tells of it, and cannot change its exit code.
    let mut closing = summary_text(&summary, &config.out, &config.target);
    if let Some((_, line)) = &generated {
        closing.push_str(line);
    }
    if let Err(why) = print(&closing) {
        notes.warn(&why.to_string());
    }
    if let Err(why) = super::report::after_run(&config.out, &config.target, notes) {
        notes.warn(&why.to_string());
    }
    if let Some(error) = unwritten {
        return Err(Error::Ledger(error));
    }
    Ok(summary.exit_code())
}

/// The target as the confirmation names it: its URL, and for a named target its name and
/// tier (`https://odin.example.net/api/v2 (target `acme`, production)`).
fn banner_target(config: &RunConfig) -> String {
    let Some(target) = config.odin.resolved.as_ref() else {
        return config.target.clone();
    };
    match (&target.name, &target.tier) {
        (Some(name), Some(tier)) => format!("{} (target `{name}`, {})", config.target, tier.value),
        (Some(name), None) => format!("{} (target `{name}`, no tier)", config.target),
        _ => config.target.clone(),
    }
}

/// Refuse, before anything is done, a run against a production target that does not name
/// it on its own command line (it came from `SLEIPNIR_TARGET` or `ODIN_URL`), or that says
/// `--yes` without `--confirm-target NAME`; and a `--confirm-target` that does not name
/// the target.
fn production_guard(config: &RunConfig, what: &str) -> Result<(), Error> {
    let Some(target) = config.odin.resolved.as_ref() else {
        if let Some(confirm) = &config.confirm_target {
            return Err(Error::Usage(format!(
                "--confirm-target `{confirm}`: this command's target {} has no name in \
                 targets.toml; nothing was sent",
                config.target
            )));
        }
        return Ok(());
    };
    let label = target.label();
    if let Some(confirm) = &config.confirm_target
        && target.name.as_deref() != Some(confirm.as_str())
    {
        return Err(Error::Usage(format!(
            "--confirm-target `{confirm}` does not name this command's target {label}; \
             nothing was sent"
        )));
    }
    if !target.is_production() {
        return Ok(());
    }
    let name = target.name.as_deref().unwrap_or(&target.url.value);
    if !target.selected_by.is_command_line() {
        return Err(Error::Usage(format!(
            "{label} is a production target: to {what} there, name it on this command line \
             (--target {name}); it came from {}, and production is never taken from the \
             environment; nothing was sent",
            target.selected_by
        )));
    }
    if config.yes && config.confirm_target.is_none() {
        return Err(Error::Usage(format!(
            "{label} is a production target: with --yes, pass --confirm-target {name} to \
             {what} there without a question; nothing was sent"
        )));
    }
    Ok(())
}

/// Apply `plan` into `ledger` with a progress display; Ctrl-C (`interrupt`) stops starting
/// users, and the canary's question is asked unless `yes`.
pub(super) fn run_with_progress(
    runtime: &tokio::runtime::Runtime,
    plan: &Plan,
    (ledger, resume): (Ledger, Resume),
    client: Arc<OdinClient>,
    options: ApplyOptions,
    (yes, interrupt): (bool, &Interrupt),
    notes: &Notes,
) -> Result<Summary, Error> {
    let mut display = Display::new(plan.users.len(), yes, interrupt, notes);
    let stop = interrupt.stop_signal();
    let summary = runtime.block_on(apply::run(
        plan,
        client,
        ledger,
        options,
        resume,
        stop,
        &mut display,
    ));
    display.finish();
    summary.map_err(|stopped| Error::Unrecorded(Box::new(stopped)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn seconds_are_bounded_by_a_day() {
        assert_eq!(super::seconds("30"), Ok(30.0));
        assert!(super::seconds("18446744073709551615").is_err());
        assert!(super::seconds("-1").is_err());
        assert!(super::seconds("NaN").is_err());
    }
}
