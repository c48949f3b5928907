//! Webhooks and their deliveries (the outbox).

use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether any database this process opened may have a webhook switched on. Until one is
/// added or found at start, recording a lead event skips looking for subscribers: intake pays
/// nothing for webhooks nobody set up. Never reset (a stale "maybe" costs one query).
static MAYBE_SUBSCRIBED: AtomicBool = AtomicBool::new(false);

pub fn note_subscribed() {
    MAYBE_SUBSCRIBED.store(true, Ordering::Relaxed);
}

/// One webhook, as the admin screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub events: String,
    pub created_at: DateTime<Utc>,
    pub switched_off_at: Option<DateTime<Utc>>,
    pub switched_off_why: Option<String>,
    pub delivered: i64,
    pub pending: i64,
    pub failed: i64,
}

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    id: &str,
    url: &str,
    events: &[&str],
    secret: &str,
    created_by: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhooks (id, url, events, secret, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(url)
    .bind(format!(" {} ", events.join(" ")))
    .bind(secret)
    .bind(created_by)
    .bind(at)
    .execute(db)
    .await?;
    note_subscribed();
    Ok(())
}

/// Every webhook not removed, newest first, with its deliveries counted.
pub async fn list(db: impl SqliteExecutor<'_>) -> Result<Vec<WebhookRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT w.id, w.url, w.events, w.created_at, w.switched_off_at, w.switched_off_why,
                COUNT(CASE WHEN d.status = 'delivered' THEN 1 END) AS delivered,
                COUNT(CASE WHEN d.status = 'pending' THEN 1 END) AS pending,
                COUNT(CASE WHEN d.status = 'failed' THEN 1 END) AS failed
         FROM webhooks w LEFT JOIN webhook_deliveries d ON d.webhook_id = w.id
         WHERE w.removed_at IS NULL
         GROUP BY w.id ORDER BY w.created_at DESC, w.id DESC",
    )
    .fetch_all(db)
    .await
}

/// How many webhooks the server switched off for failing (admins are warned of these).
pub async fn count_failing(db: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM webhooks
         WHERE removed_at IS NULL AND switched_off_at IS NOT NULL
           AND substr(switched_off_why, 1, length($1)) = $1",
    )
    .bind(crate::domain::webhook::FAILING)
    .fetch_one(db)
    .await?;
    Ok(count)
}

/// Whether any webhook is switched on (read at start).
pub async fn any_on(db: impl SqliteExecutor<'_>) -> Result<bool, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM webhooks WHERE removed_at IS NULL AND switched_off_at IS NULL",
    )
    .fetch_one(db)
    .await?;
    Ok(count > 0)
}

/// The URL of a webhook not removed.
pub async fn url_of(db: impl SqliteExecutor<'_>, id: &str) -> Result<Option<String>, sqlx::Error> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT url FROM webhooks WHERE id = $1 AND removed_at IS NULL")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(found.map(|(url,)| url))
}

/// Switches a webhook off (`why` given) or on (`None`); false when it was already so.
pub async fn switch(
    db: impl SqliteExecutor<'_>,
    id: &str,
    off: Option<(&str, DateTime<Utc>)>,
) -> Result<bool, sqlx::Error> {
    let done = match off {
        Some((why, at)) => {
            sqlx::query(
                "UPDATE webhooks SET switched_off_at = $1, switched_off_why = $2
                 WHERE id = $3 AND removed_at IS NULL AND switched_off_at IS NULL",
            )
            .bind(at)
            .bind(why)
            .bind(id)
            .execute(db)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE webhooks SET switched_off_at = NULL, switched_off_why = NULL
                 WHERE id = $1 AND removed_at IS NULL AND switched_off_at IS NOT NULL",
            )
            .bind(id)
            .execute(db)
            .await?
        }
    };
    if off.is_none() && done.rows_affected() > 0 {
        note_subscribed();
    }
    Ok(done.rows_affected() > 0)
}

