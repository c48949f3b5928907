//! The state every handler and server function shares: made once at start-up.

use crate::domain::cadence::Policy;
use crate::server::clock::Clock;
use crate::server::config::Config;
use crate::server::limiter::{Limiter, PostLimits};
use crate::server::live::Live;
use crate::server::passwords::Passwords;
use crate::server::services::boards::BoardCache;
use crate::server::services::intake::IntakeWriter;
use crate::server::services::policy::PolicyCell;
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
    /// The follow-up policy in force: changed live from the admin screen, re-read each tick.
    pub policy: PolicyCell,
    pub clock: Clock,
    pub live: Live,
    pub boards: Arc<BoardCache>,
    pub snapshot: Arc<Snapshot>,
    /// The bounded pool every password check runs on.
    pub passwords: Passwords,
    /// A secret made at start, for signing what the server hands the browser to give back
    /// (the error a plain form post is redirected with).
    pub signing_key: Arc<[u8; 32]>,
    /// How many leads each address (website forms) and each source (every door) sent lately.
    pub limits: Arc<PostLimits>,
    /// Every door's inquiries are stored through it, those arriving together in one commit.
    pub intake: IntakeWriter,
}

impl AppState {
    /// The state every door shares, made the same way by the server, the tests and the
    /// benchmarks: loads the boards' snapshot of `db` and keeps it following the live fan-out.
    pub async fn build(
        db: SqlitePool,
        config: Config,
        policy: Policy,
        clock: Clock,
        leptos_options: LeptosOptions,
    ) -> Result<Self, sqlx::Error> {
        let live = Live::default();
        let snapshot = Arc::new(Snapshot::load(&db, clock.now()).await?);
        snapshot
            .clone()
            .follow(db.clone(), clock.clone(), live.clone());
        let source_rate = config.source_posts_per_minute;
        Ok(Self {
            leptos_options,
            intake: IntakeWriter::start(db.clone()),
            db,
            config: Arc::new(config),
            policy: PolicyCell::new(policy),
            clock,
            live,
            boards: Arc::default(),
            snapshot,
            passwords: Passwords::for_this_machine(),
            signing_key: Arc::new(random_key()),
            limits: Arc::new(PostLimits {
                per_address: Limiter::new(crate::server::limiter::FORM_POSTS_PER_ADDRESS),
                per_source: Limiter::new(crate::server::limiter::Rate {
                    posts: source_rate,
                    window: chrono::Duration::minutes(1),
                }),
            }),
        })
    }
}

impl AppState {
    /// What a list import running in the background needs.
    pub fn importer(&self) -> crate::server::services::imports::Importer {
        crate::server::services::imports::Importer {
            db: self.db.clone(),
            policy: self.policy.clone(),
            clock: self.clock.clone(),
            live: self.live.clone(),
            phone_region: self.config.phone_region.clone(),
        }
    }
}

/// 256 random bits.
fn random_key() -> [u8; 32] {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}
