//! The bearer token shared by every request: renewed once for everyone, whether ahead of its
//! expiry or after Odin refused it, while other requests wait for the new one.

use std::sync::{Arc, RwLock};

use super::token::{Issued, Token};
use super::{Credentials, OdinError};

/// The current token, how it is renewed, and whether the admin's login was refused.
#[derive(Debug)]
pub(crate) struct Auth {
    credentials: Credentials,
    /// Held for writing while a renewal is under way, so that requests wait for its token.
    /// Holds the refusal of a login, after which no login is tried again: a refused login
    /// stays refused in one run, and repeated ones can lock the admin's account.
    gate: tokio::sync::RwLock<Option<OdinError>>,
    /// Never held across an await.
    token: RwLock<Arc<Token>>,
}

impl Auth {
    pub fn new(credentials: Credentials, token: Token) -> Auth {
        Auth {
            credentials,
            gate: tokio::sync::RwLock::new(None),
            token: RwLock::new(Arc::new(token)),
        }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The token now, without waiting for a renewal under way.
    pub fn peek(&self) -> Arc<Token> {
        self.token
            .read()
            .map(|token| token.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// The token to send: waits while a renewal is under way; fails with the refusal once a
    /// login was refused.
    pub async fn current(&self) -> Result<Arc<Token>, OdinError> {
        let gate = self.gate.read().await;
        match &*gate {
            Some(refusal) => Err(refusal.clone()),
            None => Ok(self.peek()),
        }
    }

    /// Replace the token of generation `stale` with the one `renew` obtains, unless another
    /// request did so already: of many requests that find one token due or refused, only
    /// the first renews it, and all wait for the new one. A refused login is remembered
    /// (see `gate`).
    pub async fn renew<F, Fut>(&self, stale: u64, renew: F) -> Result<(), OdinError>
    where
        F: FnOnce(Arc<Token>) -> Fut,
        Fut: std::future::Future<Output = Result<Issued, OdinError>>,
    {
        let mut gate = self.gate.write().await;
        if let Some(refusal) = &*gate {
            return Err(refusal.clone());
        }
        let old = self.peek();
        if old.generation() != stale {
            return Ok(());
        }
        match renew(old).await {
            Ok(issued) => {
                let fresh = Arc::new(Token::new(issued, stale + 1));
                match self.token.write() {
                    Ok(mut token) => *token = fresh,
                    Err(poisoned) => *poisoned.into_inner() = fresh,
                }
                Ok(())
            }
            Err(error) => {
                if error.is_refused_login() {
                    *gate = Some(error.clone());
                }
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn auth() -> Arc<Auth> {
        let first = Token::new(Issued::now("t0".into()), 0);
        Arc::new(Auth::new(Credentials::new("u", "p"), first))
    }

    #[tokio::test]
    async fn many_refusals_of_one_token_renew_it_once() {
        let auth = auth();
        let renewals = Arc::new(AtomicUsize::new(0));
        // Eight requests were all refused with the first token.
        let generation = auth.current().await.unwrap().generation();
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (auth, renewals) = (auth.clone(), renewals.clone());
            tasks.push(tokio::spawn(async move {
                auth.renew(generation, |old| async move {
                    renewals.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok(Issued::now(format!("{}+", old.value())))
                })
                .await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(renewals.load(Ordering::SeqCst), 1);
        let token = auth.current().await.unwrap();
        assert_eq!((token.value(), token.generation()), ("t0+", 1));
    }

    #[tokio::test]
    async fn a_refused_login_is_not_tried_again() {
        let auth = auth();
        let refused = OdinError::LoginRefused("invalid username or password".into());
        let attempts = AtomicUsize::new(0);
        for _ in 0..3 {
            let result = auth
                .renew(0, |_| async {
                    attempts.fetch_add(1, Ordering::SeqCst);
                    Err(refused.clone())
                })
                .await;
            assert_eq!(result, Err(refused.clone()));
        }
        assert_eq!(attempts.load(Ordering::SeqCst), 1);
        assert_eq!(auth.current().await.unwrap_err(), refused);
        // A failure that is not a refusal (Odin unreachable) may be tried again.
        let auth = super::tests::auth();
        let unreachable = OdinError::Unreachable("connection refused".into());
        let result = auth.renew(0, |_| async { Err(unreachable.clone()) }).await;
        assert_eq!(result, Err(unreachable));
        assert!(auth.current().await.is_ok());
    }
}
