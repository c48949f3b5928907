//! Marketing's nurture pool.

use crate::api::queue::LeadCard;
use crate::api::ApiError;
use leptos::prelude::*;

/// Every lead marketing is keeping warm, the one due a touch soonest first.
#[server(endpoint = "nurture/pool")]
pub async fn nurture_pool() -> Result<Vec<LeadCard>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::work;
    let Ctx { state, .. } = Ctx::enter(Action::Nurture).await?;
    let now = state.clock.now();
    let rows = work::nurture_pool(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|row| crate::api::queue::card(row, now, &state.policy.get()))
        .collect())
}

/// Logs one nurture touch on each chosen lead (`lead_ids` comma-separated), all or none.
#[server(endpoint = "nurture/touch")]
pub async fn log_nurture_touches(
    lead_ids: String,
    kind: String,
    note: Option<String>,
) -> Result<usize, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::intake::FieldError;
    use crate::domain::touch::NurtureKind;
    use crate::server::services::nurture;
    let Ctx { user, state, .. } = Ctx::enter(Action::Nurture).await?;
    let kind: NurtureKind = kind.parse().map_err(|_| {
        ApiError::Invalid(vec![FieldError::new(
            "kind",
            "choose content, newsletter, event invite or personal email",
        )])
        .respond()
    })?;
    let ids = crate::domain::touch::chosen_leads(&lead_ids)
        .map_err(|error| ApiError::Invalid(vec![error]).respond())?;
    Ok(nurture::log_touches(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &user,
        &ids,
        kind,
        note.as_deref().unwrap_or(""),
        &state.live,
    )
    .await?)
}

/// Hands a nurtured lead back to sales as hot, with a "why now" note.
#[server(endpoint = "nurture/hand-back")]
pub async fn hand_back_lead(lead_id: String, note: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::nurture;
    let Ctx { user, state, .. } = Ctx::enter(Action::Nurture).await?;
    nurture::hand_back(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &user,
        &lead_id,
        &note,
        &state.live,
    )
    .await?;
    Ok(())
}

/// One line of the campaign table, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignRow {
    pub name: String,
    pub leads: u32,
    pub within_sla_pct: u32,
    pub reached_pct: u32,
    pub in_nurture: u32,
    pub handed_back: u32,
    pub won: u32,
    pub recycled_then_won: u32,
    pub revenue: String,
    pub cost: String,
    pub cost_per_lead: String,
    pub never_followed_up: u32,
    pub wasted: String,
}

#[cfg(feature = "ssr")]
pub(crate) fn campaign_rows(
    lines: Vec<crate::domain::campaign::CampaignLine>,
    currency: Option<&str>,
) -> Vec<CampaignRow> {
    use crate::domain::money::with_currency;
    let cents_text = |cents: i64| {
        let amount = crate::domain::campaign::cents_text(cents);
        currency.map_or_else(|| amount.clone(), |code| with_currency(&amount, code))
    };
    lines
        .into_iter()
        .map(|line| CampaignRow {
            within_sla_pct: line.percent(line.within_sla),
            reached_pct: line.percent(line.reached),
            revenue: cents_text(line.revenue_cents),
            cost: cents_text(line.cost_cents),
            cost_per_lead: cents_text(line.cost_per_lead_cents()),
            wasted: cents_text(line.wasted_cents()),
            name: line.name,
            leads: line.leads,
            in_nurture: line.in_nurture,
            handed_back: line.handed_back,
            won: line.won,
            recycled_then_won: line.recycled_then_won,
            never_followed_up: line.never_followed_up,
        })
        .collect()
}

/// The value of leads per campaign.
#[server(endpoint = "nurture/campaigns")]
pub async fn campaigns() -> Result<Vec<CampaignRow>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::nurture;
    let Ctx { state, .. } = Ctx::enter(Action::Nurture).await?;
    let currency = crate::server::services::policy::currency(&state.db).await?;
    Ok(campaign_rows(
        nurture::campaign_table(&state.db, &state.policy.get()).await?,
        Some(&currency),
    ))
}
