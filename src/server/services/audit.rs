//! Reading the audit log: who did what, when.

use super::ServiceError;
pub use crate::server::store::audit::{Filter, Line};
use sqlx::SqlitePool;

/// Lines one page of the audit screen shows.
pub const PAGE: i64 = 50;

/// A page of the audit log, newest first.
pub async fn page(db: &SqlitePool, filter: &Filter<'_>) -> Result<Vec<Line>, ServiceError> {
    Ok(crate::server::store::audit::page(db, filter, PAGE).await?)
}

/// Records something a person did that changes nothing but is worth knowing (an export).
pub async fn record(
    db: &SqlitePool,
    now: chrono::DateTime<chrono::Utc>,
    actor: &crate::domain::role::User,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), ServiceError> {
    crate::server::store::audit::record(
        db,
        crate::server::store::audit::Entry {
            at: now,
            actor_id: Some(&actor.id),
            action,
            subject,
            detail,
        },
    )
    .await?;
    Ok(())
}
