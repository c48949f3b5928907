//! The follow-up policy in force, and changing it (from the admin screen or the command line).

use super::ServiceError;
use crate::domain::cadence::Policy;
use crate::domain::hours::Hours;
use crate::server::store;
use chrono::NaiveTime;
use chrono_tz::Tz;
use sqlx::SqlitePool;
use std::sync::Arc;

/// "08:00" as a time; "24:00" (midnight at the end of the day) as `None`.
fn clock_time(field: &str, text: &str) -> Result<Option<NaiveTime>, ServiceError> {
    if text.trim() == "24:00" {
        return Ok(None);
    }
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map(Some)
        .map_err(|_| ServiceError::invalid(field, "is not a time like 08:00"))
}

/// Sets the team's working hours. `timezone` `None` keeps the team's zone as it is.
pub async fn set_hours(
    db: &SqlitePool,
    policy: &Policy,
    days: &str,
    opens: &str,
    closes: &str,
    timezone: Option<&str>,
) -> Result<Policy, ServiceError> {
    let opens = clock_time("opens", opens)?
        .ok_or_else(|| ServiceError::invalid("opens", "must be before midnight"))?;
    let closes = clock_time("closes", closes)?;
    let tz = match timezone {
        Some(name) => name.trim().parse::<Tz>().map_err(|_| {
            ServiceError::invalid("timezone", "is not a time zone like Europe/Berlin")
        })?,
        None => policy.hours.tz,
    };
    let hours = Hours::new(days, opens, closes, tz)
        .map_err(|e| ServiceError::invalid("hours", e.to_string()))?;
    let changed = Policy {
        hours,
        ..policy.clone()
    };
    store::policy::save(db, &changed).await?;
    Ok(changed)
}

/// Sets when people may be called where they live; `None`: at any hour.
pub async fn set_calling_window(
    db: &SqlitePool,
    policy: &Policy,
    window: Option<(&str, &str)>,
) -> Result<Policy, ServiceError> {
    let calling_window = match window {
        None => None,
        Some((opens, closes)) => {
            let opens = clock_time("opens", opens)?
                .ok_or_else(|| ServiceError::invalid("opens", "must be before midnight"))?;
            let closes = clock_time("closes", closes)?
                .ok_or_else(|| ServiceError::invalid("closes", "must be before midnight"))?;
            if closes <= opens {
                return Err(ServiceError::invalid("closes", "must be after opens"));
            }
            Some((opens, closes))
        }
    };
    let changed = Policy {
        calling_window,
        ..policy.clone()
    };
    store::policy::save(db, &changed).await?;
    Ok(changed)
}

/// Puts the policy an admin typed in force: checked as a whole, saved with an audit entry
/// naming each setting that changed, and in force for every request and the next tick. An
/// unchanged form changes nothing and records nothing.
#[tracing::instrument(skip_all, fields(by = %actor.id))]
pub async fn change(
    db: &SqlitePool,
    cell: &PolicyCell,
    now: chrono::DateTime<chrono::Utc>,
    actor: &crate::domain::role::User,
    form: &crate::domain::policy_form::PolicyForm,
) -> Result<Policy, ServiceError> {
    let changed = form.parse().map_err(ServiceError::Invalid)?;
    let mut tx = store::begin_write(db).await?;
    // Read inside the write lock: two admins saving at once each see the other's change.
    let before = store::policy::load(&mut *tx, changed.hours.tz).await?;
    let changes = crate::domain::policy_form::changes(&before, &changed);
    if changes.is_empty() {
        return Ok(before);
    }
    store::policy::save(&mut *tx, &changed).await?;
    store::audit::record(
        &mut *tx,
        store::audit::Entry {
            at: now,
            actor_id: Some(&actor.id),
            action: "policy_changed",
            subject: "follow-up policy",
            detail: &changes.join("; "),
        },
    )
    .await?;
    tx.commit().await?;
    cell.set(changed.clone());
    tracing::info!(changes = %changes.join("; "), "the follow-up policy changed");
    Ok(changed)
}

/// The team's currency.
pub async fn currency(db: &SqlitePool) -> Result<String, ServiceError> {
    Ok(store::settings::currency(db).await?)
}

/// Sets the team's currency (amounts are shown in it), with an audit entry.
pub async fn set_currency(
    db: &SqlitePool,
    now: chrono::DateTime<chrono::Utc>,
    actor: &crate::domain::role::User,
    code: &str,
) -> Result<(), ServiceError> {
    let code = crate::domain::money::currency_code(code)
        .map_err(|e| ServiceError::invalid("currency", e))?;
    let mut tx = store::begin_write(db).await?;
    let before = store::settings::currency(&mut *tx).await?;
    if before == code {
        return Ok(());
    }
    store::settings::set_currency(&mut *tx, &code).await?;
    store::audit::record(
        &mut *tx,
        store::audit::Entry {
            at: now,
            actor_id: Some(&actor.id),
            action: "currency_changed",
            subject: "team settings",
            detail: &format!("{before} → {code}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Re-reads the policy from the database into `cell` (a change made by another process, such
/// as the command line, applies from the next tick).
pub async fn reload(db: &SqlitePool, cell: &PolicyCell, team_tz: Tz) -> Result<(), ServiceError> {
    let stored = store::policy::load(db, team_tz).await?;
    if *cell.get() != stored {
        cell.set(stored);
    }
    Ok(())
}

/// The working hours and calling window as a person reads them.
pub fn describe(policy: &Policy) -> String {
    let window = policy.calling_window.map_or_else(
        || "calls at any hour".to_string(),
        |(opens, closes)| {
            format!(
                "calls {}–{} where the person lives",
                opens.format("%H:%M"),
                closes.format("%H:%M")
            )
        },
    );
    format!("Working hours: {}; {window}.", policy.hours.describe())
}

/// The follow-up policy in force, shared by every door and the scheduler. A change replaces it
/// whole; readers take the policy as it was when they asked and keep it for their request.
#[derive(Clone, Debug)]
pub struct PolicyCell(Arc<std::sync::RwLock<Arc<Policy>>>);

impl PolicyCell {
    pub fn new(policy: Policy) -> Self {
        Self(Arc::new(std::sync::RwLock::new(Arc::new(policy))))
    }

    /// The policy in force now.
    pub fn get(&self) -> Arc<Policy> {
        match self.0.read() {
            Ok(policy) => policy.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts `policy` in force from now on.
    pub fn set(&self, policy: Policy) {
        let policy = Arc::new(policy);
        match self.0.write() {
            Ok(mut current) => *current = policy,
            Err(poisoned) => *poisoned.into_inner() = policy,
        }
    }
}
