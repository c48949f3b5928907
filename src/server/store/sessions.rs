//! Login sessions, stored by the hash of their cookie token.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// Where a session was opened from, as its owner sees it in their list of sessions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    pub address: &'a str,
    pub agent: &'a str,
}

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    token_hash: &str,
    user_id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    origin: Origin<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, address, agent)
         VALUES ($1, $2, $3, $4, $3, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(origin.address)
    .bind(origin.agent)
    .execute(db)
    .await?;
    Ok(())
}

/// The user id of a session that has not expired and was last used after `idle_since`. With
/// `touch`, the session is marked used at `now` (at most once a minute, to spare the disk).
pub async fn user_of(
    db: impl SqliteExecutor<'_> + Copy,
    token_hash: &str,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
    touch: bool,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT user_id, last_seen_at FROM sessions
         WHERE token_hash = $1 AND expires_at > $2 AND COALESCE(last_seen_at, created_at) > $3",
    )
    .bind(token_hash)
    .bind(now)
    .bind(idle_since)
    .fetch_optional(db)
    .await?;
    let Some((user_id, last_seen)) = row else {
        return Ok(None);
    };
    if touch && last_seen.is_none_or(|seen| now - seen >= chrono::Duration::minutes(1)) {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(db)
            .await?;
    }
    Ok(Some(user_id))
}

/// One of a user's sessions as they see it; `key` names it without giving its token away.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub key: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub address: String,
    pub agent: String,
    pub token_hash: String,
}

/// A user's sessions that are still good at `now`, most recently used first.
pub async fn of_user(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT substr(token_hash, 1, 16) AS key, created_at, last_seen_at, address, agent,
                token_hash
         FROM sessions
         WHERE user_id = $1 AND expires_at > $2 AND COALESCE(last_seen_at, created_at) > $3
         ORDER BY COALESCE(last_seen_at, created_at) DESC",
    )
    .bind(user_id)
    .bind(now)
    .bind(idle_since)
    .fetch_all(db)
    .await
}

/// Ends the session of `user_id` named by `key`; returns the ended session's token hash.
pub async fn delete_by_key(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "DELETE FROM sessions WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2
         RETURNING token_hash",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(hash,)| hash))
}

/// The token hashes of a user's sessions (to end their live streams too).
pub async fn hashes_of_user(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|(hash,)| hash).collect())
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

/// Ends every session that has expired or sat unused since `idle_since`.
pub async fn delete_expired(
    db: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1 OR COALESCE(last_seen_at, created_at) <= $2",
    )
    .bind(now)
    .bind(idle_since)
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
