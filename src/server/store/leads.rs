//! Leads: the current state of every lead, kept in step with its history in `lead_events`.

use crate::domain::lead::{Action, LeadState, NextAction, Owner, Stage};
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

/// A lead's contact details and segment flags, as written once at arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadContact {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: String,
    pub timeframe: String,
    pub free_mail: bool,
    pub source_id: String,
    pub received_at: DateTime<Utc>,
}

/// A lead as stored: contact details and lifecycle state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRecord {
    pub contact: LeadContact,
    pub repeat_inquirer: bool,
    pub state: LeadState,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub last_touch_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    company: String,
    timeframe: String,
    free_mail: bool,
    repeat_inquirer: bool,
    source_id: String,
    stage: String,
    owner_kind: String,
    owner_id: Option<String>,
    cadence_attempts: i64,
    cadence_started_at: Option<DateTime<Utc>>,
    conversations: i64,
    next_action: Option<String>,
    next_due_at: Option<DateTime<Utc>>,
    received_at: DateTime<Utc>,
    first_attempt_at: Option<DateTime<Utc>>,
    last_touch_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, name, email, phone, company, timeframe, free_mail, repeat_inquirer, \
    source_id, stage, owner_kind, owner_id, cadence_attempts, cadence_started_at, conversations, \
    next_action, next_due_at, received_at, first_attempt_at, last_touch_at";

fn corrupt(what: String) -> sqlx::Error {
    sqlx::Error::Decode(what.into())
}

/// Reads the lifecycle columns back into the domain's state.
fn state_of(
    stage: &str,
    owner_kind: &str,
    owner_id: Option<String>,
    next_action: Option<&str>,
    next_due_at: Option<DateTime<Utc>>,
) -> Result<(Stage, Owner, Option<NextAction>), sqlx::Error> {
    let stage: Stage = stage.parse().map_err(|e| corrupt(format!("{e}")))?;
    let owner = Owner::from_parts(owner_kind, owner_id)
        .ok_or_else(|| corrupt(format!("owner kind {owner_kind}")))?;
    let next = match (next_action, next_due_at) {
        (Some(action), Some(due_at)) => Some(NextAction {
            action: Action::parse(action).ok_or_else(|| corrupt(format!("action {action}")))?,
            due_at,
        }),
        _ => None,
    };
    Ok((stage, owner, next))
}

impl TryFrom<Row> for LeadRecord {
    type Error = sqlx::Error;

    fn try_from(row: Row) -> Result<Self, Self::Error> {
        let (stage, owner, next) = state_of(
            &row.stage,
            &row.owner_kind,
            row.owner_id,
            row.next_action.as_deref(),
            row.next_due_at,
        )?;
        Ok(LeadRecord {
            contact: LeadContact {
                id: row.id,
                name: row.name,
                email: row.email,
                phone: row.phone,
                company: row.company,
                timeframe: row.timeframe,
                free_mail: row.free_mail,
                source_id: row.source_id,
                received_at: row.received_at,
            },
            repeat_inquirer: row.repeat_inquirer,
            state: LeadState {
                stage,
                owner,
                cadence_attempts: u32::try_from(row.cadence_attempts).unwrap_or(0),
                cadence_started_at: row.cadence_started_at,
                conversations: u32::try_from(row.conversations).unwrap_or(0),
                next,
            },
            first_attempt_at: row.first_attempt_at,
            last_touch_at: row.last_touch_at,
        })
    }
}

