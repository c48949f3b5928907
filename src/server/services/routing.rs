//! Routing: who takes a lead that needs an owner. The same rule at every point a lead changes
//! hands (arrival, the first-contact reassignment, the hoarding reclaim, hand-back, recontact,
//! a rep switched off, a manager's hand): a rep who is active, not away and under capacity
//! takes it — the lead's previous rep first where there is one, else round robin among the reps
//! of the lead's territory, else round robin over the whole team — and when no rep can, the
//! qualifier queue. A lead is never left with nobody.

use crate::domain::lead::Owner;
use crate::domain::territory::{self, Place};
use crate::server::store::{territories, users};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// What a routing decision takes into account.
#[derive(Debug, Clone, Copy, Default)]
pub struct Route<'a> {
    /// The rep to offer the lead to first (the one who held it, or won the customer).
    pub prefer: Option<&'a str>,
    /// The rep it is being taken from, who must not get it back.
    pub except: Option<&'a str>,
    /// The lead being routed (its place and source choose the territory).
    pub lead: Option<&'a str>,
    /// For a lead not stored yet: where the person is and the source it came through.
    pub arriving: Option<(&'a Place, &'a str)>,
}

/// The owner for a lead: `route.prefer` if they can take it, else the next rep in round robin
/// who can (leaving out `route.except`), else the qualifier queue.
pub async fn route(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    capacity: u32,
    route: Route<'_>,
) -> Result<Owner, sqlx::Error> {
    let capacity = i64::from(capacity);
    if let Some(id) = route.prefer.filter(|id| Some(*id) != route.except) {
        if users::can_take_lead(&mut *conn, id, now, capacity).await? {
            return Ok(Owner::Rep(id.to_string()));
        }
    }
    if let Some(territory) = territory_of(conn, &route).await? {
        if let Some((id, _)) =
            users::take_next_rep_in(conn, now, route.except, capacity, Some(&territory)).await?
        {
            return Ok(Owner::Rep(id));
        }
    }
    Ok(
        match users::take_next_rep(conn, now, route.except, capacity).await? {
            Some((id, _)) => Owner::Rep(id),
            None => Owner::Qualifier,
        },
    )
}

/// The territory the routed lead belongs to, if any rule fits it.
async fn territory_of(
    conn: &mut SqliteConnection,
    route: &Route<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let rules = territories::rules(&mut *conn).await?;
    if rules.is_empty() {
        return Ok(None);
    }
    let (place, source) = match (route.arriving, route.lead) {
        (Some((place, source)), _) => (place.clone(), source.to_string()),
        (None, Some(lead)) => match territories::place_of(&mut *conn, lead).await? {
            Some(found) => found,
            None => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    Ok(territory::territory_for(&rules, &place, &source).map(str::to_string))
}
