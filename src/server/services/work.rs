//! Work lists: a rep's queue, the nurture pool and the qualifier queue.

use super::ServiceError;
use crate::domain::role::{Role, User};
use crate::server::store::leads::{self, WorkRow};
use sqlx::SqlitePool;

/// The open leads `user` works from: a rep's own leads, or the pool their role owns.
pub async fn queue_for(db: &SqlitePool, user: &User) -> Result<Vec<WorkRow>, ServiceError> {
    match user.role {
        Role::Rep => Ok(leads::rep_queue(db, &user.id).await?),
        Role::Qualifier => Ok(leads::pool_queue(db, "qualifier").await?),
        _ => Err(ServiceError::Forbidden(
            "The call queue is for reps and qualifiers.".to_string(),
        )),
    }
}

/// Every lead marketing is keeping warm, the one due a touch soonest first.
pub async fn nurture_pool(db: &SqlitePool) -> Result<Vec<WorkRow>, ServiceError> {
    Ok(leads::pool_queue(db, "marketing").await?)
}
