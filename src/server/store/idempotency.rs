//! Replies already given to intake requests that carried an `Idempotency-Key`, so a retry gets
//! the same answer instead of a second lead.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// The status and JSON body given the first time.
pub async fn find(
    db: impl SqliteExecutor<'_>,
    source_id: &str,
    key: &str,
) -> Result<Option<(u16, String)>, sqlx::Error> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT status, body FROM idempotency_keys WHERE source_id = $1 AND key = $2",
    )
    .bind(source_id)
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(status, body)| (u16::try_from(status).unwrap_or(500), body)))
}

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    source_id: &str,
    key: &str,
    status: u16,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO idempotency_keys (source_id, key, status, body, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(source_id)
    .bind(key)
    .bind(i64::from(status))
    .bind(body)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}
