//! The managers' boards: aging (with drill-down), compliance and bias watch, capacity and
//! forecast. Each reads through the shared board cache, so hundreds of open boards re-reading
//! after a change cost one database read.

use crate::api::ApiError;
use crate::domain::bias::RepBias;
use crate::domain::board::AgingBoard;
use crate::domain::compliance::ComplianceBoard;
use crate::domain::forecast::Outlook;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Windows the compliance board offers, in days.
pub const WINDOWS: [u32; 3] = [7, 30, 90];

/// Open leads by stage × age, since inquiry (`basis` "inquiry") or since the last real touch
/// ("touch").
#[server(endpoint = "board/aging")]
pub async fn get_aging_board(basis: String) -> Result<AgingBoard, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::board::Basis;
    use crate::server::services::boards;
    let Ctx { state, .. } = Ctx::enter(Action::Boards).await?;
    let basis = Basis::parse(&basis);
    let version = state.live.version();
    state.snapshot.caught_up(version).await;
    Ok(state
        .boards
        .get(format!("aging/{}", basis.as_str()), version, || async {
            Ok(boards::aging(&state.snapshot, basis, state.clock.now()))
        })
        .await?)
}

/// One lead of a drilled-down aging cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellLeadLine {
    pub id: String,
    pub name: String,
    pub company: String,
    pub owner: String,
    /// "3 days" since inquiry.
    pub age: String,
    /// "2 h" since the last call attempt or meeting, or "never".
    pub since_touch: String,
    pub overdue: bool,
    pub ghost: bool,
}

/// The leads behind one cell of the aging board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellView {
    /// "Attempting, 1–7 days since inquiry".
    pub title: String,
    pub leads: Vec<CellLeadLine>,
    /// More leads are in the cell than are listed.
    pub truncated: bool,
    /// The reps its leads can be given to, with their load.
    pub reps: Vec<crate::api::lead::RepChoice>,
    /// For a rep's own leads: the rep (a manager may mark them away from here).
    pub rep_id: Option<String>,
}

#[cfg(feature = "ssr")]
fn lines(
    rows: Vec<crate::server::store::boards::CellLead>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<CellLeadLine> {
    use crate::domain::aging::short_age;
    rows.into_iter()
        .map(|row| CellLeadLine {
            age: short_age(now - row.received_at),
            since_touch: row
                .last_follow_up_at
                .map_or_else(|| "never".to_string(), |at| short_age(now - at)),
            overdue: row.next_due_at.is_some_and(|due| due < now),
            ghost: row.ghost,
            id: row.id,
            name: row.name,
            company: row.company,
            owner: row.owner,
        })
        .collect()
}

#[cfg(feature = "ssr")]
async fn choices(
    state: &crate::server::state::AppState,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<crate::api::lead::RepChoice>, ApiError> {
    let capacity = state.policy.get().rep_capacity;
    Ok(
        crate::server::services::boards::rep_choices(&state.db, now, capacity)
            .await?
            .into_iter()
            .map(|rep| crate::api::lead::RepChoice {
                label: if rep.available {
                    format!("{} — {} open", rep.name, rep.open)
                } else {
                    format!("{} — away or full", rep.name)
                },
                id: rep.id,
                available: rep.available,
            })
            .collect(),
    )
}

/// The open leads one rep holds (a compliance row opened), to reassign or to mark the rep away.
#[server(endpoint = "board/rep-leads")]
pub async fn rep_leads(rep_id: String) -> Result<CellView, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::boards;
    let Ctx { state, now, .. } = Ctx::enter(Action::Boards).await?;
    let (name, rows) = boards::rep_leads(&state.db, rep_id.trim()).await?;
    Ok(CellView {
        title: format!("{name}'s open leads"),
        truncated: rows.len() as i64 >= boards::CELL_LIMIT,
        leads: lines(rows, now),
        reps: choices(&state, now).await?,
        rep_id: Some(rep_id.trim().to_string()),
    })
}

/// The leads in one cell: `stage` (as in the URL) and `bucket` (0 = youngest).
#[server(endpoint = "board/aging-cell")]
pub async fn aging_cell(basis: String, stage: String, bucket: u8) -> Result<CellView, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::aging::AgeBucket;
    use crate::domain::board::Basis;
    use crate::domain::intake::FieldError;
    use crate::domain::lead::Stage;
    use crate::server::services::boards;
    let Ctx { state, .. } = Ctx::enter(Action::Boards).await?;
    let basis = Basis::parse(&basis);
    let stage: Stage = stage
        .parse()
        .ok()
        .filter(|s| Stage::OPEN.contains(s))
        .ok_or_else(|| {
            ApiError::Invalid(vec![FieldError::new("stage", "is not an open stage")]).respond()
        })?;
    let bucket = AgeBucket::ALL
        .get(usize::from(bucket))
        .copied()
        .ok_or_else(|| {
            ApiError::Invalid(vec![FieldError::new("bucket", "is not an age bucket")])
        })?;
    let now = state.clock.now();
    let rows = boards::cell(&state.db, basis, stage, bucket, now).await?;
    Ok(CellView {
        title: format!("{}, {} {}", stage.label(), bucket.label(), basis.label()),
        truncated: rows.len() as i64 >= boards::CELL_LIMIT,
        leads: lines(rows, now),
        reps: choices(&state, now).await?,
        rep_id: None,
    })
}

