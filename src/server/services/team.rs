//! The team: people added by an admin with a one-time link to choose a password, their role,
//! territory and limits, reps marked away, people switched off (their open leads routed to
//! someone who can work them), passwords reset and sessions ended. Every change an admin makes
//! is an audit entry.

use super::{lifecycle, ServiceError};
use crate::domain::cadence::Policy;
use crate::domain::role::Role;
use crate::domain::role::User;
use crate::server::live::Live;
use crate::server::store::{self, audit, leads, sessions, sign_ins, users};
use chrono::{DateTime, Duration, Utc};
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

/// Switches off the user with `email` (from the command line).
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
    switch_off(db, policy, now, None, &user, live).await
}

/// Switches a user off: their sessions end, and each lead they hold goes to someone who can
/// work it (by routing, never back to them) with an event and a fresh first-contact clock.
/// Returns how many leads moved.
#[tracing::instrument(skip_all, fields(user = %user.id))]
async fn switch_off(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    actor: Option<&User>,
    user: &users::UserRow,
    live: &Live,
) -> Result<usize, ServiceError> {
    let mut tx = store::begin_write(db).await?;
    let hashes = sessions::hashes_of_user(&mut *tx, &user.id).await?;
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
        let after = lifecycle::hand_over(
            &mut tx,
            policy,
            now,
            &lead,
            owner,
            &reason,
            actor.map(|a| a.id.as_str()),
        )
        .await?;
        moved.push((lead_id, lead.state.owner, after));
    }
    // The last qualifier switched off while leads wait: the managers hear of each.
    if user.role == Role::Qualifier {
        for (lead_id, name) in leads::queued(&mut tx).await? {
            super::alerts::if_queue_unworked(&mut tx, &lead_id, &name, now).await?;
        }
    }
    let detail = format!("{} open leads went to others", moved.len());
    record(
        &mut tx,
        now,
        actor,
        "user_deactivated",
        &user.email,
        &detail,
    )
    .await?;
    tx.commit().await?;
    for hash in &hashes {
        live.end_session(hash);
    }
    for (lead_id, before, after) in &moved {
        lifecycle::publish_move(live, lead_id, before, after);
    }
    tracing::info!(leads = moved.len(), "switched a user off");
    Ok(moved.len())
}

async fn record(
    tx: &mut store::Tx,
    now: DateTime<Utc>,
    actor: Option<&User>,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    audit::record(
        &mut **tx,
        audit::Entry {
            at: now,
            actor_id: actor.map(|a| a.id.as_str()),
            action,
            subject,
            detail,
        },
    )
    .await
}

/// How long a one-time link to choose a password stays good.
pub const LINK_DAYS: i64 = 7;

/// Everyone, as the people screen lists them.
pub async fn people(
    db: &SqlitePool,
    now: DateTime<Utc>,
) -> Result<Vec<users::Person>, ServiceError> {
    Ok(users::people(db, now).await?)
}

/// A person as typed on the people screen.
#[derive(Debug, Clone, Copy)]
pub struct PersonForm<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub role: &'a str,
    pub territory: &'a str,
    pub monthly_quota: &'a str,
    /// Empty: the policy's rep capacity.
    pub capacity: &'a str,
}

/// A person's checked settings.
struct Checked {
    name: String,
    email: Option<String>,
    role: Role,
    territory: String,
    monthly_quota: i64,
    capacity: Option<i64>,
}

