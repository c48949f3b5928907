//! Accepting connections, within bounds. HTTP/1.1 only (browsers reach Leadline through TLS,
//! and a proxy that ends it speaks HTTP/1.1; an HTTP/2 preface is refused). A connection must
//! send a request's headers within [`HEADER_READ_TIMEOUT`] of opening or going quiet, or it is
//! closed; the configured numbers of connections in all and from one address are served at
//! once, and of those, few from one address may be still waiting for their first request, so
//! holding connections open costs an attacker real requests rather than idle sockets. One more
//! is closed at once rather than let the server run out of file descriptors.

use crate::domain::throttle::address_key;
use crate::server::http::router;
use crate::server::state::AppState;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tower::ServiceExt;

/// How long a client may take to send a request's headers (the first one from when it
/// connects, later ones from when it goes quiet) before its connection is closed: a client
/// that sends nothing, or trickles, would otherwise hold the connection for ever.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections from one address that may stay open more than [`FIRST_REQUEST_GRACE`] without
/// having sent a whole request. A browser sends its request as soon as it connects; only a
/// client holding sockets open does not.
pub const MAX_WAITING_PER_ADDRESS: usize = 32;

/// How long a new connection may take to send its first whole request before it counts as
/// waiting.
pub const FIRST_REQUEST_GRACE: Duration = Duration::from_secs(1);

/// Open connections per client address (IPv6 by its /64 network, as sign-in throttling counts).
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<String, usize>>>);

/// One connection counted against its address until dropped.
struct Counted {
    counts: PerAddress,
    address: String,
}

impl PerAddress {
    /// Counts a new connection from `address`, or `None` when it already holds `cap` (if any).
    fn take(&self, address: &str, cap: Option<usize>) -> Option<Counted> {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(address.to_string()).or_insert(0);
        if cap.is_some_and(|cap| *count >= cap) {
            return None;
        }
        *count += 1;
        Some(Counted {
            counts: self.clone(),
            address: address.to_string(),
        })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

/// Serves the app on `listener` until `shutdown` resolves, then lets requests in flight finish
/// (for up to ten seconds). Each request knows its peer's address (sign-in throttling counts
/// failures per address).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Behind a proxy every connection comes from the proxy: the caps per address are for a
    // server that faces its clients directly.
    let direct = !state.config.trust_proxy;
    let per_address_cap = direct.then_some(state.config.max_connections_per_address);
    let waiting_cap = direct.then_some(MAX_WAITING_PER_ADDRESS);
    let open = Arc::new(Semaphore::new(state.config.max_connections));
    let app = router(state);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let connections = GracefulShutdown::new();
    let (per_address, waiting) = (PerAddress::default(), PerAddress::default());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let address = address_key(peer.ip());
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many open connections: closed a new one");
            continue;
        };
        let Some(counted) = per_address.take(&address, per_address_cap) else {
            tracing::warn!(%peer, "too many connections from one address: closed a new one");
            continue;
        };
        let served = Arc::new(Notify::new());
        let on_request = served.clone();
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                on_request.notify_one();
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let http = http.clone();
        let watcher = connections.watcher();
        let waiting = waiting.clone();
        tokio::spawn(async move {
            let _held = (permit, counted);
            let connection = async move {
                // hyper's header timeout starts with the first byte: a client that sends
                // nothing at all is closed here.
                let mut first = [0u8; 1];
                match tokio::time::timeout(HEADER_READ_TIMEOUT, stream.peek(&mut first)).await {
                    Ok(Ok(read)) if read > 0 => {}
                    _ => return,
                }
                let connection =
                    http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
                if let Err(e) = watcher.watch(connection).await {
                    tracing::debug!(error = %e, %peer, "a connection ended with an error");
                }
            };
            tokio::pin!(connection);
            let first_request = served.notified();
            tokio::pin!(first_request);
            // A browser sends its request at once. A connection with no whole request after a
            // second takes one of its address's few waiting places until it sends one, and is
            // closed when there is none left.
            tokio::select! {
                () = &mut connection => return,
                () = &mut first_request => {}
                () = tokio::time::sleep(FIRST_REQUEST_GRACE) => {
                    let Some(_place) = waiting.take(&address, waiting_cap) else {
                        tracing::warn!(%peer, "too many idle connections from one address: closed one");
                        return;
                    };
                    tokio::select! {
                        () = &mut connection => return,
                        () = &mut first_request => {}
                    }
                }
            }
            connection.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), connections.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after ten seconds; stopping anyway");
    }
    Ok(())
}
