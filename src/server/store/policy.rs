//! The team's follow-up policy, one row.

use crate::domain::cadence::Policy;
use crate::domain::hours::Hours;
use chrono::{Duration, NaiveTime};
use chrono_tz::Tz;
use sqlx::SqliteExecutor;

#[derive(sqlx::FromRow)]
struct Row {
    first_contact_minutes: i64,
    warn_after_minutes: i64,
    reassign_after_minutes: i64,
    later_attempts_minutes: String,
    voicemail_attempts: i64,
    after_conversation_minutes: i64,
    nurture_every_minutes: i64,
    hoard_after_minutes: i64,
    rep_capacity: i64,
    work_days: String,
    work_opens: String,
    work_closes: Option<String>,
    work_timezone: Option<String>,
    calling_opens: Option<String>,
    calling_closes: Option<String>,
}

fn decode(e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

fn time(text: &str) -> Result<NaiveTime, sqlx::Error> {
    NaiveTime::parse_from_str(text, "%H:%M").map_err(decode)
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// Reads the policy in force; working hours with no time zone of their own are in `team_tz`.
pub async fn load(db: impl SqliteExecutor<'_>, team_tz: Tz) -> Result<Policy, sqlx::Error> {
    let row: Row = sqlx::query_as("SELECT * FROM follow_up_policy WHERE id = 1")
        .fetch_one(db)
        .await?;
    let later_attempts = row
        .later_attempts_minutes
        .split(',')
        .map(|m| m.trim().parse::<i64>().map(Duration::minutes))
        .collect::<Result<Vec<_>, _>>()
        .map_err(decode)?;
    let tz = match &row.work_timezone {
        Some(name) => name
            .parse::<Tz>()
            .map_err(|e| sqlx::Error::Decode(e.into()))?,
        None => team_tz,
    };
    let closes = row.work_closes.as_deref().map(time).transpose()?;
    let hours = Hours::new(&row.work_days, time(&row.work_opens)?, closes, tz).map_err(decode)?;
    let calling_window = match (&row.calling_opens, &row.calling_closes) {
        (Some(opens), Some(closes)) => Some((time(opens)?, time(closes)?)),
        _ => None,
    };
    Ok(Policy {
        first_contact: Duration::minutes(row.first_contact_minutes),
        warn_after: Duration::minutes(row.warn_after_minutes),
        reassign_after: Duration::minutes(row.reassign_after_minutes),
        later_attempts,
        voicemail_attempts: u32::try_from(row.voicemail_attempts).unwrap_or(2),
        after_conversation: Duration::minutes(row.after_conversation_minutes),
        nurture_every: Duration::minutes(row.nurture_every_minutes),
        hoard_after: Duration::minutes(row.hoard_after_minutes),
        rep_capacity: u32::try_from(row.rep_capacity).unwrap_or(u32::MAX),
        hours,
        calling_window,
    })
}

/// Replaces the policy in force.
pub async fn save(db: impl SqliteExecutor<'_>, policy: &Policy) -> Result<(), sqlx::Error> {
    let later: Vec<String> = policy
        .later_attempts
        .iter()
        .map(|d| d.num_minutes().to_string())
        .collect();
    sqlx::query(
        "UPDATE follow_up_policy SET first_contact_minutes = $1, warn_after_minutes = $2,
            reassign_after_minutes = $3, later_attempts_minutes = $4, voicemail_attempts = $5,
            after_conversation_minutes = $6, nurture_every_minutes = $7,
            hoard_after_minutes = $8, rep_capacity = $9, work_days = $10, work_opens = $11,
            work_closes = $12, work_timezone = $13, calling_opens = $14, calling_closes = $15
         WHERE id = 1",
    )
    .bind(policy.first_contact.num_minutes())
    .bind(policy.warn_after.num_minutes())
    .bind(policy.reassign_after.num_minutes())
    .bind(later.join(","))
    .bind(i64::from(policy.voicemail_attempts))
    .bind(policy.after_conversation.num_minutes())
    .bind(policy.nurture_every.num_minutes())
    .bind(policy.hoard_after.num_minutes())
    .bind(i64::from(policy.rep_capacity))
    .bind(policy.hours.days_text())
    .bind(hhmm(policy.hours.opens))
    .bind(policy.hours.closes.map(hhmm))
    .bind(policy.hours.tz.name())
    .bind(policy.calling_window.map(|(opens, _)| hhmm(opens)))
    .bind(policy.calling_window.map(|(_, closes)| hhmm(closes)))
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::SqlitePool;

    #[sqlx::test]
    async fn a_new_database_holds_the_default_policy(db: SqlitePool) {
        assert_eq!(
            load(&db, chrono_tz::UTC).await.expect("a policy row"),
            Policy::default()
        );
    }

    #[sqlx::test]
    async fn a_saved_policy_reads_back_as_it_was(db: SqlitePool) {
        let policy = Policy {
            hours: Hours::new(
                "Mon-Sat",
                NaiveTime::from_hms_opt(7, 30, 0).expect("a time"),
                None,
                chrono_tz::Europe::Berlin,
            )
            .expect("valid hours"),
            calling_window: None,
            rep_capacity: 40,
            ..Policy::default()
        };
        save(&db, &policy).await.expect("saved");
        assert_eq!(load(&db, chrono_tz::UTC).await.expect("read"), policy);
    }
}
