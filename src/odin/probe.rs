//! Requests that ask Odin how it behaves rather than for data, for `sleipnir check`: the
//! admin's session, and how a token Odin cannot accept is answered (API.md §1, §2).
//!
//! Both go through the shared limiter and are counted like every other request.

use serde_json::Value;

use super::transport::{Call, Kind, backoff};
use super::{OdinClient, OdinError};

/// A token shaped like a JWT (header, payload, signature) that no Odin issued: its payload
/// says `{"sub":"sleipnir-check","iat":1000000000,"exp":1000003600}` (expired in 2001), its
/// signature is not one. Sent only by [`OdinClient::probe_refused_token`].
const INVALID_TOKEN: &str = concat!(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    ".eyJzdWIiOiJzbGVpcG5pci1jaGVjayIsImlhdCI6MTAwMDAwMDAwMCwiZXhwIjoxMDAwMDAzNjAwfQ",
    ".bm90LWEtc2lnbmF0dXJlLXNsZWlwbmlyLWNoZWNr",
);

/// What Odin answered to a request it should refuse, as it came.
#[derive(Debug, Clone, PartialEq)]
pub struct RawAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body as JSON; `Value::String` with the text (at most 300 characters) when it is
    /// not JSON, `Value::Null` when it is empty.
    pub body: Value,
}

impl OdinClient {
    /// `GET /auth/session` with the client's own token: the logged-in admin's details
    /// (`softwareVersion`, `loginType`, `readOnly`, …; API.md §2). Counted as a read, with
    /// the same retries and token renewal as any read.
    pub async fn session(&self) -> Call {
        self.call(Kind::UserRead, "/auth/session", &[], None).await
    }

    /// `GET /auth/session` with a deliberately invalid JWT-shaped token: the status (401 or
    /// 403 are expected; API.md §2) and the error body as they came, so the caller can see
    /// which key holds the text (API.md §1). Nothing is renewed; 429 and 502/503/504 are
    /// waited out and sent again like any request (up to `--retries` times).
    ///
    /// Errors: [`OdinError::Unreachable`], [`OdinError::Timeout`] or [`OdinError::Dropped`]
    /// when no answer came.
    pub async fn probe_refused_token(&self) -> Result<RawAnswer, OdinError> {
        let transport = &self.transport;
        let url = format!("{}/auth/session", transport.config.base_url);
        let mut failures = 0;
        loop {
            transport.limiter.acquire().await;
            transport.counters.sent(Kind::UserRead);
            let line = super::answer::RequestLine {
                method: "GET".into(),
                url: url.clone(),
            };
            let timeout = transport.config.request_timeout;
            let response = transport
                .http
                .get(&url)
                .bearer_auth(INVALID_TOKEN)
                .send()
                .await
                .map_err(|e| OdinError::from_transport(&e, &line, timeout))?;
            let status = response.status().as_u16();
            let retry_after =
                super::attempt::retry_after(response.headers(), std::time::SystemTime::now());
            let bytes = response
                .bytes()
                .await
                .map_err(|e| OdinError::from_transport(&e, &line, timeout))?;
            if status == 429 {
                transport.counters.throttled();
            }
            let transient = matches!(status, 429 | 502 | 503 | 504);
            if transient && failures < transport.config.retries {
                failures += 1;
                transport.counters.retried();
                if status == 429 {
                    transport.limiter.throttled(retry_after);
                }
                let wait = backoff(failures).max(retry_after.unwrap_or_default());
                tokio::time::sleep(wait).await;
                continue;
            }
            let text = transport.secrets.redact(&String::from_utf8_lossy(&bytes));
            return Ok(RawAnswer {
                status,
                body: body_of(text.as_bytes()),
            });
        }
    }
}

/// The body as JSON, else its text (cut to 300 characters), else null.
fn body_of(bytes: &[u8]) -> Value {
    if let Ok(value) = serde_json::from_slice(bytes) {
        return value;
    }
    let text = String::from_utf8_lossy(bytes).trim().to_string();
    if text.is_empty() {
        Value::Null
    } else {
        Value::String(text.chars().take(300).collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn bodies_are_json_else_text_else_null() {
        assert_eq!(super::body_of(br#"{"error":"x"}"#), json!({"error": "x"}));
        assert_eq!(super::body_of(b" Forbidden \n"), json!("Forbidden"));
        assert_eq!(super::body_of(b""), serde_json::Value::Null);
    }

    #[test]
    fn the_invalid_token_is_shaped_like_a_jwt() {
        let parts: Vec<&str> = super::INVALID_TOKEN.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }));
    }
}
