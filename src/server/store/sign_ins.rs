//! Sign-in attempts whose password was checked: the record throttling counts and the audit
//! log reads.

use crate::domain::throttle::Failures;
use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// One checked attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt<'a> {
    pub at: DateTime<Utc>,
    /// The email as typed, lowercased (known or not).
    pub email: &'a str,
    pub address: &'a str,
    pub succeeded: bool,
    pub user_id: Option<&'a str>,
}

pub async fn insert(db: impl SqliteExecutor<'_>, attempt: &Attempt<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_in_attempts (id, at, email, address, succeeded, user_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(super::new_id())
    .bind(attempt.at)
    .bind(attempt.email)
    .bind(attempt.address)
    .bind(attempt.succeeded)
    .bind(attempt.user_id)
    .execute(db)
    .await?;
    Ok(())
}

fn failures((count, last): (i64, Option<DateTime<Utc>>)) -> Failures {
    Failures {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        last,
    }
}

/// Failures for `email` since `since` and since its last successful sign-in.
pub async fn account_failures(
    db: impl SqliteExecutor<'_>,
    email: &str,
    since: DateTime<Utc>,
) -> Result<Failures, sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*), MAX(at) FROM sign_in_attempts
         WHERE email = $1 AND NOT succeeded AND at > $2
           AND at > COALESCE((SELECT MAX(at) FROM sign_in_attempts
                              WHERE email = $1 AND succeeded), '')",
    )
    .bind(email)
    .bind(since)
    .fetch_one(db)
    .await
    .map(failures)
}

/// Failures from `address` since `since`, whatever account they tried.
pub async fn address_failures(
    db: impl SqliteExecutor<'_>,
    address: &str,
    since: DateTime<Utc>,
) -> Result<Failures, sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*), MAX(at) FROM sign_in_attempts
         WHERE address = $1 AND NOT succeeded AND at > $2",
    )
    .bind(address)
    .bind(since)
    .fetch_one(db)
    .await
    .map(failures)
}

/// Whether the browser holding the device cookie with this hash signed in to `email` before.
pub async fn is_trusted_device(
    db: impl SqliteExecutor<'_>,
    token_hash: &str,
    email: &str,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM trusted_devices WHERE token_hash = $1 AND email = $2")
            .bind(token_hash)
            .bind(email)
            .fetch_optional(db)
            .await?;
    Ok(row.is_some())
}

/// Remembers a browser that signed in to `email` (or notes it was used again), keeping the
/// `keep` most recently used browsers per account.
pub async fn trust_device(
    conn: &mut sqlx::SqliteConnection,
    token_hash: &str,
    email: &str,
    now: DateTime<Utc>,
    keep: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO trusted_devices (token_hash, email, created_at, last_used_at)
         VALUES ($1, $2, $3, $3)
         ON CONFLICT (token_hash) DO UPDATE SET last_used_at = excluded.last_used_at",
    )
    .bind(token_hash)
    .bind(email)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM trusted_devices WHERE email = $1 AND token_hash NOT IN (
             SELECT token_hash FROM trusted_devices WHERE email = $1
             ORDER BY last_used_at DESC LIMIT $2)",
    )
    .bind(email)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets checked attempts from before `before`, and browsers unused since then.
pub async fn forget_before(
    db: impl SqliteExecutor<'_> + Copy,
    attempts_before: DateTime<Utc>,
    devices_before: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let attempts = sqlx::query("DELETE FROM sign_in_attempts WHERE at < $1")
        .bind(attempts_before)
        .execute(db)
        .await?;
    let devices = sqlx::query("DELETE FROM trusted_devices WHERE last_used_at < $1")
        .bind(devices_before)
        .execute(db)
        .await?;
    Ok(attempts.rows_affected() + devices.rows_affected())
}
