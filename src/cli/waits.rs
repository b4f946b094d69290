//! The lines that tell a request waiting long for Odin's answer (what `odin/` reports to its
//! [`WaitWatch`]): on standard error, above the progress bar when one is shown.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::odin::{WaitWatch, Waiting};

/// A request is told once it has waited this long (or half its timeout, when shorter).
const TELL_WAITS_AFTER: Duration = Duration::from_secs(5);

/// While many requests wait at once (a slow server under a run), one line says so at most
/// this often.
const WAIT_LINES_EVERY: Duration = Duration::from_secs(10);

/// Where wait lines go: standard error, through the progress bar once the command shows one
/// (so that the bar is drawn again below them rather than over them). Clones share it.
#[derive(Clone, Default)]
pub(super) struct WaitLines {
    bar: Arc<Mutex<Option<indicatif::ProgressBar>>>,
}

impl WaitLines {
    /// Print the lines above `bar` from now on.
    pub(super) fn above(&self, bar: &indicatif::ProgressBar) {
        *self.bar.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
    }

    fn print(&self, line: &str) {
        let bar = self
            .bar
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match bar {
            Some(bar) => bar.suspend(|| super::say(&format!("{line}\n"))),
            None => super::say(&format!("{line}\n")),
        }
    }

    /// The watcher of requests given `timeout` each: the request, the attempt and when it
    /// times out.
    pub(super) fn watch(&self, timeout: Duration) -> WaitWatch {
        let lines = self.clone();
        let last: Mutex<Option<Instant>> = Mutex::new(None);
        WaitWatch::new(TELL_WAITS_AFTER.min(timeout / 2), move |waiting| {
            let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|at| at.elapsed() < WAIT_LINES_EVERY) {
                return;
            }
            *last = Some(Instant::now());
            lines.print(&line(waiting));
        })
    }
}

/// `waiting for Odin's answer to `POST https://…/auth/token` (attempt 1 of 6, 5 s so far; it
/// times out after 30 s, see --timeout)`.
fn line(waiting: &Waiting) -> String {
    let attempt = match waiting.attempts {
        Some(attempts) => format!("attempt {} of {attempts}", waiting.attempt),
        None => format!("attempt {}, not tried again", waiting.attempt),
    };
    format!(
        "waiting for Odin's answer to `{}` ({attempt}, {} s so far; it times out after {} s, \
         see --timeout)",
        waiting.request,
        waiting.waited.as_secs_f64(),
        waiting.timeout.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_names_the_request_the_attempt_and_the_timeout() {
        let mut waiting = Waiting {
            request: "GET https://odin.example.net/api/v2/users".into(),
            attempt: 2,
            attempts: Some(6),
            waited: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
        };
        assert_eq!(
            line(&waiting),
            "waiting for Odin's answer to `GET https://odin.example.net/api/v2/users` (attempt 2 \
             of 6, 5 s so far; it times out after 30 s, see --timeout)"
        );
        waiting.attempts = None;
        assert!(line(&waiting).contains("(attempt 2, not tried again, 5 s so far;"));
    }
}
