//! Routing: who takes a lead that needs an owner. Round robin among active reps (leaving out
//! the rep it is taken from), else the qualifier queue. A lead is never left with nobody.

use crate::domain::lead::Owner;
use crate::server::store::{leads, users};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// The next owner for a lead, leaving out `except`.
pub async fn next_owner(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Owner, sqlx::Error> {
    Ok(match users::take_next_rep(conn, now, except).await? {
        Some((id, _)) => Owner::Rep(id),
        None => Owner::Qualifier,
    })
}

/// The lead's previous rep if they are still active and under capacity, else the next owner.
pub async fn previous_rep_or_next(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    previous: Option<&str>,
    capacity: u32,
) -> Result<Owner, sqlx::Error> {
    if let Some(id) = previous {
        let active = users::is_active_rep(&mut *conn, id).await?;
        if active && leads::open_count_of(&mut *conn, id).await? < i64::from(capacity) {
            return Ok(Owner::Rep(id.to_string()));
        }
    }
    next_owner(conn, now, None).await
}
