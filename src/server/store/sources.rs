//! Lead sources (web forms, integrations, lists), each with its own API key.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// A source as stored (its key only as a hash).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SourceRow {
    pub id: String,
    pub name: String,
    /// Where its inquiries' phones are from when they give no country code (`None`: the
    /// server's default).
    pub phone_country: Option<String>,
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

/// The source whose key hashes to `api_key_hash` at `now`: its current key, or the key it
/// rotated away from while that key's grace lasts; never a revoked source's.
pub async fn find_by_key_hash(
    db: impl SqliteExecutor<'_>,
    api_key_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SourceRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, phone_country FROM sources
         WHERE revoked_at IS NULL
           AND (api_key_hash = $1 OR (old_key_hash = $1 AND old_key_until > $2))",
    )
    .bind(api_key_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// A source as the admin screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SourceDetail {
    pub id: String,
    pub name: String,
    pub cost_cents: i64,
    pub phone_country: Option<String>,
    pub thank_you_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Until when the key it rotated away from still works.
    pub old_key_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub leads: i64,
    pub last_lead_at: Option<DateTime<Utc>>,
}

/// Every source with its settings and how many leads it brought, by name.
pub async fn details(db: impl SqliteExecutor<'_>) -> Result<Vec<SourceDetail>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.name, s.cost_cents, s.phone_country, s.thank_you_url, s.created_at,
                s.old_key_until, s.revoked_at,
                (SELECT COUNT(*) FROM leads l WHERE l.source_id = s.id) AS leads,
                (SELECT MAX(l.received_at) FROM leads l WHERE l.source_id = s.id) AS last_lead_at
         FROM sources s ORDER BY s.revoked_at IS NOT NULL, s.name",
    )
    .fetch_all(db)
    .await
}

pub async fn detail(
    db: impl SqliteExecutor<'_>,
    id: &str,
) -> Result<Option<SourceDetail>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.name, s.cost_cents, s.phone_country, s.thank_you_url, s.created_at,
                s.old_key_until, s.revoked_at,
                (SELECT COUNT(*) FROM leads l WHERE l.source_id = s.id) AS leads,
                (SELECT MAX(l.received_at) FROM leads l WHERE l.source_id = s.id) AS last_lead_at
         FROM sources s WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// What an admin sets about a source besides its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings<'a> {
    pub cost_cents: i64,
    pub phone_country: Option<&'a str>,
    pub thank_you_url: Option<&'a str>,
}

pub async fn set_settings(
    db: impl SqliteExecutor<'_>,
    id: &str,
    settings: &Settings<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sources SET cost_cents = $2, phone_country = $3, thank_you_url = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(settings.cost_cents)
    .bind(settings.phone_country)
    .bind(settings.thank_you_url)
    .execute(db)
    .await?;
    Ok(())
}

/// Gives a source a new key; the current one keeps working until `old_until` (a key rotated
/// away from earlier stops at once).
pub async fn rotate_key(
    db: impl SqliteExecutor<'_>,
    id: &str,
    new_key_hash: &str,
    old_until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sources SET old_key_hash = api_key_hash, old_key_until = $3, api_key_hash = $2
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(new_key_hash)
    .bind(old_until)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stops every key of a source at once. Its leads stay.
pub async fn revoke(
    db: impl SqliteExecutor<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sources SET revoked_at = $2, old_key_until = NULL WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_by_name(
    db: impl SqliteExecutor<'_>,
    name: &str,
) -> Result<Option<SourceRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, phone_country FROM sources WHERE name = $1")
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

/// A source its website form posts to: there and not revoked, with where to send the person
/// after (its thank-you address, if set).
pub async fn find_for_form(
    db: impl SqliteExecutor<'_>,
    id: &str,
) -> Result<Option<(SourceRow, Option<String>)>, sqlx::Error> {
    let row: Option<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, name, phone_country, thank_you_url FROM sources
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, name, phone_country, thank_you)| {
        (
            SourceRow {
                id,
                name,
                phone_country,
            },
            thank_you,
        )
    }))
}