/// Removes a webhook: nothing more is sent to it, and what waited is dropped as failed.
pub async fn remove(
    conn: &mut SqliteConnection,
    id: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE webhooks SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
            last_error = $2
         WHERE webhook_id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(crate::domain::webhook::REMOVED)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The switched-on webhooks subscribed to any of `events`, with the events each wants.
pub async fn subscribers(
    conn: &mut SqliteConnection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if !MAYBE_SUBSCRIBED.load(Ordering::Relaxed) {
        return Ok(Vec::new());
    }
    sqlx::query_as(
        "SELECT id, events FROM webhooks WHERE removed_at IS NULL AND switched_off_at IS NULL",
    )
    .fetch_all(conn)
    .await
}

/// The names a delivery's body gives: the lead's holder (name, email) and its source.
pub async fn names(
    conn: &mut SqliteConnection,
    owner_id: Option<&str>,
    source_id: &str,
) -> Result<(Option<(String, String)>, Option<String>), sqlx::Error> {
    let owner: Option<(String, String)> = match owner_id {
        Some(id) => {
            sqlx::query_as("SELECT name, email FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let source: Option<(String,)> = sqlx::query_as("SELECT name FROM sources WHERE id = $1")
        .bind(source_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok((owner, source.map(|(name,)| name)))
}

/// Puts one delivery in the outbox, due now. Call it inside the transaction of the change.
pub async fn enqueue(
    conn: &mut SqliteConnection,
    id: &str,
    webhook_id: &str,
    event: &str,
    lead_id: &str,
    payload: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_deliveries
            (id, webhook_id, event, lead_id, payload, created_at, status, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $6)",
    )
    .bind(id)
    .bind(webhook_id)
    .bind(event)
    .bind(lead_id)
    .bind(payload)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A delivery ready to send.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: String,
    pub webhook_id: String,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
}

/// Up to `limit` deliveries due by `now` whose webhook is switched on, oldest first, at most
/// `per_webhook` of each webhook's (one webhook's backlog never hides another's).
pub async fn due(
    db: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
    per_webhook: i64,
    limit: i64,
) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, webhook_id, url, secret, event, payload, attempts FROM (
            SELECT d.id, d.webhook_id, w.url, w.secret, d.event, d.payload, d.attempts,
                   d.next_attempt_at,
                   ROW_NUMBER() OVER (PARTITION BY d.webhook_id ORDER BY d.next_attempt_at, d.id) AS place
            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= $1
              AND w.switched_off_at IS NULL AND w.removed_at IS NULL
         ) WHERE place <= $2
         ORDER BY next_attempt_at, id LIMIT $3",
    )
    .bind(now)
    .bind(per_webhook)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A try's outcome: delivered, tried again at `retry_at`, or (neither) given up.
pub async fn record_attempt(
    db: impl SqliteExecutor<'_>,
    id: &str,
    at: DateTime<Utc>,
    delivered: bool,
    retry_at: Option<DateTime<Utc>>,
    code: Option<i64>,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    let status = match (delivered, retry_at) {
        (true, _) => "delivered",
        (false, Some(_)) => "pending",
        (false, None) => "failed",
    };
    sqlx::query(
        "UPDATE webhook_deliveries
         SET status = $1, attempts = attempts + 1, last_attempt_at = $2, next_attempt_at = $3,
             last_code = $4, last_error = $5,
             delivered_at = CASE WHEN $1 = 'delivered' THEN $2 ELSE delivered_at END
         WHERE id = $6 AND status = 'pending'",
    )
    .bind(status)
    .bind(at)
    .bind(retry_at)
    .bind(code)
    .bind(error)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Sends a delivery again now (a failed one gets a fresh round of tries); false if it is
/// waiting already, delivered, or its webhook was removed.
pub async fn retry(
    db: impl SqliteExecutor<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1
         WHERE id = $2 AND status = 'failed'
           AND webhook_id IN (SELECT id FROM webhooks WHERE removed_at IS NULL)",
    )
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// One line of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LogRow {
    pub id: String,
    pub url: String,
    pub event: String,
    pub lead_id: String,
    pub lead_name: String,
    pub created_at: DateTime<Utc>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_code: Option<i64>,
    pub last_error: Option<String>,
}

/// Whether a delivery of this id exists.
pub async fn delivery_exists(db: impl SqliteExecutor<'_>, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM webhook_deliveries WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// The latest `limit` deliveries in `status` (any when empty), newest first.
pub async fn log(
    db: impl SqliteExecutor<'_>,
    status: &str,
    limit: i64,
) -> Result<Vec<LogRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id, w.url, d.event, d.lead_id, l.name AS lead_name, d.created_at, d.status,
                d.attempts, d.next_attempt_at, d.last_code, d.last_error
         FROM webhook_deliveries d
         JOIN webhooks w ON w.id = d.webhook_id
         JOIN leads l ON l.id = d.lead_id
         WHERE $1 = '' OR d.status = $1
         ORDER BY d.created_at DESC, d.id DESC LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(db)
    .await
}