fn check(form: &PersonForm<'_>, need_email: bool) -> Result<Checked, ServiceError> {
    use crate::domain::intake::FieldError;
    let mut errors = Vec::new();
    let name = crate::domain::text::clean_name(form.name);
    if name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new("name", "must be at most 100 characters"));
    }
    let email = if need_email {
        match crate::domain::contact::Email::parse(form.email) {
            Ok(email) => Some(email.to_string()),
            Err(e) => {
                errors.push(FieldError::new("email", e.to_string()));
                None
            }
        }
    } else {
        None
    };
    let role = form
        .role
        .parse::<Role>()
        .map_err(|e| errors.push(FieldError::new("role", e.to_string())))
        .ok();
    let territory = crate::domain::text::clean_name(form.territory);
    let territory = if territory.is_empty() {
        "Main".to_string()
    } else {
        territory
    };
    if territory.chars().count() > 100 {
        errors.push(FieldError::new(
            "territory",
            "must be at most 100 characters",
        ));
    }
    let monthly_quota = match form.monthly_quota.trim() {
        "" => Some(4),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|q| (0..=10_000).contains(q))
            .or_else(|| {
                errors.push(FieldError::new(
                    "monthly_quota",
                    "must be a whole number of sales from 0 to 10000",
                ));
                None
            }),
    };
    let capacity = match form.capacity.trim() {
        "" => Some(None),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|c| (1..=i64::from(crate::domain::policy_form::MAX_CAPACITY)).contains(c))
            .map(Some)
            .or_else(|| {
                errors.push(FieldError::new(
                    "capacity",
                    "must be empty (the team's) or a whole number of open leads from 1 to 10000",
                ));
                None
            }),
    };
    match (role, monthly_quota, capacity) {
        (Some(role), Some(monthly_quota), Some(capacity)) if errors.is_empty() => Ok(Checked {
            name,
            email,
            role,
            territory,
            monthly_quota,
            capacity,
        }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// Makes a one-time link token for `user_id`, stored hashed.
async fn new_link(
    tx: &mut store::Tx,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = super::new_token("");
    users::insert_password_link(
        tx,
        &super::token_hash(&token),
        user_id,
        now,
        now + Duration::days(LINK_DAYS),
    )
    .await?;
    Ok(token)
}

/// Adds a person who chooses their password through the one-time link answered with them
/// (shown to the admin to pass on: there is no mail server).
#[tracing::instrument(skip_all)]
pub async fn invite(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    form: PersonForm<'_>,
) -> Result<(User, String), ServiceError> {
    let checked = check(&form, true)?;
    let email = checked.email.unwrap_or_default();
    let row = users::UserRow {
        id: store::new_id(),
        email: email.clone(),
        name: checked.name.clone(),
        role: checked.role,
        password_hash: super::accounts::NO_PASSWORD.to_string(),
        active: true,
    };
    let mut tx = store::begin_write(db).await?;
    match users::insert(&mut *tx, &row, now).await {
        Err(e) if store::is_unique_violation(&e) => {
            return Err(ServiceError::invalid(
                "email",
                "is already used by another user",
            ))
        }
        other => other?,
    }
    users::set_profile(
        &mut *tx,
        &row.id,
        &users::Profile {
            name: &checked.name,
            role: checked.role,
            territory: &checked.territory,
            monthly_quota: checked.monthly_quota,
            capacity: checked.capacity,
        },
    )
    .await?;
    let token = new_link(&mut tx, &row.id, now).await?;
    record(
        &mut tx,
        now,
        Some(actor),
        "user_added",
        &email,
        &format!("as {}", checked.role),
    )
    .await?;
    tx.commit().await?;
    Ok((
        User {
            id: row.id,
            name: row.name,
            email,
            role: row.role,
        },
        token,
    ))
}

async fn person(db: &SqlitePool, user_id: &str) -> Result<users::UserRow, ServiceError> {
    users::find(db, user_id.trim())
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The last active admin cannot stop being one: someone must be able to run the team.
async fn keeps_an_admin(
    db: &SqlitePool,
    user: &users::UserRow,
    losing: bool,
) -> Result<(), ServiceError> {
    if losing
        && user.role == Role::Admin
        && user.active
        && users::active_ids(db, Role::Admin).await?.len() <= 1
    {
        return Err(ServiceError::Refused(
            "This is the team's only admin: make someone else an admin first.".to_string(),
        ));
    }
    Ok(())
}

/// Changes a person's name, role, territory, quota and capacity.
#[tracing::instrument(skip_all, fields(user = %user_id))]
pub async fn edit(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    user_id: &str,
    form: PersonForm<'_>,
) -> Result<(), ServiceError> {
    let checked = check(&form, false)?;
    let user = person(db, user_id).await?;
    keeps_an_admin(db, &user, checked.role != Role::Admin).await?;
    let mut tx = store::begin_write(db).await?;
    users::set_profile(
        &mut *tx,
        &user.id,
        &users::Profile {
            name: &checked.name,
            role: checked.role,
            territory: &checked.territory,
            monthly_quota: checked.monthly_quota,
            capacity: checked.capacity,
        },
    )
    .await?;
    if checked.role != user.role {
        record(
            &mut tx,
            now,
            Some(actor),
            "role_changed",
            &user.email,
            &format!("{} → {}", user.role, checked.role),
        )
        .await?;
        // A new role is new permissions: the person signs in again to take them up.
        sessions::delete_for_user(&mut *tx, &user.id).await?;
    }
    let detail = format!(
        "territory {}, quota {}, capacity {}",
        checked.territory,
        checked.monthly_quota,
        checked
            .capacity
            .map_or_else(|| "the team's".to_string(), |c| c.to_string())
    );
    record(
        &mut tx,
        now,
        Some(actor),
        "user_changed",
        &user.email,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a person away from `from` until `until` (`None`: back now).
pub async fn mark_away(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    user_id: &str,
    away: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<(), ServiceError> {
    let user = person(db, user_id).await?;
    if let Some((from, until)) = away {
        if until <= from {
            return Err(ServiceError::invalid(
                "until",
                "must be after the day they go away",
            ));
        }
        if until <= now {
            return Err(ServiceError::invalid("until", "must be in the future"));
        }
    }
    let mut tx = store::begin_write(db).await?;
    users::set_away(&mut *tx, &user.id, away.map(|a| a.0), away.map(|a| a.1)).await?;
    let detail = away.map_or_else(
        || "back".to_string(),
        |(from, until)| {
            format!(
                "from {} until {}",
                from.format("%Y-%m-%d"),
                until.format("%Y-%m-%d")
            )
        },
    );
    record(&mut tx, now, Some(actor), "away", &user.email, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Switches a person off from the people screen; answers how many of their leads moved.
pub async fn deactivate_user(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    actor: &User,
    user_id: &str,
    live: &Live,
) -> Result<usize, ServiceError> {
    let user = person(db, user_id).await?;
    if user.id == actor.id {
        return Err(ServiceError::Refused(
            "You cannot switch yourself off.".to_string(),
        ));
    }
    if !user.active {
        return Err(ServiceError::Refused(format!(
            "{} is already switched off.",
            user.name
        )));
    }
    keeps_an_admin(db, &user, true).await?;
    switch_off(db, policy, now, Some(actor), &user, live).await
}

/// Switches a person back on.
pub async fn reactivate(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    user_id: &str,
) -> Result<(), ServiceError> {
    let user = person(db, user_id).await?;
    let mut tx = store::begin_write(db).await?;
    users::reactivate(&mut *tx, &user.id).await?;
    record(
        &mut tx,
        now,
        Some(actor),
        "user_reactivated",
        &user.email,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Resets a person's password: the old one stops working, every session of theirs ends, their
/// failed sign-ins are forgiven, and a new one-time link lets them choose another. Answers
/// their name and the link's token.
#[tracing::instrument(skip_all, fields(user = %user_id))]
pub async fn reset_password(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    user_id: &str,
    live: &Live,
) -> Result<(String, String), ServiceError> {
    let user = person(db, user_id).await?;
    let mut tx = store::begin_write(db).await?;
    let hashes = sessions::hashes_of_user(&mut *tx, &user.id).await?;
    users::set_password_hash(&mut *tx, &user.id, super::accounts::NO_PASSWORD).await?;
    sessions::delete_for_user(&mut *tx, &user.id).await?;
    sign_ins::forgive(&mut *tx, &user.email).await?;
    let token = new_link(&mut tx, &user.id, now).await?;
    record(
        &mut tx,
        now,
        Some(actor),
        "password_reset",
        &user.email,
        "every session ended",
    )
    .await?;
    tx.commit().await?;
    for hash in &hashes {
        live.end_session(hash);
    }
    Ok((user.name, token))
}

/// Unlocks a person's sign-in: their failed attempts no longer make them wait.
pub async fn unlock(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    user_id: &str,
) -> Result<u64, ServiceError> {
    let user = person(db, user_id).await?;
    let mut tx = store::begin_write(db).await?;
    let forgiven = sign_ins::forgive(&mut *tx, &user.email).await?;
    record(
        &mut tx,
        now,
        Some(actor),
        "unlocked",
        &user.email,
        &format!("{forgiven} failed sign-ins forgiven"),
    )
    .await?;
    tx.commit().await?;
    Ok(forgiven)
}

/// Ends every session of a person.
pub async fn end_sessions(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    user_id: &str,
    live: &Live,
) -> Result<usize, ServiceError> {
    let user = person(db, user_id).await?;
    let mut tx = store::begin_write(db).await?;
    let hashes = sessions::hashes_of_user(&mut *tx, &user.id).await?;
    sessions::delete_for_user(&mut *tx, &user.id).await?;
    record(
        &mut tx,
        now,
        Some(actor),
        "sessions_ended",
        &user.email,
        &format!("{} sessions", hashes.len()),
    )
    .await?;
    tx.commit().await?;
    for hash in &hashes {
        live.end_session(hash);
    }
    Ok(hashes.len())
}
