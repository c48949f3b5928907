//! Logging a touch on a lead: the rep's most frequent action.

use super::ServiceError;
use crate::domain::cadence::Policy;
use crate::domain::lead::{self, Owner};
use crate::domain::role::{Role, User};
use crate::domain::touch::Touch;
use crate::server::live::Live;
use crate::server::store::{self, leads, touches};
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqlitePool};

/// A touch as a rep logs it.
#[derive(Debug, Clone, Copy)]
pub struct Logged<'a> {
    pub touch: Touch,
    /// What was said or agreed (may be empty).
    pub note: &'a str,
    /// The key the phone made for it: sending it again logs it once.
    pub key: Option<&'a str>,
    /// When the person agreed to be called back.
    pub callback: Option<DateTime<Utc>>,
}

impl<'a> Logged<'a> {
    /// Just the touch: no note, key or callback.
    pub fn touch(touch: Touch) -> Self {
        Self {
            touch,
            note: "",
            key: None,
            callback: None,
        }
    }
}

/// Logs a touch by `user` on a lead they own, and moves the lead on by the cadence rules (or to
/// the agreed callback). A touch sent with a key its phone made is logged once however often it
/// is sent: a repeat answers with the lead as it stands.
#[tracing::instrument(skip_all, fields(lead_id = %lead_id, user = %user.id))]
pub async fn log(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    logged: Logged<'_>,
    live: &Live,
) -> Result<lead::LeadState, ServiceError> {
    let mut tx = store::begin_write(db).await?;
    let state = apply(&mut tx, policy, now, user, lead_id, logged).await?;
    tx.commit().await?;
    // Who worked it: the rep who holds it, or the queue.
    let worked_by = match user.role {
        Role::Qualifier => Owner::Qualifier,
        _ => Owner::Rep(user.id.clone()),
    };
    live.publish(lead_id, [worked_by, state.owner.clone()]);
    Ok(state)
}

/// The same as [`log`], inside the caller's transaction.
pub async fn apply(
    conn: &mut SqliteConnection,
    policy: &Policy,
    now: DateTime<Utc>,
    user: &User,
    lead_id: &str,
    logged: Logged<'_>,
) -> Result<lead::LeadState, ServiceError> {
    let Logged {
        touch,
        note,
        key,
        callback,
    } = logged;
    let lead = leads::get(&mut *conn, lead_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    crate::domain::access::may_on_lead(
        user,
        crate::domain::access::Action::LogTouch,
        &lead.state.owner,
    )?;
    // A touch sent again with its key (checked after whose lead it is) was logged already.
    if let Some(key) = key {
        let key =
            crate::domain::touch::client_key(key).map_err(|e| ServiceError::Invalid(vec![e]))?;
        match touches::lead_of_key(&mut *conn, &user.id, key).await? {
            Some(logged_on) if logged_on == lead_id => return Ok(lead.state),
            Some(_) => {
                return Err(ServiceError::Refused(
                    "This key was already used for a touch on another lead.".to_string(),
                ))
            }
            None => {}
        }
    }
    let note = crate::domain::touch::note(note).map_err(|e| ServiceError::Invalid(vec![e]))?;
    let refused = |e: lead::TransitionError| ServiceError::Refused(e.to_string());
    let mut transition = lead::log_touch(&lead.state, touch, now, policy).map_err(refused)?;
    if let Some(at) = callback {
        transition = lead::call_back(touch, transition, at, now, policy).map_err(refused)?;
    }
    let note = note.as_str();
    touches::insert(
        &mut *conn,
        &store::new_id(),
        lead_id,
        &user.id,
        touch,
        note,
        now,
        key,
    )
    .await?;
    leads::mark_touched(&mut *conn, lead_id, now, touch.is_follow_up()).await?;
    leads::save_state(&mut *conn, lead_id, &transition.state).await?;
    super::lifecycle::record_event(
        conn,
        lead_id,
        now,
        Some(&user.id),
        &transition.event,
        &transition.state,
        touch.is_follow_up().then_some(user.id.as_str()),
    )
    .await?;
    Ok(transition.state)
}
