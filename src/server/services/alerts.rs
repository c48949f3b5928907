//! A person's alerts: read them, dismiss them.

use super::ServiceError;
use crate::domain::role::User;
use crate::server::store::alerts::{self, AlertRow};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

pub async fn unread(db: &SqlitePool, user: &User) -> Result<Vec<AlertRow>, ServiceError> {
    Ok(alerts::unread(db, &user.id).await?)
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
