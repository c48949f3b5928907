//! The team's follow-up policy, one row.

use crate::domain::cadence::Policy;
use chrono::Duration;
use sqlx::SqliteExecutor;

type Raw = (i64, i64, i64, String, i64, i64, i64, i64, i64);

/// Reads the policy in force.
pub async fn load(db: impl SqliteExecutor<'_>) -> Result<Policy, sqlx::Error> {
    let (first, warn, reassign, later, voicemail, after, nurture, hoard, capacity): Raw =
        sqlx::query_as(
            "SELECT first_contact_minutes, warn_after_minutes, reassign_after_minutes,
                later_attempts_minutes, voicemail_attempts, after_conversation_minutes,
                nurture_every_minutes, hoard_after_minutes, rep_capacity
         FROM follow_up_policy WHERE id = 1",
        )
        .fetch_one(db)
        .await?;
    let later_attempts = later
        .split(',')
        .map(|m| m.trim().parse::<i64>().map(Duration::minutes))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Policy {
        first_contact: Duration::minutes(first),
        warn_after: Duration::minutes(warn),
        reassign_after: Duration::minutes(reassign),
        later_attempts,
        voicemail_attempts: u32::try_from(voicemail).unwrap_or(2),
        after_conversation: Duration::minutes(after),
        nurture_every: Duration::minutes(nurture),
        hoard_after: Duration::minutes(hoard),
        rep_capacity: u32::try_from(capacity).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::SqlitePool;

    #[sqlx::test]
    async fn a_new_database_holds_the_default_policy(db: SqlitePool) {
        assert_eq!(load(&db).await.expect("a policy row"), Policy::default());
    }
}
