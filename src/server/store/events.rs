//! Each lead's append-only history. Rows are only ever inserted (the schema refuses updates
//! and deletes).

use crate::domain::lead::{Event, Owner};
use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

pub async fn append(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
    at: DateTime<Utc>,
    actor_id: Option<&str>,
    event: &Event,
    owner: &Owner,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO lead_events (id, lead_id, occurred_at, actor_id, kind, from_stage, to_stage,
            owner_kind, owner_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(super::new_id())
    .bind(lead_id)
    .bind(at)
    .bind(actor_id)
    .bind(event.kind.as_str())
    .bind(event.from.map(|s| s.as_str()))
    .bind(event.to.as_str())
    .bind(owner.kind_str())
    .bind(owner.rep_id())
    .bind(&event.detail)
    .execute(db)
    .await?;
    Ok(())
}

/// A lead's history as (kind, from, to, detail), oldest first.
pub async fn for_lead(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
) -> Result<Vec<(String, Option<String>, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, from_stage, to_stage, detail FROM lead_events
         WHERE lead_id = $1 ORDER BY occurred_at, id",
    )
    .bind(lead_id)
    .fetch_all(db)
    .await
}
