//! The HTTP router: health check, the public intake API, server functions and the pages.

use crate::api;
use crate::app::{shell, App};
use crate::server::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
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
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/campaigns.csv", get(api::campaigns_csv::download))
        .route("/live", get(api::live::stream_changes))
        .merge(intake);
    if state.config.test_clock {
        tracing::warn!("the test clock is on: POST /test/clock moves time (never in production)");
        router = router.route("/test/clock", post(api::test_clock::advance));
    }
    router
        .leptos_routes_with_context(&state, routes, context, page)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
