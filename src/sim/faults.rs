//! Injected faults: latency with jitter, a server-side rate limit, 503s before writes and
//! dropped connections after them. All off by default; all drawn from one seeded stream.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Which faults to inject.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultConfig {
    /// Added to every request.
    pub latency: Duration,
    /// Up to this much more, uniformly drawn.
    pub jitter: Duration,
    /// Requests per second over a sliding one-second window; past it, 429 with `Retry-After`.
    pub rate_limit: Option<u32>,
    /// Probability of a 503 before a write (a PUT, POST or DELETE of Odin data) changes
    /// anything.
    pub fail_rate: f64,
    /// Probability that a write (PUT, POST or DELETE) succeeds and its connection is then
    /// dropped unanswered.
    pub drop_rate: f64,
    /// Answer 404 to the `/bulk` group reads (API.md §7a) and to the bulk writes (§10), as a
    /// server without the `/bulk` paths would.
    pub no_bulk_reads: bool,
    /// Answer 405 to every bulk write (API.md §10), as a server whose `/bulk` paths serve
    /// only GET would; the reads keep working.
    pub no_bulk_writes: bool,
    /// Send `Retry-After` as an HTTP date rather than seconds (RFC 9110 allows both).
    pub retry_after_date: bool,
    /// The pause a 429 asks for, instead of the time until the window has room (a server
    /// that asks for minutes).
    pub retry_after: Option<Duration>,
    /// Users whose settings writes (`PUT /users/services/settings`) are answered 400,
    /// changing nothing: a refusal no read foretells, as a real Odin's rules refuse a value
    /// (tests change the list while the simulator runs, [`super::Simulator::refuse_settings_of`]).
    pub refuse_settings_of: Vec<String>,
    /// Answer every Odin request (the login included) with this redirect status (301, 302,
    /// 303, 307 or 308) instead of serving it.
    pub redirect: Option<u16>,
    /// The base URL a redirect points to: its `Location` is this URL followed by the
    /// request's path below `/api/v2` and its query (another port, or an `http://` URL as
    /// an https server turning to http would).
    pub redirect_to: String,
    /// Redirect only the requests after the login (the `/auth/` paths are served): a
    /// session whose later requests a proxy starts sending elsewhere.
    pub redirect_data_only: bool,
    /// Answer the reads (GETs other than the login's paths) of these users with a 200 HTML
    /// login page instead of Odin's JSON, as a proxy in front of Odin may; `*` for every
    /// read.
    pub html_reads: Vec<String>,
    /// Carry out the writes (PUTs) of these users, then answer them with that 200 HTML page
    /// instead of Odin's answer: the write landed, its answer is not Odin's. `*` for every
    /// write.
    pub html_writes: Vec<String>,
    /// Accept the login's connection and never answer it.
    pub hang_login: bool,
    /// Answer `POST /groups/dns` 200 and add nothing (API.md §12: its answer is never
    /// shown, only a read tells): a write taken that did not land.
    pub dns_adds_lost: bool,
}

/// The fault injector shared by all connections.
#[derive(Debug)]
pub(crate) struct Faults {
    config: FaultConfig,
    rng: Mutex<ChaCha8Rng>,
    admitted: Mutex<VecDeque<Instant>>,
    refused: Mutex<HashSet<String>>,
}

impl Faults {
    pub fn new(config: FaultConfig, seed: u64) -> Faults {
        Faults {
            refused: Mutex::new(config.refuse_settings_of.iter().cloned().collect()),
            config,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
            admitted: Mutex::new(VecDeque::new()),
        }
    }

    /// How long to hold this request.
    pub fn delay(&self) -> Duration {
        let jitter = self.config.jitter.as_secs_f64();
        if jitter == 0.0 {
            return self.config.latency;
        }
        let extra = self.with_rng(|rng| rng.random_range(0.0..jitter));
        self.config.latency + Duration::from_secs_f64(extra)
    }

    /// Admit a request arriving `now`, or say how long until one would be admitted.
    pub fn admit(&self, now: Instant) -> Result<(), Duration> {
        let Some(limit) = self.config.rate_limit else {
            return Ok(());
        };
        let mut admitted = self.admitted.lock().unwrap_or_else(|e| e.into_inner());
        while admitted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            admitted.pop_front();
        }
        if admitted.len() < limit as usize {
            admitted.push_back(now);
            return Ok(());
        }
        let oldest = admitted.front().copied().unwrap_or(now);
        Err(Duration::from_secs(1).saturating_sub(now.duration_since(oldest)))
    }

    /// Whether the settings writes of `user_id` are refused (see
    /// [`FaultConfig::refuse_settings_of`]).
    pub fn refuses_settings_of(&self, user_id: &str) -> bool {
        self.refused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(user_id)
    }

    /// Refuse the settings writes of `users` from now on, and no one else's.
    pub fn refuse_settings_of(&self, users: &[String]) {
        *self
            .refused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = users.iter().cloned().collect();
    }

    /// Whether to fail this write with a 503.
    pub fn fail_write(&self) -> bool {
        self.roll(self.config.fail_rate)
    }

    /// Whether to drop this write's connection after it succeeded.
    pub fn drop_write(&self) -> bool {
        self.roll(self.config.drop_rate)
    }

    /// A fresh token's signature: what makes it unique.
    pub fn token_signature(&self) -> u128 {
        self.with_rng(|rng| rng.random())
    }

    fn roll(&self, probability: f64) -> bool {
        probability > 0.0 && self.with_rng(|rng| rng.random_bool(probability.min(1.0)))
    }

    fn with_rng<T>(&self, draw: impl FnOnce(&mut ChaCha8Rng) -> T) -> T {
        // A panic elsewhere cannot leave a random generator inconsistent: keep using it.
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        draw(&mut rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_is_a_sliding_one_second_window() {
        let faults = Faults::new(
            FaultConfig {
                rate_limit: Some(2),
                ..FaultConfig::default()
            },
            1,
        );
        let start = Instant::now();
        assert!(faults.admit(start).is_ok());
        assert!(faults.admit(start + Duration::from_millis(400)).is_ok());
        let wait = faults
            .admit(start + Duration::from_millis(500))
            .unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(faults.admit(start + Duration::from_millis(1000)).is_ok());
    }

    #[test]
    fn off_by_default() {
        let faults = Faults::new(FaultConfig::default(), 1);
        assert_eq!(faults.delay(), Duration::ZERO);
        assert!(faults.admit(Instant::now()).is_ok());
        assert!(!(0..1000).any(|_| faults.fail_write() || faults.drop_write()));
    }

    #[test]
    fn seeded_draws_repeat() {
        let config = FaultConfig {
            fail_rate: 0.5,
            ..FaultConfig::default()
        };
        let a = Faults::new(config.clone(), 9);
        let b = Faults::new(config, 9);
        let draws_a: Vec<bool> = (0..64).map(|_| a.fail_write()).collect();
        let draws_b: Vec<bool> = (0..64).map(|_| b.fail_write()).collect();
        assert_eq!(draws_a, draws_b);
        assert!(draws_a.contains(&true) && draws_a.contains(&false));
    }
}
