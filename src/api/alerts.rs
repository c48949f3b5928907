//! The caller's alerts.

use crate::api::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An unread alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub lead_id: String,
    pub message: String,
    pub kind: String,
    pub age: String,
}

/// The caller's unread alerts, newest first.
#[server(endpoint = "alerts/mine")]
pub async fn my_alerts() -> Result<Vec<Alert>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::aging::short_age;
    use crate::server::services::alerts;
    let Ctx { user, state, .. } = Ctx::enter(Action::OwnAccount).await?;
    let now = state.clock.now();
    Ok(alerts::unread(&state.db, &user)
        .await?
        .into_iter()
        .map(|row| Alert {
            id: row.id,
            lead_id: row.lead_id,
            message: row.message,
            kind: row.kind,
            age: short_age(now - row.created_at),
        })
        .collect())
}

/// Dismisses one of the caller's alerts.
#[server(endpoint = "alerts/dismiss")]
pub async fn dismiss_alert(alert_id: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::alerts;
    let Ctx { user, state, .. } = Ctx::enter(Action::OwnAccount).await?;
    alerts::dismiss(&state.db, &user, &alert_id, state.clock.now()).await?;
    Ok(())
}

/// Dismisses every one of the caller's alerts. Answers how many.
#[server(endpoint = "alerts/dismiss-all")]
pub async fn dismiss_all_alerts() -> Result<u64, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::alerts;
    let Ctx { user, state, now } = Ctx::enter(Action::OwnAccount).await?;
    Ok(alerts::dismiss_all(&state.db, &user, now).await?)
}
