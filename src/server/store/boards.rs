//! The managers' boards: what the in-memory board snapshot loads, the drill-down lists, and
//! the year-long totals the forecast reads.

use crate::domain::aging::AgeBucket;
use crate::domain::board::Basis;
use crate::domain::forecast::ClosedYear;
use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// The column of `leads l` a basis measures age from.
fn age_column(basis: Basis) -> &'static str {
    match basis {
        Basis::Inquiry => "l.received_at",
        Basis::RealTouch => "COALESCE(l.last_follow_up_at, l.received_at)",
    }
}

/// One lead in a drilled-down cell.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CellLead {
    pub id: String,
    pub name: String,
    pub company: String,
    pub owner: String,
    pub received_at: DateTime<Utc>,
    pub last_follow_up_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub ghost: bool,
}

/// The open leads of `stage` in `bucket` as of `now`, oldest first, at most `limit`.
pub async fn cell_leads(
    db: impl SqliteExecutor<'_>,
    basis: Basis,
    stage: &str,
    bucket: AgeBucket,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<CellLead>, sqlx::Error> {
    let bounds = AgeBucket::bounds();
    let index = bucket as usize;
    // Younger than the bucket's end, at least as old as its start.
    let after = bounds.get(index).map(|b| now - *b);
    let not_after = index.checked_sub(1).map(|i| now - bounds[i]);
    let sql = format!(
        "SELECT l.id, l.name, l.company,
                CASE l.owner_kind WHEN 'rep' THEN COALESCE(u.name, '')
                     WHEN 'marketing' THEN 'Marketing' ELSE 'Qualifier queue' END AS owner,
                l.received_at, l.last_follow_up_at, l.next_due_at,
                l.first_attempt_at IS NULL AS ghost
         FROM leads l LEFT JOIN users u ON u.id = l.owner_id
         WHERE l.stage = $1 AND ($2 IS NULL OR {col} > $2) AND ($3 IS NULL OR {col} <= $3)
         ORDER BY {col} LIMIT $4",
        col = age_column(basis)
    );
    sqlx::query_as(&sql)
        .bind(stage)
        .bind(after)
        .bind(not_after)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// The open leads a rep holds, oldest first.
pub async fn rep_leads(
    db: impl SqliteExecutor<'_>,
    rep_id: &str,
    limit: i64,
) -> Result<Vec<CellLead>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.id, l.name, l.company, COALESCE(u.name, '') AS owner,
                l.received_at, l.last_follow_up_at, l.next_due_at,
                l.first_attempt_at IS NULL AS ghost
         FROM leads l JOIN users u ON u.id = l.owner_id
         WHERE l.owner_kind = 'rep' AND l.owner_id = $1 AND l.stage NOT IN ('won', 'dead')
         ORDER BY l.received_at LIMIT $2",
    )
    .bind(rep_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The earliest moment after `now` when an open lead moves into an older age bucket on either
/// basis, or falls due: the boards change then even though nothing was logged.
pub async fn next_change(
    db: impl SqliteExecutor<'_> + Copy,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let mut earliest: Option<DateTime<Utc>> = None;
    let mut consider = |at: Option<DateTime<Utc>>| {
        if let Some(at) = at {
            earliest = Some(earliest.map_or(at, |e| e.min(at)));
        }
    };
    for bound in AgeBucket::bounds() {
        for column in ["received_at", "last_follow_up_at"] {
            let sql = format!(
                "SELECT MIN({column}) FROM leads
                 WHERE stage NOT IN ('won', 'dead') AND {column} > $1"
            );
            let (first,): (Option<DateTime<Utc>>,) =
                sqlx::query_as(&sql).bind(now - bound).fetch_one(db).await?;
            consider(first.map(|t| t + bound));
        }
    }
    let (due,): (Option<DateTime<Utc>>,) =
        sqlx::query_as("SELECT MIN(next_due_at) FROM leads WHERE next_due_at > $1")
            .bind(now)
            .fetch_one(db)
            .await?;
    consider(due);
    Ok(earliest)
}

/// Won and dead since `since`, and what the won ones brought.
pub async fn closed_since(
    db: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
) -> Result<ClosedYear, sqlx::Error> {
    let (won, dead, cents): (i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(closed_outcome = 'won'), 0), COALESCE(SUM(closed_outcome = 'dead'), 0),
                COALESCE(SUM(won_amount_cents), 0)
         FROM leads WHERE closed_at IS NOT NULL AND closed_at >= $1",
    )
    .bind(since)
    .fetch_one(db)
    .await?;
    Ok(ClosedYear {
        won: u32::try_from(won).unwrap_or(u32::MAX),
        dead: u32::try_from(dead).unwrap_or(u32::MAX),
        won_cents: cents,
    })
}

/// Per source: its cost, its lead count, its open ghost leads and its leads closed dead
/// since `since` without a conversation.
pub async fn unfollowed_by_source(
    db: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, i64, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.cost_cents,
                (SELECT COUNT(*) FROM leads l WHERE l.source_id = s.id),
                (SELECT COUNT(*) FROM leads l WHERE l.source_id = s.id
                   AND l.stage NOT IN ('won', 'dead') AND l.first_attempt_at IS NULL),
                (SELECT COUNT(*) FROM leads l WHERE l.source_id = s.id AND l.stage = 'dead'
                   AND l.conversations = 0 AND l.closed_at >= $1)
         FROM sources s",
    )
    .bind(since)
    .fetch_all(db)
    .await
}

