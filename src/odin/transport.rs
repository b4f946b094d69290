//! Requests to Odin: every one through the shared limiter, counted by kind, retried with
//! exponential backoff and jitter when worth it.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use rand::RngExt;
use serde_json::{Value, json};

pub use super::counters::RequestCounts;
pub(super) use super::counters::{Counters, Kind};
use super::secrets::Secrets;
use super::token::{Issued, Token};
use super::wait::WaitWatch;
use super::{Credentials, OdinError, RateLimiter};

/// How to reach Odin.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The base URL, e.g. `https://odin.example.net/api/v2`.
    pub base_url: String,
    /// Requests per second, all requests counted.
    pub rate: f64,
    /// Retries after the first attempt of a request worth retrying.
    pub retries: u32,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request.
    pub request_timeout: Duration,
    /// The longest pause Odin may ask for (`Retry-After` of a 429 or 503), and the longest
    /// one request waits on 429s in all; past it the request ends with
    /// [`OdinError::TooLongWait`] rather than wait.
    pub max_wait: Duration,
    /// Told of each request that waits long for its answer (the command line prints it).
    pub watch: Option<WaitWatch>,
    /// The requests it may send at most (a daily budget), beside the rate: each request
    /// takes one after the limiter's wait; one refused is not sent, and its call ends with
    /// [`OdinError::NotSent`].
    pub allowance: Option<std::sync::Arc<dyn super::Allowance>>,
}

impl ClientConfig {
    /// Defaults for `base_url`: 5 requests/s (what admins use today), 5 retries, 10 s to
    /// connect, 30 s per request, pauses of up to 10 minutes.
    pub fn new(base_url: impl Into<String>) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            rate: 5.0,
            retries: 5,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_wait: DEFAULT_MAX_WAIT,
            watch: None,
            allowance: None,
        }
    }
}

/// The default [`ClientConfig::max_wait`]: 10 minutes.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(600);

/// The outcome of one logical request, however many attempts it took: its body as JSON
/// (`T = Value`), or as the bytes Odin sent (`T = Bytes`, for a caller that reads a large
/// answer into its own shape without building every value of it).
#[derive(Debug)]
pub struct Call<T = Value> {
    /// The last HTTP status received, if any.
    pub status: Option<u16>,
    /// Attempts made (1 when it went through first time).
    pub attempts: u32,
    /// The response body, or why there is none.
    pub result: Result<T, OdinError>,
}

impl Call<Bytes> {
    /// The body read as JSON; a body that is not JSON is [`OdinError::Decode`] (with no
    /// status, as nothing usable was answered).
    pub fn json(self) -> Call {
        self.decode(|bytes| serde_json::from_slice(bytes))
    }

    /// The body read by `decode` (e.g. `serde_json::from_slice` into a shape of the
    /// caller's); a failure is [`OdinError::Decode`].
    pub fn decode<T>(self, decode: impl FnOnce(&[u8]) -> Result<T, serde_json::Error>) -> Call<T> {
        match self.result {
            Ok(bytes) => match decode(&bytes) {
                Ok(value) => Call {
                    status: self.status,
                    attempts: self.attempts,
                    result: Ok(value),
                },
                Err(error) => Call {
                    status: None,
                    attempts: self.attempts,
                    result: Err(OdinError::Decode(error.to_string())),
                },
            },
            Err(error) => Call {
                status: self.status,
                attempts: self.attempts,
                result: Err(error),
            },
        }
    }
}

/// Sending with limiter, counters and retries; shared by data requests, logins and refreshes.
#[derive(Debug)]
pub(super) struct Transport {
    pub http: reqwest::Client,
    pub config: ClientConfig,
    pub limiter: RateLimiter,
    pub counters: Counters,
    /// The password and every token held: removed from any error text Odin sends.
    pub secrets: Secrets,
}

/// A login's answer: the token, and the rest of the answer (the admin's details, API.md §2)
/// with the token removed, so that it can be shown without showing a secret. No `Debug`: it
/// holds the token.
pub(super) struct Login {
    pub issued: Issued,
    pub answer: Value,
}

