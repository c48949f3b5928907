//! Touches logged on leads.

use crate::domain::touch::Touch;
use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    id: &str,
    lead_id: &str,
    user_id: &str,
    touch: Touch,
    note: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO touches (id, lead_id, user_id, kind, outcome, note, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(lead_id)
    .bind(user_id)
    .bind(touch.kind_str())
    .bind(touch.outcome_str())
    .bind(note)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}
