//! Marketing's nurture pool.

use crate::api::queue::LeadCard;
use crate::api::ApiError;
use leptos::prelude::*;

/// Every lead marketing is keeping warm, the one due a touch soonest first.
#[server(endpoint = "nurture/pool")]
pub async fn nurture_pool() -> Result<Vec<LeadCard>, ApiError> {
    use crate::domain::role::Role;
    use crate::server::services::work;
    use crate::server::state::AppState;
    crate::api::auth::require(&[Role::Marketing, Role::Manager, Role::Admin]).await?;
    let state = expect_context::<AppState>();
    let now = state.clock.now();
    let rows = work::nurture_pool(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|row| crate::api::queue::card(row, now, &state.policy))
        .collect())
}
