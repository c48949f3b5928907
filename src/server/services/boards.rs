//! Managers' boards, read from current lead state.

use super::ServiceError;
use crate::domain::board::AgingBoard;
use crate::server::store::leads;
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

/// Open leads by stage and age since inquiry, as of `now`.
pub async fn aging(db: &SqlitePool, now: DateTime<Utc>) -> Result<AgingBoard, ServiceError> {
    let rows = leads::open_for_board(db).await?;
    Ok(AgingBoard::tally(
        rows.into_iter().map(|row| crate::domain::board::OpenLead {
            stage: row.stage,
            received_at: row.received_at,
            overdue: row.next_due_at.is_some_and(|due| due < now),
            ghost: row.ghost,
        }),
        now,
    ))
}

/// The latest closures, for a manager to review and, where wrong, reverse.
pub async fn recent_closures(
    db: &SqlitePool,
) -> Result<Vec<crate::server::store::leads::ClosureRow>, ServiceError> {
    Ok(leads::recent_closures(db, 30).await?)
}
