//! The command line: one file per subcommand, each with its flags and one `run` entry point.
//! Only this module prints to the terminal.

mod plan;
mod render;
mod sim;
mod template;

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
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a sheet and show exactly what would change (nothing is sent).
    Plan(plan::Args),
    /// Print a ready-to-fill sheet or mapping file, or list them.
    Template(template::Args),
    /// Serve a simulated Odin API on loopback, for trying sleipnir without production.
    Sim(sim::Args),
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    let notes = Notes { quiet: cli.quiet };
    match cli.command {
        Command::Plan(args) => plan::run(args, &notes),
        Command::Template(args) => template::run(args, &notes),
        Command::Sim(args) => sim::run(args, &notes),
    }
}

/// Where warnings and notes go: standard error, unless `-q`.
pub(crate) struct Notes {
    quiet: bool,
}

impl Notes {
    /// A `warning: …` line.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("warning: {message}");
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
