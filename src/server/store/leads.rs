//! Leads: the current state of every lead, kept in step with its history in `lead_events`.

use crate::domain::lead::{
    Action, Closure, DeadReason, Evidence, LeadState, NextAction, NurtureReason, Owner, Reach,
    Stage,
};
use crate::domain::money::Money;
use crate::domain::qualification::Qualification;
use chrono::{DateTime, NaiveDate, Utc};
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
    /// The lead a customer bought on, when this is their next opportunity.
    pub follows: Option<String>,
}

/// A lead as stored: contact details and lifecycle state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRecord {
    pub contact: LeadContact,
    pub repeat_inquirer: bool,
    pub state: LeadState,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub last_touch_at: Option<DateTime<Utc>>,
    /// The last rep who held the lead, for hand-backs.
    pub last_rep_id: Option<String>,
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
    sla_started_at: DateTime<Utc>,
    sla_warned: bool,
    attempts: i64,
    conversations: i64,
    wrong_numbers: i64,
    bounced_emails: i64,
    next_action: Option<String>,
    next_due_at: Option<DateTime<Utc>>,
    nurture_reason: Option<String>,
    recontact_at: Option<DateTime<Utc>>,
    closed_outcome: Option<String>,
    dead_reason: Option<String>,
    own_request: bool,
    duplicate_of: Option<String>,
    won_amount_cents: Option<i64>,
    won_on: Option<NaiveDate>,
    hot_note: Option<String>,
    handbacks: i64,
    last_rep_id: Option<String>,
    received_at: DateTime<Utc>,
    first_attempt_at: Option<DateTime<Utc>>,
    last_touch_at: Option<DateTime<Utc>>,
    follows_lead_id: Option<String>,
    country: Option<String>,
    region: Option<String>,
}

const COLUMNS: &str = "id, name, email, phone, company, timeframe, free_mail, repeat_inquirer, \
    source_id, stage, owner_kind, owner_id, cadence_attempts, cadence_started_at, sla_started_at, \
    sla_warned, attempts, conversations, wrong_numbers, bounced_emails, next_action, next_due_at, \
    nurture_reason, recontact_at, closed_outcome, dead_reason, own_request, duplicate_of, \
    won_amount_cents, won_on, hot_note, handbacks, last_rep_id, received_at, first_attempt_at, \
    last_touch_at, follows_lead_id, country, region";

fn corrupt(what: String) -> sqlx::Error {
    sqlx::Error::Decode(what.into())
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn closure_of(row: &Row) -> Result<Option<Closure>, sqlx::Error> {
    Ok(match row.closed_outcome.as_deref() {
        None => None,
        Some("won") => {
            let amount = row
                .won_amount_cents
                .and_then(|cents| Money::from_cents(cents).ok())
                .ok_or_else(|| corrupt(format!("lead {} won without an amount", row.id)))?;
            let on = row
                .won_on
                .ok_or_else(|| corrupt(format!("lead {} won without a date", row.id)))?;
            Some(Closure::Won { amount, on })
        }
        Some(_) => {
            let reason = row
                .dead_reason
                .as_deref()
                .and_then(|r| DeadReason::from_parts(r, row.own_request, row.duplicate_of.clone()))
                .ok_or_else(|| corrupt(format!("lead {} dead without a reason", row.id)))?;
            Some(Closure::Dead(reason))
        }
    })
}

impl TryFrom<Row> for LeadRecord {
    type Error = sqlx::Error;

    fn try_from(row: Row) -> Result<Self, Self::Error> {
        let stage: Stage = row.stage.parse().map_err(|e| corrupt(format!("{e}")))?;
        let owner = Owner::from_parts(&row.owner_kind, row.owner_id.clone())
            .ok_or_else(|| corrupt(format!("owner kind {}", row.owner_kind)))?;
        let next = match (row.next_action.as_deref(), row.next_due_at) {
            (Some(action), Some(due_at)) => Some(NextAction {
                action: Action::parse(action).ok_or_else(|| corrupt(format!("action {action}")))?,
                due_at,
            }),
            _ => None,
        };
        let closure = closure_of(&row)?;
        Ok(LeadRecord {
            state: LeadState {
                stage,
                owner,
                reach: Reach::of(
                    row.phone.as_deref(),
                    row.email.is_some(),
                    &crate::domain::territory::Place {
                        country: row.country.clone(),
                        region: row.region.clone(),
                        postcode: None,
                    },
                ),
                evidence: Evidence {
                    attempts: count(row.attempts),
                    conversations: count(row.conversations),
                    wrong_numbers: count(row.wrong_numbers),
                    bounced_emails: count(row.bounced_emails),
                },
                cadence_attempts: count(row.cadence_attempts),
                cadence_started_at: row.cadence_started_at,
                sla_started_at: row.sla_started_at,
                sla_warned: row.sla_warned,
                next,
                closure,
                nurture_reason: row.nurture_reason.as_deref().and_then(NurtureReason::parse),
                recontact_at: row.recontact_at,
                hot_note: row.hot_note,
                handbacks: count(row.handbacks),
            },
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
                follows: row.follows_lead_id,
            },
            repeat_inquirer: row.repeat_inquirer,
            first_attempt_at: row.first_attempt_at,
            last_touch_at: row.last_touch_at,
            last_rep_id: row.last_rep_id,
        })
    }
}

