//! The bearer token: one login, and on a 401 one shared refresh while other requests wait.

use tokio::sync::{Mutex, RwLock};

use super::Credentials;

/// The current token and how many times it has been replaced.
#[derive(Debug)]
pub(crate) struct Auth {
    credentials: Credentials,
    token: RwLock<(String, u64)>,
    refreshing: Mutex<()>,
}

impl Auth {
    pub fn new(credentials: Credentials, token: String) -> Auth {
        Auth {
            credentials,
            token: RwLock::new((token, 0)),
            refreshing: Mutex::new(()),
        }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The token to send, and its generation (to name it when it is refused).
    pub async fn current(&self) -> (String, u64) {
        self.token.read().await.clone()
    }

    /// Replace the token of generation `refused` using `renew`, unless another request did so
    /// already: of many requests refused with one token, only the first renews it.
    pub async fn renew<F, Fut, E>(&self, refused: u64, renew: F) -> Result<(), E>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<String, E>>,
    {
        let _one_at_a_time = self.refreshing.lock().await;
        let (old, generation) = self.current().await;
        if generation != refused {
            return Ok(());
        }
        let fresh = renew(old).await?;
        *self.token.write().await = (fresh, generation + 1);
        Ok(())
    }
}
