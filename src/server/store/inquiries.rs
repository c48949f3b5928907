//! Inquiries: every time a person asks, kept on the lead they belong to.

use crate::domain::intake::Inquiry;
use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    id: &str,
    lead_id: &str,
    source_id: &str,
    inquiry: &Inquiry,
    received_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inquiries (id, lead_id, source_id, received_at, name, email, phone, company,
            message, timeframe)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(lead_id)
    .bind(source_id)
    .bind(received_at)
    .bind(&inquiry.name)
    .bind(inquiry.email_text())
    .bind(inquiry.phone_text())
    .bind(&inquiry.company)
    .bind(&inquiry.message)
    .bind(&inquiry.timeframe)
    .execute(db)
    .await?;
    Ok(())
}

/// How many inquiries a lead has had.
pub async fn count_for_lead(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM inquiries WHERE lead_id = $1")
        .bind(lead_id)
        .fetch_one(db)
        .await?;
    Ok(count)
}

/// A lead's inquiry messages, newest first, with when they came.
pub async fn messages_for_lead(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
) -> Result<Vec<(DateTime<Utc>, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT received_at, message FROM inquiries WHERE lead_id = $1 ORDER BY received_at DESC",
    )
    .bind(lead_id)
    .fetch_all(db)
    .await
}

/// Emails and phone numbers the person gave in their inquiries that the lead does not hold
/// (it keeps the first of each): other ways to reach them, oldest first.
pub async fn other_contacts(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT value FROM (
             SELECT i.email AS value, MIN(i.received_at) AS first FROM inquiries i
             JOIN leads l ON l.id = i.lead_id
             WHERE i.lead_id = $1 AND i.email IS NOT NULL AND i.email IS NOT l.email
             GROUP BY i.email
             UNION ALL
             SELECT i.phone, MIN(i.received_at) FROM inquiries i
             JOIN leads l ON l.id = i.lead_id
             WHERE i.lead_id = $1 AND i.phone IS NOT NULL AND i.phone IS NOT l.phone
             GROUP BY i.phone)
         ORDER BY first",
    )
    .bind(lead_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(value,)| value).collect())
}