impl Transport {
    /// `POST /auth/token`; a 401 or 403 is a refused login, a 402 an expired password, a
    /// 404 or 405 a target that is not Odin's API base URL.
    pub(super) async fn login(
        &self,
        credentials: &Credentials,
        retry_unreachable: bool,
    ) -> Result<Login, OdinError> {
        let url = format!("{}/auth/token", self.config.base_url);
        self.secrets.add(credentials.password());
        let body = json!({"username": credentials.username, "password": credentials.password()});
        let sent = Mutex::new(None);
        let prepare = || {
            stamp(&sent);
            std::future::ready(Ok(self.http.post(&url).json(&body)))
        };
        match self
            .retrying(prepare, retry_unreachable, Kind::Login, "")
            .await
            .json()
            .result
        {
            Ok(mut answer) => {
                let issued = issued(&answer, sent)?;
                self.secrets.add(&issued.value);
                if let Some(answer) = answer.as_object_mut() {
                    answer.remove("token");
                }
                Ok(Login { issued, answer })
            }
            Err(OdinError::Http {
                status: 401 | 403,
                details,
                ..
            }) => Err(OdinError::LoginRefused(details)),
            Err(OdinError::Http {
                status: 402,
                details,
                ..
            }) => Err(OdinError::PasswordExpired {
                username: credentials.username.clone(),
                details,
            }),
            Err(OdinError::Http {
                status: status @ (404 | 405),
                details,
                ..
            }) => Err(OdinError::WrongTarget {
                request: format!("POST {url}"),
                status,
                details,
                target: self.config.base_url.clone(),
            }),
            Err(other) => Err(other),
        }
    }

    /// `PUT /auth/token` with `token`, which must still be valid (API.md §2): a new token, or
    /// `None` when `token` came too near its expiry before its turn to be sent (nothing sent).
    pub(super) async fn refresh(&self, token: &Token) -> Result<Option<Issued>, OdinError> {
        let url = format!("{}/auth/token", self.config.base_url);
        let sent = Mutex::new(None);
        let prepare = || {
            // Decided after the limiter wait: a token that came too near its expiry while
            // the refresh waited its turn is not sent to be refused; the caller logs in,
            // one request instead of two.
            if token.too_late_to_refresh(Instant::now()) {
                return std::future::ready(Err(OdinError::Unreachable(
                    "the token expired before its refresh could be sent".into(),
                )));
            }
            stamp(&sent);
            std::future::ready(Ok(self.http.put(&url).bearer_auth(token.value())))
        };
        let call = self.retrying(prepare, true, Kind::Login, "").await.json();
        if call.attempts == 0 {
            return Ok(None);
        }
        let issued = issued(&call.result?, sent)?;
        self.secrets.add(&issued.value);
        Ok(Some(issued))
    }