/// What the live boards keep in memory of one open lead.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenRow {
    pub id: String,
    pub stage: String,
    pub owner_kind: String,
    pub owner_id: Option<String>,
    pub received_at: DateTime<Utc>,
    pub last_follow_up_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub ghost: bool,
}

const OPEN_SELECT: &str = "SELECT id, stage, owner_kind, owner_id, received_at, last_follow_up_at,
        next_due_at, first_attempt_at IS NULL AS ghost FROM leads";

/// Every open lead.
pub async fn open_rows(db: impl SqliteExecutor<'_>) -> Result<Vec<OpenRow>, sqlx::Error> {
    sqlx::query_as(&format!("{OPEN_SELECT} WHERE stage NOT IN ('won', 'dead')"))
        .fetch_all(db)
        .await
}

/// One lead, if it is open.
pub async fn open_row(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
) -> Result<Option<OpenRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{OPEN_SELECT} WHERE id = $1 AND stage NOT IN ('won', 'dead')"
    ))
    .bind(lead_id)
    .fetch_optional(db)
    .await
}

/// What the live boards keep in memory of one assignment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentRow {
    pub lead_id: String,
    pub rep_id: String,
    pub assigned_at: DateTime<Utc>,
    pub first_attempt_seconds: Option<i64>,
    pub attempts: i64,
    pub closures_refused: i64,
    pub end_kind: Option<String>,
    /// The stage the lead ended in when the assignment ended.
    pub outcome: Option<String>,
    pub no_phone: bool,
    pub free_mail: bool,
    pub repeat_inquirer: bool,
    pub long_timeframe: bool,
    pub older_than_4w: bool,
    /// The lead has had a conversation (it counts as qualified).
    pub qualified: bool,
}

const ASSIGNMENT_SELECT: &str = "SELECT a.lead_id, a.rep_id, a.assigned_at,
        a.first_attempt_seconds, a.attempts, a.closures_refused, a.end_kind, a.outcome, a.no_phone,
        a.free_mail, a.repeat_inquirer, a.long_timeframe, a.older_than_4w,
        l.conversations > 0 AS qualified
    FROM assignments a JOIN leads l ON l.id = a.lead_id";

/// Every assignment since `since`.
pub async fn assignment_rows(
    db: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
) -> Result<Vec<AssignmentRow>, sqlx::Error> {
    sqlx::query_as(&format!("{ASSIGNMENT_SELECT} WHERE a.assigned_at >= $1"))
        .bind(since)
        .fetch_all(db)
        .await
}

/// One lead's assignments since `since`.
pub async fn assignment_rows_of(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<AssignmentRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ASSIGNMENT_SELECT} WHERE a.lead_id = $1 AND a.assigned_at >= $2"
    ))
    .bind(lead_id)
    .bind(since)
    .fetch_all(db)
    .await
}

/// Every rep (active, or with leads): id, name, territory, monthly quota, active.
pub async fn reps(
    db: impl SqliteExecutor<'_>,
) -> Result<Vec<(String, String, String, i64, bool)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, territory, monthly_quota, active FROM users
         WHERE role = 'rep' ORDER BY name, id",
    )
    .fetch_all(db)
    .await
}
