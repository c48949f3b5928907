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
    /// The hash of the device cookie sent, if any.
    pub device_hash: Option<&'a str>,
    /// The browser had signed in to this account before.
    pub via_trusted: bool,
}

pub async fn insert(db: impl SqliteExecutor<'_>, attempt: &Attempt<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_in_attempts
             (id, at, email, address, succeeded, user_id, device_hash, via_trusted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(super::new_id())
    .bind(attempt.at)
    .bind(attempt.email)
    .bind(attempt.address)
    .bind(attempt.succeeded)
    .bind(attempt.user_id)
    .bind(attempt.device_hash)
    .bind(attempt.via_trusted)
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

/// Failures for `email` since `since` from browsers that had not signed in to it before. A
/// success does not clear them: the owner signing in must not give an attacker fresh guesses.
pub async fn account_failures(
    db: impl SqliteExecutor<'_>,
    email: &str,
    since: DateTime<Utc>,
) -> Result<Failures, sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*), MAX(at) FROM sign_in_attempts
         WHERE email = $1 AND NOT succeeded AND NOT forgiven AND NOT via_trusted AND at > $2",
    )
    .bind(email)
    .bind(since)
    .fetch_one(db)
    .await
    .map(failures)
}

/// Failures for `email` from the browser with this device hash since `since` and since its
/// own last successful sign-in.
pub async fn device_failures(
    db: impl SqliteExecutor<'_>,
    email: &str,
    device_hash: &str,
    since: DateTime<Utc>,
) -> Result<Failures, sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*), MAX(at) FROM sign_in_attempts
         WHERE device_hash = $1 AND email = $2 AND NOT succeeded AND NOT forgiven AND at > $3
           AND at > COALESCE((SELECT MAX(at) FROM sign_in_attempts
                              WHERE device_hash = $1 AND email = $2 AND succeeded), '')",
    )
    .bind(device_hash)
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
         WHERE address = $1 AND NOT succeeded AND NOT forgiven AND at > $2",
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

/// Whether a device cookie with this hash was ever given out (to any account): only such a
/// token is kept when a browser signs in again; any other value is replaced by a new one.
pub async fn is_known_device(
    db: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM trusted_devices WHERE token_hash = $1 LIMIT 1")
            .bind(token_hash)
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
         ON CONFLICT (token_hash, email) DO UPDATE SET last_used_at = excluded.last_used_at",
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

/// Forgives the failed sign-ins to `email` (an admin unlocked the account): they no longer
/// make it, or the addresses they came from, wait. They stay in the audit log.
pub async fn forgive(db: impl SqliteExecutor<'_>, email: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sign_in_attempts SET forgiven = TRUE WHERE email = $1 AND NOT succeeded AND NOT forgiven",
    )
    .bind(email)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
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
