//! Moving a lead through its life by hand: closing it won or dead, reversing a closure,
//! handing a not-ready lead to nurture, and keeping qualification notes. Each use case checks
//! who may do it, applies the domain's rule and records the event in one transaction.

use super::{routing, webhooks, ServiceError};
use crate::domain::access::{self, may_see, Action};
use crate::domain::cadence::Policy;
use crate::domain::compliance::assignment_step;
use crate::domain::lead::{self, Closure, ClosureError, DeadReason, LeadState, Owner, Transition};
use crate::domain::qualification::Qualification;
use crate::domain::role::{Role, User};
use crate::domain::webhook::Handover;
use crate::server::live::Live;
use crate::server::store::{
    self, alerts, assignments, events, leads, leads::LeadRecord, touches, users,
};
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqlitePool};

/// Loads a lead `user` may see, else NotFound (a rep learns nothing of others' leads). A rep
/// also sees a lead they worked that has since moved on (to nurture, or to another rep), so
/// they can see where it went.
pub async fn visible_lead(
    conn: &mut SqliteConnection,
    user: &User,
    lead_id: &str,
) -> Result<LeadRecord, ServiceError> {
    let lead = leads::get(&mut *conn, lead_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if may_see(user, &lead.state.owner)
        || (user.role == Role::Rep && touches::exists_by(&mut *conn, lead_id, &user.id).await?)
    {
        Ok(lead)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Writes a transition: the new state and its event.
pub async fn record(
    conn: &mut SqliteConnection,
    lead_id: &str,
    now: DateTime<Utc>,
    actor: Option<&str>,
    transition: &Transition,
) -> Result<(), sqlx::Error> {
    leads::save_state(&mut *conn, lead_id, &transition.state).await?;
    record_event(
        conn,
        lead_id,
        now,
        actor,
        &transition.event,
        &transition.state,
        None,
    )
    .await
}

/// Appends an event that left the lead in `state`, and keeps the lead's assignments in step:
/// the one place both are written. `attempt_by` is the rep whose call attempt or meeting
/// this event logs.
pub async fn record_event(
    conn: &mut SqliteConnection,
    lead_id: &str,
    now: DateTime<Utc>,
    actor: Option<&str>,
    event: &lead::Event,
    state: &LeadState,
    attempt_by: Option<&str>,
) -> Result<(), sqlx::Error> {
    events::append(&mut *conn, lead_id, now, actor, event, state).await?;
    let open = assignments::open_for(&mut *conn, lead_id).await?;
    let step = assignment_step(open.as_ref(), state, event, attempt_by);
    if let (true, Some(open)) = (step.attempt, &open) {
        // Open time when the first-contact clock is this assignment's (the usual case), else
        // the plain delay.
        let delay = match event.open_seconds {
            Some(open_seconds) if open.assigned_at == state.sla_started_at => open_seconds,
            _ => (now - open.assigned_at).num_seconds(),
        };
        assignments::count_attempt(&mut *conn, lead_id, now, delay).await?;
    }
    let handover = Handover {
        started: step.start.is_some(),
        from_other_rep: match (&open, &step.start) {
            (Some(open), Some(start)) => step.end.is_some() && open.rep_id != start.rep_id,
            _ => false,
        },
    };
    webhooks::enqueue(&mut *conn, lead_id, now, event, state, handover).await?;
    if let Some(end) = step.end {
        assignments::end_open(&mut *conn, lead_id, now, end, state.stage.as_str()).await?;
    }
    if let Some(start) = step.start {
        let flags = assignments::lead_flags(&mut *conn, lead_id, start.assigned_at).await?;
        assignments::start(&mut *conn, &store::new_id(), lead_id, &start, flags).await?;
    }
    Ok(())
}

/// Starts assignments for rep-held leads that have none (leads from before they were kept),
/// carrying over the attempts already made. Safe to run at every start.
pub async fn backfill_assignments(db: &SqlitePool) -> Result<usize, ServiceError> {
    let missing = assignments::missing(db).await?;
    let mut tx = store::begin_write(db).await?;
    for (lead_id, open, first, attempts) in &missing {
        let flags = assignments::lead_flags(&mut *tx, lead_id, open.assigned_at).await?;
        assignments::start(&mut tx, &store::new_id(), lead_id, open, flags).await?;
        let first = first.map(|at| (at, (at - open.assigned_at).num_seconds()));
        assignments::set_progress(&mut tx, lead_id, first, *attempts).await?;
    }
    tx.commit().await?;
    Ok(missing.len())
}

/// Tells live screens a lead changed, naming who held it and who holds it now.
pub fn publish_move(live: &Live, lead_id: &str, before: &Owner, after: &Owner) {
    live.publish(lead_id, [before.clone(), after.clone()]);
}

fn refused(err: impl std::fmt::Display) -> ServiceError {
    ServiceError::Refused(err.to_string())
}

/// Whether `user` may do `action` to a lead in `state` (the access rules decide).
fn may(user: &User, action: Action, state: &LeadState) -> Result<(), ServiceError> {
    Ok(access::may_on_lead(user, action, &state.owner)?)
}

/// Closes a lead as won or dead. Refused, with the reason in words, when the evidence is not
/// there.
#[tracing::instrument(skip_all, fields(lead_id = %lead_id, user = %user.id))]
pub async fn close(
    db: &SqlitePool,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    form: &crate::domain::closure::CloseForm,
    note: &str,
    live: &Live,
) -> Result<LeadState, ServiceError> {
    let mut tx = store::begin_write(db).await?;
    let lead = visible_lead(&mut tx, user, lead_id).await?;
    may(user, Action::WorkLead, &lead.state)?;
    // Read only once the lead is known to be theirs to close: to anyone else it is not there.
    let closure = form.parse().map_err(ServiceError::Invalid)?;
    let verdict = match &closure {
        Closure::Dead(DeadReason::Duplicate { of }) if of == lead_id => {
            Err(ClosureError::DuplicateOfItself.to_string())
        }
        Closure::Dead(DeadReason::Duplicate { of })
            if leads::get(&mut *tx, of).await?.is_none() =>
        {
            // The id is not repeated back: a refusal never carries text the caller chose.
            Err("There is no lead with that id to merge this one into.".to_string())
        }
        _ => lead::close(&lead.state, closure.clone(), note, now.date_naive())
            .map_err(|err| err.to_string()),
    };
    let transition = match verdict {
        Ok(transition) => transition,
        Err(why) => {
            // The refusal is history, and counts on the rep's compliance record.
            let event = lead::closure_refused(&lead.state, &closure, &why);
            record_event(
                &mut tx,
                lead_id,
                now,
                Some(&user.id),
                &event,
                &lead.state,
                None,
            )
            .await?;
            if user.role == Role::Rep {
                assignments::count_refusal(&mut *tx, lead_id, &user.id).await?;
            }
            tx.commit().await?;
            live.publish(lead_id, [lead.state.owner.clone()]);
            return Err(ServiceError::Refused(why));
        }
    };
    record(&mut tx, lead_id, now, Some(&user.id), &transition).await?;
    leads::set_closed_by(&mut tx, lead_id, Some((now, &user.id))).await?;
    tx.commit().await?;
    publish_move(live, lead_id, &lead.state.owner, &transition.state.owner);
    Ok(transition.state)
}

/// Gives `lead` to `owner` for `reason` inside the caller's transaction (see
/// [`lead::reassign`]), alerting the new rep. Returns the new owner.
pub async fn hand_over(
    conn: &mut SqliteConnection,
    policy: &Policy,
    now: DateTime<Utc>,
    lead: &LeadRecord,
    owner: Owner,
    reason: &str,
    actor: Option<&str>,
) -> Result<Owner, ServiceError> {
    let transition = lead::reassign(&lead.state, owner, reason, now, policy).map_err(refused)?;
    record(&mut *conn, &lead.contact.id, now, actor, &transition).await?;
    if let Owner::Rep(rep) = &transition.state.owner {
        let message = format!(
            "{} was reassigned to you ({}): {}.",
            lead.contact.name,
            transition.event.detail,
            call_when(&transition.state, now, policy)
        );
        alerts::insert(&mut *conn, rep, &lead.contact.id, "assigned", &message, now).await?;
    } else if transition.state.owner == Owner::Qualifier {
        super::alerts::if_queue_unworked(&mut *conn, &lead.contact.id, &lead.contact.name, now)
            .await?;
    }
    Ok(transition.state.owner)
}

/// What an alert tells a rep to do: "call now" while the team is open and the person may be
/// called, else when the call falls due ("call due Mon 30 Nov 08:05", in the team's time).
pub fn call_when(state: &LeadState, now: DateTime<Utc>, policy: &Policy) -> String {
    let open_now = policy.clock(state.reach.zone).next_open(now) == now;
    match state.next {
        Some(next) if !open_now && next.due_at > now => {
            let tz = policy.hours.tz;
            format!(
                "call due {}",
                crate::domain::aging::due_phrase(
                    next.due_at.with_timezone(&tz).naive_local(),
                    now.with_timezone(&tz).naive_local()
                )
            )
        }
        _ => "call now".to_string(),
    }
}

/// The rep a person chose to give a lead to, if they can take it now; else why not, by name.
async fn chosen_rep(
    conn: &mut SqliteConnection,
    id: &str,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Owner, ServiceError> {
    let Some(rep) = users::find(&mut *conn, id)
        .await?
        .filter(|u| u.role == Role::Rep)
    else {
        return Err(ServiceError::invalid("to", "is not a rep on this team"));
    };
    if users::can_take_lead(&mut *conn, id, now, i64::from(policy.rep_capacity)).await? {
        return Ok(Owner::Rep(id.to_string()));
    }
    let why = if !rep.active {
        "is switched off"
    } else if users::is_away(&mut *conn, id, now).await? {
        "is away"
    } else {
        "is at capacity"
    };
    Err(ServiceError::Refused(format!(
        "{} {why} and cannot take leads now; choose another rep.",
        rep.name
    )))
}

/// A manager gives leads to another owner by hand, with a reason: to the rep `to` (who must be
/// able to take them: active, not away, under capacity), or by routing when `to` is `None`.
/// All or none; each is an event, the new owner gets a fresh first-contact clock and the old
/// one keeps their record. Returns how many leads moved.
#[tracing::instrument(skip_all, fields(user = %user.id, leads = lead_ids.len()))]
#[expect(
    clippy::too_many_arguments,
    reason = "a use case names its dependencies and its input explicitly"
)]
pub async fn reassign(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_ids: &[String],
    to: Option<&str>,
    reason: &str,
    live: &Live,
) -> Result<usize, ServiceError> {
    if !access::permits(Some(user.role), Action::Manage) {
        return Err(ServiceError::Forbidden(
            "Only a manager can reassign leads.".to_string(),
        ));
    }
    if crate::domain::text::clean(reason).is_empty() {
        return Err(ServiceError::invalid(
            "reason",
            "say why, so the record shows it",
        ));
    }
    let mut tx = store::begin_write(db).await?;
    let mut moved = Vec::new();
    for lead_id in lead_ids {
        let lead = visible_lead(&mut tx, user, lead_id).await?;
        let owner = match to {
            Some(rep) => chosen_rep(&mut tx, rep, now, policy).await?,
            None => {
                let from = routing::Route {
                    except: lead.state.owner.rep_id(),
                    lead: Some(&lead.contact.id),
                    ..routing::Route::default()
                };
                routing::route(&mut tx, now, policy.rep_capacity, from).await?
            }
        };
        let after = hand_over(&mut tx, policy, now, &lead, owner, reason, Some(&user.id)).await?;
        moved.push((lead_id.clone(), lead.state.owner, after));
    }
    tx.commit().await?;
    for (lead_id, before, after) in &moved {
        publish_move(live, lead_id, before, after);
    }
    Ok(moved.len())
}

/// The qualifier passes a sales-ready lead from the queue to the rep `to` (who must be able to
/// take it), or to the next rep who can when `to` is `None`, with a note for them. The lead
/// arrives hot with a fresh first-contact clock, and the rep is alerted with the note. Returns
/// the rep's name.
#[tracing::instrument(skip_all, fields(lead_id = %lead_id, user = %user.id))]
#[expect(
    clippy::too_many_arguments,
    reason = "a use case names its dependencies and its input explicitly"
)]
pub async fn pass_to_sales(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    to: Option<&str>,
    note: &str,
    live: &Live,
) -> Result<String, ServiceError> {
    let cleaned = crate::domain::text::clean(note);
    if cleaned.is_empty() {
        return Err(ServiceError::invalid(
            "note",
            "add a note for the rep: what makes this lead ready now",
        ));
    }
    if cleaned.chars().count() > lead::MAX_NOTE {
        return Err(ServiceError::invalid(
            "note",
            format!("is too long (at most {} characters)", lead::MAX_NOTE),
        ));
    }
    let mut tx = store::begin_write(db).await?;
    let lead = visible_lead(&mut tx, user, lead_id).await?;
    may(user, Action::PassToSales, &lead.state)?;
    let owner = match to {
        Some(rep) => chosen_rep(&mut tx, rep, now, policy).await?,
        None => {
            let from = routing::Route {
                lead: Some(lead_id),
                ..routing::Route::default()
            };
            routing::route(&mut tx, now, policy.rep_capacity, from).await?
        }
    };
    let transition = lead::pass_to_sales(&lead.state, owner, note, now, policy).map_err(refused)?;
    record(&mut tx, lead_id, now, Some(&user.id), &transition).await?;
    let mut rep_name = String::new();
    if let Owner::Rep(rep) = &transition.state.owner {
        let message = format!(
            "{} is sales-ready (from the qualifier): {}",
            lead.contact.name,
            transition.state.hot_note.as_deref().unwrap_or_default()
        );
        alerts::insert(&mut tx, rep, lead_id, "hot", &message, now).await?;
        rep_name = users::find(&mut *tx, rep)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
    }
    tx.commit().await?;
    publish_move(live, lead_id, &lead.state.owner, &transition.state.owner);
    Ok(rep_name)
}

