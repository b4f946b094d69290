//! `sleipnir check`: what the Odin server at a target really does, read-only, before a run.

use super::target::TargetArgs;
use super::{Notes, print};
use crate::check::{self, GroupRef, Report, Scope};
use crate::error::Error;

mod text;

/// Flags of `sleipnir check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also read this group, given as SERVICE_PROVIDER/GROUP (and, without --user, its first
    /// user) [default: the group of --user].
    #[arg(long, value_name = "SP/GROUP")]
    pub group: Option<String>,
    /// Also read this user [default: the first user of --group].
    #[arg(long, value_name = "ID")]
    pub user: Option<String>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Where Odin is and how hard to press it.
    #[command(flatten)]
    pub odin: TargetArgs,
}

/// How a check is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A report for people: one section per step, then what sleipnir will do.
    Text,
    /// One JSON document with the same facts and conclusions, for scripts.
    Json,
}

/// Returns the exit code: 0 when every request answered as expected, 1 when one did not
/// (see the help text); a refused login or an unreachable target is an error (exit 3).
pub(super) fn run(mut args: Args, notes: &Notes) -> Result<u8, Error> {
    let target = args.odin.checked_target(true)?.ok_or_else(|| {
        Error::Usage("check needs --target URL (or ODIN_URL) to know which Odin to check".into())
    })?;
    let group = args
        .group
        .as_deref()
        .map(GroupRef::parse)
        .transpose()
        .map_err(Error::Usage)?;
    if args.user.as_deref().is_some_and(|u| u.trim().is_empty()) {
        return Err(Error::Usage("--user needs a user id".into()));
    }
    let scope = Scope {
        group,
        user: args.user.clone(),
    };
    let max_wait = std::time::Duration::from_secs(super::target::DEFAULT_MAX_WAIT);
    let (runtime, client) = args.odin.connect(&target, max_wait, notes)?;
    let facts = runtime
        .block_on(check::gather(&client, &target, &scope))
        .map_err(|stopped| match stopped {
            // A read answered otherwise (exit 1), and every read after it would be too.
            redirected @ check::Stopped::Redirected(_) => Error::Stopped(redirected.to_string()),
            check::Stopped::GroupNotFound(e) => Error::Usage(e.to_string()),
        })?;
    let report = Report::new(facts);
    match args.format {
        // Warnings are findings of the check: they are part of its report, not notes on
        // standard error that -q would silence.
        Format::Text => print(&text::report(&report))?,
        Format::Json => {
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| Error::Stdout(std::io::Error::other(e)))?;
            print(&format!("{json}\n"))?;
        }
    }
    Ok(report.exit_code())
}
