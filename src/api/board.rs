//! The manager's aging board.

use crate::api::ApiError;
use crate::domain::board::AgingBoard;
use leptos::prelude::*;

/// Open leads by stage × age since inquiry.
#[server(endpoint = "board/aging")]
pub async fn get_aging_board() -> Result<AgingBoard, ApiError> {
    use crate::domain::role::Role;
    use crate::server::services::boards;
    use crate::server::state::AppState;
    crate::api::auth::require(&[Role::Manager, Role::Admin]).await?;
    let state = expect_context::<AppState>();
    Ok(boards::aging(&state.db, state.clock.now()).await?)
}
