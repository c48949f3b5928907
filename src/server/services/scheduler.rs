//! The scheduler: applies what the clock makes due (SLA warnings and reassignments, hoarding
//! reclaims, recontact dates). Due times live in the database, so a restarted server catches
//! up on everything that fell due while it was down; each tick changes the state it was due
//! on, so none is applied twice.

use super::policy::PolicyCell;
use super::routing::{self, Route};
use super::ServiceError;
use crate::domain::cadence::Policy;
use crate::domain::lead::Owner;
use crate::domain::role::Role;
use crate::domain::sla::{self, Tick};
use crate::server::clock::Clock;
use crate::server::live::Live;
use crate::server::store::{self, alerts, leads, users};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::SqlitePool;
use std::time::Duration;

/// Most ticks one lead can need in one pass (a warning, then a reassignment).
const MAX_TICKS_PER_LEAD: usize = 4;

/// Applies every tick due at `now`. Returns how many were applied.
#[tracing::instrument(skip_all)]
pub async fn run_due(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    live: &Live,
) -> Result<usize, ServiceError> {
    let candidates =
        leads::tick_candidates(db, now - policy.warn_after, now - policy.hoard_after, now).await?;
    let mut applied = 0;
    for lead_id in candidates {
        let mut tx = store::begin_write(db).await?;
        let Some(lead) = leads::get(&mut *tx, &lead_id).await? else {
            continue;
        };
        let lead_before = lead.state.clone();
        let mut state = lead.state;
        for _ in 0..MAX_TICKS_PER_LEAD {
            let Some(tick) = sla::due_tick(&state, now, policy) else {
                break;
            };
            let new_owner = match tick {
                Tick::SlaWarning => state.owner.clone(),
                Tick::SlaReassign | Tick::Hoarded => {
                    let from = Route {
                        except: state.owner.rep_id(),
                        lead: Some(&lead_id),
                        ..Route::default()
                    };
                    routing::route(&mut tx, now, policy.rep_capacity, from).await?
                }
                Tick::Recontact => {
                    let back = Route {
                        prefer: lead.last_rep_id.as_deref(),
                        lead: Some(&lead_id),
                        ..Route::default()
                    };
                    routing::route(&mut tx, now, policy.rep_capacity, back).await?
                }
            };
            let transition = sla::apply_tick(&state, tick, new_owner, now, policy);
            super::lifecycle::record(&mut tx, &lead_id, now, None, &transition).await?;
            let name = &lead.contact.name;
            match (tick, &transition.state.owner) {
                (Tick::SlaWarning, _) => {
                    let holder = match state.owner.rep_id() {
                        Some(id) => users::find(&mut *tx, id)
                            .await?
                            .map_or_else(String::new, |u| u.name),
                        None if users::active_ids(&mut *tx, Role::Qualifier)
                            .await?
                            .is_empty() =>
                        {
                            "the qualifier queue, and no qualifier is active".to_string()
                        }
                        None => "the qualifier queue".to_string(),
                    };
                    let message = format!(
                        "{name}: no call attempt {} working minutes after arriving (held by {holder}).",
                        policy.warn_after.num_minutes()
                    );
                    for manager in users::active_ids(&mut *tx, Role::Manager).await? {
                        alerts::insert(&mut tx, &manager, &lead_id, "sla_warning", &message, now)
                            .await?;
                    }
                }
                (_, Owner::Qualifier) if state.owner != Owner::Qualifier => {
                    super::alerts::if_queue_unworked(&mut tx, &lead_id, name, now).await?;
                }
                (_, Owner::Rep(rep)) => {
                    let message = match tick {
                        Tick::Recontact => {
                            format!(
                                "{name} is back from nurture and hot: {}.",
                                super::lifecycle::call_when(&transition.state, now, policy)
                            )
                        }
                        _ => format!(
                            "{name} was reassigned to you: {}.",
                            super::lifecycle::call_when(&transition.state, now, policy)
                        ),
                    };
                    alerts::insert(&mut tx, rep, &lead_id, "assigned", &message, now).await?;
                }
                _ => {}
            }
            tracing::info!(lead_id = %lead_id, ?tick, "clock tick applied");
            state = transition.state;
            applied += 1;
        }
        tx.commit().await?;
        if state != lead_before {
            super::lifecycle::publish_move(live, &lead_id, &lead_before.owner, &state.owner);
        }
    }
    applied += drain_unstaffed_queue(db, policy, now, live).await?;
    Ok(applied)
}

/// Most queued leads handed to reps in one pass.
const MAX_DRAINED_PER_PASS: usize = 200;

/// The queue is where leads wait for work, never a drawer: while no qualifier is active to
/// work it, each waiting lead (oldest first) goes to a rep with room, if any has — not the rep
/// it was taken from. Returns how many moved.
async fn drain_unstaffed_queue(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    live: &Live,
) -> Result<usize, ServiceError> {
    let mut conn = db.acquire().await?;
    if !users::active_ids(&mut *conn, Role::Qualifier)
        .await?
        .is_empty()
    {
        return Ok(0);
    }
    if !users::anyone_can_take_lead(&mut *conn, now, i64::from(policy.rep_capacity)).await? {
        return Ok(0);
    }
    let waiting = leads::queued(&mut conn).await?;
    drop(conn);
    let mut moved = 0;
    for (lead_id, _) in waiting.into_iter().take(MAX_DRAINED_PER_PASS) {
        let mut tx = store::begin_write(db).await?;
        let Some(lead) = leads::get(&mut *tx, &lead_id).await? else {
            continue;
        };
        if lead.state.owner != Owner::Qualifier || !lead.state.stage.is_open() {
            continue;
        }
        // Never straight back to the rep it was taken from (a missed first call goes to
        // another rep, or waits for a manager's hand).
        let to = Route {
            lead: Some(&lead_id),
            except: lead.last_rep_id.as_deref(),
            ..Route::default()
        };
        let owner = routing::route(&mut tx, now, policy.rep_capacity, to).await?;
        if owner == Owner::Qualifier {
            continue;
        }
        let reason = "no qualifier is on the desk and a rep has room";
        let after =
            super::lifecycle::hand_over(&mut tx, policy, now, &lead, owner, reason, None).await?;
        tx.commit().await?;
        super::lifecycle::publish_move(live, &lead_id, &lead.state.owner, &after);
        moved += 1;
    }
    Ok(moved)
}

/// Runs [`run_due`] now (catching up after downtime) and then every `every`, until the
/// process ends. Each tick first re-reads the follow-up policy, so a change made from the admin
/// screen or the command line applies from the next tick without a restart.
pub fn spawn(
    db: SqlitePool,
    policy: PolicyCell,
    team_tz: Tz,
    clock: Clock,
    live: Live,
    every: Duration,
) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match super::policy::reload(&db, &policy, team_tz).await {
                Ok(()) => {}
                Err(e) => {
                    tracing::error!(error = %e, "cannot re-read the follow-up policy; keeping the one in force")
                }
            }
            if let Err(e) = run_due(&db, &policy.get(), clock.now(), &live).await {
                tracing::error!(error = %e, "the scheduler could not apply due ticks; will retry");
            }
        }
    });
}
