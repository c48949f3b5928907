//! The team as routing sees it: reps marked away, reps switched off (their open leads routed to
//! someone who can work them), and who can take a lead now.

use super::{lifecycle, ServiceError};
use crate::domain::cadence::Policy;
use crate::domain::role::Role;
use crate::server::live::Live;
use crate::server::store::{self, leads, sessions, users};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

/// Marks the user with `email` away from `from` until `until`: they get no new leads meanwhile
/// and take turns again when back.
pub async fn set_away(
    db: &SqlitePool,
    email: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if until <= from {
        return Err(ServiceError::invalid(
            "until",
            "must be after the day they go away",
        ));
    }
    let user = users::find_by_email(db, &email.trim().to_lowercase())
        .await?
        .ok_or(ServiceError::NotFound)?;
    users::set_away(db, &user.id, Some(from), Some(until)).await?;
    Ok(())
}

/// Switches off the user with `email`: their sessions end, and each lead they hold goes to
/// someone who can work it (by routing, never back to them) with an event and a fresh
/// first-contact clock. Returns how many leads moved.
#[tracing::instrument(skip_all, fields(email = %email))]
pub async fn deactivate(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    email: &str,
    live: &Live,
) -> Result<usize, ServiceError> {
    let user = users::find_by_email(db, &email.trim().to_lowercase())
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut tx = store::begin_write(db).await?;
    users::deactivate(&mut *tx, &user.id).await?;
    sessions::delete_for_user(&mut *tx, &user.id).await?;
    let reason = format!("{} was switched off", user.name);
    let mut moved = Vec::new();
    for lead_id in leads::open_ids_of(&mut *tx, &user.id).await? {
        let lead = leads::get(&mut *tx, &lead_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let owner = super::routing::route(
            &mut tx,
            now,
            policy.rep_capacity,
            super::routing::Route {
                except: Some(&user.id),
                lead: Some(&lead_id),
                ..super::routing::Route::default()
            },
        )
        .await?;
        let after = lifecycle::hand_over(&mut tx, policy, now, &lead, owner, &reason, None).await?;
        moved.push((lead_id, lead.state.owner, after));
    }
    // The last qualifier switched off while leads wait: the managers hear of each.
    if user.role == Role::Qualifier {
        for (lead_id, name) in leads::queued(&mut tx).await? {
            super::alerts::if_queue_unworked(&mut tx, &lead_id, &name, now).await?;
        }
    }
    tx.commit().await?;
    for (lead_id, before, after) in &moved {
        lifecycle::publish_move(live, lead_id, before, after);
    }
    tracing::info!(leads = moved.len(), "switched a user off");
    Ok(moved.len())
}
