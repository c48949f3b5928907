//! A person's alerts: read them, dismiss them.

use super::ServiceError;
use crate::domain::role::{Role, User};
use crate::server::store::alerts::{self, AlertRow};
use crate::server::store::users;
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqlitePool};

/// Alerts one screen lists at most.
const SHOWN: usize = 50;

/// The person's unread alerts whose job is not done yet (see [`crate::domain::alert`]),
/// newest first.
pub async fn unread(db: &SqlitePool, user: &User) -> Result<Vec<AlertRow>, ServiceError> {
    use crate::domain::alert::{is_done, Subject};
    use crate::domain::lead::{Owner, Stage};
    let rows = alerts::unread(db, &user.id, 500).await?;
    Ok(rows
        .into_iter()
        .filter(|row| {
            let owner = Owner::from_parts(&row.owner_kind, row.owner_id.clone())
                .unwrap_or(Owner::Marketing);
            let closed = row
                .stage
                .parse::<Stage>()
                .is_ok_and(|stage| !stage.is_open());
            let subject = Subject {
                owner: &owner,
                closed,
                last_touch: row.last_touch,
            };
            !is_done(&row.kind, row.created_at, &user.id, &subject)
        })
        .take(SHOWN)
        .collect())
}

/// Dismisses every unread alert of the person's. Answers how many.
pub async fn dismiss_all(
    db: &SqlitePool,
    user: &User,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    Ok(alerts::mark_all_read(db, &user.id, now).await?)
}

pub async fn dismiss(
    db: &SqlitePool,
    user: &User,
    alert_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if alerts::mark_read(db, &user.id, alert_id, now).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// A lead landed in the qualifier queue: if no qualifier is active to work it, every manager
/// is told (the queue is where leads wait for work, never a drawer).
pub async fn if_queue_unworked(
    conn: &mut SqliteConnection,
    lead_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if !users::active_ids(&mut *conn, Role::Qualifier)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let message = format!(
        "{name} waits in the qualifier queue and no qualifier is active: reassign it to a rep \
         or switch a qualifier on."
    );
    for manager in users::active_ids(&mut *conn, Role::Manager).await? {
        alerts::insert(&mut *conn, &manager, lead_id, "queue", &message, now).await?;
    }
    Ok(())
}
