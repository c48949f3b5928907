//! Leadline: every sales lead followed up until it buys or dies.

// Leptos views are deeply nested types; the browser build needs more room to lay them out.
#![recursion_limit = "256"]

/// Server functions and the public REST API: thin doors onto the services.
pub mod api;
/// The HTML shell, the app and its routes.
pub mod app;
/// The rules of follow-up: pure types and functions, no IO.
pub mod domain;
/// Server-only: settings, state, database, use cases, router and command line.
#[cfg(feature = "ssr")]
pub mod server;
/// Screens and the pieces they are made of.
pub mod ui;

/// Entry point of the browser build: attaches to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Some routes' code loads on demand (`cargo leptos build --split`): hydration waits for
    // the page's own part before it attaches.
    leptos::mount::hydrate_lazy(app::App);
}
