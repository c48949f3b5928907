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
    .bind(inquiry.email.as_ref().map(|e| e.as_str()))
    .bind(inquiry.phone.as_ref().map(|p| p.as_str()))
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
