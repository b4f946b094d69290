//! The only code that speaks HTTP to Odin: login and token renewal (ahead of the JWT's
//! expiry, or after a refusal), the resource table, one shared rate limiter, retries with
//! backoff.

mod allowance;
mod answer;
mod attempt;
mod auth;
mod client;
mod counters;
mod error;
pub mod group;
mod limiter;
mod probe;
pub mod resources;
mod secrets;
mod token;
mod transport;
mod wait;

pub use allowance::Allowance;
pub use client::OdinClient;
pub use error::OdinError;
pub use limiter::RateLimiter;
pub use probe::RawAnswer;
pub use reqwest::Method;
pub use transport::{Call, ClientConfig, RequestCounts};
pub use wait::{WaitWatch, Waiting};

use std::fmt;

/// Make rustls use the ring crypto provider for this process; call before building any
/// reqwest client (ours is built without a bundled provider). Idempotent.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An Odin admin login. The password never appears in `Debug` output or messages.
#[derive(Clone)]
pub struct Credentials {
    /// The admin user name.
    pub username: String,
    password: String,
}

impl Credentials {
    /// A login from its parts.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }

    pub(crate) fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}
