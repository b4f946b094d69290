//! What can go wrong talking to Odin, and which of it is worth another try.

use std::time::Duration;

use serde_json::Value;

/// A failed Odin request (after retries, when it was worth retrying).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OdinError {
    /// No connection could be made.
    #[error("cannot reach Odin: {0}")]
    Unreachable(String),
    /// No answer in time: the request (`POST https://HOST/api/v2/auth/token`) and the time
    /// it was given (`--timeout`).
    #[error("timed out after {} s waiting for Odin's answer to `{request}`", after.as_secs_f64())]
    Timeout {
        /// The request: its method and URL without the query (`POST https://HOST/api/v2/auth/token`).
        request: String,
        /// The time allowed.
        after: Duration,
    },
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
    /// A 3xx: never followed, so that the password and tokens go only to the target's own
    /// scheme, host and port. `target` is what the location stands for as a `--target`.
    #[error(
        "`{request}` answered HTTP {status}, a redirect to `{location}`; sleipnir follows no \
         redirect (the password and tokens go only to the target). If that is the right Odin \
         server, use it as the target: --target {target}"
    )]
    Redirected {
        /// The request redirected.
        request: String,
        /// The 3xx status.
        status: u16,
        /// The `Location`, made absolute.
        location: String,
        /// The location without the path below the target.
        target: String,
    },
    /// A 2xx whose body is not JSON: a login page or a proxy in front of Odin. For a write,
    /// the write may have landed.
    #[error(
        "`{request}` answered HTTP {status} with {}, not Odin's JSON: a login page or proxy \
         in front of Odin?",
        what_came(content_type, title.as_deref())
    )]
    NotOdin {
        /// The request.
        request: String,
        /// The status.
        status: u16,
        /// Its `Content-Type`, or `none`.
        content_type: String,
        /// An HTML page's `<title>`.
        title: Option<String>,
    },
    /// A 404 (or 405) to the login: the target is not Odin's API base URL.
    #[error(
        "`{request}` answered HTTP {status} ({details}): `{target}` does not look like Odin's \
         API; the target is the API's base URL, e.g. https://HOST/api/v2"
    )]
    WrongTarget {
        /// The login request.
        request: String,
        /// 404 or 405.
        status: u16,
        /// What the server said.
        details: String,
        /// The target given.
        target: String,
    },
    /// A write of several requests that sent some and not the rest (a deleted user
    /// re-created without all it had): what was done and what was not, with Odin's answers.
    #[error("{0}")]
    Incomplete(String),
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
            OdinError::Unreachable(_) | OdinError::Timeout { .. } | OdinError::Dropped => true,
            OdinError::Http { status, .. } => matches!(status, 408 | 429 | 502 | 503 | 504),
            OdinError::LoginRefused(_)
            | OdinError::PasswordExpired { .. }
            | OdinError::Decode(_)
            | OdinError::NotSent(_)
            | OdinError::Incomplete(_)
            | OdinError::Redirected { .. }
            | OdinError::NotOdin { .. }
            | OdinError::WrongTarget { .. }
            | OdinError::TooLongWait { .. } => false,
        }
    }

    /// Whether the run stops starting users after this answer, to be continued with
    /// `--resume`: Odin asked for a pause past `--max-wait`, or a request was redirected
    /// (never followed; every request after it would be too).
    pub fn pauses_run(&self) -> bool {
        matches!(
            self,
            OdinError::TooLongWait { .. } | OdinError::Redirected { .. }
        )
    }

    /// Whether a write that ended so may have landed all the same: its connection dropped
    /// or timed out after it was sent, or something other than Odin answered it. Such a
    /// write is checked with a read before it is called failed.
    pub fn may_have_landed(&self) -> bool {
        matches!(
            self,
            OdinError::Dropped | OdinError::Timeout { .. } | OdinError::NotOdin { .. }
        )
    }

    /// Whether Odin refused the admin's login itself (wrong credentials, or an expired
    /// password): trying again cannot help.
    pub fn is_refused_login(&self) -> bool {
        matches!(
            self,
            OdinError::LoginRefused(_) | OdinError::PasswordExpired { .. }
        )
    }

    /// The HTTP status, when a request was answered (not a login Odin refused): Odin's
    /// error status, or the status of an answer that is not Odin's (a redirect, a page).
    pub fn status(&self) -> Option<u16> {
        match self {
            OdinError::Http { status, .. }
            | OdinError::Redirected { status, .. }
            | OdinError::NotOdin { status, .. }
            | OdinError::WrongTarget { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The error a failed exchange with Odin amounts to: `request` sent with `timeout`.
    pub(super) fn from_transport(
        error: &reqwest::Error,
        request: &super::answer::RequestLine,
        timeout: Duration,
    ) -> OdinError {
        if error.is_timeout() {
            OdinError::Timeout {
                request: request.to_string(),
                after: timeout,
            }
        } else if error.is_connect() {
            // reqwest's message names the URL, never headers: no token can leak here.
            OdinError::Unreachable(source_chain(error))
        } else {
            OdinError::Dropped
        }
    }
}

/// What a 2xx that is not JSON held: `a web page (text/html, title `Sign in`)`, or `a body
/// of type `text/plain``.
fn what_came(content_type: &str, title: Option<&str>) -> String {
    let page = content_type.to_ascii_lowercase().starts_with("text/html") || title.is_some();
    match (page, title) {
        (true, Some(title)) => format!("a web page ({content_type}, title `{title}`)"),
        (true, None) => format!("a web page ({content_type})"),
        (false, _) => format!("a body of type `{content_type}`"),
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
