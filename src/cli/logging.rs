//! Tracing: for runs, always into the run's `run.log`; for every command, also to standard
//! error with `-v` or `RUST_LOG`. Nothing logged carries a password or token: the Odin client
//! never logs headers or bodies.

use std::fs::File;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::rundir::Ledger;

/// Install the subscriber for a run: its `run.log`, and standard error when asked. When the
/// log file cannot be opened, nothing is installed and the caller is told why.
pub(super) fn to_run_log(ledger: &Ledger, verbose: u8) -> Result<(), String> {
    let file = ledger.log_file().map_err(|e| e.to_string())?;
    install(Some(file), verbose)
}

/// Install the subscriber for a command without a run directory: standard error, only with
/// `-v` or `RUST_LOG`.
pub(super) fn to_stderr(verbose: u8) {
    if wants_stderr(verbose) {
        // Only fails when a subscriber is installed already, which then keeps logging.
        let _ = install(None, verbose);
    }
}

fn wants_stderr(verbose: u8) -> bool {
    verbose > 0 || std::env::var_os("RUST_LOG").is_some()
}

fn install(file: Option<File>, verbose: u8) -> Result<(), String> {
    let level = match verbose {
        0 | 1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new(format!("sleipnir={level}")))
    };
    let file_layer = file.map(|file| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(Mutex::new(file))
            .with_filter(filter())
    });
    let stderr_layer = wants_stderr(verbose).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter())
    });
    tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|e| e.to_string())
}
