//! The managers' boards, aggregated in the database: each query reads a covering index and
//! returns counts, never every lead.

use crate::domain::aging::AgeBucket;
use crate::domain::bias::{GroupCount, Rate};
use crate::domain::board::Basis;
use crate::domain::compliance::RepCounts;
use crate::domain::forecast::{ClosedYear, RepLoad, TerritoryFlow};
use crate::domain::segment::SegmentFlags;
use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteExecutor;

/// The age column a basis measures from.
fn age_column(basis: Basis) -> &'static str {
    match basis {
        Basis::Inquiry => "received_at",
        Basis::RealTouch => "COALESCE(last_follow_up_at, received_at)",
    }
}

/// One counted cell of the aging board.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgingCount {
    pub stage: String,
    pub bucket: i64,
    pub count: i64,
    pub overdue: i64,
    pub ghosts: i64,
}

/// Open leads counted by stage and age bucket as of `now`.
pub async fn aging(
    db: impl SqliteExecutor<'_>,
    basis: Basis,
    now: DateTime<Utc>,
) -> Result<Vec<AgingCount>, sqlx::Error> {
    // An age under bound i means the time is after now − bound i.
    let cases: String = (0..8)
        .map(|i| format!("WHEN t > ${} THEN {i} ", i + 1))
        .collect();
    let sql = format!(
        "SELECT stage, CASE {cases}ELSE 8 END AS bucket, COUNT(*) AS count,
                COALESCE(SUM(next_due_at < $9), 0) AS overdue,
                COALESCE(SUM(first_attempt_at IS NULL), 0) AS ghosts
         FROM (SELECT stage, {} AS t, next_due_at, first_attempt_at FROM leads
               WHERE stage NOT IN ('won', 'dead'))
         GROUP BY stage, bucket",
        age_column(basis)
    );
    let mut query = sqlx::query_as(&sql);
    for bound in AgeBucket::bounds() {
        query = query.bind(now - bound);
    }
    query.bind(now).fetch_all(db).await
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
            .replace("last_follow_up_at", "l.last_follow_up_at")
            .replace("received_at", "l.received_at")
    );
    sqlx::query_as(&sql)
        .bind(stage)
        .bind(after)
        .bind(not_after)
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

/// Each rep's assignments since `since`, and what they hold now, counted.
pub async fn rep_counts(
    db: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
    sla: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<RepCounts>, sqlx::Error> {
    type Row = (
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.name, COALESCE(a.assigned, 0), COALESCE(a.attempted, 0),
                COALESCE(a.within_sla, 0), COALESCE(a.attempts, 0), COALESCE(a.outcomes, 0),
                COALESCE(a.reclaimed, 0), COALESCE(a.refused, 0), COALESCE(h.overdue, 0),
                COALESCE(h.ghosts, 0), COALESCE(c.unspoken, 0)
         FROM users u
         LEFT JOIN (SELECT rep_id, COUNT(*) AS assigned,
                           SUM(first_attempt_seconds IS NOT NULL) AS attempted,
                           SUM(first_attempt_seconds <= $2) AS within_sla,
                           SUM(attempts) AS attempts, SUM(end_kind = 'outcome') AS outcomes,
                           SUM(end_kind = 'reclaimed') AS reclaimed,
                           SUM(closures_refused) AS refused
                    FROM assignments WHERE assigned_at >= $1 GROUP BY rep_id) a
                ON a.rep_id = u.id
         LEFT JOIN (SELECT owner_id, SUM(next_due_at < $3) AS overdue,
                           SUM(first_attempt_at IS NULL) AS ghosts
                    FROM leads WHERE owner_kind = 'rep' AND stage NOT IN ('won', 'dead')
                    GROUP BY owner_id) h
                ON h.owner_id = u.id
         LEFT JOIN (SELECT closed_by, COUNT(*) AS unspoken FROM leads
                    WHERE closed_at IS NOT NULL AND closed_at >= $1 AND stage = 'dead'
                      AND conversations = 0
                    GROUP BY closed_by) c
                ON c.closed_by = u.id
         WHERE u.role = 'rep' AND (u.active OR a.assigned > 0 OR h.owner_id IS NOT NULL)
         ORDER BY u.name, u.id",
    )
    .bind(since)
    .bind(sla.num_seconds())
    .bind(now)
    .fetch_all(db)
    .await?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(rows
        .into_iter()
        .map(|r| RepCounts {
            rep_id: r.0,
            name: r.1,
            assigned: n(r.2),
            attempted: n(r.3),
            within_sla: n(r.4),
            attempts: n(r.5),
            outcomes: n(r.6),
            reclaimed: n(r.7),
            closures_refused: n(r.8),
            overdue_now: n(r.9),
            ghosts_now: n(r.10),
            dead_unspoken: n(r.11),
        })
        .collect())
}

/// Assignments since `since` that got a first attempt: the rep, minutes to it, and the lead's
/// segments.
pub async fn first_attempt_delays(
    db: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
) -> Result<Vec<(String, f64, SegmentFlags)>, sqlx::Error> {
    type Row = (String, i64, bool, bool, bool, bool, bool);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT rep_id, first_attempt_seconds, no_phone, free_mail, repeat_inquirer,
                long_timeframe, older_than_4w
         FROM assignments WHERE assigned_at >= $1 AND first_attempt_seconds IS NOT NULL",
    )
    .bind(since)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let flags = SegmentFlags {
                no_phone: r.2,
                free_mail: r.3,
                repeat_inquirer: r.4,
                long_timeframe: r.5,
                older_than_4w: r.6,
            };
            (r.0, r.1 as f64 / 60.0, flags)
        })
        .collect())
}

