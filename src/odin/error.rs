//! What can go wrong talking to Odin, and which of it is worth another try.

use std::time::Duration;

/// A failed Odin request (after retries, when it was worth retrying).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OdinError {
    /// No connection could be made.
    #[error("cannot reach Odin: {0}")]
    Unreachable(String),
    /// No answer in time.
    #[error("timed out waiting for Odin")]
    Timeout,
    /// The connection closed before a complete response: a write may or may not have happened.
    #[error("the connection dropped before Odin answered")]
    Dropped,
    /// Odin answered with an error status; `details` is its own message.
    #[error("HTTP {status}: {details}")]
    Http {
        /// The status code.
        status: u16,
        /// The `details` of Odin's error body, or the body text.
        details: String,
        /// The `Retry-After` it asked for.
        retry_after: Option<Duration>,
    },
    /// The login was refused.
    #[error("login refused: {0}")]
    LoginRefused(String),
    /// A 2xx whose body is not the JSON expected.
    #[error("unexpected response from Odin: {0}")]
    Decode(String),
}

impl OdinError {
    /// Whether another attempt may succeed: 408, 429, 502, 503, 504, timeouts, and broken
    /// connections. Writes are retried too: a PUT of the same values is idempotent.
    pub fn retryable(&self) -> bool {
        match self {
            OdinError::Unreachable(_) | OdinError::Timeout | OdinError::Dropped => true,
            OdinError::Http { status, .. } => matches!(status, 408 | 429 | 502 | 503 | 504),
            OdinError::LoginRefused(_) | OdinError::Decode(_) => false,
        }
    }

    /// The HTTP status, when Odin answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            OdinError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The error a failed exchange with Odin amounts to.
    pub fn from_transport(error: &reqwest::Error) -> OdinError {
        if error.is_timeout() {
            OdinError::Timeout
        } else if error.is_connect() {
            // reqwest's message names the URL, never headers: no token can leak here.
            OdinError::Unreachable(source_chain(error))
        } else {
            OdinError::Dropped
        }
    }
}

fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
