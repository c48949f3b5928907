//! Lead sources and their API keys: added, set up, rotated with a grace period, revoked. A key
//! is shown once; only its hash is kept. Every change is an audit entry.

use super::{new_token, token_hash, ServiceError};
use crate::domain::role::User;
use crate::server::store::{self, audit, sources, sources::SourceRow};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;

/// The longest grace an old key may keep working after a rotation.
pub const MAX_GRACE_HOURS: i64 = 24 * 30;

/// Adds a source and returns it with its API key. The key is shown once; only its hash is kept.
#[tracing::instrument(skip_all, fields(name = %name))]
pub async fn add_source(
    db: &SqlitePool,
    now: DateTime<Utc>,
    name: &str,
) -> Result<(SourceRow, String), ServiceError> {
    add(db, now, None, name).await
}

async fn add(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: Option<&User>,
    name: &str,
) -> Result<(SourceRow, String), ServiceError> {
    let name = crate::domain::text::clean_name(name);
    let name = name.as_str();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "is required"));
    }
    if name.chars().count() > 100 {
        return Err(ServiceError::invalid(
            "name",
            "must be at most 100 characters",
        ));
    }
    let source = SourceRow {
        id: store::new_id(),
        name: name.to_string(),
        phone_country: None,
    };
    let key = new_token("ll_");
    let mut tx = store::begin_write(db).await?;
    match sources::insert(&mut *tx, &source, &token_hash(&key), now).await {
        Err(e) if store::is_unique_violation(&e) => {
            return Err(ServiceError::invalid(
                "name",
                "is already the name of another source",
            ))
        }
        other => other?,
    }
    record(&mut tx, now, actor, "source_added", &source.name, "").await?;
    tx.commit().await?;
    Ok((source, key))
}

async fn record(
    tx: &mut store::Tx,
    now: DateTime<Utc>,
    actor: Option<&User>,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    audit::record(
        &mut **tx,
        audit::Entry {
            at: now,
            actor_id: actor.map(|a| a.id.as_str()),
            action,
            subject,
            detail,
        },
    )
    .await
}

/// The source an API key belongs to at `now` (a rotated-away key only during its grace; a
/// revoked source's never).
pub async fn authenticate(
    db: &SqlitePool,
    now: DateTime<Utc>,
    key: &str,
) -> Result<Option<SourceRow>, ServiceError> {
    Ok(sources::find_by_key_hash(db, &token_hash(key), now).await?)
}

/// Cents from text such as "12,000"; empty or "0" is nothing.
fn cents(cost: &str) -> Result<i64, ServiceError> {
    Ok(match cost.trim() {
        "0" | "" => 0,
        raw => crate::domain::money::Money::parse(raw)
            .map_err(|e| ServiceError::invalid("cost", e.to_string()))?
            .cents(),
    })
}

/// Sets what a source (campaign) cost, from text such as "12,000".
pub async fn set_cost(db: &SqlitePool, source_id: &str, cost: &str) -> Result<(), ServiceError> {
    sources::set_cost(db, source_id, cents(cost)?).await?;
    Ok(())
}

/// A source's settings as typed on the admin screen.
#[derive(Debug, Clone, Copy)]
pub struct SourceForm<'a> {
    pub name: &'a str,
    pub cost: &'a str,
    /// Two letters ("US", "DE"), or empty for the server's default.
    pub phone_country: &'a str,
    /// Where a plain web form sends the person afterwards; empty for Leadline's own page.
    pub thank_you_url: &'a str,
}

/// Checks a thank-you address: an absolute `https://` (or `http://`) URL with a host, nothing
/// a browser would run.
fn thank_you_url(text: &str) -> Result<Option<String>, ServiceError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || {
        ServiceError::invalid(
            "thank_you_url",
            "must be a web address starting with https://",
        )
    };
    let url = url::Url::parse(text).map_err(|_| bad())?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() || text.len() > 2000 {
        return Err(bad());
    }
    Ok(Some(url.to_string()))
}

