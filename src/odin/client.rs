//! The logged-in client: one logical request at a time through the shared transport, with a
//! token renewed ahead of its expiry, and sent again with a new login when Odin refuses it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Method;
use serde_json::Value;

use super::auth::Auth;
use super::resources::endpoint;
use super::token::Token;
use super::transport::{Call, ClientConfig, Kind, RequestCounts, TOKEN_RENEWALS, Transport};
use super::{Credentials, OdinError, RateLimiter};
use crate::credentials::Secret;
use crate::resource::Resource;

/// A logged-in Odin client, shared by all workers.
#[derive(Debug)]
pub struct OdinClient {
    pub(super) transport: Transport,
    auth: Auth,
    login_answer: Value,
}

/// How a token is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renewal {
    /// Ahead of its expiry, while it is still valid: `PUT /auth/token`, or a new login if
    /// Odin will not refresh it.
    Ahead,
    /// After Odin refused it, or after it expired: a new login. Refreshing a token Odin
    /// just refused would be a wasted request (API.md §2).
    Login,
}

impl OdinClient {
    /// Log in to Odin. Fails with [`OdinError::Unreachable`], [`OdinError::LoginRefused`] or
    /// [`OdinError::PasswordExpired`] before anything is changed.
    pub async fn connect(
        config: ClientConfig,
        credentials: Credentials,
    ) -> Result<OdinClient, OdinError> {
        super::install_crypto();
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // Never followed: a redirect would carry the password or a token to a server
            // the admin did not name (a 307/308 re-posts the login, https may turn to http).
            // The answer stops the command with its location instead.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sleipnir/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OdinError::Unreachable(e.to_string()))?;
        let transport = Transport {
            http,
            limiter: RateLimiter::new(config.rate),
            config,
            counters: Default::default(),
            secrets: Default::default(),
        };
        // An unreachable target at start is reported at once, not after a round of retries.
        let login = transport.login(&credentials, false).await?;
        Ok(OdinClient {
            transport,
            auth: Auth::new(credentials, Token::new(login.issued, 0)),
            login_answer: login.answer,
        })
    }

    /// `GET {resource}?userId=`.
    pub async fn read(&self, resource: Resource, user_id: &str) -> Call {
        let query = [("userId", user_id)];
        self.call(Kind::UserRead, endpoint(resource).path, &query, None)
            .await
    }

    /// `PUT {resource}` with `body` (identity keys included).
    pub async fn write(&self, resource: Resource, body: &Value) -> Call {
        self.call(Kind::Write, endpoint(resource).path, &[], Some(body))
            .await
    }

    /// `PUT {path}` of a credential write (API.md §11) with `body`; every secret in it is
    /// first registered with the run's secrets, so that a server echoing the request in its
    /// error text has it redacted before anything prints, logs or stores it.
    pub async fn write_credentials(&self, path: &str, body: &Value, secrets: &[&Secret]) -> Call {
        for secret in secrets {
            self.transport.secrets.add(secret.expose());
        }
        self.call(Kind::Write, path, &[], Some(body)).await
    }

    /// `method` `path` with `body`, a write carrying credentials (`POST /users` with the
    /// new user's password, API.md §14): its secrets registered first, as
    /// [`OdinClient::write_credentials`] does.
    pub async fn write_credentials_as(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        secrets: &[&Secret],
    ) -> Call {
        for secret in secrets {
            self.transport.secrets.add(secret.expose());
        }
        self.call_as(method, Kind::Write, path, &[], Some(body))
            .await
    }

    /// Registers `secret` with the run's secrets (a generated value, as it arrives), so
    /// that no server text shows it.
    pub fn keep_secret(&self, secret: &Secret) {
        self.transport.secrets.add(secret.expose());
    }

