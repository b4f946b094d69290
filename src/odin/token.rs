//! A bearer token and what its JWT payload says about its lifetime (API.md §2: Odin's tokens
//! are JWTs; its front end renews a token only before its `exp` has passed).

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD_INDIFFERENT;
use serde_json::Value;

/// The time claims of a JWT's payload, in seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Claims {
    /// When the token expires (`exp`).
    pub exp: f64,
    /// When it was issued (`iat`), when the payload says.
    pub iat: Option<f64>,
}

impl Claims {
    /// The claims of `token` when it is a JWT: three `.`-separated parts, the second a
    /// base64url JSON object with a numeric `exp`. `None` for any other token.
    pub fn of(token: &str) -> Option<Claims> {
        let mut parts = token.split('.');
        let (Some(_header), Some(payload), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let bytes = URL_SAFE_NO_PAD_INDIFFERENT.decode(payload).ok()?;
        let Value::Object(payload) = serde_json::from_slice(&bytes).ok()? else {
            return None;
        };
        let seconds = |key: &str| payload.get(key)?.as_f64().filter(|s| s.is_finite());
        Some(Claims {
            exp: seconds("exp")?,
            iat: seconds("iat"),
        })
    }

    /// How long the token lives from when it was obtained: `exp − iat`, which no clock skew
    /// between Odin and this machine changes; without `iat`, what is left until `exp` by
    /// this machine's clock at `wall`. `None` when that is not a positive span.
    pub fn lifetime(&self, wall: SystemTime) -> Option<Duration> {
        let start = match self.iat {
            Some(iat) => iat,
            None => wall.duration_since(UNIX_EPOCH).ok()?.as_secs_f64(),
        };
        Duration::try_from_secs_f64(self.exp - start)
            .ok()
            .filter(|lifetime| !lifetime.is_zero())
    }
}

/// A token as Odin issued it. No `Debug`: it is a secret.
pub(crate) struct Issued {
    /// The token.
    pub value: String,
    /// When the request that obtained it was sent: an earlier bound than Odin's issuing it,
    /// so that a token never looks alive here after Odin has let it expire.
    pub sent: Instant,
    /// The same moment by the system clock.
    pub wall: SystemTime,
}

#[cfg(test)]
impl Issued {
    /// `value`, obtained by a request sent just now.
    pub fn now(value: String) -> Issued {
        Issued {
            value,
            sent: Instant::now(),
            wall: SystemTime::now(),
        }
    }
}

/// The token in use: its value, its generation (how many renewals came before it), and when
/// it expires by this machine's monotonic clock, when its JWT says.
pub(crate) struct Token {
    value: String,
    generation: u64,
    lifetime: Option<Duration>,
    expires: Option<Instant>,
}

impl Token {
    /// The token `issued`, of `generation`. A token that is not a JWT (or whose `exp` is not
    /// after its `iat`) has no known expiry; so has one already due for renewal when it
    /// arrives (a JWT without `iat` from a server whose clock is far from this one's), so
    /// that it is not renewed on every request.
    pub fn new(issued: Issued, generation: u64) -> Token {
        let lifetime = Claims::of(&issued.value).and_then(|claims| claims.lifetime(issued.wall));
        let mut token = Token {
            value: issued.value,
            generation,
            lifetime,
            expires: lifetime.map(|lifetime| issued.sent + lifetime),
        };
        if token.due(Instant::now()) {
            tracing::warn!(
                ?lifetime,
                "the token's `exp` is already near by this machine's clock; renewing it on refusal only"
            );
            token.expires = None;
        }
        token
    }

    /// The value for the `Authorization: Bearer` header.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// How many renewals came before it (0: the first login's).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Its lifetime by its JWT (see [`Claims::lifetime`]); `None` when unknown.
    pub fn lifetime(&self) -> Option<Duration> {
        self.lifetime.filter(|_| self.expires.is_some())
    }

    /// Whether it is within its renewal margin of expiry at `now` (never, when its expiry is
    /// unknown): the smaller of 60 s and a twentieth of its lifetime. The margin covers the
    /// renewal's own trip to Odin (its limiter wait and the network), which does not grow
    /// with the lifetime; a small one spends few renewals more than one per lifetime.
    pub fn due(&self, now: Instant) -> bool {
        match (self.expires, self.lifetime) {
            (Some(expires), Some(lifetime)) => now + margin(lifetime) >= expires,
            _ => false,
        }
    }

    /// Whether it is too near its expiry at `now` to be refreshed: within half its renewal
    /// margin, a refresh could arrive after `exp` and be refused, costing a login besides
    /// (never, when its expiry is unknown).
    pub fn too_late_to_refresh(&self, now: Instant) -> bool {
        match (self.expires, self.lifetime) {
            (Some(expires), Some(lifetime)) => now + margin(lifetime) / 2 >= expires,
            _ => false,
        }
    }

