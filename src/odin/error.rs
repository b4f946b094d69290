//! What can go wrong talking to Odin, and which of it is worth another try.

use std::time::Duration;

use serde_json::Value;

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
        /// The status code, from the response's status line.
        status: u16,
        /// Odin's message: its error body's `details`, else `error`, else `message`, else
        /// the body text (API.md §1).
        details: String,
        /// The `Retry-After` it asked for.
        retry_after: Option<Duration>,
    },
    /// The login was refused (401 or 403 to `POST /auth/token`); Odin's message.
    #[error("login refused: {0}")]
    LoginRefused(String),
    /// Odin answered 402 to the login: the admin's own password has expired and must be
    /// changed before any login succeeds (API.md §2). sleipnir never changes it.
    #[error(
        "Odin answered 402 to the login of `{username}`: that admin's Odin password has expired; \
         change it in Odin first (sleipnir never changes it). Odin said: {details}"
    )]
    PasswordExpired {
        /// The admin's user name (never the password).
        username: String,
        /// Odin's message.
        details: String,
    },
    /// sleipnir did not send the request: it had no value to send (a credential a plan file
    /// holds only as `********`).
    #[error("not sent: {0}")]
    NotSent(String),
    /// A 2xx whose body is not the JSON expected.
    #[error("unexpected response from Odin: {0}")]
    Decode(String),
    /// Odin asked for a pause (`Retry-After` of a 429 or 503, or 429s that add up) longer
    /// than `--max-wait`: the request was not sent again. Not a failure of the step: the
    /// run stops starting users and `--resume` continues it later.
    #[error(
        "Odin asked to wait {} s, longer than --max-wait {} s ({details})",
        asked.as_secs(),
        bound.as_secs()
    )]
    TooLongWait {
        /// The pause asked for (the last one).
        asked: Duration,
        /// `--max-wait`.
        bound: Duration,
        /// The answer that asked for it.
        details: String,
    },
}

impl OdinError {
    /// Whether another attempt may succeed: 408, 429, 502, 503, 504, timeouts, and broken
    /// connections. Writes are retried too: a PUT of the same values is idempotent.
    pub fn retryable(&self) -> bool {
        match self {
            OdinError::Unreachable(_) | OdinError::Timeout | OdinError::Dropped => true,
            OdinError::Http { status, .. } => matches!(status, 408 | 429 | 502 | 503 | 504),
            OdinError::LoginRefused(_)
            | OdinError::PasswordExpired { .. }
            | OdinError::Decode(_)
            | OdinError::NotSent(_)
            | OdinError::TooLongWait { .. } => false,
        }
    }

    /// Whether Odin refused the admin's login itself (wrong credentials, or an expired
    /// password): trying again cannot help.
    pub fn is_refused_login(&self) -> bool {
        matches!(
            self,
            OdinError::LoginRefused(_) | OdinError::PasswordExpired { .. }
        )
    }

    /// The HTTP status, when Odin answered a request (not a login it refused).
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

/// The longest body text kept as a message, in characters.
const BODY_TEXT_LIMIT: usize = 300;

/// The message of an error answer (API.md §1): the error body's `details`, else its
/// `error`, else its `message` (the first that holds text), else the body itself, trimmed
/// and cut to 300 characters; an empty body gives the status's reason phrase (`reason`).
/// Odin's own front end shows `error` and never reads `details`; odins_spear reads all
/// three, so a body may put the text in any of them.
pub(super) fn message_of(body: &[u8], reason: &str) -> String {
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) {
        let text = ["details", "error", "message"]
            .iter()
            .filter_map(|key| match object.get(*key)? {
                Value::String(text) => Some(text.trim().to_string()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .find(|text| !text.is_empty());
        if let Some(text) = text {
            return text;
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        reason.to_string()
    } else {
        text.chars().take(BODY_TEXT_LIMIT).collect()
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

#[cfg(test)]
mod tests {
    use super::message_of;

    #[test]
    fn the_message_is_details_else_error_else_message_else_the_body() {
        let cases = [
            (
                r#"{"status": 400, "error": "Bad Request", "details": "unknown service `X`"}"#,
                "unknown service `X`",
            ),
            (
                r#"{"status": 403, "error": "token expired"}"#,
                "token expired",
            ),
            (
                r#"{"status": 400, "error": "", "details": "  ", "message": "no such user"}"#,
                "no such user",
            ),
            (
                r#"{"error": null, "details": {"field": "extension"}}"#,
                r#"{"field":"extension"}"#,
            ),
            (r#"{"status": 500}"#, r#"{"status": 500}"#),
            ("  <html>Bad gateway</html>\n", "<html>Bad gateway</html>"),
            (r#""just a JSON string""#, r#""just a JSON string""#),
            ("", "Service Unavailable"),
        ];
        for (body, message) in cases {
            assert_eq!(
                message_of(body.as_bytes(), "Service Unavailable"),
                message,
                "{body}"
            );
        }
        let long = "x".repeat(1000);
        assert_eq!(message_of(long.as_bytes(), "").len(), 300);
    }
}
