//! The bearer token: one login, and on a 401 one shared refresh while other requests wait.

use tokio::sync::RwLock;

use super::Credentials;

/// The current token and how many times it has been replaced.
#[derive(Debug)]
pub(crate) struct Auth {
    credentials: Credentials,
    token: RwLock<(String, u64)>,
}

impl Auth {
    pub fn new(credentials: Credentials, token: String) -> Auth {
        Auth {
            credentials,
            token: RwLock::new((token, 0)),
        }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The token to send, and its generation (to name it when it is refused). Waits while a
    /// refresh is under way.
    pub async fn current(&self) -> (String, u64) {
        self.token.read().await.clone()
    }

    /// Replace the token of generation `refused` using `renew`, unless another request did so
    /// already: of many requests refused with one token, only the first renews it, and all
    /// requests wait for the new one.
    pub async fn renew<F, Fut, E>(&self, refused: u64, renew: F) -> Result<(), E>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<String, E>>,
    {
        let mut token = self.token.write().await;
        if token.1 != refused {
            return Ok(());
        }
        let fresh = renew(token.0.clone()).await?;
        *token = (fresh, token.1 + 1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn many_refusals_of_one_token_renew_it_once() {
        let auth = Arc::new(Auth::new(Credentials::new("u", "p"), "t0".into()));
        let renewals = Arc::new(AtomicUsize::new(0));
        // Eight requests were all refused with the first token.
        let (_, generation) = auth.current().await;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (auth, renewals) = (auth.clone(), renewals.clone());
            tasks.push(tokio::spawn(async move {
                auth.renew(generation, |old| async move {
                    renewals.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok::<_, ()>(format!("{old}+"))
                })
                .await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(renewals.load(Ordering::SeqCst), 1);
        assert_eq!(auth.current().await, ("t0+".to_string(), 1));
    }
}
