//! The accept loop. It is hand-rolled rather than `axum::serve` for one reason: a handler
//! must be able to drop its connection without answering (a write that "succeeded" but whose
//! response never arrived, the hardest case for a client).

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::sync::Arc;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::sync::Notify;
use tower::ServiceExt;

use super::SimError;

/// A request's handle on its connection: [`DropConnection::now`] closes it unanswered.
#[derive(Clone)]
pub(crate) struct DropConnection(Arc<Notify>);

impl DropConnection {
    /// Close the connection; the calling request never completes.
    pub async fn now(&self) {
        self.0.notify_one();
        std::future::pending::<()>().await;
    }
}

/// Bind `127.0.0.1:port` (loopback only, by design).
pub(crate) fn bind(port: u16) -> Result<std::net::TcpListener, SimError> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener =
        std::net::TcpListener::bind(addr).map_err(|source| SimError::Bind { addr, source })?;
    listener
        .set_nonblocking(true)
        .map_err(|source| SimError::Bind { addr, source })?;
    Ok(listener)
}

/// Accept and serve HTTP/1.1 connections until `shutdown` resolves.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) {
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: keep serving the connections we have.
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        tokio::spawn(async move {
            let dropper = DropConnection(Arc::new(Notify::new()));
            let handle = dropper.clone();
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(handle.clone());
                    router.clone().oneshot(request)
                });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection future closes the socket with nothing sent.
                () = dropper.0.notified() => {}
            }
        });
    }
}

/// Serve a simulator on `127.0.0.1:port` in the current async runtime until `shutdown`
/// resolves; `ready` is called with the bound address first. For `sleipnir sim`.
pub async fn serve_until(
    config: super::SimConfig,
    port: u16,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), SimError> {
    let sim = Arc::new(super::Sim::new(config)?);
    let listener = bind(port)?;
    let addr = listener.local_addr().map_err(SimError::Runtime)?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(SimError::Runtime)?;
    ready(addr);
    serve(listener, super::api::router(sim), shutdown).await;
    Ok(())
}