/// Writes a new lead with its first state.
pub async fn insert(
    conn: &mut SqliteConnection,
    contact: &LeadContact,
    state: &LeadState,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO leads (id, name, email, phone, company, timeframe, free_mail, source_id,
            stage, owner_kind, owner_id, next_action, next_due_at, sla_started_at, received_at,
            follows_lead_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
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
    .bind(state.next.map(|n| n.action.as_str()))
    .bind(state.next.map(|n| n.due_at))
    .bind(state.sla_started_at)
    .bind(contact.received_at)
    .bind(&contact.follows)
    .execute(&mut *conn)
    .await?;
    save_state(conn, &contact.id, state).await
}

pub async fn get(db: impl SqliteExecutor<'_>, id: &str) -> Result<Option<LeadRecord>, sqlx::Error> {
    sqlx::query_as::<_, Row>(&format!("SELECT {COLUMNS} FROM leads WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(LeadRecord::try_from)
        .transpose()
}

/// The person's latest lead with this (normalised) email or phone, if any: a customer who bought
/// has one lead per opportunity.
pub async fn find_by_contact(
    db: impl SqliteExecutor<'_>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Option<LeadRecord>, sqlx::Error> {
    sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLUMNS} FROM leads
         WHERE ($1 IS NOT NULL AND email = $1) OR ($2 IS NOT NULL AND phone = $2)
         ORDER BY received_at DESC, id DESC LIMIT 1"
    ))
    .bind(email)
    .bind(phone)
    .fetch_optional(db)
    .await?
    .map(LeadRecord::try_from)
    .transpose()
}

