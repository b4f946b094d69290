//! A request that waits long for its answer is told to whoever watches (the command line
//! prints it): what is awaited, which attempt, and how long until it times out. `odin/`
//! never prints; it calls the watcher.

use std::sync::Arc;
use std::time::Duration;

/// A request still waiting for its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// `POST https://HOST/api/v2/auth/token`.
    pub request: String,
    /// This attempt, from 1.
    pub attempt: u32,
    /// Attempts allowed (`--retries` + 1); `None` when a timeout is not tried again (the
    /// first login: a target that does not answer is reported at once).
    pub attempts: Option<u32>,
    /// How long it has waited so far.
    pub waited: Duration,
    /// The time it is given before it times out (`--timeout`).
    pub timeout: Duration,
}

/// Called, from any task, with each request that has waited [`WaitWatch::after`] for its
/// answer (once per attempt). Its `Debug` shows only `after`.
#[derive(Clone)]
pub struct WaitWatch {
    /// How long a request waits before it is told.
    pub after: Duration,
    tell: Arc<dyn Fn(&Waiting) + Send + Sync>,
}

impl WaitWatch {
    /// A watcher told of requests that wait past `after`.
    pub fn new(after: Duration, tell: impl Fn(&Waiting) + Send + Sync + 'static) -> WaitWatch {
        WaitWatch {
            after,
            tell: Arc::new(tell),
        }
    }

    pub(super) fn tell(&self, waiting: &Waiting) {
        (self.tell)(waiting);
    }
}

impl std::fmt::Debug for WaitWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitWatch")
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

/// `future`, with `watch` told once if it has not finished after `watch.after`.
pub(super) async fn watched<T>(
    future: impl std::future::Future<Output = T>,
    watch: Option<&WaitWatch>,
    waiting: impl FnOnce(Duration) -> Waiting,
) -> T {
    let Some(watch) = watch else {
        return future.await;
    };
    let mut future = std::pin::pin!(future);
    tokio::select! {
        done = &mut future => done,
        () = tokio::time::sleep(watch.after) => {
            watch.tell(&waiting(watch.after));
            future.await
        }
    }
}
