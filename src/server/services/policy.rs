//! Changing the follow-up policy (from the command line today; the admin screens come later).

use super::ServiceError;
use crate::domain::cadence::Policy;
use crate::domain::hours::Hours;
use crate::server::store;
use chrono::NaiveTime;
use chrono_tz::Tz;
use sqlx::SqlitePool;

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