/// A manager reverses a closure. The lead goes back to the rep who held it, if still active,
/// else to routing, with a fresh first-contact clock.
#[tracing::instrument(skip_all, fields(lead_id = %lead_id, user = %user.id))]
pub async fn reopen(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    note: &str,
    live: &Live,
) -> Result<LeadState, ServiceError> {
    if !access::permits(Some(user.role), Action::Manage) {
        return Err(ServiceError::Forbidden(
            "Only a manager can reverse a closure.".to_string(),
        ));
    }
    let mut tx = store::begin_write(db).await?;
    let lead = visible_lead(&mut tx, user, lead_id).await?;
    if lead.state.stage.is_open() {
        return Err(refused(lead::TransitionError::NotReopenable));
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
    let transition = lead::reopen(&lead.state, owner, note, now, policy).map_err(refused)?;
    record(&mut tx, lead_id, now, Some(&user.id), &transition).await?;
    leads::set_closed_by(&mut tx, lead_id, None).await?;
    tx.commit().await?;
    publish_move(live, lead_id, &lead.state.owner, &transition.state.owner);
    Ok(transition.state)
}

/// After a conversation with no near-term need, the rep hands the lead to marketing with a
/// reason and the date it comes back to sales.
#[tracing::instrument(skip_all, fields(lead_id = %lead_id, user = %user.id))]
#[expect(
    clippy::too_many_arguments,
    reason = "a use case names its dependencies and its input explicitly"
)]
pub async fn not_ready(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    reason: &str,
    recontact_at: DateTime<Utc>,
    live: &Live,
) -> Result<LeadState, ServiceError> {
    if reason.trim().is_empty() {
        return Err(ServiceError::invalid(
            "reason",
            "say why they are not ready, so marketing knows what to send",
        ));
    }
    worked_by_hand(db, now, user, lead_id, live, |state| {
        lead::not_ready(state, reason, recontact_at, now, policy)
    })
    .await
}

