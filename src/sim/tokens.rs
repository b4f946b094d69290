//! The simulator's bearer tokens: shaped like Odin's JWTs (API.md §2), `base64url(header)
//! .base64url(payload).signature` with `sub`, `iat` and `exp` (seconds since the epoch) in
//! the payload, each valid for the token lifetime from its issue.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

/// How long an expired token is still recognised as one (and not as unknown).
const REMEMBERED: Duration = Duration::from_secs(3600);

/// What a presented token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Issued here and not expired.
    Live,
    /// Issued here, expired.
    Expired,
    /// Never issued here (or expired long ago).
    Unknown,
}

/// Tokens issued, with when each expires.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    expiry: Mutex<HashMap<String, Instant>>,
}

impl Tokens {
    /// A new token for `subject`, valid for `ttl` from now; `signature` makes it unique.
    /// Its `exp − iat` is `ttl` in whole seconds, and its `exp` is never after the instant
    /// it stops being accepted.
    pub fn issue(&self, subject: &str, ttl: Duration, signature: u128) -> String {
        let now = Instant::now();
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let iat = wall.as_secs();
        let exp = iat + ttl.as_secs();
        let part = |value: serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
        let token = format!(
            "{}.{}.{}",
            part(json!({"alg": "HS256", "typ": "JWT"})),
            part(json!({"sub": subject, "iat": iat, "exp": exp})),
            URL_SAFE_NO_PAD.encode(signature.to_be_bytes())
        );
        let mut expiry = self.expiry.lock().unwrap_or_else(|e| e.into_inner());
        expiry.retain(|_, expires| *expires + REMEMBERED > now);
        expiry.insert(token.clone(), now + ttl);
        token
    }

    /// What `token` is at `now`.
    pub fn check(&self, token: &str, now: Instant) -> Check {
        let expiry = self.expiry.lock().unwrap_or_else(|e| e.into_inner());
        match expiry.get(token) {
            Some(expires) if *expires > now => Check::Live,
            Some(_) => Check::Expired,
            None => Check::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_jwts_that_expire() {
        let tokens = Tokens::default();
        let token = tokens.issue("admin", Duration::from_secs(2), 7);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(payload["sub"], "admin");
        let (iat, exp) = (
            payload["iat"].as_u64().unwrap(),
            payload["exp"].as_u64().unwrap(),
        );
        assert_eq!(exp - iat, 2);
        let now = Instant::now();
        assert_eq!(tokens.check(&token, now), Check::Live);
        assert_eq!(
            tokens.check(&token, now + Duration::from_secs(3)),
            Check::Expired
        );
        assert_eq!(tokens.check("nope", now), Check::Unknown);
        assert_ne!(token, tokens.issue("admin", Duration::from_secs(2), 8));
    }
}
