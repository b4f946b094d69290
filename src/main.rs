//! The `sleipnir` binary: parse arguments, run, report errors with the documented exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// mimalloc, not the system allocator: glibc's per-thread arenas kept the transient memory
/// of parsing a large group's listing (megabytes of JSON, each worker thread in its own
/// arena) and doubled the peak RSS of a run at scale.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = sleipnir::cli::Cli::parse();
    match sleipnir::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // A name with a character that does not show is never printed looking like
            // another (problems of a sheet escape their own already).
            // Written, not `eprintln!`ed: a closed standard error must not turn the
            // documented exit code into a panic's.
            let _ = writeln!(
                std::io::stderr(),
                "error: {}",
                sleipnir::text::escape_invisible_lines(&error.to_string())
            );
            ExitCode::from(error.exit_code())
        }
    }
}
