//! Tracing: always into the run's `run.log`; also to standard error with `-v` or `RUST_LOG`.
//! Nothing logged carries a password or token: the Odin client never logs headers or bodies.

use std::sync::Mutex;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::apply::ledger::Ledger;

/// Install the subscriber for this process; without a log file, only stderr (if asked).
pub(super) fn to_run_log(ledger: &Ledger, verbose: u8) -> Result<(), String> {
    let file = ledger.log_file().map_err(|e| e.to_string())?;
    let to_stderr = verbose > 0 || std::env::var_os("RUST_LOG").is_some();
    let level = match verbose {
        0 | 1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new(format!("sleipnir={level}")))
    };
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .with_filter(filter());
    let stderr_layer = to_stderr.then(|| {
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

use tracing_subscriber::Layer as _;
