//! Each lead's append-only history. Rows are only ever inserted (the schema refuses updates
//! and deletes). Each row records the state the lead moved to, so the latest row always
//! matches the lead.

use crate::domain::lead::{Event, LeadState};
use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

pub async fn append(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
    at: DateTime<Utc>,
    actor_id: Option<&str>,
    event: &Event,
    state: &LeadState,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO lead_events (id, lead_id, occurred_at, actor_id, kind, from_stage, to_stage,
            owner_kind, owner_id, next_action, next_due_at, charged_to, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(super::new_id())
    .bind(lead_id)
    .bind(at)
    .bind(actor_id)
    .bind(event.kind.as_str())
    .bind(event.from.map(|s| s.as_str()))
    .bind(event.to.as_str())
    .bind(state.owner.kind_str())
    .bind(state.owner.rep_id())
    .bind(state.next.map(|n| n.action.as_str()))
    .bind(state.next.map(|n| n.due_at))
    .bind(event.charged_to.as_deref())
    .bind(&event.detail)
    .execute(db)
    .await?;
    Ok(())
}

/// One entry of a lead's history as the lead page shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HistoryRow {
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub owner_kind: String,
    pub owner_id: Option<String>,
    pub next_action: Option<String>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub charged_to: Option<String>,
    pub detail: String,
    pub actor: Option<String>,
}

/// A lead's history, oldest first.
pub async fn for_lead(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.occurred_at, e.kind, e.from_stage, e.to_stage, e.owner_kind, e.owner_id,
                e.next_action, e.next_due_at, e.charged_to, e.detail, u.name AS actor
         FROM lead_events e LEFT JOIN users u ON u.id = e.actor_id
         WHERE e.lead_id = $1 ORDER BY e.occurred_at, e.id",
    )
    .bind(lead_id)
    .fetch_all(db)
    .await
}
