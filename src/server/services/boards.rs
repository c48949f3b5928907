//! Managers' boards, aggregated in the database as of the clock's now; a shared cache so a
//! change fans out to hundreds of open boards with one read; and the ticker that tells boards
//! when a lead ages into its next bucket or falls due.

use super::ServiceError;
use crate::domain::aging::AgeBucket;
use crate::domain::bias::{self, RepBias};
use crate::domain::board::{AgingBoard, Basis, Cell};
use crate::domain::cadence::Policy;
use crate::domain::compliance::ComplianceBoard;
use crate::domain::forecast::{Outlook, Unfollowed};
use crate::domain::lead::Stage;
use crate::server::clock::Clock;
use crate::server::live::Live;
use crate::server::store::{boards, leads};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// Open leads by stage and age bucket, as of `now`.
pub async fn aging(
    db: &SqlitePool,
    basis: Basis,
    now: DateTime<Utc>,
) -> Result<AgingBoard, ServiceError> {
    let counts = boards::aging(db, basis, now).await?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    let mut cells = Vec::with_capacity(counts.len());
    for count in counts {
        let stage: Stage = count
            .stage
            .parse()
            .map_err(|e| ServiceError::Internal(format!("a lead has an unknown stage: {e}")))?;
        let bucket = usize::try_from(count.bucket)
            .ok()
            .and_then(|i| AgeBucket::ALL.get(i).copied())
            .ok_or_else(|| ServiceError::Internal("an age bucket out of range".to_string()))?;
        let cell = Cell {
            count: n(count.count),
            overdue: n(count.overdue),
            ghosts: n(count.ghosts),
        };
        cells.push((stage, bucket, cell));
    }
    Ok(AgingBoard::from_cells(basis, cells))
}

/// Most leads a drilled-down cell lists.
pub const CELL_LIMIT: i64 = 200;

/// The leads in one cell of the aging board, oldest first.
pub async fn cell(
    db: &SqlitePool,
    basis: Basis,
    stage: Stage,
    bucket: AgeBucket,
    now: DateTime<Utc>,
) -> Result<Vec<boards::CellLead>, ServiceError> {
    Ok(boards::cell_leads(db, basis, stage.as_str(), bucket, now, CELL_LIMIT).await?)
}

/// Per-rep compliance over the last `window_days`.
pub async fn compliance(
    db: &SqlitePool,
    policy: &Policy,
    window_days: u32,
    now: DateTime<Utc>,
) -> Result<ComplianceBoard, ServiceError> {
    let since = now - Duration::days(i64::from(window_days));
    let reps = boards::rep_counts(db, since, policy.first_contact, now).await?;
    let delays = boards::first_attempt_delays(db, since).await?;
    let mut by_rep: HashMap<&str, Vec<f64>> = HashMap::new();
    for (rep, minutes, _) in &delays {
        by_rep.entry(rep.as_str()).or_default().push(*minutes);
    }
    Ok(ComplianceBoard::build(window_days, reps, |rep| {
        by_rep.get(rep).cloned().unwrap_or_default()
    }))
}

/// Per-rep follow-up on the dropped-lead segments over the last `window_days`.
pub async fn bias_watch(
    db: &SqlitePool,
    policy: &Policy,
    window_days: u32,
    now: DateTime<Utc>,
) -> Result<Vec<RepBias>, ServiceError> {
    let since = now - Duration::days(i64::from(window_days));
    let groups = boards::segment_counts(db, since, policy.first_contact).await?;
    let delays = boards::first_attempt_delays(db, since).await?;
    Ok(bias::watch(&groups, &delays))
}

/// Capacity, quota and forecast, as of `now`.
pub async fn outlook(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Outlook, ServiceError> {
    let year_ago = now - Duration::days(365);
    let reps = boards::rep_loads(db).await?;
    let flows = boards::territory_flows(db, now - Duration::days(30)).await?;
    let (open_pool, overflow) = boards::open_pool(db).await?;
    let closed = boards::closed_since(db, year_ago).await?;
    let mut unfollowed = Unfollowed::default();
    for (cost, leads, ghosts, unspoken) in boards::unfollowed_by_source(db, year_ago).await? {
        unfollowed.ghosts += u32::try_from(ghosts).unwrap_or(u32::MAX);
        unfollowed.dead_unspoken += u32::try_from(unspoken).unwrap_or(u32::MAX);
        if leads > 0 {
            unfollowed.spend_cents += cost * (ghosts + unspoken) / leads;
        }
    }
    Ok(Outlook::build(
        policy.rep_capacity,
        reps,
        &flows,
        overflow,
        open_pool,
        closed,
        unfollowed,
    ))
}

/// The latest closures, for a manager to review and, where wrong, reverse.
pub async fn recent_closures(db: &SqlitePool) -> Result<Vec<leads::ClosureRow>, ServiceError> {
    Ok(leads::recent_closures(db, 30).await?)
}

/// Boards already computed for the current version of the data: hundreds of open boards
/// re-reading after a change cost one database read per board kind, not one each.
#[derive(Default)]
pub struct BoardCache {
    entries: tokio::sync::Mutex<HashMap<String, Entry>>,
}

struct Entry {
    version: u64,
    at: Instant,
    value: Arc<dyn Any + Send + Sync>,
}

/// Even with no change, a cached board is read again after this long (windows move on).
const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(30);

impl BoardCache {
    /// The board under `key` as of data version `version`, computing it if needed. Callers
    /// read the version before anything else, so a change during the read is never missed.
    pub async fn get<T, F, Fut>(
        &self,
        key: String,
        version: u64,
        compute: F,
    ) -> Result<T, ServiceError>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, ServiceError>>,
    {
        let mut entries = self.entries.lock().await;
        if let Some(entry) = entries.get(&key) {
            if entry.version == version && entry.at.elapsed() < MAX_AGE {
                if let Some(value) = entry.value.downcast_ref::<T>() {
                    return Ok(value.clone());
                }
            }
        }
        let value = compute().await?;
        entries.insert(
            key,
            Entry {
                version,
                at: Instant::now(),
                value: Arc::new(value.clone()),
            },
        );
        Ok(value)
    }
}

impl std::fmt::Debug for BoardCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoardCache")
    }
}

/// Tells open boards when a lead ages into an older bucket or falls due, though nothing was
/// logged: sleeps until the next such moment (woken early by any change, which may bring a
/// nearer one), then publishes. At most one such notice a second.
pub fn spawn_aging_ticker(db: SqlitePool, clock: Clock, live: Live) {
    tokio::spawn(async move {
        let mut changes = live.subscribe();
        let closed = live.closed();
        tokio::pin!(closed);
        let mut pending: Option<DateTime<Utc>> = None;
        loop {
            let now = clock.now();
            if pending.is_some_and(|at| at <= now) {
                pending = None;
                live.publish("", [None]);
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                changes = changes.resubscribe();
                continue;
            }
            match boards::next_change(&db, now).await {
                Ok(next) => pending = next,
                Err(err) => tracing::warn!("cannot work out the next board change: {err}"),
            }
            let wait = pending
                .map_or(Duration::seconds(60), |at| at - now)
                .clamp(Duration::milliseconds(50), Duration::seconds(60))
                .to_std()
                .unwrap_or(std::time::Duration::from_secs(1));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                received = changes.recv() => {
                    if matches!(received, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                        break;
                    }
                    // A change may bring a nearer moment: look again.
                    while changes.try_recv().is_ok() {}
                }
                () = &mut closed => break,
            }
        }
    });
}
