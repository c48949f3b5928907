//! Marketing's side of the recycle contract: nurture touches that keep a lead warm, the
//! hand-back to sales with a "why now" note, and the value of leads per campaign.

use super::{lifecycle, routing, ServiceError};
use crate::domain::cadence::Policy;
use crate::domain::campaign::{CampaignLead, CampaignLine};
use crate::domain::lead::{self, Owner, Stage};
use crate::domain::role::User;
use crate::domain::touch::{NurtureKind, Touch};
use crate::server::live::Live;
use crate::server::store::{self, alerts, leads, sources, touches};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;
use std::collections::HashMap;

fn marketing_only(user: &User) -> Result<(), ServiceError> {
    if crate::domain::access::permits(Some(user.role), crate::domain::access::Action::Nurture) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "Only marketing works the nurture pool.".to_string(),
        ))
    }
}

/// Logs one nurture touch on each of `lead_ids`, all or none: a lead that is not in the pool
/// stops the whole batch with its name.
#[tracing::instrument(skip_all, fields(leads = lead_ids.len(), user = %user.id))]
#[expect(
    clippy::too_many_arguments,
    reason = "a use case names its dependencies and its input explicitly"
)]
pub async fn log_touches(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_ids: &[String],
    kind: NurtureKind,
    note: &str,
    live: &Live,
) -> Result<usize, ServiceError> {
    marketing_only(user)?;
    if lead_ids.is_empty() {
        return Err(ServiceError::invalid(
            "lead_ids",
            "choose at least one lead",
        ));
    }
    let mut tx = store::begin_write(db).await?;
    for lead_id in lead_ids {
        let lead = leads::get(&mut *tx, lead_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let transition = lead::nurture_touch(&lead.state, kind, now, policy)
            .map_err(|e| ServiceError::Refused(format!("{}: {e}", lead.contact.name)))?;
        touches::insert(
            &mut tx,
            &store::new_id(),
            lead_id,
            &user.id,
            Touch::Nurture(kind),
            &crate::domain::text::clean(note),
            now,
            None,
        )
        .await?;
        lifecycle::record(&mut tx, lead_id, now, Some(&user.id), &transition).await?;
    }
    tx.commit().await?;
    for lead_id in lead_ids {
        live.publish(lead_id, [Owner::Marketing]);
    }
    Ok(lead_ids.len())
}

/// Hands a nurtured lead back to sales as hot: to its previous rep if active and under
/// capacity, else to routing. The rep is alerted with the note.
#[tracing::instrument(skip_all, fields(lead_id = %lead_id, user = %user.id))]
pub async fn hand_back(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    note: &str,
    live: &Live,
) -> Result<Owner, ServiceError> {
    marketing_only(user)?;
    let mut tx = store::begin_write(db).await?;
    let lead = leads::get(&mut *tx, lead_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if lead.state.stage != Stage::Nurture {
        return Err(ServiceError::Refused(
            lead::TransitionError::NotInNurture("handed back").to_string(),
        ));
    }
    let owner = routing::route(
        &mut tx,
        now,
        policy.rep_capacity,
        routing::Route {
            prefer: lead.last_rep_id.as_deref(),
            lead: Some(&lead.contact.id),
            ..routing::Route::default()
        },
    )
    .await?;
    let transition = lead::hand_back(&lead.state, note, owner, now, policy)
        .map_err(|e| ServiceError::Refused(e.to_string()))?;
    lifecycle::record(&mut tx, lead_id, now, Some(&user.id), &transition).await?;
    if let Owner::Rep(rep) = &transition.state.owner {
        let message = format!(
            "{} is hot again (from marketing): {}",
            lead.contact.name,
            transition.state.hot_note.as_deref().unwrap_or_default()
        );
        alerts::insert(&mut tx, rep, lead_id, "hot", &message, now).await?;
    }
    tx.commit().await?;
    live.publish(lead_id, [Owner::Marketing, transition.state.owner.clone()]);
    Ok(transition.state.owner)
}

/// The value of leads per campaign, by campaign name.
pub async fn campaign_table(
    db: &SqlitePool,
    policy: &Policy,
) -> Result<Vec<CampaignLine>, ServiceError> {
    let mut by_source: HashMap<String, Vec<CampaignLead>> = HashMap::new();
    for row in leads::for_campaigns(db).await? {
        by_source
            .entry(row.source_id)
            .or_default()
            .push(CampaignLead {
                received_at: row.received_at,
                first_attempt_at: row.first_attempt_at,
                reached: row.conversations > 0,
                stage: row.stage.parse().unwrap_or(Stage::Assigned),
                handed_back: row.handbacks > 0,
                won_cents: row.won_amount_cents,
            });
    }
    Ok(sources::all_with_cost(db)
        .await?
        .into_iter()
        .map(|(id, name, cost)| {
            let leads = by_source.remove(&id).unwrap_or_default();
            CampaignLine::tally(&name, cost, &leads, policy)
        })
        .collect())
}