    /// Whether its `exp` has passed at `now` (never, when its expiry is unknown).
    pub fn expired(&self, now: Instant) -> bool {
        self.expires.is_some_and(|expires| now >= expires)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("generation", &self.generation)
            .field("lifetime", &self.lifetime)
            .field("expires", &self.expires)
            .finish()
    }
}

/// How long before its expiry a token of `lifetime` is renewed.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 20).min(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn jwt(payload: &Value) -> String {
        let part = |value: &Value| URL_SAFE_NO_PAD_INDIFFERENT.encode(value.to_string());
        format!(
            "{}.{}.c2lnbmF0dXJl",
            part(&json!({"alg": "HS256", "typ": "JWT"})),
            part(payload)
        )
    }

    fn epoch(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn claims_come_from_a_jwt_payload() {
        let token = jwt(&json!({"sub": "admin", "iat": 1_000, "exp": 44_200}));
        assert_eq!(
            Claims::of(&token),
            Some(Claims {
                exp: 44_200.0,
                iat: Some(1_000.0)
            })
        );
        // 12 h, whatever this machine's clock says.
        let claims = Claims::of(&token).unwrap();
        assert_eq!(
            claims.lifetime(epoch(5_000_000)),
            Some(Duration::from_secs(43_200))
        );
        // Padded base64url is read too.
        let padded = base64::engine::general_purpose::URL_SAFE.encode(r#"{"exp":50}"#);
        assert!(padded.ends_with("=="));
        assert_eq!(
            Claims::of(&format!("h.{padded}.s")).map(|c| c.exp),
            Some(50.0)
        );
    }

    #[test]
    fn without_iat_the_lifetime_is_what_is_left_by_the_system_clock() {
        let claims = Claims::of(&jwt(&json!({"exp": 10_000}))).unwrap();
        assert_eq!(claims.iat, None);
        assert_eq!(
            claims.lifetime(epoch(9_000)),
            Some(Duration::from_secs(1_000))
        );
        assert_eq!(claims.lifetime(epoch(10_000)), None);
        assert_eq!(claims.lifetime(epoch(20_000)), None);
    }

    #[test]
    fn tokens_that_are_not_jwts_have_no_claims() {
        for token in [
            "sim.0123456789abcdef",
            "opaque",
            "a.b.c",
            "a.b.c.d",
            &jwt(&json!({"iat": 1})),
            &jwt(&json!({"exp": "tomorrow"})),
            &jwt(&json!([1, 2])),
            &format!("x.{}.y", URL_SAFE_NO_PAD_INDIFFERENT.encode("not json")),
        ] {
            assert_eq!(Claims::of(token), None, "{token}");
        }
    }

    #[test]
    fn a_token_is_due_within_its_margin_and_expired_after_its_lifetime() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let issued = Issued::now(jwt(&json!({"iat": now, "exp": now + 2})));
        let sent = issued.sent;
        let token = Token::new(issued, 3);
        assert_eq!(token.generation(), 3);
        assert_eq!(token.lifetime(), Some(Duration::from_secs(2)));
        // A twentieth of 2 s: due from 1.9 s on, expired from 2 s on.
        assert!(!token.due(sent + Duration::from_millis(1_890)));
        assert!(token.due(sent + Duration::from_millis(1_910)));
        // Half the margin before expiry, a refresh would come too late: a login instead.
        assert!(!token.too_late_to_refresh(sent + Duration::from_millis(1_940)));
        assert!(token.too_late_to_refresh(sent + Duration::from_millis(1_960)));
        assert!(!token.expired(sent + Duration::from_millis(1_990)));
        assert!(token.expired(sent + Duration::from_secs(2)));
        // 24 h: the margin is 60 s.
        let day = Token::new(Issued::now(jwt(&json!({"iat": 0, "exp": 86_400}))), 0);
        let sent = Instant::now();
        assert!(!day.due(sent + Duration::from_secs(86_400 - 61)));
        assert!(day.due(sent + Duration::from_secs(86_400 - 59)));
    }

    #[test]
    fn unknown_expiry_never_renews_ahead() {
        let opaque = Token::new(Issued::now("sim.0123".into()), 0);
        let later = Instant::now() + Duration::from_secs(365 * 86_400);
        assert_eq!(opaque.lifetime(), None);
        assert!(!opaque.due(later) && !opaque.expired(later));
        // A JWT already past its `exp` by this clock (no `iat`): a skewed clock, not a
        // token to renew on every request.
        let skewed = Token::new(Issued::now(jwt(&json!({"exp": 1_000}))), 0);
        assert_eq!(skewed.lifetime(), None);
        assert!(!skewed.due(later));
        assert!(format!("{skewed:?}").contains("<redacted>"));
    }
}
