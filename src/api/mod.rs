//! The server's doors: `#[server]` functions the screens call, and the public REST API. Each is
//! thin: who is calling → parse input → call a service → map the error.

pub mod account;
pub mod admin;
pub mod alerts;
pub mod auth;
pub mod board;
#[cfg(feature = "ssr")]
pub mod campaigns_csv;
pub mod context;
pub mod error;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod hooks;
pub mod imports;
#[cfg(feature = "ssr")]
pub mod intake;
pub mod lead;
#[cfg(feature = "ssr")]
pub mod live;
pub mod nurture;
#[cfg(feature = "ssr")]
pub mod openapi;
pub mod queue;
#[cfg(feature = "ssr")]
pub mod test_clock;
pub mod webhooks;

pub use error::ApiError;

/// The query parameter a plain form post (sent before the page's app works) is sent back to
/// its page with when it was saved, saying what was saved. Signed like a form error, so a page
/// shows only what Leadline itself saved for the person looking at it.
pub const FORM_SAVED: &str = "__saved";

/// The server's shared state, as every server function reads it. Missing context is a bug in
/// how a page loads its data; it is logged and answered with a generic error, never a panic.
#[cfg(feature = "ssr")]
pub fn app_state() -> Result<crate::server::state::AppState, ApiError> {
    leptos::prelude::use_context::<crate::server::state::AppState>().ok_or_else(|| {
        tracing::error!("server function called without the app state in context");
        ApiError::Internal
    })
}
