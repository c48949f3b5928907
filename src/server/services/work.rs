//! Work lists: a rep's queue, the nurture pool and the qualifier queue.

use super::ServiceError;
use crate::domain::lead::Stage;
use crate::domain::role::{Role, User};
use crate::domain::urgency::work_order;
use crate::server::store::leads::{self, WorkRow};
use sqlx::SqlitePool;

/// The open leads `user` works from (a rep's own leads, or the pool their role owns), in
/// working order at `now`: what can still be won fastest first (`domain::urgency`).
pub async fn queue_for(
    db: &SqlitePool,
    user: &User,
    now: chrono::DateTime<chrono::Utc>,
    policy: &crate::domain::cadence::Policy,
) -> Result<Vec<WorkRow>, ServiceError> {
    let mut rows = match user.role {
        Role::Rep => leads::rep_queue(db, &user.id).await?,
        Role::Qualifier => leads::pool_queue(db, "qualifier").await?,
        _ => {
            return Err(ServiceError::Forbidden(
                "The call queue is for reps and qualifiers.".to_string(),
            ))
        }
    };
    rows.sort_by_cached_key(|row| {
        let stage = row.stage.parse().unwrap_or(Stage::Assigned);
        work_order(stage, row.next_due_at, row.received_at, now, policy)
    });
    Ok(rows)
}

/// Every lead marketing is keeping warm, the one due a touch soonest first.
pub async fn nurture_pool(db: &SqlitePool) -> Result<Vec<WorkRow>, ServiceError> {
    Ok(leads::pool_queue(db, "marketing").await?)
}

/// Everything about one lead that its page shows.
#[derive(Debug, Clone)]
pub struct LeadView {
    pub record: leads::LeadRecord,
    pub owner_name: String,
    pub source: String,
    pub qualification: crate::domain::qualification::Qualification,
    pub touches: Vec<crate::server::store::touches::TouchRow>,
    pub history: Vec<crate::server::store::events::HistoryRow>,
    /// Inquiry messages, newest first.
    pub messages: Vec<String>,
    /// Emails and phones from the person's inquiries that the lead does not hold.
    pub other_contacts: Vec<String>,
    /// For a manager or qualifier: every active rep with their load, to give the lead to.
    pub reps: Vec<crate::server::store::users::RepLoad>,
    /// For a customer's new opportunity: when they first bought, how many sales, their total.
    pub customer: Option<(chrono::NaiveDate, i64, crate::domain::money::Money)>,
}

/// One lead `user` may see, with its touches and history (and, for a manager, the reps it could
/// be given to at `now` under `capacity`).
pub async fn lead_view(
    db: &SqlitePool,
    user: &User,
    lead_id: &str,
    now: chrono::DateTime<chrono::Utc>,
    capacity: u32,
) -> Result<LeadView, ServiceError> {
    use crate::server::store::{events, inquiries, sources, touches, users};
    let mut conn = db.acquire().await?;
    let record = super::lifecycle::visible_lead(&mut conn, user, lead_id).await?;
    let owner_name = match record.state.owner.rep_id() {
        Some(id) => users::find(&mut *conn, id)
            .await?
            .map_or_else(String::new, |u| u.name),
        None => String::new(),
    };
    let customer = leads::customer_history(&mut *conn, lead_id)
        .await?
        .and_then(|(since, sales, cents)| {
            crate::domain::money::Money::from_cents(cents)
                .ok()
                .map(|total| (since, sales, total))
        });
    let reps = if matches!(user.role, Role::Manager | Role::Admin | Role::Qualifier) {
        users::reps_with_load(&mut *conn, now, i64::from(capacity)).await?
    } else {
        Vec::new()
    };
    Ok(LeadView {
        reps,
        customer,
        other_contacts: inquiries::other_contacts(&mut *conn, lead_id).await?,
        owner_name,
        source: sources::name_of(&mut *conn, &record.contact.source_id).await?,
        qualification: leads::qualification(&mut *conn, lead_id).await?,
        touches: touches::for_lead(&mut *conn, lead_id).await?,
        history: events::for_lead(&mut *conn, lead_id).await?,
        messages: inquiries::messages_for_lead(&mut *conn, lead_id)
            .await?
            .into_iter()
            .map(|(_, message)| message)
            .filter(|m| !m.is_empty())
            .collect(),
        record,
    })
}
