//! The audit log: who changed the team's set-up, and — read together with the sign-in
//! attempts and the lead events that people caused — who did what, when.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// One change to the team's set-up.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub at: DateTime<Utc>,
    /// The user who made it; `None` for Leadline itself or the command line.
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    /// What it was done to: a person's email, a source's name, "follow-up policy".
    pub subject: &'a str,
    pub detail: &'a str,
}

pub async fn record(db: impl SqliteExecutor<'_>, entry: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, action, subject, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(super::new_id())
    .bind(entry.at)
    .bind(entry.actor_id)
    .bind(entry.action)
    .bind(entry.subject)
    .bind(entry.detail)
    .execute(db)
    .await?;
    Ok(())
}

/// One line of the audit screen, from any of its three sources.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Line {
    pub id: String,
    pub at: DateTime<Utc>,
    /// The person's name, the email typed at a failed sign-in, or "" for Leadline.
    pub who: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// Which lines to read: of one kind of action (`None`: all), by one person (a user id), and
/// older than the line `before` (for the next page).
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    pub action: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub before: Option<(DateTime<Utc>, &'a str)>,
}

/// Lead events a person's hand caused, by the audit log's names for them.
const LEAD_ACTIONS: &str = "'closed', 'won', 'reopened', 'reassigned', 'closure_refused'";

/// Up to `limit` lines, newest first.
pub async fn page(
    db: impl SqliteExecutor<'_>,
    filter: &Filter<'_>,
    limit: i64,
) -> Result<Vec<Line>, sqlx::Error> {
    let (before_at, before_id) = filter
        .before
        .map_or((None, None), |(at, id)| (Some(at), Some(id)));
    sqlx::query_as(&format!(
        "SELECT * FROM (
             SELECT a.id, a.at, COALESCE(u.name, '') AS who, a.action, a.subject, a.detail,
                    a.actor_id
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
           UNION ALL
             SELECT s.id, s.at, COALESCE(u.name, s.email) AS who,
                    CASE WHEN s.succeeded THEN 'sign_in' ELSE 'sign_in_failed' END AS action,
                    s.email AS subject, 'from ' || s.address AS detail, s.user_id AS actor_id
             FROM sign_in_attempts s LEFT JOIN users u ON u.id = s.user_id
           UNION ALL
             SELECT e.id, e.occurred_at AS at, COALESCE(u.name, '') AS who, e.kind AS action,
                    l.name AS subject, e.detail, e.actor_id
             FROM lead_events e JOIN leads l ON l.id = e.lead_id
                  LEFT JOIN users u ON u.id = e.actor_id
             WHERE e.kind IN ({LEAD_ACTIONS}) AND e.actor_id IS NOT NULL
         )
         WHERE ($1 IS NULL OR action = $1) AND ($2 IS NULL OR actor_id = $2)
           AND ($3 IS NULL OR at < $3 OR (at = $3 AND id < $4))
         ORDER BY at DESC, id DESC LIMIT $5"
    ))
    .bind(filter.action)
    .bind(filter.actor_id)
    .bind(before_at)
    .bind(before_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
