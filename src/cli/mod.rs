//! The command line: one file per subcommand, each with its flags and one `run` entry point.
//! Only this module prints to the terminal.

mod apply;
mod check;
mod confirm;
mod demo;
mod export;
mod generate;
mod logging;
mod plan;
mod reads;
mod render;
mod report;
mod rollback;
mod run;
mod run_summary;
mod sim;
mod target;
mod template;
mod waits;

use std::io::Write;

use clap::{Parser, Subcommand};

use crate::error::Error;

/// sleipnir: change thousands of BroadWorks users through the Odin API from a spreadsheet.
#[derive(Debug, Parser)]
#[command(name = "sleipnir", version, propagate_version = true)]
pub struct Cli {
    /// Print nothing but the requested output and errors (no warnings or notes).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Also log to standard error (-v info, -vv debug); RUST_LOG filters finer.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a sheet and show exactly what would change (nothing is sent).
    Plan(plan::Args),
    /// Change the users of a sheet or plan file through Odin, keeping results and a rollback.
    Apply(apply::Args),
    /// Undo a run: apply its rollback file as a new run.
    Rollback(rollback::Args),
    /// Write the live values of users to a sheet that plans to no change until edited.
    Export(export::Args),
    /// Check, read-only, what the Odin server at a target answers and what sleipnir will do
    /// there: run it first against a new Odin.
    Check(check::Args),
    /// Print a ready-to-fill sheet or mapping file, or list them.
    Template(template::Args),
    /// Serve a simulated Odin API on loopback, for trying sleipnir without production.
    Sim(sim::Args),
    /// Rebuild a run's results.xlsx and report.html from its run files.
    Report(report::Args),
    /// Apply the example migration to a simulated Odin, roll it back, and check both.
    Demo(demo::Args),
}

/// Run a parsed command line; the exit code when it ran to its end (0, or 1/130 for runs
/// with failures or interrupted).
pub fn run(cli: Cli) -> Result<u8, Error> {
    let notes = Notes {
        quiet: cli.quiet,
        verbose: cli.verbose,
        waits: waits::WaitLines::default(),
    };
    // Runs log into their run directory too, so they install their own subscriber.
    if !matches!(cli.command, Command::Apply(_) | Command::Rollback(_)) {
        logging::to_stderr(cli.verbose);
    }
    match cli.command {
        Command::Plan(args) => plan::run(args, &notes),
        Command::Apply(args) => apply::run(args, &notes),
        Command::Rollback(args) => rollback::run(args, &notes),
        Command::Export(args) => export::run(args, &notes),
        Command::Check(args) => check::run(args, &notes),
        Command::Template(args) => template::run(args, &notes).map(|()| 0),
        Command::Sim(args) => sim::run(args, &notes).map(|()| 0),
        Command::Demo(args) => demo::run(args, &notes),
        Command::Report(args) => report::run(args, &notes),
    }
}

/// Where warnings and notes go: standard error, unless `-q`.
pub(crate) struct Notes {
    quiet: bool,
    verbose: u8,
    /// The lines telling long waits for Odin (printed even with `-q`: they are about why
    /// nothing happens), above a progress bar once one is shown.
    waits: waits::WaitLines,
}

impl Notes {
    /// A `warning: …` line.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            // A name with a character that does not show (a worksheet, a title) is never
            // printed looking like another.
            eprintln!("warning: {}", crate::text::escape_invisible_lines(message));
        }
    }

    /// A plain informational line.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

/// Write `text` to standard output.
pub(crate) fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Stdout)
}