    /// Send the request `prepare` makes, again (freshly made) while the failure is worth
    /// retrying and retries remain: exponential backoff with jitter, at least `Retry-After`.
    /// `prepare` runs after each attempt's limiter wait, right before the request is sent
    /// (so a token it picks has not aged in the queue); its failure ends the call, sending
    /// nothing. Without `retry_unreachable` (the first login), a target that cannot be
    /// reached or does not answer in time is reported at once. A 429 slows the shared limiter and does not use up `--retries`: Odin said
    /// when to come back, which is not a failure. Waiting is bounded by time, not by a count
    /// of waits: a `Retry-After` longer than [`ClientConfig::max_wait`], or 429s whose waits
    /// add up past it, end the call with [`OdinError::TooLongWait`] at once (the run stops
    /// starting users and can be resumed). `attempts` counts the requests sent.
    pub(super) async fn retrying<F, Fut>(
        &self,
        prepare: F,
        retry_unreachable: bool,
        kind: Kind,
        subject: &str,
    ) -> Call<Bytes>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<reqwest::RequestBuilder, OdinError>>,
    {
        let mut attempts = 0;
        let mut failures = 0;
        let mut waited = Duration::ZERO;
        loop {
            self.limiter.acquire().await;
            if let Some(allowance) = &self.config.allowance
                && !allowance.take_one()
            {
                return Call {
                    status: None,
                    attempts,
                    result: Err(OdinError::NotSent(allowance.refusal())),
                };
            }
            let request = match prepare().await {
                Ok(request) => request,
                Err(error) => {
                    return Call {
                        status: error.status(),
                        attempts,
                        result: Err(error),
                    };
                }
            };
            attempts += 1;
            let tries = retry_unreachable.then_some(self.config.retries + 1);
            let result = self.send(request, kind, (attempts, tries)).await;
            let status = match &result {
                Ok(_) => Some(200),
                Err(error) => error.status(),
            };
            let error = match result {
                Ok(value) => {
                    return Call {
                        status,
                        attempts,
                        result: Ok(value),
                    };
                }
                Err(error) => error,
            };
            let worth_it = error.retryable()
                && (retry_unreachable
                    || !matches!(error, OdinError::Unreachable(_) | OdinError::Timeout { .. }));
            let throttled = error.status() == Some(429);
            if throttled {
                // Every answer of 429 is counted, the last one that ends the call too.
                self.counters.throttled();
            } else {
                failures += 1;
            }
            if !worth_it || failures > self.config.retries {
                return Call {
                    status,
                    attempts,
                    result: Err(error),
                };
            }
            let asked = match &error {
                OdinError::Http { retry_after, .. } => retry_after.unwrap_or_default(),
                _ => Duration::ZERO,
            };
            let bound = self.config.max_wait;
            if asked > bound || (throttled && waited + asked > bound) {
                tracing::warn!(?asked, ?bound, "Odin asked for a pause past --max-wait");
                return Call {
                    status,
                    attempts,
                    result: Err(OdinError::TooLongWait {
                        asked,
                        bound,
                        details: error.to_string(),
                    }),
                };
            }
            if throttled {
                waited += asked.max(Duration::from_millis(250));
            }
            self.counters.retried();
            tracing::debug!(subject, attempt = attempts, %error, "retrying");
            let retry_after = match &error {
                OdinError::Http {
                    status: 429,
                    retry_after,
                    ..
                } => {
                    self.limiter.throttled(*retry_after);
                    tracing::warn!(
                        rate = self.limiter.current_rate(),
                        "Odin answered 429; slowing down"
                    );
                    *retry_after
                }
                OdinError::Http { retry_after, .. } => *retry_after,
                _ => None,
            };
            let backoff = backoff(failures.max(1));
            tokio::time::sleep(backoff.max(retry_after.unwrap_or_default())).await;
        }
    }
}

/// When the last attempt of a login or refresh went out, by both clocks.
type Sent = Mutex<Option<(Instant, SystemTime)>>;

/// Note that a login or refresh goes out now.
fn stamp(sent: &Sent) {
    let mut sent = sent.lock().unwrap_or_else(|e| e.into_inner());
    *sent = Some((Instant::now(), SystemTime::now()));
}

/// The token of a login or refresh answer, stamped with when its request went out.
fn issued(answer: &Value, sent: Sent) -> Result<Issued, OdinError> {
    let value = answer["token"]
        .as_str()
        .filter(|token| !token.is_empty())
        .ok_or_else(|| OdinError::Decode("no `token` in the login response".into()))?;
    let (sent, wall) = sent
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_else(|| (Instant::now(), SystemTime::now()));
    Ok(Issued {
        value: value.to_string(),
        sent,
        wall,
    })
}

/// How many times one request renews a refused token before giving up.
pub const TOKEN_RENEWALS: u32 = 3;

/// Exponential backoff with jitter: 250 ms, 500 ms, 1 s, … capped at 8 s, each drawn from its
/// upper half so that workers retrying together spread out.
pub(super) fn backoff(retry: u32) -> Duration {
    let ceiling = Duration::from_millis(250).saturating_mul(1 << retry.saturating_sub(1).min(5));
    let ceiling = ceiling.min(Duration::from_secs(8));
    let factor = rand::rng().random_range(0.5..=1.0);
    ceiling.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        for retry in 1..12 {
            let d = super::backoff(retry);
            let ceiling = (250u64 << (retry - 1).min(5)).min(8000);
            assert!(
                d.as_millis() as u64 <= ceiling && d.as_millis() as u64 >= ceiling / 2 - 1,
                "{retry}: {d:?}"
            );
        }
    }
}
