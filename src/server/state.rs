//! The state every handler and server function shares: made once at start-up.

use crate::domain::cadence::Policy;
use crate::server::clock::Clock;
use crate::server::config::Config;
use crate::server::live::Live;
use crate::server::services::boards::BoardCache;
use crate::server::snapshot::Snapshot;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::SqlitePool;
use std::sync::Arc;

/// Shared by the router, REST handlers and server functions.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: SqlitePool,
    pub config: Arc<Config>,
    pub policy: Arc<Policy>,
    pub clock: Clock,
    pub live: Live,
    pub boards: Arc<BoardCache>,
    pub snapshot: Arc<Snapshot>,
}
