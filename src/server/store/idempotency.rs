//! Replies already given to intake requests that carried an `Idempotency-Key`, so a retry gets
//! the same answer instead of a second lead. A key remembers a fingerprint of the inquiry it
//! was first used for, so reusing it for a different inquiry can be refused.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// What a key was first used for, and the answer given then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// SHA-256 of the first inquiry; empty for keys stored before fingerprints were kept.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

pub async fn find(
    db: impl SqliteExecutor<'_>,
    source_id: &str,
    key: &str,
) -> Result<Option<Stored>, sqlx::Error> {
    let row: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT request_hash, status, body FROM idempotency_keys
         WHERE source_id = $1 AND key = $2",
    )
    .bind(source_id)
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(request_hash, status, body)| Stored {
        request_hash,
        status: u16::try_from(status).unwrap_or(500),
        body,
    }))
}

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    source_id: &str,
    key: &str,
    stored: &Stored,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO idempotency_keys (source_id, key, request_hash, status, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(source_id)
    .bind(key)
    .bind(&stored.request_hash)
    .bind(i64::from(stored.status))
    .bind(&stored.body)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets replies given before `before`: a retry comes within minutes, not weeks.
pub async fn forget_before(
    db: impl SqliteExecutor<'_>,
    before: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Whether `key` was used for `source_id` at or after `after`.
pub async fn used_since(
    db: impl SqliteExecutor<'_>,
    source_id: &str,
    key: &str,
    after: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM idempotency_keys WHERE source_id = $1 AND key = $2 AND created_at >= $3",
    )
    .bind(source_id)
    .bind(key)
    .bind(after)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}
