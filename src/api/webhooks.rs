//! Webhooks from the admin screen: subscribe an address to lead events, switch it off and on,
//! remove it, read the delivery log and send a failed delivery again. Admins only.

use crate::api::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One webhook as the screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookLine {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub added: String,
    pub on: bool,
    /// Why it is off ("switched off by an admin", "failed: …"), or empty.
    pub off_why: String,
    /// "12 delivered · 2 waiting · 1 failed".
    pub counts: String,
}

/// One delivery in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLine {
    pub id: String,
    pub at: String,
    pub event: String,
    pub lead_id: String,
    pub lead_name: String,
    pub url: String,
    pub status: String,
    /// "delivered", "pending" or "failed".
    pub state: String,
}

/// The webhooks screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksView {
    pub webhooks: Vec<WebhookLine>,
    pub log: Vec<DeliveryLine>,
    /// Every event there is, with what it means.
    pub events: Vec<(String, String)>,
}

/// A webhook just added, with the secret its deliveries are signed with (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub url: String,
    pub secret: String,
}

/// How many deliveries the log shows.
#[cfg(feature = "ssr")]
const LOG_LINES: i64 = 100;

/// The webhooks, the latest deliveries, and the events there are.
/// `show`: "failed", "pending" or "delivered" for those only, empty for all.
#[server(endpoint = "admin/webhooks")]
pub async fn webhooks(#[server(default)] show: String) -> Result<WebhooksView, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::webhook::{delivery_status, EVENTS};
    use crate::server::services::webhooks::overview;
    let Ctx { state, .. } = Ctx::enter(Action::RunTeam).await?;
    let (hooks, log) = overview(&state.db, &show, LOG_LINES).await?;
    let tz = state.config.timezone;
    let moment = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&tz)
            .format("%-d %b %Y %H:%M:%S")
            .to_string()
    };
    let webhooks = hooks
        .into_iter()
        .map(|w| WebhookLine {
            events: w.events.split_whitespace().map(str::to_string).collect(),
            added: moment(w.created_at),
            on: w.switched_off_at.is_none(),
            off_why: w.switched_off_why.unwrap_or_default(),
            counts: format!(
                "{} delivered · {} waiting · {} failed",
                w.delivered, w.pending, w.failed
            ),
            id: w.id,
            url: w.url,
        })
        .collect();
    let log = log
        .into_iter()
        .map(|d| {
            let mut status =
                delivery_status(&d.status, d.attempts, d.last_code, d.last_error.as_deref());
            if let (Some(next), "pending", true) =
                (d.next_attempt_at, d.status.as_str(), d.attempts > 0)
            {
                status.push_str(&format!(" at {}", moment(next)));
            }
            DeliveryLine {
                at: moment(d.created_at),
                id: d.id,
                event: d.event,
                lead_id: d.lead_id,
                lead_name: d.lead_name,
                url: d.url,
                status,
                state: d.status,
            }
        })
        .collect();
    Ok(WebhooksView {
        webhooks,
        log,
        events: EVENTS
            .iter()
            .map(|(name, meaning)| (name.to_string(), meaning.to_string()))
            .collect(),
    })
}

/// How many webhooks the server switched off for failing: the admin screens warn of them.
#[server(endpoint = "admin/webhook-trouble")]
pub async fn webhook_trouble() -> Result<i64, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    let Ctx { state, .. } = Ctx::enter(Action::RunTeam).await?;
    Ok(crate::server::services::webhooks::trouble(&state.db).await?)
}

/// Subscribes `url` to the ticked `events`; answers the signing secret (shown once).
#[server(endpoint = "admin/webhook-add")]
pub async fn add_webhook(
    url: String,
    #[server(default)] events: Vec<String>,
) -> Result<NewWebhook, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::webhooks;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    let added = webhooks::add(
        &state.db,
        state.clock.now(),
        &actor,
        &url,
        &events,
        state.config.webhooks_private,
    )
    .await?;
    Ok(NewWebhook {
        url: added.url,
        secret: added.secret,
    })
}

/// Switches a webhook on (`on` = "true") or off.
#[server(endpoint = "admin/webhook-switch")]
pub async fn switch_webhook(webhook_id: String, on: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::webhooks;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    let on = match on.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return Err(ApiError::Invalid(vec![
                crate::domain::intake::FieldError::new("on", "must be true or false"),
            ]))
        }
    };
    webhooks::switch(&state.db, state.clock.now(), &actor, &webhook_id, on).await?;
    Ok(())
}

/// Removes a webhook: nothing more is sent to it.
#[server(endpoint = "admin/webhook-remove")]
pub async fn remove_webhook(webhook_id: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::webhooks;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    webhooks::remove(&state.db, state.clock.now(), &actor, &webhook_id).await?;
    Ok(())
}

/// Sends a failed delivery again.
#[server(endpoint = "admin/delivery-retry")]
pub async fn retry_delivery(delivery_id: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::webhooks;
    let Ctx { state, .. } = Ctx::enter(Action::RunTeam).await?;
    webhooks::retry(&state.db, state.clock.now(), &delivery_id).await?;
    Ok(())
}
