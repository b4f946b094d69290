//! One attempt of a request, its limiter wait done: sent, and its answer read as Odin's or
//! as an error — a redirect is never followed, a success that is not JSON is named, a wait
//! past the watcher's bound is told.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::StatusCode;

use super::OdinError;
use super::answer::{self, RequestLine};
use super::counters::Kind;
use super::transport::Transport;
use super::wait::{Waiting, watched};

impl Transport {
    /// Attempt `attempt` of `attempts` (`None`: a timeout ends the call), its limiter wait
    /// done: send, and read the answer as Odin's or as an error. A redirect is never
    /// followed ([`OdinError::Redirected`]); a success whose body is not JSON is
    /// [`OdinError::NotOdin`]; a wait past the watcher's bound is told.
    pub(super) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        kind: Kind,
        (attempt, attempts): (u32, Option<u32>),
    ) -> Result<Bytes, OdinError> {
        let (http, request) = request.build_split();
        let request = request.map_err(|e| OdinError::Unreachable(e.to_string()))?;
        let line = RequestLine::of(&request);
        let url = request.url().clone();
        let timeout = request
            .timeout()
            .copied()
            .unwrap_or(self.config.request_timeout);
        let transport_error = |e: reqwest::Error| OdinError::from_transport(&e, &line, timeout);
        self.counters.sent(kind);
        let exchange = async {
            let response = http.execute(request).await.map_err(transport_error)?;
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.map_err(transport_error)?;
            Ok::<_, OdinError>((status, headers, bytes))
        };
        let waiting = |waited| Waiting {
            request: line.to_string(),
            attempt,
            attempts,
            waited,
            timeout,
        };
        let (status, headers, bytes) =
            watched(exchange, self.config.watch.as_ref(), waiting).await?;
        if status.is_redirection()
            && let Some(error) = answer::redirected(
                &line,
                &url,
                &self.config.base_url,
                status.as_u16(),
                &headers,
            )
        {
            return Err(self.redacted(error));
        }
        if status.is_success() {
            if !answer::looks_like_json(&headers, &bytes) {
                return Err(self.redacted(answer::not_json(
                    &line,
                    status.as_u16(),
                    &headers,
                    &bytes,
                )));
            }
            return Ok(bytes);
        }
        let retry_after = retry_after(&headers, SystemTime::now());
        // Server text may echo the request (the password of a login, a token): removed before
        // the message is cut to length, or printed, logged or stored anywhere.
        let text = self.secrets.redact(&String::from_utf8_lossy(&bytes));
        let reason = status.canonical_reason().unwrap_or("error");
        // Once more after the body is read as JSON: a request echoed inside a JSON string is
        // escaped twice in the raw body (`\\\"`), once in the message.
        let details = self
            .secrets
            .redact(&super::error::message_of(text.as_bytes(), reason));
        Err(OdinError::Http {
            status: status.as_u16(),
            details,
            retry_after: retry_after
                .filter(|_| status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()),
        })
    }

    /// `error` with every secret removed from what a server put in it (a location, a page
    /// title).
    fn redacted(&self, error: OdinError) -> OdinError {
        match error {
            OdinError::Redirected {
                request,
                status,
                location,
                target,
            } => OdinError::Redirected {
                request,
                status,
                location: self.secrets.redact(&location),
                target: self.secrets.redact(&target),
            },
            OdinError::NotOdin {
                request,
                status,
                content_type,
                title,
            } => OdinError::NotOdin {
                request,
                status,
                content_type: self.secrets.redact(&content_type),
                title: title.map(|t| self.secrets.redact(&t)),
            },
            other => other,
        }
    }
}

/// The wait a `Retry-After` header asks for (RFC 9110 §10.2.3): a number of seconds, or an
/// HTTP date (a date already past, or `now`, is no wait). `None` without a readable header.
pub(super) fn retry_after(
    headers: &reqwest::header::HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        use std::time::{Duration, SystemTime, UNIX_EPOCH};

        use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
        let now = UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        let wait = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
            super::retry_after(&headers, now)
        };
        assert_eq!(wait("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            wait("Wed, 21 Oct 2015 07:30:00 GMT"),
            Some(Duration::from_secs(120))
        );
        assert_eq!(wait("Wed, 21 Oct 2015 07:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(wait("soon"), None);
        assert_eq!(
            super::retry_after(&HeaderMap::new(), SystemTime::now()),
            None
        );
    }
}
