//! The server's doors: `#[server]` functions the screens call, and the public REST API. Each is
//! thin: who is calling → parse input → call a service → map the error.

pub mod alerts;
pub mod auth;
pub mod board;
pub mod error;
#[cfg(feature = "ssr")]
pub mod intake;
pub mod lead;
pub mod nurture;
pub mod queue;
#[cfg(feature = "ssr")]
pub mod test_clock;

pub use error::ApiError;
