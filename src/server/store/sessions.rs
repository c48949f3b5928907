//! Login sessions, stored by the hash of their cookie token.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    token_hash: &str,
    user_id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The user id of a session that has not expired.
pub async fn user_of(
    db: impl SqliteExecutor<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id,)| id))
}

pub async fn delete(db: impl SqliteExecutor<'_>, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends a user's expired sessions and all but their `keep` newest ones.
pub async fn keep_newest(
    conn: &mut sqlx::SqliteConnection,
    user_id: &str,
    keep: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND (expires_at <= $2 OR token_hash NOT IN (
             SELECT token_hash FROM sessions WHERE user_id = $1
             ORDER BY created_at DESC LIMIT $3))",
    )
    .bind(user_id)
    .bind(now)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends every session that has expired.
pub async fn delete_expired(
    db: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of a user.
pub async fn delete_for_user(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
