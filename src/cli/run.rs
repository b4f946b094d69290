//! What `apply` and `rollback` share: the run flags, the target and credential checks, the
//! confirmation, Ctrl-C, and the final summary (the progress display is `progress.rs`).

use std::io::IsTerminal;
use std::sync::Arc;

use super::confirm::Applied;
use super::interrupt::{Answer, Interrupt};
use super::progress::Display;
use super::run_config::RunConfig;
use super::run_summary::summary_text;
use super::run_target::Recorded;
use super::{Notes, print};
use crate::apply::{self, ApplyOptions, Summary};
use crate::error::Error;
use crate::odin::OdinClient;
use crate::plan::Plan;
use crate::rundir::{Ledger, Resume};

/// Check the targets `recorded` (by the plan file or the run rolled back) and the run
/// resumed recorded, log in, confirm, apply `plan`, print the summary; the exit code of the
/// run. The run records its target and Odin user in its files (the plan's source). The run
/// directory is locked for all of it. Once logged in, Ctrl-C stops the run (or answers a
/// question with "no, and stop": exit 130) and a second Ctrl-C ends the process. Standard
/// output closed early ends the printing only: the run goes on, writes its files and exits
/// with its own code.
pub(super) fn execute(
    mut plan: Plan,
    mut config: RunConfig,
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
        // A resume keeps the window and the budget its run started with.
        if let Ok(source) = crate::rundir::RunFiles::new(&config.out).source()
            && let Some(command) = &source.command
        {
            super::schedule::check_resume(
                command,
                &config.schedule_flags(),
                &format!(
                    "{} --target {}",
                    source.resume_command(&config.out),
                    command_target(&config)
                ),
            )?;
        }
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
    let users = plan.users.iter().map(|u| u.user_id.clone()).collect();
    let _claim = super::history::claim(
        &notes.history,
        &config.target,
        users,
        (&config.out, &plan.source.source),
        notes,
    )?;
    // Outside its window, or with its budget spent, a run is refused before the password
    // is asked for (a run that waits for its window is checked again when it opens).
    let budget = config
        .schedule
        .budget(&config.target, &config.out.display().to_string())?;
    if !config.wait_for_window {
        super::schedule::refuse_closed(&config.schedule)?;
    }
    let credentials = super::target::credentials(resolved)?;
    plan.source.target = Some(config.target.clone());
    plan.source.target_name = name.map(String::from);
    plan.source.odin_user = Some(credentials.username.clone());
    let plan = &plan;
    // The window and the budget are checked (and waited for) before the run's files are
    // touched: a run refused or stopped here leaves them as they were.
    let first = plan
        .users
        .first()
        .map_or(0, |user| apply::horizon::cost(user, 0));
    let (horizon, allowance) = super::schedule::before_login(
        &config.schedule,
        budget,
        (first, config.odin.rate()),
        config.wait_for_window,
        notes,
    )?;
    // What the run did not use of the budget it took is given back however it ends.
    let _give_back = allowance
        .as_ref()
        .map(|a| super::schedule::GiveBack(a.clone()));
    config.options.horizon = horizon;
    config.odin.allowance = allowance
        .clone()
        .map(|a| a as Arc<dyn crate::odin::Allowance>);
    super::schedule::tell(
        &config.schedule,
        &config.options.horizon,
        allowance.as_deref(),
        notes,
    );
    // A run to resume is checked (same sheet, readable files) before anything is sent,
    // reading only: its files are reopened once the run goes ahead, so a resume declined,
    // interrupted or refused at the login leaves them as they were.
    if config.resuming {
        Ledger::check_resume(&config.out, plan)?;
    }
    // A production target's name is typed before anything is sent: a run declined there
    // has not even logged in.
    let production = resolved.filter(|t| t.is_production());
    let production_name = production
        .and_then(|t| t.name.clone())
        .filter(|_| !config.yes);
    if let Some(name) = &production_name {
        print(&super::confirm::text(
            plan,
            &banner_target(&config),
            applied,
            config.options.force,
        ))?;
        if let Some(line) = super::render::irreversible_line(plan) {
            print(&format!("{line}\n"))?;
        }
        super::say(&format!(
            "{what} these changes on production target `{name}`? Type its name to go on: "
        ));
        let mut typed = String::new();
        std::io::stdin()
            .read_line(&mut typed)
            .map_err(Error::io("read the answer"))?;
        if typed.trim() != name {
            print(&format!(
                "that is not `{name}`: nothing was changed (nothing was sent)\n"
            ))?;
            return Ok(0);
        }
    }
    let (runtime, client) =
        config
            .odin
            .connect_as(&config.target, credentials, config.max_wait, notes)?;
    let named_target = command_target(&config);
    let continue_with = format!(
        "{} --target {named_target}",
        plan.source.resume_command(&config.out),
    );
    let interrupt = Interrupt::listen(
        &runtime,
        format!("The run files hold every step that ended; continue it with: {continue_with}"),
    )?;
    if production_name.is_none() {
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
    }
    if production_name.is_none() && !config.yes {
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
    let resumed = match config.resuming {
        true => Some(Ledger::resume(&config.out, plan)?),
        false => None,
    };
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
    // Only a run that has its files is in the history with its directory: a refused or
    // declined one has none (`runs verify` checks every directory named).
    notes.history.run_dir(&config.out);
    if let Err(why) = super::logging::to_run_log(&ledger, notes.verbose) {
        notes.warn(&format!("no run log: {why}"));
    }
    let generated = super::generate::fill(plan, &runtime, &client, &ledger)?;
    let plan = generated.as_ref().map_or(plan, |(plan, _)| plan);
    tracing::info!(target = %config.target, users = plan.users.len(), rate = config.odin.rate(), concurrency = config.options.concurrency, "run started");
    let counted = client.clone();
    let outcome = run_with_progress(
        &runtime,
        plan,
        (ledger, resume),
        client,
        config.options,
        (config.yes, &interrupt),
        notes,
    );
    // A run without a budget still counts against the budgets of the runs after it.
    if config.schedule.budget.is_none() {
        super::schedule::count_unbudgeted(
            &config.target,
            &config.out.display().to_string(),
            counted.counts().requests,
        );
    }
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
    if let Some(why) = &summary.deferred_by {
        notes.history.deferred_by(why);
    }
    // The run is over: what follows only tells of it, and cannot change its exit code.
    let mut closing = summary_text(&summary, &config.out, &named_target);
    if let Some((_, line)) = &generated {
        closing.push_str(line);
    }
    if let Err(why) = print(&closing) {
        notes.warn(&why.to_string());
    }
    if let Err(why) = super::report::after_run(&config.out, &named_target, notes) {
        notes.warn(&why.to_string());
    }
    if let Some(error) = unwritten {
        return Err(Error::Ledger(error));
    }
    Ok(summary.exit_code())
}

/// The target as the commands printed for later (continue, undo, retry) name it: a named
/// target by its name (so that a production target stays on the command line, where its
/// guard wants it), else its URL.
fn command_target(config: &RunConfig) -> String {
    match config.odin.resolved.as_ref().and_then(|t| t.name.clone()) {
        Some(name) => crate::text::shell_word(&name),
        None => config.target.clone(),
    }
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