    /// `GET {path}?{query}`: any read, e.g. the group-scale reads of [`super::group`], with
    /// the same limiter, retries, token renewal and 429 handling as every other request.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Call {
        self.call(Kind::GroupRead, path, query, None).await
    }

    /// [`OdinClient::get`] with the answer's body as the bytes Odin sent: for a large answer
    /// read into the caller's own shape (a group's listing keeps a few keys of each row).
    pub async fn get_raw(&self, path: &str, query: &[(&str, &str)]) -> Call<Bytes> {
        self.call_raw(Method::GET, Kind::GroupRead, path, query, None)
            .await
    }

    /// `PUT {path}` of a bulk write (API.md §10) with `body`: one request for many users,
    /// counted as [`RequestCounts::bulk_writes`].
    pub async fn put_bulk(&self, path: &str, body: &Value) -> Call {
        self.call(Kind::BulkWrite, path, &[], Some(body)).await
    }

    /// `method` `path` of one user's list entry (an SCA endpoint, API.md §13): `query`
    /// and a JSON `body` as the endpoint reads them; counted as a write. A POST whose answer
    /// was lost is not known to have landed: callers judge it by a read.
    pub async fn user_send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Call {
        self.call_as(method, Kind::Write, path, query, body).await
    }

    /// `GET path?query` of one user's data not in the resource table (counted as a user
    /// read).
    pub async fn user_get(&self, path: &str, query: &[(&str, &str)]) -> Call {
        self.call(Kind::UserRead, path, query, None).await
    }

    /// `method` `path` of a group's own lists (its numbers, API.md §12), counted as
    /// [`RequestCounts::group_writes`].
    pub async fn group_send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Call {
        self.call_as(method, Kind::GroupWrite, path, query, body)
            .await
    }

    /// The Odin user name it logged in as.
    pub fn username(&self) -> &str {
        &self.auth.credentials().username
    }

    /// Requests sent so far.
    pub fn counts(&self) -> RequestCounts {
        self.transport.counters.snapshot()
    }

    /// The current token's lifetime by its JWT payload (`exp − iat`; without `iat`, what
    /// was left until `exp` by this machine's clock when it arrived), or `None` when the
    /// token is not a JWT (API.md §2).
    pub fn token_lifetime(&self) -> Option<Duration> {
        self.auth.peek().lifetime()
    }

    /// The answer to the first login (API.md §2: a session object with the admin's
    /// details, e.g. `userId`, `loginType`) with its `token` removed: safe to print.
    pub fn login_answer(&self) -> &Value {
        &self.login_answer
    }

    /// One logical request: retried as the transport sees fit, and sent again after a new
    /// login whenever the token is refused (a 401, or a 403 to a token whose `exp` had
    /// passed), up to [`TOKEN_RENEWALS`] times. A 403 to a token still valid is Odin's
    /// answer, not an expiry: it is the call's failure.
    pub(super) async fn call(
        &self,
        kind: Kind,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Call {
        let method = if matches!(kind, Kind::Write | Kind::BulkWrite | Kind::GroupWrite) {
            Method::PUT
        } else {
            Method::GET
        };
        self.call_raw(method, kind, path, query, body).await.json()
    }

    /// [`OdinClient::call`] with another method than its kind's.
    async fn call_as(
        &self,
        method: Method,
        kind: Kind,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Call {
        self.call_raw(method, kind, path, query, body).await.json()
    }

    /// [`OdinClient::call`], the answer's body left as the bytes Odin sent.
    pub(super) async fn call_raw(
        &self,
        method: Method,
        kind: Kind,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Call<Bytes> {
        let url = format!("{}{path}", self.transport.config.base_url);
        let subject = query.first().map_or("", |(_, v)| *v);
        let mut attempts = 0;
        let mut renewals = 0;
        loop {
            // The token the last attempt was sent with.
            let used: Mutex<Option<Arc<Token>>> = Mutex::new(None);
            let (client, url, method, slot) = (self, &url, &method, &used);
            let prepare = move || async move {
                let token = client.token_to_send().await?;
                let mut request = client
                    .transport
                    .http
                    .request(method.clone(), url)
                    .bearer_auth(token.value());
                if !query.is_empty() {
                    request = request.query(query);
                }
                if let Some(body) = body {
                    request = request.json(body);
                }
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(token);
                Ok(request)
            };
            let mut call = self.transport.retrying(prepare, true, kind, subject).await;
            attempts += call.attempts;
            call.attempts = attempts;
            let Some(token) = used.into_inner().unwrap_or_else(|e| e.into_inner()) else {
                return call;
            };
            let refused =
                matches!(&call.result, Err(error) if refused(error, &token, Instant::now()));
            if !refused || renewals == TOKEN_RENEWALS {
                return call;
            }
            renewals += 1;
            tracing::info!(%method, path, status = ?call.status, "token refused; logging in again");
            if let Err(error) = self.renew(token.generation(), Renewal::Login).await {
                call.status = error.status();
                call.result = Err(error);
                return call;
            }
        }
    }

    /// The token for a request about to be sent (its limiter wait done): renewed first when
    /// it is within its margin of expiry, so that no request goes out with a token that
    /// expired while it waited.
    async fn token_to_send(&self) -> Result<Arc<Token>, OdinError> {
        let token = self.auth.current().await?;
        if !token.due(Instant::now()) {
            return Ok(token);
        }
        tracing::debug!("token near its expiry; renewing it");
        self.renew(token.generation(), Renewal::Ahead).await?;
        self.auth.current().await
    }

    /// Renew the token of generation `stale` as `how` says, once for all requests; the
    /// renewal requests go through the limiter and count as logins.
    async fn renew(&self, stale: u64, how: Renewal) -> Result<(), OdinError> {
        let transport = &self.transport;
        let credentials = self.auth.credentials();
        self.auth
            .renew(stale, |old| async move {
                transport.counters.refreshed();
                if how == Renewal::Ahead && !old.expired(Instant::now()) {
                    match transport.refresh(&old).await {
                        Ok(Some(issued)) => return Ok(issued),
                        Ok(None) => tracing::debug!("too late to refresh the token; logging in"),
                        Err(error) => {
                            tracing::info!(%error, "Odin did not refresh the token; logging in again");
                        }
                    }
                }
                Ok(transport.login(credentials, true).await?.issued)
            })
            .await
    }
}

/// Whether `error`, answered at `now` to a request sent with `token`, refuses the token: a
/// 401, or a 403 once the token's `exp` has passed (Odin's front end treats both alike,
/// API.md §2). A 403 to a token still valid, or of unknown expiry, is Odin's refusal of the
/// request itself.
fn refused(error: &OdinError, token: &Token, now: Instant) -> bool {
    match error.status() {
        Some(401) => true,
        Some(403) => token.expired(now),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