/// Writes a new lead with its first state.
pub async fn insert(
    db: impl SqliteExecutor<'_>,
    contact: &LeadContact,
    state: &LeadState,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO leads (id, name, email, phone, company, timeframe, free_mail, source_id,
            stage, owner_kind, owner_id, cadence_attempts, cadence_started_at, conversations,
            next_action, next_due_at, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(&contact.id)
    .bind(&contact.name)
    .bind(&contact.email)
    .bind(&contact.phone)
    .bind(&contact.company)
    .bind(&contact.timeframe)
    .bind(contact.free_mail)
    .bind(&contact.source_id)
    .bind(state.stage.as_str())
    .bind(state.owner.kind_str())
    .bind(state.owner.rep_id())
    .bind(i64::from(state.cadence_attempts))
    .bind(state.cadence_started_at)
    .bind(i64::from(state.conversations))
    .bind(state.next.map(|n| n.action.as_str()))
    .bind(state.next.map(|n| n.due_at))
    .bind(contact.received_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(db: impl SqliteExecutor<'_>, id: &str) -> Result<Option<LeadRecord>, sqlx::Error> {
    sqlx::query_as::<_, Row>(&format!("SELECT {COLUMNS} FROM leads WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(LeadRecord::try_from)
        .transpose()
}

/// The earliest lead with this (normalised) email or phone, if any.
pub async fn find_by_contact(
    db: impl SqliteExecutor<'_>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Option<LeadRecord>, sqlx::Error> {
    sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLUMNS} FROM leads
         WHERE ($1 IS NOT NULL AND email = $1) OR ($2 IS NOT NULL AND phone = $2)
         ORDER BY received_at LIMIT 1"
    ))
    .bind(email)
    .bind(phone)
    .fetch_optional(db)
    .await?
    .map(LeadRecord::try_from)
    .transpose()
}

/// Writes a lead's new lifecycle state.
pub async fn save_state(
    conn: &mut SqliteConnection,
    id: &str,
    state: &LeadState,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE leads SET stage = $1, owner_kind = $2, owner_id = $3, cadence_attempts = $4,
            cadence_started_at = $5, conversations = $6, next_action = $7, next_due_at = $8
         WHERE id = $9",
    )
    .bind(state.stage.as_str())
    .bind(state.owner.kind_str())
    .bind(state.owner.rep_id())
    .bind(i64::from(state.cadence_attempts))
    .bind(state.cadence_started_at)
    .bind(i64::from(state.conversations))
    .bind(state.next.map(|n| n.action.as_str()))
    .bind(state.next.map(|n| n.due_at))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records that a touch happened at `at`; a follow-up touch also sets the first attempt time.
pub async fn mark_touched(
    conn: &mut SqliteConnection,
    id: &str,
    at: DateTime<Utc>,
    follow_up: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE leads SET last_touch_at = $1,
            first_attempt_at = CASE WHEN $2 AND first_attempt_at IS NULL THEN $1
                                    ELSE first_attempt_at END
         WHERE id = $3",
    )
    .bind(at)
    .bind(follow_up)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn mark_repeat_inquirer(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE leads SET repeat_inquirer = TRUE WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One line of a work list (a rep's queue, the nurture pool, the qualifier queue).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WorkRow {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: String,
    pub timeframe: String,
    pub free_mail: bool,
    pub repeat_inquirer: bool,
    pub stage: String,
    pub cadence_attempts: i64,
    pub next_action: Option<String>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub last_touch_at: Option<DateTime<Utc>>,
    pub last_touch_kind: Option<String>,
    pub last_touch_outcome: Option<String>,
    pub touch_count: i64,
    pub message: Option<String>,
    pub source: String,
}

const WORK_SELECT: &str = "SELECT l.id, l.name, l.email, l.phone, l.company, l.timeframe,
        l.free_mail, l.repeat_inquirer, l.stage, l.cadence_attempts, l.next_action,
        l.next_due_at, l.received_at, l.last_touch_at,
        (SELECT t.kind FROM touches t WHERE t.lead_id = l.id
            ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) AS last_touch_kind,
        (SELECT t.outcome FROM touches t WHERE t.lead_id = l.id
            ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) AS last_touch_outcome,
        (SELECT COUNT(*) FROM touches t WHERE t.lead_id = l.id) AS touch_count,
        (SELECT i.message FROM inquiries i WHERE i.lead_id = l.id
            ORDER BY i.received_at DESC LIMIT 1) AS message,
        s.name AS source
    FROM leads l JOIN sources s ON s.id = l.source_id";

/// A rep's open leads, the one due soonest first.
pub async fn rep_queue(
    db: impl SqliteExecutor<'_>,
    rep_id: &str,
) -> Result<Vec<WorkRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{WORK_SELECT} WHERE l.owner_kind = 'rep' AND l.owner_id = $1
            AND l.stage NOT IN ('won', 'dead')
         ORDER BY l.next_due_at, l.received_at"
    ))
    .bind(rep_id)
    .fetch_all(db)
    .await
}

/// The open leads held by a pool (`marketing` or `qualifier`), the one due soonest first.
pub async fn pool_queue(
    db: impl SqliteExecutor<'_>,
    owner_kind: &str,
) -> Result<Vec<WorkRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{WORK_SELECT} WHERE l.owner_kind = $1 AND l.stage NOT IN ('won', 'dead')
         ORDER BY l.next_due_at, l.received_at"
    ))
    .bind(owner_kind)
    .fetch_all(db)
    .await
}

/// What the aging board needs of one open lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub stage: Stage,
    pub received_at: DateTime<Utc>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub ghost: bool,
}

type BoardRaw = (String, DateTime<Utc>, Option<DateTime<Utc>>, bool);

/// Every open lead, reduced to what the aging board counts.
pub async fn open_for_board(db: impl SqliteExecutor<'_>) -> Result<Vec<BoardRow>, sqlx::Error> {
    let rows: Vec<BoardRaw> = sqlx::query_as(
        "SELECT stage, received_at, next_due_at, first_attempt_at IS NULL
         FROM leads WHERE stage NOT IN ('won', 'dead')",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(stage, received_at, next_due_at, ghost)| {
            Ok(BoardRow {
                stage: stage.parse().map_err(|e| corrupt(format!("{e}")))?,
                received_at,
                next_due_at,
                ghost,
            })
        })
        .collect()
}
