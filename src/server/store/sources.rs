//! Lead sources (web forms, integrations, lists), each with its own API key.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// A source as stored (its key only as a hash).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SourceRow {
    pub id: String,
    pub name: String,
}

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    source: &SourceRow,
    api_key_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sources (id, name, api_key_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&source.id)
        .bind(&source.name)
        .bind(api_key_hash)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn find_by_key_hash(
    db: impl SqliteExecutor<'_>,
    api_key_hash: &str,
) -> Result<Option<SourceRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM sources WHERE api_key_hash = $1")
        .bind(api_key_hash)
        .fetch_optional(db)
        .await
}

pub async fn find_by_name(
    db: impl SqliteExecutor<'_>,
    name: &str,
) -> Result<Option<SourceRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM sources WHERE name = $1")
        .bind(name)
        .fetch_optional(db)
        .await
}

/// Every source with its cost in cents, by name.
pub async fn all_with_cost(
    db: impl SqliteExecutor<'_>,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, cost_cents FROM sources ORDER BY name")
        .fetch_all(db)
        .await
}

/// Sets what a source (campaign) cost.
pub async fn set_cost(
    db: impl SqliteExecutor<'_>,
    id: &str,
    cost_cents: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sources SET cost_cents = $1 WHERE id = $2")
        .bind(cost_cents)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn name_of(db: impl SqliteExecutor<'_>, id: &str) -> Result<String, sqlx::Error> {
    let (name,): (String,) = sqlx::query_as("SELECT name FROM sources WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    Ok(name)
}
