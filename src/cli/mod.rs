//! The command line: one file per subcommand, each with its flags and one `run` entry point.
//! Only this module prints to the terminal.

mod apply;
mod check;
mod confirm;
mod demo;
mod exit_codes;
mod export;
mod generate;
mod history;
mod interrupt;
mod logging;
mod login;
mod plan;
mod progress;
mod reads;
mod render;
mod report;
mod rollback;
mod run;
mod run_config;
mod run_lock;
mod run_summary;
mod run_target;
mod runs;
mod schedule;
mod sim;
mod target;
mod target_cmd;
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
    #[command(after_help = exit_codes::help("plan"))]
    Plan(plan::Args),
    /// Change the users of a sheet or plan file through Odin, keeping results and a rollback.
    #[command(after_help = exit_codes::help("apply"))]
    Apply(apply::Args),
    /// Undo a run: apply its rollback file as a new run.
    #[command(after_help = exit_codes::help("rollback"))]
    Rollback(rollback::Args),
    /// Write the live values of users to a sheet that plans to no change until edited.
    #[command(after_help = exit_codes::help("export"))]
    Export(export::Args),
    /// Check, read-only, what the Odin server at a target answers and what sleipnir will do
    /// there: run it first against a new Odin.
    #[command(after_help = format!(
        "Nothing is written: besides the login (POST /auth/token) every request is a GET.\n\n{}",
        exit_codes::help("check")
    ))]
    Check(check::Args),
    /// Print a ready-to-fill sheet or mapping file, or list them.
    #[command(after_help = exit_codes::help("template"))]
    Template(template::Args),
    /// Serve a simulated Odin API on loopback, for trying sleipnir without production.
    #[command(after_help = exit_codes::help("sim"))]
    Sim(sim::Args),
    /// Rebuild a run's results.xlsx and report.html from its run files.
    #[command(after_help = exit_codes::help("report"))]
    Report(report::Args),
    /// Apply the example migration to a simulated Odin, roll it back, and check both.
    #[command(after_help = exit_codes::help("demo"))]
    Demo(demo::Args),
    /// The history of commands that talked to a target: list, show one, who changed a
    /// user, verify the chain.
    #[command(after_help = exit_codes::help("runs"))]
    Runs(runs::Args),
    /// Named targets in targets.toml: add, list, show (--explain: where each value comes
    /// from), remove.
    #[command(after_help = exit_codes::help("target"))]
    Target(target_cmd::Args),
    /// Store a target's password in the OS keyring.
    #[command(after_help = exit_codes::help("login"))]
    Login(login::LoginArgs),
    /// Remove a target's password from the OS keyring.
    #[command(after_help = exit_codes::help("logout"))]
    Logout(login::LogoutArgs),
}

/// Run a parsed command line; the exit code when it ran to its end (0, or 1/130 for runs
/// with failures or interrupted).
pub fn run(cli: Cli) -> Result<u8, Error> {
    let notes = Notes {
        quiet: cli.quiet,
        verbose: cli.verbose,
        waits: waits::WaitLines::default(),
        history: history::Draft::new(),
    };
    // Runs log into their run directory too, so they install their own subscriber.
    if !matches!(cli.command, Command::Apply(_) | Command::Rollback(_)) {
        logging::to_stderr(cli.verbose);
    }
    let (name, result) = match cli.command {
        Command::Plan(args) => ("plan", plan::run(args, &notes)),
        Command::Apply(args) => ("apply", apply::run(args, &notes)),
        Command::Rollback(args) => ("rollback", rollback::run(args, &notes)),
        Command::Export(args) => ("export", export::run(args, &notes)),
        Command::Check(args) => ("check", check::run(args, &notes)),
        Command::Template(args) => ("template", template::run(args, &notes).map(|()| 0)),
        Command::Sim(args) => ("sim", sim::run(args, &notes).map(|()| 0)),
        Command::Demo(args) => ("demo", demo::run(args, &notes)),
        Command::Report(args) => ("report", report::run(args, &notes)),
        Command::Runs(args) => ("runs", runs::run(args, &notes)),
        Command::Target(args) => ("target", target_cmd::run(args, &notes)),
        Command::Login(args) => ("login", login::login(args, &notes)),
        Command::Logout(args) => ("logout", login::logout(args, &notes)),
    };
    // A command that named its target is in the history, whatever its end.
    let code = match &result {
        Ok(code) => *code,
        Err(error) => error.exit_code(),
    };
    notes.history.finish(name, code, &notes);
    result
}

/// Where warnings and notes go: standard error, unless `-q`.
pub(crate) struct Notes {
    quiet: bool,
    verbose: u8,
    /// The lines telling long waits for Odin (printed even with `-q`: they are about why
    /// nothing happens), above a progress bar once one is shown.
    waits: waits::WaitLines,
    /// What this command records in the history, as it goes.
    history: history::Draft,
}

impl Notes {
    /// A `warning: …` line.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            // A name with a character that does not show (a worksheet, a title) is never
            // printed looking like another.
            say(&format!(
                "warning: {}\n",
                crate::text::escape_invisible_lines(message)
            ));
        }
    }

    /// A plain informational line.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            say(&format!("{message}\n"));
        }
    }
}

/// Write `text` to standard error. Standard error closed early (`sleipnir apply … 2>&1 |
/// head -1`) drops it: unlike `eprintln!`, which would panic, and end a run half-way.
pub(crate) fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Write `text` to standard output. Standard output closed by its reader (`sleipnir apply
/// … | head -1`) ends the printing, not the command: the text is dropped, and the command
/// goes on to its end and its own exit code. (Rust ignores SIGPIPE, so a closed pipe is an
/// `EPIPE` error here, never the end of the process.)
pub(crate) fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => written.map_err(Error::Stdout),
    }
}
