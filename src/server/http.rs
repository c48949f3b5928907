//! The HTTP router: health check, the public intake API, server functions, the pages and their
//! static files, behind one protective layer (see [`guard`]) and compression.

use crate::api;
use crate::app::{shell, App};
use crate::server::guard;
use crate::server::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// The pages' routes, worked out once per process. Leptos works them out by running the app
/// with resource loading switched off for the whole process (leptos#4773): a page rendered by
/// another server in the same process at that moment would wait forever. Once is safe — before
/// any server of this process serves — and the tests build many servers in one process.
pub fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole app around `state`.
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let intake = Router::new()
        .route(
            "/api/v1/leads",
            post(api::intake::create_lead).fallback(api::intake::post_only),
        )
        .route("/api/v1/openapi.json", get(api::openapi::json))
        .route("/api/v1/docs", get(api::openapi::page))
        .route(
            "/api/v1/hooks/flat",
            post(api::hooks::flat).fallback(api::intake::post_only),
        )
        .route(
            "/api/v1/hooks/google-ads",
            post(api::hooks::google_ads).fallback(api::intake::post_only),
        )
        .route(
            "/f/{source}",
            post(api::forms::post_form).get(api::forms::opened),
        )
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
        .route(
            "/import/upload",
            post(api::imports::upload).layer(DefaultBodyLimit::max(
                crate::server::services::imports::MOST_BYTES + 64 * 1024,
            )),
        )
        .route("/import/{id}/report.csv", get(api::imports::report))
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
