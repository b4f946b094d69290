//! The logged-in client: one logical request at a time through the shared transport, sent
//! again with a renewed token whenever the token is refused.

use reqwest::Method;
use serde_json::Value;

use super::auth::Auth;
use super::resources::endpoint;
use super::transport::{
    Call, ClientConfig, Kind, RequestCounts, TOKEN_RENEWALS, Transport, token_of,
};
use super::{Credentials, OdinError, RateLimiter};
use crate::resource::Resource;

/// A logged-in Odin client, shared by all workers.
#[derive(Debug)]
pub struct OdinClient {
    pub(super) transport: Transport,
    auth: Auth,
}

impl OdinClient {
    /// Log in to Odin. Fails with [`OdinError::Unreachable`] or [`OdinError::LoginRefused`]
    /// before anything is changed.
    pub async fn connect(
        config: ClientConfig,
        credentials: Credentials,
    ) -> Result<OdinClient, OdinError> {
        super::install_crypto();
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("sleipnir/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OdinError::Unreachable(e.to_string()))?;
        let transport = Transport {
            http,
            limiter: RateLimiter::new(config.rate),
            config,
            counters: Default::default(),
        };
        // An unreachable target at start is reported at once, not after a round of retries.
        let token = transport.login(&credentials, false).await?;
        Ok(OdinClient {
            transport,
            auth: Auth::new(credentials, token),
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

    /// `GET {path}?{query}`: any read, e.g. the group-scale reads of [`super::group`], with
    /// the same limiter, retries, 401 renewal and 429 handling as every other request.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Call {
        self.call(Kind::GroupRead, path, query, None).await
    }

    /// Requests sent so far.
    pub fn counts(&self) -> RequestCounts {
        self.transport.counters.snapshot()
    }

    /// One logical request: retried as the transport sees fit, and sent again with a renewed
    /// token whenever the token is refused (a token can expire again while a request waits
    /// out throttling), up to [`TOKEN_RENEWALS`] times.
    pub(super) async fn call(
        &self,
        kind: Kind,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Call {
        let url = format!("{}{path}", self.transport.config.base_url);
        let method = if kind == Kind::Write {
            Method::PUT
        } else {
            Method::GET
        };
        let mut attempts = 0;
        let mut renewals = 0;
        loop {
            let (token, generation) = self.auth.current().await;
            let build = || {
                let mut request = self
                    .transport
                    .http
                    .request(method.clone(), &url)
                    .bearer_auth(&token);
                if !query.is_empty() {
                    request = request.query(query);
                }
                if let Some(body) = body {
                    request = request.json(body);
                }
                request
            };
            let mut call = self
                .transport
                .retrying(build, true, kind, query.first().map_or("", |(_, v)| *v))
                .await;
            attempts += call.attempts;
            call.attempts = attempts;
            let refused = matches!(&call.result, Err(e) if e.status() == Some(401));
            if !refused || renewals == TOKEN_RENEWALS {
                return call;
            }
            renewals += 1;
            tracing::info!(%method, path, "token refused; renewing it");
            if let Err(error) = self.refresh(generation).await {
                call.result = Err(error);
                return call;
            }
        }
    }

    /// Renew the token that was refused: `PUT /auth/token`, or a new login if Odin will not
    /// refresh it (an expired token cannot be refreshed).
    async fn refresh(&self, refused: u64) -> Result<(), OdinError> {
        let transport = &self.transport;
        let credentials = self.auth.credentials();
        self.auth
            .renew(refused, |old| async move {
                transport.counters.refreshed();
                let url = format!("{}/auth/token", transport.config.base_url);
                let renewed = transport
                    .retrying(
                        || transport.http.put(&url).bearer_auth(&old),
                        true,
                        Kind::Login,
                        "",
                    )
                    .await;
                match renewed.result {
                    Ok(body) => token_of(&body),
                    Err(_) => transport.login(credentials, true).await,
                }
            })
            .await
    }
}
