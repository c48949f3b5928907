//! The HTTP router: health check, the public intake API, server functions, the pages and their
//! static files, behind one protective layer (see [`guard`]) and compression.

use crate::api;
use crate::app::{shell, App};
use crate::server::guard;
use crate::server::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, Request};
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// Builds the whole app around `state`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let intake = Router::new()
        .route("/api/v1/leads", post(api::intake::create_lead))
        .layer(DefaultBodyLimit::max(api::intake::MAX_BODY_BYTES));
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let page = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    // The WebAssembly, script and styles: served precompressed when the build made .br/.gz
    // files beside them, with Last-Modified so an unchanged file is answered 304.
    let options = &state.leptos_options;
    let assets = ServeDir::new(format!("{}/{}", options.site_root, options.site_pkg_dir))
        .precompressed_br()
        .precompressed_gzip();
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/campaigns.csv", get(api::campaigns_csv::download))
        .route("/live", get(api::live::stream_changes))
        .nest_service(&format!("/{}", options.site_pkg_dir), assets)
        .merge(intake);
    if state.config.test_clock {
        tracing::warn!("the test clock is on: POST /test/clock moves time (never in production)");
        router = router.route("/test/clock", post(api::test_clock::advance));
    }
    router
        .leptos_routes_with_context(&state, routes, context, page)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(guard::bounded_bodies))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::server_fn_replies,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::signed_form_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::same_site_only,
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::secure_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// How long a client may take to send a request's headers (the first one from when it
/// connects, later ones from when it goes quiet) before its connection is closed: a client
/// that sends nothing, or trickles, would otherwise hold the connection for ever.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Open connections per client address.
#[derive(Clone, Default)]
struct PeerCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One connection counted against its address until dropped.
struct PeerSlot {
    counts: PeerCounts,
    ip: IpAddr,
}

impl PeerCounts {
    /// Counts a new connection from `ip`, or `None` when it already holds `cap` (if any).
    fn take(&self, ip: IpAddr, cap: Option<usize>) -> Option<PeerSlot> {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry(ip).or_insert(0);
        if cap.is_some_and(|cap| *count >= cap) {
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            counts: self.clone(),
            ip,
        })
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut counts = self
            .counts
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Serves the app on `listener` until `shutdown` resolves, then lets requests in flight finish
/// (for up to ten seconds). HTTP/1.1 only (browsers reach Leadline through TLS, and a proxy that
/// ends it speaks HTTP/1.1; an HTTP/2 preface is refused as a bad request). Each request knows
/// its peer's address (sign-in throttling counts failures per address); a connection that does
/// not send a request's headers within [`HEADER_READ_TIMEOUT`] is closed; the configured
/// numbers of connections in all and from one address are served at once, and one more is
/// closed at once rather than let the server run out of file descriptors.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Behind a proxy every connection comes from the proxy: the cap per address is for a
    // server that faces its clients directly.
    let per_peer_cap =
        (!state.config.trust_proxy).then_some(state.config.max_connections_per_address);
    let open = Arc::new(Semaphore::new(state.config.max_connections));
    let app = router(state);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let connections = GracefulShutdown::new();
    let peers = PeerCounts::default();
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
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many open connections: closed a new one");
            continue;
        };
        let Some(peer_slot) = peers.take(peer.ip(), per_peer_cap) else {
            tracing::warn!(%peer, "too many connections from one address: closed a new one");
            continue;
        };
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let http = http.clone();
        let watcher = connections.watcher();
        tokio::spawn(async move {
            let _permit = (permit, peer_slot);
            // hyper's header timeout starts with the first byte: a client that sends nothing
            // at all is closed here.
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