fn phone_country(text: &str) -> Result<Option<String>, ServiceError> {
    match text.trim().to_ascii_uppercase().as_str() {
        "" => Ok(None),
        code => crate::domain::territory::country_code(code)
            .map(Some)
            .ok_or_else(|| {
                ServiceError::invalid(
                    "phone_country",
                    "is not a two-letter country code like US or DE",
                )
            }),
    }
}

/// Adds a source with its settings; answers it and its key (shown once).
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    form: SourceForm<'_>,
) -> Result<(SourceRow, String), ServiceError> {
    let settings = (
        cents(form.cost)?,
        phone_country(form.phone_country)?,
        thank_you_url(form.thank_you_url)?,
    );
    let (source, key) = add(db, now, Some(actor), form.name).await?;
    sources::set_settings(
        db,
        &source.id,
        &sources::Settings {
            cost_cents: settings.0,
            phone_country: settings.1.as_deref(),
            thank_you_url: settings.2.as_deref(),
        },
    )
    .await?;
    Ok((source, key))
}

/// Changes a source's cost, phone country and thank-you address.
pub async fn update(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    source_id: &str,
    form: SourceForm<'_>,
) -> Result<(), ServiceError> {
    let settings = (
        cents(form.cost)?,
        phone_country(form.phone_country)?,
        thank_you_url(form.thank_you_url)?,
    );
    let source = sources::detail(db, source_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut tx = store::begin_write(db).await?;
    sources::set_settings(
        &mut *tx,
        source_id,
        &sources::Settings {
            cost_cents: settings.0,
            phone_country: settings.1.as_deref(),
            thank_you_url: settings.2.as_deref(),
        },
    )
    .await?;
    record(
        &mut tx,
        now,
        Some(actor),
        "source_changed",
        &source.name,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every source as the admin screen lists it.
pub async fn list(db: &SqlitePool) -> Result<Vec<sources::SourceDetail>, ServiceError> {
    Ok(sources::details(db).await?)
}

/// Gives a source a new key; the old one keeps working for `grace_hours` (0: stops now).
/// Answers the source's name and the new key (shown once).
#[tracing::instrument(skip_all, fields(source = %source_id))]
pub async fn rotate(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    source_id: &str,
    grace_hours: &str,
) -> Result<(String, String), ServiceError> {
    let hours = grace_hours
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (0..=MAX_GRACE_HOURS).contains(h))
        .ok_or_else(|| {
            ServiceError::invalid(
                "grace_hours",
                format!("must be a whole number of hours from 0 to {MAX_GRACE_HOURS}"),
            )
        })?;
    let source = sources::detail(db, source_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if source.revoked_at.is_some() {
        return Err(ServiceError::Refused(
            "This source was revoked; add a new source instead.".to_string(),
        ));
    }
    let key = new_token("ll_");
    let until = now + Duration::hours(hours);
    let mut tx = store::begin_write(db).await?;
    if !sources::rotate_key(&mut *tx, source_id, &token_hash(&key), until).await? {
        return Err(ServiceError::NotFound);
    }
    let detail = if hours == 0 {
        "the old key stopped at once".to_string()
    } else {
        format!("the old key works for {hours} more hours")
    };
    record(
        &mut tx,
        now,
        Some(actor),
        "key_rotated",
        &source.name,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok((source.name, key))
}

/// Stops every key of a source at once.
#[tracing::instrument(skip_all, fields(source = %source_id))]
pub async fn revoke(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    source_id: &str,
) -> Result<(), ServiceError> {
    let source = sources::detail(db, source_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut tx = store::begin_write(db).await?;
    if !sources::revoke(&mut *tx, source_id, now).await? {
        return Err(ServiceError::Refused(
            "This source's keys were already revoked.".to_string(),
        ));
    }
    record(
        &mut tx,
        now,
        Some(actor),
        "key_revoked",
        &source.name,
        "every key stopped",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
