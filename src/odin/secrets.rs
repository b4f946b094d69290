//! The secrets of a run — the admin's password and every token it has held — and their
//! removal from any text a server sends back. Odin (or a proxy before it) may echo a request
//! in its error text: a login refused with `… while handling {"password": "…"}`, a 503 with
//! the request's headers. Every error text passes through [`Secrets::redact`] where it
//! enters ([`super::transport`]), before anything prints, logs or stores it.

use std::sync::{PoisonError, RwLock};

/// What replaces a secret in server text.
pub const REDACTED: &str = "[redacted]";

/// The schemes of an `Authorization` value whose credential is removed wherever it appears.
const SCHEMES: [&str; 2] = ["Bearer ", "Basic "];

/// The password and the tokens of a run, shared by its requests. Its `Debug` shows how
/// many it holds, never one of them.
#[derive(Default)]
pub(crate) struct Secrets {
    known: RwLock<Vec<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self
            .known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        write!(f, "Secrets({count} held)")
    }
}

impl Secrets {
    /// Remember `secret` (and the forms a server may echo it in: escaped inside a JSON
    /// string, percent-encoded) so that [`Secrets::redact`] removes it.
    pub fn add(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut forms = vec![secret.to_string()];
        if let Ok(json) = serde_json::to_string(secret) {
            let escaped = json[1..json.len() - 1].to_string();
            // Escaped again, as a request echoed inside a JSON string is.
            if let Ok(twice) = serde_json::to_string(&escaped) {
                forms.push(twice[1..twice.len() - 1].to_string());
            }
            forms.push(escaped);
        }
        // Escaped as encoders that write `\u00e9` and `\u003c` for non-ASCII and `<>&'` do.
        forms.push(ascii_escaped(secret));
        forms.push(percent_encoded(secret));
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        for form in forms {
            if !known.contains(&form) {
                known.push(form);
            }
        }
        // Longest first, so that a secret inside another is not left half shown.
        known.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// `text` with every known secret, and the credential of any `Bearer`/`Basic`
    /// authorization in it, replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in self
            .known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        authorizations_removed(&text)
    }
}

/// Whether `text`, after `Bearer ` or `Basic `, is a word of prose (`missing bearer token`,
/// `Basic Authentication`) rather than a credential: letters only, all lower case or
/// capitalized, at most 24 of them. Tokens and `Basic` credentials are base64 or JWTs:
/// digits, mixed case, `.`, `=` or length give them away; a known secret is removed by
/// value whatever it looks like.
fn is_word(text: &str) -> bool {
    let mut letters = text.chars();
    let rest_lower = |mut rest: std::str::Chars<'_>| rest.all(|c| c.is_ascii_lowercase());
    text.len() <= 24
        && match letters.next() {
            Some(first) if first.is_ascii_alphabetic() => rest_lower(letters),
            _ => false,
        }
}

/// `text` with the credential after each `Bearer ` or `Basic ` (any case) replaced, unless
/// it is a word of prose ([`is_word`]).
fn authorizations_removed(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        let next = SCHEMES
            .iter()
            .filter_map(|scheme| {
                lower[at..]
                    .find(&scheme.to_ascii_lowercase())
                    .map(|i| (at + i, scheme.len()))
            })
            .min();
        let Some((start, len)) = next else {
            break;
        };
        let credential = start + len;
        let end = text[credential..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/=".contains(c)))
            .map_or(text.len(), |i| credential + i);
        out.push_str(&text[at..credential]);
        let candidate = &text[credential..end];
        // `Basic realm="Odin"`: a challenge's parameter, not a credential.
        let parameter =
            candidate.strip_suffix('=').is_some_and(is_word) && text[end..].starts_with('"');
        if end > credential && !is_word(candidate) && !parameter {
            out.push_str(REDACTED);
        } else {
            out.push_str(&text[credential..end]);
        }
        at = end;
    }
    out.push_str(&text[at.min(text.len())..]);
    out
}

/// `text` as a JSON string's content with every non-ASCII character and `<>&'` written as
/// `\uXXXX` (and `"`, `\` escaped).
fn ascii_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii() && !"<>&'".contains(c) && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// `text` percent-encoded as a form or query value would carry it.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_passwords_tokens_and_authorizations_are_removed() {
        let secrets = Secrets::default();
        secrets.add("pa\"ss w0rd");
        secrets.add("eyJhbGciOi.eyJzdWIi.c2ln");
        let echo = r#"internal error while handling {"password":"pa\"ss w0rd","username":"admin"}"#;
        assert_eq!(
            secrets.redact(echo),
            r#"internal error while handling {"password":"[redacted]","username":"admin"}"#
        );
        assert_eq!(secrets.redact("pw=pa%22ss%20w0rd&x=1"), "pw=[redacted]&x=1");
        // Echoed inside a JSON string (escaped twice in the raw body), or by an encoder
        // that escapes non-ASCII and HTML characters.
        let twice = r#"{"error":"while handling {\"password\":\"pa\\\"ss w0rd\"}"}"#;
        assert!(
            !secrets.redact(twice).contains("w0rd"),
            "{}",
            secrets.redact(twice)
        );
        secrets.add("Zoë<1>");
        assert_eq!(secrets.redact(r"pw Zo\u00eb\u003c1\u003e"), "pw [redacted]");
        assert_eq!(
            secrets.redact("token eyJhbGciOi.eyJzdWIi.c2ln expired"),
            "token [redacted] expired"
        );
        // Any authorization value, known or not.
        assert_eq!(
            secrets.redact(
                "headers: {authorization: bearer abc.DEF-123_x, basic: Basic YWRtaW46cw==}"
            ),
            "headers: {authorization: bearer [redacted], basic: Basic [redacted]}"
        );
        assert_eq!(secrets.redact("no secret here"), "no secret here");
        // Prose stays as the server wrote it: only values are secrets.
        for prose in [
            "missing bearer token",
            "Missing Bearer Token",
            "expected Basic authentication or a Bearer token",
            r#"WWW-Authenticate: Basic realm="Odin", Bearer error="invalid_token""#,
        ] {
            assert_eq!(secrets.redact(prose), prose);
        }
        assert_eq!(
            secrets.redact("Authorization: Bearer abcdefghij.klm"),
            "Authorization: Bearer [redacted]"
        );
        assert_eq!(secrets.redact("Basic dXNlcjpwYXNz"), "Basic [redacted]");
        assert_eq!(secrets.redact("Bearer"), "Bearer");
        assert!(!format!("{secrets:?}").contains("w0rd"));
    }
}