/// Assignments since `since` grouped by rep and segment flags: how many, how many followed
/// up, how many inside the SLA.
pub async fn segment_counts(
    db: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
    sla: Duration,
) -> Result<Vec<GroupCount>, sqlx::Error> {
    type Row = (String, String, bool, bool, bool, bool, bool, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.rep_id, u.name, a.no_phone, a.free_mail, a.repeat_inquirer, a.long_timeframe,
                a.older_than_4w, COUNT(*), SUM(a.first_attempt_seconds IS NOT NULL),
                COALESCE(SUM(a.first_attempt_seconds <= $2), 0)
         FROM assignments a JOIN users u ON u.id = a.rep_id
         WHERE a.assigned_at >= $1
         GROUP BY a.rep_id, a.no_phone, a.free_mail, a.repeat_inquirer, a.long_timeframe,
                  a.older_than_4w
         ORDER BY u.name, a.rep_id",
    )
    .bind(since)
    .bind(sla.num_seconds())
    .fetch_all(db)
    .await?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(rows
        .into_iter()
        .map(|r| GroupCount {
            rep_id: r.0,
            name: r.1,
            flags: SegmentFlags {
                no_phone: r.2,
                free_mail: r.3,
                repeat_inquirer: r.4,
                long_timeframe: r.5,
                older_than_4w: r.6,
            },
            rate: Rate {
                leads: n(r.7),
                followed: n(r.8),
                within_sla: n(r.9),
            },
        })
        .collect())
}

/// Every active rep's open lead count, territory and quota.
pub async fn rep_loads(db: impl SqliteExecutor<'_>) -> Result<Vec<RepLoad>, sqlx::Error> {
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT u.id, u.name, u.territory, u.monthly_quota,
                (SELECT COUNT(*) FROM leads l WHERE l.owner_id = u.id AND l.owner_kind = 'rep'
                   AND l.stage NOT IN ('won', 'dead'))
         FROM users u WHERE u.role = 'rep' AND u.active ORDER BY u.name, u.id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(rep_id, name, territory, quota, open)| RepLoad {
            rep_id,
            name,
            territory,
            open: u32::try_from(open).unwrap_or(u32::MAX),
            monthly_quota: u32::try_from(quota).unwrap_or(0),
        })
        .collect())
}

/// Leads given to each territory's reps since `since`, and how many reached a conversation.
pub async fn territory_flows(
    db: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
) -> Result<Vec<TerritoryFlow>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT u.territory, COUNT(DISTINCT a.lead_id),
                COUNT(DISTINCT CASE WHEN l.conversations > 0 THEN a.lead_id END)
         FROM assignments a JOIN users u ON u.id = a.rep_id JOIN leads l ON l.id = a.lead_id
         WHERE a.assigned_at >= $1 GROUP BY u.territory",
    )
    .bind(since)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(territory, raw, qualified)| TerritoryFlow {
            territory,
            raw: u32::try_from(raw).unwrap_or(u32::MAX),
            qualified: u32::try_from(qualified).unwrap_or(u32::MAX),
        })
        .collect())
}

/// Open leads in all, and those waiting in the qualifier queue.
pub async fn open_pool(db: impl SqliteExecutor<'_>) -> Result<(u32, u32), sqlx::Error> {
    let (open, overflow): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(owner_kind = 'qualifier'), 0) FROM leads
         WHERE stage NOT IN ('won', 'dead')",
    )
    .fetch_one(db)
    .await?;
    Ok((
        u32::try_from(open).unwrap_or(u32::MAX),
        u32::try_from(overflow).unwrap_or(u32::MAX),
    ))
}

/// Won and dead since `since`, and what the won ones brought.
pub async fn closed_since(
    db: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
) -> Result<ClosedYear, sqlx::Error> {
    let (won, dead, cents): (i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(stage = 'won'), 0), COALESCE(SUM(stage = 'dead'), 0),
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