/// Writes a lead's whole lifecycle state.
pub async fn save_state(
    conn: &mut SqliteConnection,
    id: &str,
    state: &LeadState,
) -> Result<(), sqlx::Error> {
    let (outcome, reason, own_request, duplicate_of, amount, won_on) = match &state.closure {
        None => (None, None, false, None, None, None),
        Some(Closure::Won { amount, on }) => (
            Some("won"),
            None,
            false,
            None,
            Some(amount.cents()),
            Some(*on),
        ),
        Some(Closure::Dead(reason)) => (
            Some("dead"),
            Some(reason.as_str()),
            matches!(reason, DeadReason::DoNotContact { own_request: true }),
            match reason {
                DeadReason::Duplicate { of } => Some(of.clone()),
                _ => None,
            },
            None,
            None,
        ),
    };
    sqlx::query(
        "UPDATE leads SET stage = $1, owner_kind = $2, owner_id = $3, cadence_attempts = $4,
            cadence_started_at = $5, sla_started_at = $6, sla_warned = $7, attempts = $8,
            conversations = $9, wrong_numbers = $10, bounced_emails = $11, next_action = $12,
            next_due_at = $13, nurture_reason = $14, recontact_at = $15, closed_outcome = $16,
            dead_reason = $17, own_request = $18, duplicate_of = $19, won_amount_cents = $20,
            won_on = $21, hot_note = $22, handbacks = $23,
            last_rep_id = COALESCE($3, last_rep_id)
         WHERE id = $24",
    )
    .bind(state.stage.as_str())
    .bind(state.owner.kind_str())
    .bind(state.owner.rep_id())
    .bind(i64::from(state.cadence_attempts))
    .bind(state.cadence_started_at)
    .bind(state.sla_started_at)
    .bind(state.sla_warned)
    .bind(i64::from(state.evidence.attempts))
    .bind(i64::from(state.evidence.conversations))
    .bind(i64::from(state.evidence.wrong_numbers))
    .bind(i64::from(state.evidence.bounced_emails))
    .bind(state.next.map(|n| n.action.as_str()))
    .bind(state.next.map(|n| n.due_at))
    .bind(state.nurture_reason.map(NurtureReason::as_str))
    .bind(state.recontact_at)
    .bind(outcome)
    .bind(reason)
    .bind(own_request)
    .bind(duplicate_of)
    .bind(amount)
    .bind(won_on)
    .bind(&state.hot_note)
    .bind(i64::from(state.handbacks))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records who closed a lead and when; `None` clears it on reopening.
pub async fn set_closed_by(
    conn: &mut SqliteConnection,
    id: &str,
    closed: Option<(DateTime<Utc>, &str)>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE leads SET closed_at = $1, closed_by = $2 WHERE id = $3")
        .bind(closed.map(|(at, _)| at))
        .bind(closed.map(|(_, by)| by))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ids of leads that may have a clock tick due at `now`: a rep's lead waiting for its first
/// attempt past the warning time, a rep's lead overdue past the hoarding limit, or a nurtured
/// lead past its recontact date. The domain decides; this only narrows the search.
pub async fn tick_candidates(
    db: impl SqliteExecutor<'_>,
    warn_cutoff: DateTime<Utc>,
    hoard_cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM leads
         WHERE (owner_kind = 'rep' AND stage IN ('assigned', 'hot') AND cadence_attempts = 0
                AND sla_started_at <= $1)
            OR (owner_kind = 'qualifier' AND stage = 'queued' AND cadence_attempts = 0
                AND NOT sla_warned AND sla_started_at <= $1)
            OR (owner_kind = 'rep' AND stage NOT IN ('won', 'dead') AND next_due_at <= $2)
            OR (stage = 'nurture' AND recontact_at <= $3)
         ORDER BY received_at",
    )
    .bind(warn_cutoff)
    .bind(hoard_cutoff)
    .bind(now)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Saves what a rep learned while qualifying (budget, authority, need, timeline).
pub async fn save_qualification(
    conn: &mut SqliteConnection,
    id: &str,
    q: &Qualification,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE leads SET bant_budget = $1, bant_authority = $2, bant_need = $3, bant_timeline = $4
         WHERE id = $5",
    )
    .bind(&q.budget)
    .bind(&q.authority)
    .bind(&q.need)
    .bind(&q.timeline)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn qualification(
    db: impl SqliteExecutor<'_>,
    id: &str,
) -> Result<Qualification, sqlx::Error> {
    let (budget, authority, need, timeline): (String, String, String, String) = sqlx::query_as(
        "SELECT bant_budget, bant_authority, bant_need, bant_timeline FROM leads WHERE id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await?;
    Ok(Qualification {
        budget,
        authority,
        need,
        timeline,
    })
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
            last_follow_up_at = CASE WHEN $2 THEN $1 ELSE last_follow_up_at END,
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

/// Adds what a repeat inquiry tells about the person and the lead did not know yet: an email
/// or phone it lacked, a company, a name where it only had their email or phone. Nothing known
/// is overwritten (the inquiry itself keeps every value as sent).
pub async fn add_contact_details(
    conn: &mut SqliteConnection,
    id: &str,
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    company: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE leads SET
            email = COALESCE(email, $2),
            phone = COALESCE(phone, $3),
            company = CASE WHEN company = '' THEN $4 ELSE company END,
            name = CASE WHEN $5 <> '' AND (name = '' OR name = email OR name = phone)
                        THEN $5 ELSE name END
         WHERE id = $1",
    )
    .bind(id)
    .bind(email)
    .bind(phone)
    .bind(company)
    .bind(name)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a customer bought before this lead: the earliest sale's date, how many sales, and
/// their total in cents — over the leads this one follows. `None` for a lead that follows none.
pub async fn customer_history(
    db: impl SqliteExecutor<'_>,
    id: &str,
) -> Result<Option<(NaiveDate, i64, i64)>, sqlx::Error> {
    let row: (Option<NaiveDate>, i64, Option<i64>) = sqlx::query_as(
        "WITH RECURSIVE earlier(id) AS (
             SELECT follows_lead_id FROM leads WHERE id = $1 AND follows_lead_id IS NOT NULL
             UNION
             SELECT l.follows_lead_id FROM leads l JOIN earlier e ON l.id = e.id
             WHERE l.follows_lead_id IS NOT NULL)
         SELECT MIN(won_on), COUNT(*), SUM(won_amount_cents) FROM leads
         WHERE id IN (SELECT id FROM earlier) AND closed_outcome = 'won'",
    )
    .bind(id)
    .fetch_one(db)
    .await?;
    Ok(match row {
        (Some(since), sales, Some(total)) if sales > 0 => Some((since, sales, total)),
        _ => None,
    })
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
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
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
    pub nurture_reason: Option<String>,
    pub recontact_at: Option<DateTime<Utc>>,
    pub hot_note: Option<String>,
}

const WORK_SELECT: &str = "SELECT l.id, l.name, l.email, l.phone, l.company, l.timeframe,
        l.free_mail, l.repeat_inquirer, l.stage, l.cadence_attempts, l.next_action,
        l.next_due_at, l.received_at, l.last_touch_at, l.last_touch_kind,
        l.last_touch_outcome, l.touch_count,
        (SELECT i.message FROM inquiries i WHERE i.lead_id = l.id
            ORDER BY i.received_at DESC LIMIT 1) AS message,
        s.name AS source, l.nurture_reason, l.recontact_at, l.hot_note
    FROM leads l JOIN sources s ON s.id = l.source_id";

/// A rep's open leads, in no particular order (the service puts them in working order). Read as one JSON row: the SQLite driver's
/// cost is per row, and a phone asks for this on every change.
pub async fn rep_queue(
    db: impl SqliteExecutor<'_>,
    rep_id: &str,
) -> Result<Vec<WorkRow>, sqlx::Error> {
    let (json,): (String,) = sqlx::query_as(
        "SELECT json_group_array(json_object(
            'id', l.id, 'name', l.name, 'email', l.email, 'phone', l.phone,
            'company', l.company, 'timeframe', l.timeframe,
            'free_mail', json(CASE WHEN l.free_mail THEN 'true' ELSE 'false' END),
            'repeat_inquirer', json(CASE WHEN l.repeat_inquirer THEN 'true' ELSE 'false' END),
            'stage', l.stage, 'cadence_attempts', l.cadence_attempts,
            'next_action', l.next_action, 'next_due_at', l.next_due_at,
            'received_at', l.received_at, 'last_touch_at', l.last_touch_at,
            'last_touch_kind', l.last_touch_kind, 'last_touch_outcome', l.last_touch_outcome,
            'touch_count', l.touch_count,
            'message', (SELECT i.message FROM inquiries i WHERE i.lead_id = l.id
                        ORDER BY i.received_at DESC LIMIT 1),
            'source', s.name, 'nurture_reason', l.nurture_reason,
            'recontact_at', l.recontact_at, 'hot_note', l.hot_note))
         FROM leads l JOIN sources s ON s.id = l.source_id
         WHERE l.owner_kind = 'rep' AND l.owner_id = $1 AND l.stage NOT IN ('won', 'dead')",
    )
    .bind(rep_id)
    .fetch_one(db)
    .await?;
    serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
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

/// A closure as managers review it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClosureRow {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub dead_reason: Option<String>,
    pub won_amount_cents: Option<i64>,
    pub closed_at: DateTime<Utc>,
    pub closed_by: String,
    pub conversations: i64,
}

/// The most recent closures, newest first.
pub async fn recent_closures(
    db: impl SqliteExecutor<'_>,
    limit: i64,
) -> Result<Vec<ClosureRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.id, l.name, l.stage, l.dead_reason, l.won_amount_cents, l.closed_at,
                u.name AS closed_by, l.conversations
         FROM leads l JOIN users u ON u.id = l.closed_by
         WHERE l.closed_at IS NOT NULL
         ORDER BY l.closed_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// What the campaign table counts of one lead.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CampaignLeadRow {
    pub source_id: String,
    pub received_at: DateTime<Utc>,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub conversations: i64,
    pub stage: String,
    pub handbacks: i64,
    pub won_amount_cents: Option<i64>,
}

