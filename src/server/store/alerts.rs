//! Alerts: a notice for one person about one lead.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// An unread alert as a screen shows it, with what its lead looks like now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertRow {
    pub id: String,
    pub lead_id: String,
    pub lead_name: String,
    pub kind: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub owner_kind: String,
    pub owner_id: Option<String>,
    pub stage: String,
    pub last_touch: Option<DateTime<Utc>>,
}

/// Raises an alert for `user_id` about `lead_id`. While the same kind of alert about that lead
/// is still unread, it is brought up to date instead of repeated: fifty repeat inquiries in a
/// minute are one "hot" alert, not fifty. Call it inside the write transaction that causes it.
pub async fn insert(
    conn: &mut sqlx::SqliteConnection,
    user_id: &str,
    lead_id: &str,
    kind: &str,
    message: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let refreshed = sqlx::query(
        "UPDATE alerts SET message = $1, created_at = $2
         WHERE user_id = $3 AND lead_id = $4 AND kind = $5 AND read_at IS NULL",
    )
    .bind(message)
    .bind(at)
    .bind(user_id)
    .bind(lead_id)
    .bind(kind)
    .execute(&mut *conn)
    .await?;
    if refreshed.rows_affected() > 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO alerts (id, user_id, lead_id, kind, message, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(super::new_id())
    .bind(user_id)
    .bind(lead_id)
    .bind(kind)
    .bind(message)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person's unread alerts, newest first (up to `limit`).
pub async fn unread(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
    limit: i64,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.lead_id, l.name AS lead_name, a.kind, a.message, a.created_at,
                l.owner_kind, l.owner_id, l.stage,
                (SELECT MAX(t.occurred_at) FROM touches t WHERE t.lead_id = a.lead_id) AS last_touch
         FROM alerts a JOIN leads l ON l.id = a.lead_id
         WHERE a.user_id = $1 AND a.read_at IS NULL
         ORDER BY a.created_at DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Marks the alerts with these ids read (ones whose job is done, or all the person dismissed).
pub async fn mark_all_read(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE alerts SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(at)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Marks one of the person's alerts read. Returns whether there was such an alert.
pub async fn mark_read(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
    alert_id: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE alerts SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
    )
    .bind(at)
    .bind(alert_id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
