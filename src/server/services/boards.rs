//! Managers' boards, aggregated in the database as of the clock's now; a shared cache so a
//! change fans out to hundreds of open boards with one read; and the ticker that tells boards
//! when a lead ages into its next bucket or falls due.

use super::ServiceError;
use crate::domain::aging::AgeBucket;
use crate::domain::bias::{self, GroupCount, Rate, RepBias};
use crate::domain::board::{AgingBoard, Basis, Cell};
use crate::domain::cadence::Policy;
use crate::domain::compliance::{AssignmentEnd, ComplianceBoard, QueueLine, RepCounts};
use crate::domain::forecast::{Outlook, RepLoad, TerritoryFlow, Unfollowed};
use crate::domain::lead::Stage;
use crate::domain::segment::SegmentFlags;
use crate::server::clock::Clock;
use crate::server::live::Live;
use crate::server::snapshot::Snapshot;
use crate::server::store::{boards, leads};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// Open leads by stage and age bucket, as of `now`.
pub fn aging(snapshot: &Snapshot, basis: Basis, now: DateTime<Utc>) -> AgingBoard {
    snapshot.read(|facts| {
        AgingBoard::from_cells(
            basis,
            facts.open.values().map(|lead| {
                let since = match basis {
                    Basis::Inquiry => lead.received_at,
                    Basis::RealTouch => lead.last_follow_up_at.unwrap_or(lead.received_at),
                };
                let cell = Cell {
                    count: 1,
                    overdue: u32::from(lead.next_due_at.is_some_and(|due| due < now)),
                    ghosts: u32::from(lead.ghost),
                };
                (lead.stage, AgeBucket::since(since, now), cell)
            }),
        )
    })
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

/// The open leads a rep holds, oldest first, with the rep's name (`NotFound` for no rep).
pub async fn rep_leads(
    db: &SqlitePool,
    rep_id: &str,
) -> Result<(String, Vec<boards::CellLead>), ServiceError> {
    let rep = crate::server::store::users::find(db, rep_id)
        .await?
        .filter(|u| u.role == crate::domain::role::Role::Rep)
        .ok_or(ServiceError::NotFound)?;
    Ok((rep.name, boards::rep_leads(db, rep_id, CELL_LIMIT).await?))
}

/// The reps a manager can give leads to, with their load at `now`.
pub async fn rep_choices(
    db: &SqlitePool,
    now: DateTime<Utc>,
    capacity: u32,
) -> Result<Vec<crate::server::store::users::RepLoad>, ServiceError> {
    Ok(crate::server::store::users::reps_with_load(db, now, i64::from(capacity)).await?)
}

/// Each rep's assignments since `since` counted, with what they hold now, and each rep's
/// minutes to first attempt.
fn rep_tallies(
    snapshot: &Snapshot,
    reps: &[(String, String, String, i64, bool)],
    since: DateTime<Utc>,
    sla_seconds: i64,
    now: DateTime<Utc>,
) -> (Vec<RepCounts>, HashMap<String, Vec<f64>>) {
    let mut counts: HashMap<&str, RepCounts> = reps
        .iter()
        .map(|r| (r.0.as_str(), RepCounts::default()))
        .collect();
    let mut delays: HashMap<String, Vec<f64>> = HashMap::new();
    snapshot.read(|facts| {
        for a in facts.assignments.values().flatten() {
            if a.assigned_at < since {
                continue;
            }
            let Some(c) = counts.get_mut(a.rep_id.as_str()) else {
                continue;
            };
            c.assigned += 1;
            c.attempts += a.attempts;
            c.closures_refused += a.closures_refused;
            if let Some(seconds) = a.first_attempt_seconds {
                c.attempted += 1;
                c.within_sla += u32::from(seconds <= sla_seconds);
                delays
                    .entry(a.rep_id.clone())
                    .or_default()
                    .push(seconds as f64 / 60.0);
            }
            c.dead_unspoken += u32::from(a.dead_unspoken);
            match a.end {
                Some(AssignmentEnd::Outcome) => c.outcomes += 1,
                Some(AssignmentEnd::Reclaimed) => c.reclaimed += 1,
                _ => {}
            }
        }
        for lead in facts.open.values() {
            let Some(c) = lead.rep_id.as_deref().and_then(|rep| counts.get_mut(rep)) else {
                continue;
            };
            c.overdue_now += u32::from(lead.next_due_at.is_some_and(|due| due < now));
            c.ghosts_now += u32::from(lead.ghost);
        }
    });
    let lines = reps
        .iter()
        .filter_map(|(id, name, _, _, active)| {
            let mut c = counts.remove(id.as_str()).unwrap_or_default();
            if !active && c == RepCounts::default() {
                return None;
            }
            c.rep_id = id.clone();
            c.name = name.clone();
            Some(c)
        })
        .collect();
    (lines, delays)
}

/// Per-rep compliance over the last `window_days`.
pub async fn compliance(
    db: &SqlitePool,
    snapshot: &Snapshot,
    policy: &Policy,
    window_days: u32,
    now: DateTime<Utc>,
) -> Result<ComplianceBoard, ServiceError> {
    let since = now - Duration::days(i64::from(window_days));
    let reps = boards::reps(db).await?;
    let (lines, delays) = rep_tallies(
        snapshot,
        &reps,
        since,
        policy.first_contact.num_seconds(),
        now,
    );
    let mut queue = QueueLine {
        qualifiers: u32::try_from(
            crate::server::store::users::active_ids(db, crate::domain::role::Role::Qualifier)
                .await?
                .len(),
        )
        .unwrap_or(u32::MAX),
        ..QueueLine::default()
    };
    snapshot.read(|facts| {
        for lead in facts.open.values().filter(|l| l.in_qualifier_queue) {
            queue.waiting += 1;
            queue.never_called += u32::from(lead.ghost);
            let age = (now - lead.received_at).num_minutes();
            queue.oldest_minutes = Some(queue.oldest_minutes.map_or(age, |o| o.max(age)));
        }
    });
    Ok(ComplianceBoard::build(window_days, lines, queue, |rep| {
        delays.get(rep).cloned().unwrap_or_default()
    }))
}

/// Per-rep follow-up on the dropped-lead segments over the last `window_days`.
pub async fn bias_watch(
    db: &SqlitePool,
    snapshot: &Snapshot,
    policy: &Policy,
    window_days: u32,
    now: DateTime<Utc>,
) -> Result<Vec<RepBias>, ServiceError> {
    let since = now - Duration::days(i64::from(window_days));
    let sla = policy.first_contact.num_seconds();
    let names: HashMap<String, String> = boards::reps(db)
        .await?
        .into_iter()
        .map(|(id, name, ..)| (id, name))
        .collect();
    let mut groups: HashMap<(String, SegmentFlags), Rate> = HashMap::new();
    let mut delays = Vec::new();
    snapshot.read(|facts| {
        for a in facts.assignments.values().flatten() {
            if a.assigned_at < since {
                continue;
            }
            let rate = groups.entry((a.rep_id.clone(), a.flags)).or_default();
            rate.leads += 1;
            if let Some(seconds) = a.first_attempt_seconds {
                rate.followed += 1;
                rate.within_sla += u32::from(seconds <= sla);
                delays.push((a.rep_id.clone(), seconds as f64 / 60.0, a.flags));
            }
        }
    });
    let mut groups: Vec<GroupCount> = groups
        .into_iter()
        .map(|((rep_id, flags), rate)| GroupCount {
            name: names.get(&rep_id).cloned().unwrap_or_default(),
            rep_id,
            flags,
            rate,
        })
        .collect();
    groups.sort_by(|a, b| (&a.name, &a.rep_id).cmp(&(&b.name, &b.rep_id)));
    Ok(bias::watch(&groups, &delays))
}

/// Capacity, quota and forecast, as of `now`.
pub async fn outlook(
    db: &SqlitePool,
    snapshot: &Snapshot,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Outlook, ServiceError> {
    let year_ago = now - Duration::days(365);
    let month_ago = now - Duration::days(30);
    let reps = boards::reps(db).await?;
    let (loads, flows, open_pool, overflow) = snapshot.read(|facts| {
        let mut open_by_rep: HashMap<&str, u32> = HashMap::new();
        let mut overflow = 0;
        for lead in facts.open.values() {
            if let Some(rep) = lead.rep_id.as_deref() {
                *open_by_rep.entry(rep).or_default() += 1;
            }
            overflow += u32::from(lead.in_qualifier_queue);
        }
        let territory_of: HashMap<&str, &str> = reps
            .iter()
            .map(|(id, _, territory, ..)| (id.as_str(), territory.as_str()))
            .collect();
        let mut flows: HashMap<&str, (u32, u32)> = HashMap::new();
        for list in facts.assignments.values() {
            // A lead counts once per territory however often it was handed on.
            let mut seen: Vec<&str> = Vec::new();
            for a in list.iter().filter(|a| a.assigned_at >= month_ago) {
                let Some(territory) = territory_of.get(a.rep_id.as_str()) else {
                    continue;
                };
                if seen.contains(territory) {
                    continue;
                }
                seen.push(territory);
                let flow = flows.entry(territory).or_default();
                flow.0 += 1;
                flow.1 += u32::from(a.qualified);
            }
        }
        let loads: Vec<RepLoad> = reps
            .iter()
            .filter(|r| r.4)
            .map(|(id, name, territory, quota, _)| RepLoad {
                rep_id: id.clone(),
                name: name.clone(),
                territory: territory.clone(),
                open: open_by_rep.get(id.as_str()).copied().unwrap_or(0),
                monthly_quota: u32::try_from(*quota).unwrap_or(0),
            })
            .collect();
        let flows: Vec<TerritoryFlow> = flows
            .into_iter()
            .map(|(territory, (raw, qualified))| TerritoryFlow {
                territory: territory.to_string(),
                raw,
                qualified,
            })
            .collect();
        (loads, flows, facts.open.len() as u32, overflow)
    });
    let closed = boards::closed_since(db, year_ago).await?;
    let mut unfollowed = Unfollowed::default();
    for (cost, leads, ghosts, unspoken) in boards::unfollowed_by_source(db, year_ago).await? {
        unfollowed.ghosts += u32::try_from(ghosts).unwrap_or(u32::MAX);
        unfollowed.dead_unspoken += u32::try_from(unspoken).unwrap_or(u32::MAX);
        if leads > 0 {
            unfollowed.spend_cents += cost * (ghosts + unspoken) / leads;
        }
    }
    Ok(Outlook {
        currency: crate::server::store::settings::currency(db).await?,
        ..Outlook::build(
            policy.rep_capacity,
            loads,
            &flows,
            overflow,
            open_pool,
            closed,
            unfollowed,
        )
    })
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
                live.publish("", []);
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