/// Every lead, reduced to what the campaign table counts.
pub async fn for_campaigns(
    db: impl SqliteExecutor<'_>,
) -> Result<Vec<CampaignLeadRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT source_id, received_at, first_attempt_at, conversations, stage, handbacks,
                won_amount_cents
         FROM leads",
    )
    .fetch_all(db)
    .await
}

/// How many open leads a rep holds.
pub async fn open_count_of(db: impl SqliteExecutor<'_>, rep_id: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM leads WHERE owner_kind = 'rep' AND owner_id = $1
           AND stage NOT IN ('won', 'dead')",
    )
    .bind(rep_id)
    .fetch_one(db)
    .await?;
    Ok(n)
}

/// Ids of the open leads a rep holds.
/// The leads waiting in the qualifier queue (id, name), oldest first.
pub async fn queued(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name FROM leads WHERE owner_kind = 'qualifier' AND stage NOT IN ('won', 'dead')
         ORDER BY received_at",
    )
    .fetch_all(&mut *conn)
    .await
}

pub async fn open_ids_of(
    db: impl SqliteExecutor<'_>,
    rep_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM leads WHERE owner_kind = 'rep' AND owner_id = $1
           AND stage NOT IN ('won', 'dead') ORDER BY received_at",
    )
    .bind(rep_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
