//! The flags of the commands that change users (`apply`, `rollback`), checked into the
//! configuration of one run.

use std::path::{Path, PathBuf};

use super::schedule::{Schedule, ScheduleArgs};
use super::target::{LoadArgs, TargetArgs};
use crate::apply::ApplyOptions;
use crate::error::Error;

/// Flags of every command that changes users.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Where Odin is.
    #[command(flatten)]
    pub odin: TargetArgs,
    /// How many users at once.
    #[command(flatten)]
    pub load: LoadArgs,
    /// When it may send, and how much.
    #[command(flatten)]
    pub schedule: ScheduleArgs,
    /// Outside the maintenance window, wait for it to open (a countdown; Ctrl-C stops)
    /// instead of refusing (exit 4).
    #[arg(long)]
    pub wait_for_window: bool,
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
    pub(super) target: String,
    pub(super) odin: TargetArgs,
    pub(super) max_wait: std::time::Duration,
    pub(super) other_target: bool,
    pub(super) out: PathBuf,
    pub(super) resuming: bool,
    pub(super) yes: bool,
    pub(super) confirm_target: Option<String>,
    pub(super) options: ApplyOptions,
    /// The maintenance window and daily budget.
    pub(super) schedule: Schedule,
    pub(super) wait_for_window: bool,
}

impl RunConfig {
    pub fn from_args(mut args: RunArgs) -> Result<RunConfig, Error> {
        let target = args
            .odin
            .checked_target(true)?
            .ok_or_else(|| Error::Usage("no target: pass --target URL or set ODIN_URL".into()))?;
        let resuming = args.resume.is_some();
        let schedule = args.schedule.resolve(args.odin.resolved.as_ref())?;
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
                horizon: Default::default(),
            },
            odin: args.odin,
            max_wait: args.load.max_wait(),
            schedule,
            wait_for_window: args.wait_for_window,
        })
    }
}

impl RunConfig {
    /// The window, budget and `--wait-for-window` flags of its command line, for the
    /// command that resumes it (a target's own window and budget come with its name).
    pub fn schedule_flags(&self) -> String {
        let mut flags = self.schedule.flags.clone();
        if self.wait_for_window {
            flags.push_str(" --wait-for-window");
        }
        flags
    }

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
