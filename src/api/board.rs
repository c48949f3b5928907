//! The manager's aging board.

use crate::api::ApiError;
use crate::domain::board::AgingBoard;
use leptos::prelude::*;

/// Open leads by stage × age since inquiry.
#[server(endpoint = "board/aging")]
pub async fn get_aging_board() -> Result<AgingBoard, ApiError> {
    use crate::domain::role::Role;
    use crate::server::services::boards;
    crate::api::auth::require(&[Role::Manager, Role::Admin]).await?;
    let state = crate::api::app_state()?;
    Ok(boards::aging(&state.db, state.clock.now()).await?)
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
    use crate::domain::aging::short_age;
    use crate::domain::closure::DEAD_REASONS;
    use crate::domain::money::Money;
    use crate::domain::role::Role;
    use crate::server::services::boards;
    crate::api::auth::require(&[Role::Manager, Role::Admin]).await?;
    let state = crate::api::app_state()?;
    let now = state.clock.now();
    Ok(boards::recent_closures(&state.db)
        .await?
        .into_iter()
        .map(|row| {
            let outcome = match (
                row.won_amount_cents.and_then(|c| Money::from_cents(c).ok()),
                row.dead_reason.as_deref(),
            ) {
                (Some(amount), _) => format!("Won {amount}"),
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