/// The compliance board and the bias watch over one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceView {
    pub board: ComplianceBoard,
    pub bias: Vec<RepBias>,
    /// The first-contact SLA the board measures against, in minutes.
    pub sla_minutes: i64,
    /// When these figures were read, in the team's time: "14:05".
    pub updated: String,
}

/// Per-rep compliance and bias watch over the last `window_days` (7, 30 or 90).
#[server(endpoint = "board/compliance")]
pub async fn get_compliance(window_days: u32) -> Result<ComplianceView, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::intake::FieldError;
    use crate::server::services::boards;
    let Ctx { state, .. } = Ctx::enter(Action::Boards).await?;
    if !WINDOWS.contains(&window_days) {
        return Err(
            ApiError::Invalid(vec![FieldError::new("window", "must be 7, 30 or 90 days")])
                .respond(),
        );
    }
    let version = state.live.version();
    state.snapshot.caught_up(version).await;
    let now = state.clock.now();
    let policy = state.policy.get();
    let board = state
        .boards
        .get(format!("compliance/{window_days}"), version, || {
            boards::compliance(&state.db, &state.snapshot, &policy, window_days, now)
        })
        .await?;
    let bias = state
        .boards
        .get(format!("bias/{window_days}"), version, || {
            boards::bias_watch(&state.db, &state.snapshot, &policy, window_days, now)
        })
        .await?;
    Ok(ComplianceView {
        board,
        bias,
        sla_minutes: policy.first_contact.num_minutes(),
        updated: now
            .with_timezone(&state.config.timezone)
            .format("%H:%M")
            .to_string(),
    })
}

/// Capacity against quota, and the forecast from the open pool.
#[server(endpoint = "board/outlook")]
pub async fn get_outlook() -> Result<Outlook, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::boards;
    let Ctx { state, .. } = Ctx::enter(Action::Boards).await?;
    let version = state.live.version();
    state.snapshot.caught_up(version).await;
    let policy = state.policy.get();
    Ok(state
        .boards
        .get("outlook".to_string(), version, || {
            boards::outlook(&state.db, &state.snapshot, &policy, state.clock.now())
        })
        .await?)
}

/// One closure as the review list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClosureLine {
    pub lead_id: String,
    pub name: String,
    /// "Won 4,800.00" or "Dead: not a buyer".
    pub outcome: String,
    pub by: String,
    pub ago: String,
    /// Closed as dead without any conversation: worth a look.
    pub without_conversation: bool,
}

/// The latest closures, newest first.
#[server(endpoint = "board/closures")]
pub async fn recent_closures() -> Result<Vec<ClosureLine>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::aging::short_age;
    use crate::domain::closure::DEAD_REASONS;
    use crate::domain::money::Money;
    use crate::server::services::boards;
    let Ctx { state, .. } = Ctx::enter(Action::Boards).await?;
    let now = state.clock.now();
    let currency = crate::server::services::policy::currency(&state.db).await?;
    Ok(boards::recent_closures(&state.db)
        .await?
        .into_iter()
        .map(|row| {
            let outcome = match (
                row.won_amount_cents.and_then(|c| Money::from_cents(c).ok()),
                row.dead_reason.as_deref(),
            ) {
                (Some(amount), _) => format!("Won {currency} {amount}"),
                (None, Some(reason)) => format!(
                    "Dead: {}",
                    DEAD_REASONS
                        .iter()
                        .find(|(r, _)| *r == reason)
                        .map_or(reason, |(_, label)| label)
                ),
                _ => row.stage.clone(),
            };
            ClosureLine {
                without_conversation: row.stage == "dead" && row.conversations == 0,
                lead_id: row.id,
                name: row.name,
                outcome,
                by: row.closed_by,
                ago: short_age(now - row.closed_at),
            }
        })
        .collect())
}
