//! `sleipnir check`: what the Odin server at a target really does, read-only, before a run.

use super::target::TargetArgs;
use super::{Notes, print};
use crate::check::{self, GroupRef, Report, Scope};
use crate::error::Error;

mod text;

/// Flags of `sleipnir check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Nothing is written: besides the login (POST /auth/token) every request is a GET.

Exit codes: 0 every request answered as expected (a /bulk read answering 404 is an answer: \
this server does not serve it and sleipnir reads those settings per user); 1 some request \
failed or answered otherwise (an error status, an unexpected shape, no answer, or a refused \
token answered with neither 401 nor 403); 2 usage, or a --group that Odin does not know (the \
check stops at its first 404); 3 target unreachable, redirected (never followed) or not \
Odin's API (a 404 to the login), login refused or the admin's password expired.")]
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
pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
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
    let (runtime, client) = args.odin.connect(&target, notes)?;
    let facts = runtime
        .block_on(check::gather(&client, &target, &scope))
        .map_err(|e| Error::Usage(e.to_string()))?;
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