/// A rep returns a lead they have called to marketing, with a reason.
#[tracing::instrument(skip_all, fields(lead_id = %lead_id, user = %user.id))]
pub async fn return_to_marketing(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    reason: &str,
    live: &Live,
) -> Result<LeadState, ServiceError> {
    worked_by_hand(db, now, user, lead_id, live, |state| {
        lead::return_to_marketing(state, reason, now, policy)
    })
    .await
}

/// The common shape of a hand-made change: in one transaction, load a lead the caller may
/// work, apply `rule`, record the transition; then tell live screens.
async fn worked_by_hand(
    db: &SqlitePool,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    live: &Live,
    rule: impl FnOnce(&LeadState) -> Result<Transition, lead::TransitionError>,
) -> Result<LeadState, ServiceError> {
    let mut tx = store::begin_write(db).await?;
    let lead = visible_lead(&mut tx, user, lead_id).await?;
    may(user, Action::WorkLead, &lead.state)?;
    let transition = rule(&lead.state).map_err(refused)?;
    record(&mut tx, lead_id, now, Some(&user.id), &transition).await?;
    tx.commit().await?;
    publish_move(live, lead_id, &lead.state.owner, &transition.state.owner);
    Ok(transition.state)
}

/// Saves the rep's qualification notes.
pub async fn qualify(
    db: &SqlitePool,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    notes: Qualification,
) -> Result<Qualification, ServiceError> {
    let notes = notes.check().map_err(ServiceError::Invalid)?;
    let mut tx = store::begin_write(db).await?;
    let lead = visible_lead(&mut tx, user, lead_id).await?;
    may(user, Action::WorkLead, &lead.state)?;
    leads::save_qualification(&mut tx, lead_id, &notes).await?;
    let event = lead::qualification_saved(&lead.state, &notes);
    record_event(
        &mut tx,
        lead_id,
        now,
        Some(&user.id),
        &event,
        &lead.state,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(notes)
}
