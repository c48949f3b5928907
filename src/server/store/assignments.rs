//! Assignments: each time a rep is given a lead with a fresh first-contact clock, and how it
//! went. Kept in step with lead events by `services::lifecycle::record_event`.

use crate::domain::compliance::{AssignmentEnd, OpenAssignment};
use crate::domain::segment::SegmentFlags;
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

/// The assignment a lead has open, if any.
pub async fn open_for(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
) -> Result<Option<OpenAssignment>, sqlx::Error> {
    let row: Option<(String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT rep_id, assigned_at FROM assignments WHERE lead_id = $1 AND ended_at IS NULL",
    )
    .bind(lead_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(rep_id, assigned_at)| OpenAssignment {
        rep_id,
        assigned_at,
    }))
}

/// Counts a call attempt or meeting on the lead's open assignment, `delay_seconds` after it
/// started; the first one also sets the time to first attempt.
pub async fn count_attempt(
    conn: &mut SqliteConnection,
    lead_id: &str,
    at: DateTime<Utc>,
    delay_seconds: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assignments SET attempts = attempts + 1,
            first_attempt_seconds = COALESCE(first_attempt_seconds, $3),
            first_attempt_at = COALESCE(first_attempt_at, $2)
         WHERE lead_id = $1 AND ended_at IS NULL",
    )
    .bind(lead_id)
    .bind(at)
    .bind(delay_seconds.max(0))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends the lead's open assignment.
pub async fn end_open(
    conn: &mut SqliteConnection,
    lead_id: &str,
    at: DateTime<Utc>,
    end: AssignmentEnd,
    stage: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assignments SET ended_at = $2, end_kind = $3, outcome = $4
         WHERE lead_id = $1 AND ended_at IS NULL",
    )
    .bind(lead_id)
    .bind(at)
    .bind(end.as_str())
    .bind(stage)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Starts an assignment.
pub async fn start(
    conn: &mut SqliteConnection,
    id: &str,
    lead_id: &str,
    assignment: &OpenAssignment,
    flags: SegmentFlags,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO assignments (id, lead_id, rep_id, assigned_at, no_phone, free_mail,
            repeat_inquirer, long_timeframe, older_than_4w)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(lead_id)
    .bind(&assignment.rep_id)
    .bind(assignment.assigned_at)
    .bind(flags.no_phone)
    .bind(flags.free_mail)
    .bind(flags.repeat_inquirer)
    .bind(flags.long_timeframe)
    .bind(flags.older_than_4w)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Counts a refused closure against the rep's open assignment on the lead.
pub async fn count_refusal(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
    rep_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assignments SET closures_refused = closures_refused + 1
         WHERE lead_id = $1 AND rep_id = $2 AND ended_at IS NULL",
    )
    .bind(lead_id)
    .bind(rep_id)
    .execute(db)
    .await?;
    Ok(())
}

/// What segments the lead is in, as of `at`.
pub async fn lead_flags(
    db: impl SqliteExecutor<'_>,
    lead_id: &str,
    at: DateTime<Utc>,
) -> Result<SegmentFlags, sqlx::Error> {
    let (has_phone, free_mail, repeat, timeframe, received_at): (
        bool,
        bool,
        bool,
        String,
        DateTime<Utc>,
    ) = sqlx::query_as(
        "SELECT phone IS NOT NULL, free_mail, repeat_inquirer, timeframe, received_at
         FROM leads WHERE id = $1",
    )
    .bind(lead_id)
    .fetch_one(db)
    .await?;
    Ok(SegmentFlags::of(
        has_phone,
        free_mail,
        repeat,
        &timeframe,
        at - received_at,
    ))
}

/// Open rep-held leads with no open assignment (leads from before assignments were kept).
pub async fn missing(
    db: impl SqliteExecutor<'_>,
) -> Result<Vec<(String, OpenAssignment, Option<DateTime<Utc>>, i64)>, sqlx::Error> {
    type Row = (String, String, DateTime<Utc>, Option<DateTime<Utc>>, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.id, l.owner_id, l.sla_started_at, l.first_attempt_at, l.attempts FROM leads l
         WHERE l.owner_kind = 'rep' AND l.stage NOT IN ('won', 'dead')
           AND NOT EXISTS (SELECT 1 FROM assignments a
                           WHERE a.lead_id = l.id AND a.ended_at IS NULL)",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(lead_id, rep_id, assigned_at, first, attempts)| {
            (
                lead_id,
                OpenAssignment {
                    rep_id,
                    assigned_at,
                },
                first,
                attempts,
            )
        })
        .collect())
}

/// Sets what was already done on a backfilled assignment.
pub async fn set_progress(
    conn: &mut SqliteConnection,
    lead_id: &str,
    first_attempt: Option<(DateTime<Utc>, i64)>,
    attempts: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assignments SET first_attempt_at = $2, first_attempt_seconds = $3, attempts = $4
         WHERE lead_id = $1 AND ended_at IS NULL",
    )
    .bind(lead_id)
    .bind(first_attempt.map(|(at, _)| at))
    .bind(first_attempt.map(|(_, secs)| secs.max(0)))
    .bind(attempts)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
