//! Ctrl-C in `apply` and `rollback`, once logged in: the first stops the run (users not
//! started are `skipped`) and answers at once any question waiting for the operator; the
//! second ends the process. (Before, at the password prompt too, Ctrl-C ends the process as
//! it always does: nothing has been changed yet.)
//!
//! Why questions are read on a thread of their own: once Ctrl-C is caught (it must be, so
//! that the run can finish its files), the kernel restarts a read of the terminal that the
//! signal interrupts (the handler is installed with `SA_RESTART`), so a question read where
//! it is asked would only be answered by Enter.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use tokio::sync::watch;

use crate::error::Error;

/// What the first Ctrl-C says, on a line of its own (after the terminal's `^C`).
const FIRST: &str = "\nCtrl-C: stopping; users in flight finish and the files are closed \
                     (Ctrl-C again stops at once)\n";

/// How often a waiting question looks whether Ctrl-C came.
const POLL: Duration = Duration::from_millis(50);

/// The operator's answer to a yes/no question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// `y` or `yes`, any case.
    Yes,
    /// Anything else, or the end of the input.
    No,
    /// Ctrl-C, before or while the question waited.
    Interrupted,
}

/// Ctrl-C, listened for from [`Interrupt::listen`] until it is dropped.
pub(super) struct Interrupt {
    stop: watch::Receiver<bool>,
    listener: tokio::task::JoinHandle<()>,
}

impl Interrupt {
    /// Catch Ctrl-C on `runtime` from now on. The first sets [`Interrupt::stop_signal`];
    /// the second prints `again` (what the files hold, how to continue) and exits 130.
    pub fn listen(runtime: &tokio::runtime::Runtime, again: String) -> Result<Interrupt, Error> {
        let (stop, stopped) = watch::channel(false);
        // Installed here, not in the task: a Ctrl-C between now and the task's first poll
        // must not kill the process.
        let mut signal = {
            let _entered = runtime.enter();
            Signal::install().map_err(Error::io("listen for Ctrl-C"))?
        };
        let listener = runtime.spawn(async move {
            if !signal.next().await {
                return;
            }
            let _ = stop.send(true);
            // Said even with -q: it answers what the operator just did.
            super::say(FIRST);
            if signal.next().await {
                super::say(&format!("\ninterrupted again: stopped at once. {again}\n"));
                std::process::exit(130);
            }
        });
        Ok(Interrupt {
            stop: stopped,
            listener,
        })
    }

    /// Turns true at the first Ctrl-C.
    pub fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.clone()
    }

    /// Whether Ctrl-C came.
    pub fn happened(&self) -> bool {
        *self.stop.borrow()
    }

    /// Ask `question` on standard error and read a line of standard input, until Ctrl-C.
    /// Blocks the calling thread; the listener runs on the runtime's workers.
    pub fn ask(&self, question: &str) -> Result<Answer, Error> {
        Ok(match self.ask_line(question)? {
            None => Answer::Interrupted,
            Some(answer) => match answer.trim().to_lowercase().as_str() {
                "y" | "yes" => Answer::Yes,
                _ => Answer::No,
            },
        })
    }

    /// Ask `question` and read one line of answer; `None` when Ctrl-C came before or
    /// while it waited.
    pub fn ask_line(&self, question: &str) -> Result<Option<String>, Error> {
        if self.happened() {
            return Ok(None);
        }
        super::say(question);
        let (sender, line) = mpsc::channel();
        // Left blocked on the terminal after a Ctrl-C: nothing reads standard input after
        // that, and the process does not wait for it at its end.
        std::thread::Builder::new()
            .name("question".into())
            .spawn(move || {
                let mut answer = String::new();
                let read = std::io::stdin().read_line(&mut answer).map(|_| answer);
                let _ = sender.send(read);
            })
            .map_err(Error::io("read the answer"))?;
        loop {
            match line.recv_timeout(POLL) {
                Ok(read) => {
                    return read.map(Some).map_err(Error::io("read the answer"));
                }
                Err(RecvTimeoutError::Timeout) if self.happened() => return Ok(None),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(Some(String::new())),
            }
        }
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// SIGINT as a stream (Unix), registered when made.
#[cfg(unix)]
struct Signal(tokio::signal::unix::Signal);

#[cfg(unix)]
impl Signal {
    fn install() -> std::io::Result<Signal> {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).map(Signal)
    }

    /// The next Ctrl-C; false when no more can come.
    async fn next(&mut self) -> bool {
        self.0.recv().await.is_some()
    }
}

/// Ctrl-C where there are no Unix signals.
#[cfg(not(unix))]
struct Signal;

#[cfg(not(unix))]
impl Signal {
    fn install() -> std::io::Result<Signal> {
        Ok(Signal)
    }

    async fn next(&mut self) -> bool {
        tokio::signal::ctrl_c().await.is_ok()
    }
}
