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
