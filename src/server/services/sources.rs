//! Lead sources and their API keys.

use super::{new_token, token_hash, ServiceError};
use crate::server::store::{self, sources, sources::SourceRow};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

/// Adds a source and returns it with its API key. The key is shown once; only its hash is kept.
#[tracing::instrument(skip_all, fields(name = %name))]
pub async fn add_source(
    db: &SqlitePool,
    now: DateTime<Utc>,
    name: &str,
) -> Result<(SourceRow, String), ServiceError> {
    let name = crate::domain::text::clean_name(name);
    let name = name.as_str();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "is required"));
    }
    let source = SourceRow {
        id: store::new_id(),
        name: name.to_string(),
    };
    let key = new_token("ll_");
    match sources::insert(db, &source, &token_hash(&key), now).await {
        Err(e) if store::is_unique_violation(&e) => Err(ServiceError::invalid(
            "name",
            "is already the name of another source",
        )),
        other => other.map(|()| (source, key)).map_err(Into::into),
    }
}

/// The source an API key belongs to.
pub async fn authenticate(db: &SqlitePool, key: &str) -> Result<Option<SourceRow>, ServiceError> {
    Ok(sources::find_by_key_hash(db, &token_hash(key)).await?)
}

/// Sets what a source (campaign) cost, from text such as "12,000".
pub async fn set_cost(db: &SqlitePool, source_id: &str, cost: &str) -> Result<(), ServiceError> {
    let cents = match cost.trim() {
        "0" | "" => 0,
        raw => crate::domain::money::Money::parse(raw)
            .map_err(|e| ServiceError::invalid("cost", e.to_string()))?
            .cents(),
    };
    sources::set_cost(db, source_id, cents).await?;
    Ok(())
}
