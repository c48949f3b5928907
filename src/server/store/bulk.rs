//! Bulk writes for the benchmark data generator: leads, their assignment, inquiry and touches
//! in one statement each, inside the caller's transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::SqliteConnection;

/// A generated lead, already in a consistent state.
#[derive(Debug, Clone)]
pub struct BulkLead {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: String,
    pub timeframe: String,
    pub free_mail: bool,
    pub source_id: String,
    pub stage: &'static str,
    pub owner_kind: &'static str,
    pub owner_id: Option<String>,
    pub attempts: i64,
    pub conversations: i64,
    pub next_action: Option<String>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub nurture_reason: Option<&'static str>,
    pub closed_outcome: Option<&'static str>,
    pub dead_reason: Option<&'static str>,
    pub won_amount_cents: Option<i64>,
    pub won_on: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub last_rep_id: Option<String>,
    pub received_at: DateTime<Utc>,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub last_touch_at: Option<DateTime<Utc>>,
}

pub async fn insert_lead(conn: &mut SqliteConnection, lead: &BulkLead) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO leads (id, name, email, phone, company, timeframe, free_mail, source_id,
            stage, owner_kind, owner_id, attempts, conversations, next_action, next_due_at,
            nurture_reason, closed_outcome, dead_reason, won_amount_cents, won_on, closed_at,
            closed_by, last_rep_id, received_at, sla_started_at, first_attempt_at, last_touch_at,
            last_follow_up_at, cadence_attempts, touch_count, last_touch_kind, last_touch_outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21, $22, $23, $24, $24, $25, $26, $26, $12, $12,
                 CASE WHEN $12 > 0 THEN 'call' END, CASE WHEN $12 > 0 THEN 'no_answer' END)",
    )
    .bind(&lead.id)
    .bind(&lead.name)
    .bind(&lead.email)
    .bind(&lead.phone)
    .bind(&lead.company)
    .bind(&lead.timeframe)
    .bind(lead.free_mail)
    .bind(&lead.source_id)
    .bind(lead.stage)
    .bind(lead.owner_kind)
    .bind(&lead.owner_id)
    .bind(lead.attempts)
    .bind(lead.conversations)
    .bind(&lead.next_action)
    .bind(lead.next_due_at)
    .bind(lead.nurture_reason)
    .bind(lead.closed_outcome)
    .bind(lead.dead_reason)
    .bind(lead.won_amount_cents)
    .bind(lead.won_on)
    .bind(lead.closed_at)
    .bind(&lead.closed_by)
    .bind(&lead.last_rep_id)
    .bind(lead.received_at)
    .bind(lead.first_attempt_at)
    .bind(lead.last_touch_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A generated assignment.
#[derive(Debug, Clone)]
pub struct BulkAssignment {
    pub id: String,
    pub lead_id: String,
    pub rep_id: String,
    pub assigned_at: DateTime<Utc>,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_kind: Option<&'static str>,
    pub outcome: Option<&'static str>,
    pub flags: crate::domain::segment::SegmentFlags,
}

pub async fn insert_assignment(
    conn: &mut SqliteConnection,
    a: &BulkAssignment,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO assignments (id, lead_id, rep_id, assigned_at, first_attempt_at,
            first_attempt_seconds, attempts, ended_at, end_kind, outcome, no_phone, free_mail,
            repeat_inquirer, long_timeframe, older_than_4w)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&a.id)
    .bind(&a.lead_id)
    .bind(&a.rep_id)
    .bind(a.assigned_at)
    .bind(a.first_attempt_at)
    .bind(
        a.first_attempt_at
            .map(|at| (at - a.assigned_at).num_seconds()),
    )
    .bind(a.attempts)
    .bind(a.ended_at)
    .bind(a.end_kind)
    .bind(a.outcome)
    .bind(a.flags.no_phone)
    .bind(a.flags.free_mail)
    .bind(a.flags.repeat_inquirer)
    .bind(a.flags.long_timeframe)
    .bind(a.flags.older_than_4w)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The inquiry message behind a generated lead.
pub async fn insert_inquiry(
    conn: &mut SqliteConnection,
    id: &str,
    lead: &BulkLead,
    message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inquiries (id, lead_id, source_id, received_at, name, email, phone, company,
            message, timeframe)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(&lead.id)
    .bind(&lead.source_id)
    .bind(lead.received_at)
    .bind(&lead.name)
    .bind(&lead.email)
    .bind(&lead.phone)
    .bind(&lead.company)
    .bind(message)
    .bind(&lead.timeframe)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A call attempt on a generated lead.
pub async fn insert_call(
    conn: &mut SqliteConnection,
    id: &str,
    lead_id: &str,
    rep_id: &str,
    outcome: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO touches (id, lead_id, user_id, kind, outcome, note, occurred_at)
         VALUES ($1, $2, $3, 'call', $4, '', $5)",
    )
    .bind(id)
    .bind(lead_id)
    .bind(rep_id)
    .bind(outcome)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many leads there are.
pub async fn lead_count(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leads")
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}
