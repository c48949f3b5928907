//! What the live boards read: every open lead and every recent assignment, held in memory and
//! kept in step with the database by following the live fan-out — after each published change
//! the changed lead is re-read. A board first waits until the snapshot has applied every change
//! published before it was asked, so it never shows less than the database. Memory is bounded
//! by the open leads and the assignments of the longest board window.

use crate::domain::compliance::AssignmentEnd;
use crate::domain::lead::Stage;
use crate::domain::segment::SegmentFlags;
use crate::server::clock::Clock;
use crate::server::live::Live;
use crate::server::store::boards::{self, AssignmentRow, OpenRow};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// Assignments older than this are not kept (the longest board window).
pub const KEEP_DAYS: i64 = 90;

/// One open lead, as the boards count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLeadFacts {
    pub stage: Stage,
    /// The rep who holds it, if a rep does.
    pub rep_id: Option<String>,
    pub in_qualifier_queue: bool,
    pub received_at: DateTime<Utc>,
    pub last_follow_up_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub ghost: bool,
}

/// One assignment, as the boards count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFacts {
    pub rep_id: String,
    pub assigned_at: DateTime<Utc>,
    pub first_attempt_seconds: Option<i64>,
    pub attempts: u32,
    pub closures_refused: u32,
    pub end: Option<AssignmentEnd>,
    /// Ended with the lead closed dead without any conversation.
    pub dead_unspoken: bool,
    pub flags: SegmentFlags,
    pub qualified: bool,
}

/// The boards' data.
#[derive(Debug, Default)]
pub struct Facts {
    pub open: HashMap<String, OpenLeadFacts>,
    /// By lead id.
    pub assignments: HashMap<String, Vec<AssignmentFacts>>,
}

fn open_facts(row: OpenRow) -> Option<(String, OpenLeadFacts)> {
    let stage = row.stage.parse().ok()?;
    Some((
        row.id,
        OpenLeadFacts {
            stage,
            rep_id: row.owner_id.filter(|_| row.owner_kind == "rep"),
            in_qualifier_queue: row.owner_kind == "qualifier",
            received_at: row.received_at,
            last_follow_up_at: row.last_follow_up_at,
            next_due_at: row.next_due_at,
            ghost: row.ghost,
        },
    ))
}

fn assignment_facts(row: AssignmentRow) -> AssignmentFacts {
    let n = |v: i64| u32::try_from(v).unwrap_or(0);
    AssignmentFacts {
        rep_id: row.rep_id,
        assigned_at: row.assigned_at,
        first_attempt_seconds: row.first_attempt_seconds,
        attempts: n(row.attempts),
        closures_refused: n(row.closures_refused),
        end: match row.end_kind.as_deref() {
            Some("outcome") => Some(AssignmentEnd::Outcome),
            Some("reclaimed") => Some(AssignmentEnd::Reclaimed),
            Some(_) => Some(AssignmentEnd::Moved),
            None => None,
        },
        dead_unspoken: row.outcome.as_deref() == Some("dead") && !row.qualified,
        flags: SegmentFlags {
            no_phone: row.no_phone,
            free_mail: row.free_mail,
            repeat_inquirer: row.repeat_inquirer,
            long_timeframe: row.long_timeframe,
            older_than_4w: row.older_than_4w,
        },
        qualified: row.qualified,
    }
}

/// The snapshot and how far it has caught up with the live change count.
#[derive(Debug)]
pub struct Snapshot {
    facts: RwLock<Facts>,
    applied: watch::Sender<u64>,
}

impl Snapshot {
    /// Reads everything the boards need, as of `now`.
    pub async fn load(db: &SqlitePool, now: DateTime<Utc>) -> Result<Self, sqlx::Error> {
        let snapshot = Self {
            facts: RwLock::new(Facts::default()),
            applied: watch::channel(0).0,
        };
        snapshot.reload(db, now).await?;
        Ok(snapshot)
    }

    /// Reads everything again (after missed changes, and now and then to drop old assignments).
    pub async fn reload(&self, db: &SqlitePool, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        let open = boards::open_rows(db).await?;
        let rows = boards::assignment_rows(db, now - Duration::days(KEEP_DAYS)).await?;
        let mut facts = Facts {
            open: open.into_iter().filter_map(open_facts).collect(),
            assignments: HashMap::new(),
        };
        for row in rows {
            facts
                .assignments
                .entry(row.lead_id.clone())
                .or_default()
                .push(assignment_facts(row));
        }
        if let Ok(mut held) = self.facts.write() {
            *held = facts;
        }
        Ok(())
    }

    /// Re-reads one lead.
    pub async fn refresh_lead(
        &self,
        db: &SqlitePool,
        lead_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let open = boards::open_row(db, lead_id).await?.and_then(open_facts);
        let rows = boards::assignment_rows_of(db, lead_id, now - Duration::days(KEEP_DAYS)).await?;
        if let Ok(mut facts) = self.facts.write() {
            match open {
                Some((id, lead)) => facts.open.insert(id, lead),
                None => facts.open.remove(lead_id),
            };
            if rows.is_empty() {
                facts.assignments.remove(lead_id);
            } else {
                facts.assignments.insert(
                    lead_id.to_string(),
                    rows.into_iter().map(assignment_facts).collect(),
                );
            }
        }
        Ok(())
    }

    /// Marks changes up to `version` as applied.
    pub fn applied(&self, version: u64) {
        self.applied.send_if_modified(|held| {
            let newer = version > *held;
            if newer {
                *held = version;
            }
            newer
        });
    }

    /// Waits (briefly) until every change up to `version` is applied.
    pub async fn caught_up(&self, version: u64) {
        let mut rx = self.applied.subscribe();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            rx.wait_for(|applied| *applied >= version),
        )
        .await;
    }

    /// Reads the facts.
    pub fn read<T>(&self, f: impl FnOnce(&Facts) -> T) -> T {
        match self.facts.read() {
            Ok(facts) => f(&facts),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    /// Follows the live fan-out: re-reads each changed lead; reloads everything after missing
    /// changes and every ten minutes (dropping assignments older than [`KEEP_DAYS`]).
    pub fn follow(self: Arc<Self>, db: SqlitePool, clock: Clock, live: Live) {
        tokio::spawn(async move {
            let mut changes = live.subscribe();
            let closed = live.closed();
            tokio::pin!(closed);
            let mut tidy = tokio::time::interval(std::time::Duration::from_secs(600));
            tidy.tick().await;
            self.applied(live.version());
            loop {
                tokio::select! {
                    received = changes.recv() => match received {
                        Ok(change) => {
                            if !change.lead_id.is_empty() {
                                if let Err(err) = self.refresh_lead(&db, &change.lead_id, clock.now()).await {
                                    tracing::warn!("cannot refresh lead {} for the boards: {err}", change.lead_id);
                                }
                            }
                            self.applied(change.version);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            let version = live.version();
                            if let Err(err) = self.reload(&db, clock.now()).await {
                                tracing::warn!("cannot reload the boards: {err}");
                            }
                            self.applied(version);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    },
                    _ = tidy.tick() => {
                        if let Err(err) = self.reload(&db, clock.now()).await {
                            tracing::warn!("cannot reload the boards: {err}");
                        }
                    }
                    () = &mut closed => break,
                }
            }
        });
    }
}
