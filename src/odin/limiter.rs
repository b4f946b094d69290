//! One rate limiter shared by every request (reads, writes, logins): governor's GCRA at the
//! effective rate, which halves on a 429 (and pauses everyone for its `Retry-After`) and
//! recovers by a tenth of the configured rate per quiet second.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota};

const MIN_RATE: f64 = 0.5;

/// The shared limiter.
#[derive(Debug)]
pub struct RateLimiter {
    max: f64,
    gcra: RwLock<Arc<DefaultDirectRateLimiter>>,
    state: Mutex<Adapt>,
}

#[derive(Debug)]
struct Adapt {
    current: f64,
    pause_until: Option<Instant>,
    last_change: Instant,
}

fn gcra(rate: f64) -> Arc<DefaultDirectRateLimiter> {
    // Burst 1: requests are spaced evenly, so no one-second window sees more than the rate.
    let period = Duration::from_secs_f64(1.0 / rate.max(MIN_RATE));
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    Arc::new(DefaultDirectRateLimiter::direct(quota))
}

impl RateLimiter {
    /// A limiter of `rate` requests per second.
    pub fn new(rate: f64) -> RateLimiter {
        let rate = rate.max(MIN_RATE);
        RateLimiter {
            max: rate,
            gcra: RwLock::new(gcra(rate)),
            state: Mutex::new(Adapt {
                current: rate,
                pause_until: None,
                last_change: Instant::now(),
            }),
        }
    }

    /// Wait for the right to send one request.
    pub async fn acquire(&self) {
        let pause = {
            let now = Instant::now();
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(rate) = self.recover(&mut state, now) {
                self.replace(rate);
            }
            state.pause_until.filter(|until| *until > now)
        };
        if let Some(until) = pause {
            tokio::time::sleep_until(until.into()).await;
        }
        let limiter = self
            .gcra
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|e| e.into_inner().clone());
        limiter.until_ready().await;
    }

    /// Odin answered 429: halve the rate and hold every request for `retry_after`.
    pub fn throttled(&self, retry_after: Option<Duration>) {
        let wait = retry_after.unwrap_or(Duration::from_secs(1));
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.pause_until = Some(state.pause_until.map_or(now + wait, |u| u.max(now + wait)));
        // Several workers may see the same burst of 429s; halve once per burst.
        if now.duration_since(state.last_change) >= Duration::from_millis(500)
            || state.current == self.max
        {
            state.current = (state.current / 2.0).max(MIN_RATE);
            state.last_change = now;
            self.replace(state.current);
        }
    }

    /// The effective rate now.
    pub fn current_rate(&self) -> f64 {
        self.state.lock().map(|s| s.current).unwrap_or(self.max)
    }

    /// The raised rate, if a recovery step is due: below the configured rate, no pause in
    /// force, and a quiet second since the last change.
    fn recover(&self, state: &mut Adapt, now: Instant) -> Option<f64> {
        let due = state.current < self.max
            && state.pause_until.is_none_or(|until| until <= now)
            && now.duration_since(state.last_change) >= Duration::from_secs(1);
        if !due {
            return None;
        }
        state.current = (state.current + self.max / 10.0).min(self.max);
        state.last_change = now;
        Some(state.current)
    }

    fn replace(&self, rate: f64) {
        let mut slot = self.gcra.write().unwrap_or_else(|e| e.into_inner());
        *slot = gcra(rate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_on_429_and_recovers_in_tenths() {
        let limiter = RateLimiter::new(20.0);
        limiter.throttled(Some(Duration::from_millis(1)));
        assert_eq!(limiter.current_rate(), 10.0);
        // A second 429 of the same burst does not halve again.
        limiter.throttled(Some(Duration::from_millis(1)));
        assert_eq!(limiter.current_rate(), 10.0);
        let mut state = limiter.state.lock().unwrap();
        let now = Instant::now();
        assert_eq!(
            limiter.recover(&mut state, now),
            None,
            "paused, and changed just now"
        );
        state.pause_until = None;
        state.last_change = now - Duration::from_secs(2);
        assert_eq!(limiter.recover(&mut state, now), Some(12.0));
        assert_eq!(
            limiter.recover(&mut state, now),
            None,
            "one step per quiet second"
        );
        state.current = 19.5;
        state.last_change = now - Duration::from_secs(2);
        assert_eq!(
            limiter.recover(&mut state, now),
            Some(20.0),
            "never past the configured rate"
        );
    }

    #[tokio::test]
    async fn spaces_requests_at_the_rate() {
        let limiter = RateLimiter::new(50.0);
        let start = Instant::now();
        for _ in 0..6 {
            limiter.acquire().await;
        }
        // Six requests at 50/s need at least five 20 ms gaps.
        assert!(start.elapsed() >= Duration::from_millis(95));
    }
}
