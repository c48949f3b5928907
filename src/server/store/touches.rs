//! Touches logged on leads.

use crate::domain::touch::Touch;
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

/// Logs a touch, and keeps the lead's latest-touch summary (what a work list shows) in step.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert(
    conn: &mut SqliteConnection,
    id: &str,
    lead_id: &str,
    user_id: &str,
    touch: Touch,
    note: &str,
    at: DateTime<Utc>,
    client_key: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO touches (id, lead_id, user_id, kind, outcome, note, occurred_at, client_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(lead_id)
    .bind(user_id)
    .bind(touch.kind_str())
    .bind(touch.outcome_str())
    .bind(note)
    .bind(at)
    .bind(client_key)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE leads SET last_touch_kind = $2, last_touch_outcome = $3, last_touch_at = $4,
            touch_count = touch_count + 1
         WHERE id = $1",
    )
    .bind(lead_id)
    .bind(touch.kind_str())
    .bind(touch.outcome_str())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One logged touch as the lead page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TouchRow {
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub outcome: Option<String>,
    pub note: String,
    pub by: String,
}

/// A lead's touches, newest first.
pub async fn for_lead(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
) -> Result<Vec<TouchRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.occurred_at, t.kind, t.outcome, t.note, u.name AS by
         FROM touches t JOIN users u ON u.id = t.user_id
         WHERE t.lead_id = $1 ORDER BY t.occurred_at DESC, t.id DESC",
    )
    .bind(lead_id)
    .fetch_all(db)
    .await
}

/// Whether `user_id` ever logged a touch on the lead.
pub async fn exists_by(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM touches WHERE lead_id = $1 AND user_id = $2 LIMIT 1")
            .bind(lead_id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// The lead a touch with this key (made by `user_id`'s phone) was logged on, if one was.
pub async fn lead_of_key(
    conn: &mut SqliteConnection,
    user_id: &str,
    client_key: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT lead_id FROM touches WHERE user_id = $1 AND client_key = $2")
            .bind(user_id)
            .bind(client_key)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(lead_id,)| lead_id))
}
