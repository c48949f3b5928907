//! Housekeeping: records kept only for a while are deleted once their time is up, so nothing
//! a stranger can make the server write (failed sign-ins, idempotency keys, sessions) grows
//! without bound.

use super::ServiceError;
use crate::server::clock::Clock;
use crate::server::store::{idempotency, sessions, sign_ins};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;

/// How long each kind of record is kept.
pub struct Retention {
    /// Checked sign-in attempts (the audit trail of sign-ins and failures).
    pub sign_ins: Duration,
    /// Browsers an account signed in from, after their last use.
    pub devices: Duration,
    /// Intake replies kept for retries with the same `Idempotency-Key`.
    pub idempotency: Duration,
    /// Sessions after their last use (the idle timeout).
    pub session_idle: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            sign_ins: Duration::days(90),
            devices: Duration::days(400),
            idempotency: Duration::days(7),
            session_idle: Duration::hours(8),
        }
    }
}

/// Deletes what has outlived its retention as of `now`; returns how many records went.
pub async fn tidy(
    db: &SqlitePool,
    now: DateTime<Utc>,
    keep: &Retention,
) -> Result<u64, ServiceError> {
    let mut gone = sessions::delete_expired(db, now, now - keep.session_idle).await?;
    gone += sign_ins::forget_before(db, now - keep.sign_ins, now - keep.devices).await?;
    gone += idempotency::forget_before(db, now - keep.idempotency).await?;
    Ok(gone)
}

/// Tidies once an hour, from start.
pub fn spawn(db: SqlitePool, clock: Clock, keep: Retention) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match tidy(&db, clock.now(), &keep).await {
                Ok(0) => {}
                Ok(gone) => tracing::info!(gone, "deleted records past their retention"),
                Err(e) => tracing::error!(error = %e, "housekeeping failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::sign_ins::Attempt;

    #[sqlx::test]
    async fn failed_sign_ins_older_than_their_retention_are_deleted_and_recent_ones_kept(
        db: SqlitePool,
    ) {
        let now = Utc::now();
        for days_ago in [1, 89, 91, 400] {
            let attempt = Attempt {
                at: now - Duration::days(days_ago),
                email: "x@acme.test",
                address: "192.0.2.1",
                succeeded: false,
                user_id: None,
                device_hash: None,
                via_trusted: false,
            };
            sign_ins::insert(&db, &attempt).await.unwrap();
        }
        assert_eq!(tidy(&db, now, &Retention::default()).await.unwrap(), 2);
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sign_in_attempts")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(left, 2);
    }
}
