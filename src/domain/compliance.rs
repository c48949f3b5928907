//! Per-rep follow-up compliance: each time a rep is given a lead with a fresh first-contact
//! clock is an *assignment*; how fast and how far the rep followed it is what the compliance
//! board shows, against PRODUCT.md's rules and the 60–80% "followed to an outcome" band.

use crate::domain::lead::{Event, EventKind, LeadState, Stage};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How an assignment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssignmentEnd {
    /// Won, dead or handed to nurture: followed to an outcome.
    Outcome,
    /// Taken away for a missed first-contact SLA or for sitting on it.
    Reclaimed,
    /// Any other hand-over (a fresh SLA after a new inquiry, a manager's move).
    Moved,
}

impl AssignmentEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentEnd::Outcome => "outcome",
            AssignmentEnd::Reclaimed => "reclaimed",
            AssignmentEnd::Moved => "moved",
        }
    }
}

/// The assignment a lead has open, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAssignment {
    pub rep_id: String,
    pub assigned_at: DateTime<Utc>,
}

/// What one recorded event does to a lead's assignments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssignmentStep {
    /// The open assignment gets a call attempt or meeting (counted before it ends).
    pub attempt: bool,
    /// The open assignment ends, and how.
    pub end: Option<AssignmentEnd>,
    /// A new assignment starts for this rep at this time.
    pub start: Option<OpenAssignment>,
}

/// Decides the assignment bookkeeping for `event`, which left the lead in `state`.
/// `attempt_by` is the rep who logged a call attempt or meeting with this event, if any.
pub fn assignment_step(
    open: Option<&OpenAssignment>,
    state: &LeadState,
    event: &Event,
    attempt_by: Option<&str>,
) -> AssignmentStep {
    let holder = state.owner.rep_id();
    let still_open = !matches!(state.stage, Stage::Won | Stage::Dead | Stage::Nurture);
    let mut step = AssignmentStep {
        attempt: open.is_some_and(|a| attempt_by == Some(a.rep_id.as_str())),
        ..AssignmentStep::default()
    };
    let continues = open.is_some_and(|a| {
        still_open && holder == Some(a.rep_id.as_str()) && state.sla_started_at == a.assigned_at
    });
    if let (Some(open), false) = (open, continues) {
        step.end = Some(
            if event.charged_to.as_deref() == Some(open.rep_id.as_str())
                || matches!(event.kind, EventKind::SlaMissed | EventKind::Reclaimed)
            {
                AssignmentEnd::Reclaimed
            } else if !still_open {
                AssignmentEnd::Outcome
            } else {
                AssignmentEnd::Moved
            },
        );
    }
    if let (Some(rep), true, false) = (holder, still_open, continues) {
        step.start = Some(OpenAssignment {
            rep_id: rep.to_string(),
            assigned_at: state.sla_started_at,
        });
    }
    step
}

/// One rep's assignments in a window, as counted by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepCounts {
    pub rep_id: String,
    pub name: String,
    pub assigned: u32,
    /// Assignments with a first call attempt or meeting.
    pub attempted: u32,
    /// ... whose first attempt came inside the first-contact SLA.
    pub within_sla: u32,
    pub attempts: u32,
    pub outcomes: u32,
    pub reclaimed: u32,
    pub closures_refused: u32,
    /// Open leads the rep holds now that are past their next action's due time.
    pub overdue_now: u32,
    /// Open leads the rep holds now with no call attempt or meeting ever logged.
    pub ghosts_now: u32,
    /// Leads the rep closed as dead in the window without any conversation.
    pub dead_unspoken: u32,
}

impl RepCounts {
    fn add(&mut self, other: &RepCounts) {
        self.assigned += other.assigned;
        self.attempted += other.attempted;
        self.within_sla += other.within_sla;
        self.attempts += other.attempts;
        self.outcomes += other.outcomes;
        self.reclaimed += other.reclaimed;
        self.closures_refused += other.closures_refused;
        self.overdue_now += other.overdue_now;
        self.ghosts_now += other.ghosts_now;
        self.dead_unspoken += other.dead_unspoken;
    }
}

/// One line of the compliance board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceLine {
    pub counts: RepCounts,
    /// Percent of assignments with a first attempt inside the SLA.
    pub within_sla_pct: Option<u32>,
    /// Median minutes from assignment to first attempt, over attempted assignments.
    pub median_first_attempt_minutes: Option<f64>,
    pub attempts_per_lead: Option<f64>,
    /// Percent of assignments followed to an outcome.
    pub outcome_pct: Option<u32>,
}

/// Where the team's "followed to an outcome" share sits against PRODUCT.md's healthy band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Band {
    Below,
    Inside,
    Above,
}

/// The healthy share of leads followed to an outcome at any time, in percent.
pub const OUTCOME_BAND: (u32, u32) = (60, 80);

impl Band {
    pub fn of(pct: u32) -> Self {
        match pct {
            p if p < OUTCOME_BAND.0 => Band::Below,
            p if p > OUTCOME_BAND.1 => Band::Above,
            _ => Band::Inside,
        }
    }

    pub fn verdict(self) -> &'static str {
        match self {
            Band::Below => "below the healthy 60–80%: leads are being left unfinished",
            Band::Inside => "inside the healthy 60–80% band",
            Band::Above => "above 80%: check that leads are not being closed too fast",
        }
    }
}

/// The compliance board: a line per rep and the team's totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceBoard {
    pub window_days: u32,
    pub lines: Vec<ComplianceLine>,
    pub team: ComplianceLine,
    pub band: Option<Band>,
    /// The qualifier queue, as it stands now: its own row.
    pub queue: QueueLine,
}

/// The qualifier queue now: where overflow waits, so it must be seen being worked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueLine {
    pub waiting: u32,
    /// Of those, never called.
    pub never_called: u32,
    /// Age of the oldest lead waiting, in minutes.
    pub oldest_minutes: Option<i64>,
    /// Qualifiers active to work it.
    pub qualifiers: u32,
}

impl QueueLine {
    /// "3 waiting · 2 never called · oldest 2 h · 1 qualifier active".
    pub fn describe(&self) -> String {
        let desk = match self.qualifiers {
            0 => "no qualifier active".to_string(),
            1 => "1 qualifier active".to_string(),
            n => format!("{n} qualifiers active"),
        };
        if self.waiting == 0 {
            return format!("Empty · {desk}");
        }
        let oldest = self
            .oldest_minutes
            .map(|m| {
                format!(
                    " · oldest {}",
                    crate::domain::aging::short_age(chrono::Duration::minutes(m))
                )
            })
            .unwrap_or_default();
        format!(
            "{} waiting · {} never called{oldest} · {desk}",
            self.waiting, self.never_called
        )
    }

    /// Leads wait with nobody to work them.
    pub fn unworked(&self) -> bool {
        self.waiting > 0 && self.qualifiers == 0
    }
}

/// Fewer assignments than this and a rate is shown with "too few to judge".
pub const MIN_SAMPLE: u32 = 10;

/// A share in words with its sample: "80% of 25", or "67% of 3, too few to judge" below
/// [`MIN_SAMPLE`], or "–" with nothing to count.
pub fn rate_text(part: u32, whole: u32) -> String {
    match pct(part, whole) {
        None => "–".to_string(),
        Some(p) if whole < MIN_SAMPLE => format!("{p}% of {whole}, too few to judge"),
        Some(p) => format!("{p}% of {whole}"),
    }
}

fn pct(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| ((f64::from(part) * 100.0 / f64::from(whole)).round()) as u32)
}

/// The median of `values` (which it sorts), or None when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

fn line(counts: RepCounts, delays_minutes: &mut [f64]) -> ComplianceLine {
    ComplianceLine {
        within_sla_pct: pct(counts.within_sla, counts.assigned),
        median_first_attempt_minutes: median(delays_minutes),
        attempts_per_lead: (counts.assigned > 0)
            .then(|| f64::from(counts.attempts) / f64::from(counts.assigned)),
        outcome_pct: pct(counts.outcomes, counts.assigned),
        counts,
    }
}

impl ComplianceBoard {
    /// Builds the board from per-rep counts and each rep's minutes to first attempt.
    pub fn build(
        window_days: u32,
        reps: Vec<RepCounts>,
        queue: QueueLine,
        mut delays: impl FnMut(&str) -> Vec<f64>,
    ) -> Self {
        let mut team = RepCounts {
            name: "Team".to_string(),
            ..RepCounts::default()
        };
        let mut all_delays = Vec::new();
        let lines = reps
            .into_iter()
            .map(|counts| {
                team.add(&counts);
                let mut own = delays(&counts.rep_id);
                all_delays.extend_from_slice(&own);
                line(counts, &mut own)
            })
            .collect();
        let team = line(team, &mut all_delays);
        Self {
            window_days,
            band: team.outcome_pct.map(Band::of),
            lines,
            team,
            queue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_names_its_sample_and_a_small_one_is_too_few_to_judge() {
        assert_eq!(rate_text(2, 3), "67% of 3, too few to judge");
        assert_eq!(rate_text(20, 25), "80% of 25");
        assert_eq!(rate_text(0, 0), "–");
    }

    #[test]
    fn the_queue_row_says_what_waits_and_who_works_it() {
        let queue = QueueLine {
            waiting: 3,
            never_called: 2,
            oldest_minutes: Some(150),
            qualifiers: 0,
        };
        assert_eq!(
            queue.describe(),
            "3 waiting · 2 never called · oldest 2 h · no qualifier active"
        );
        assert!(queue.unworked());
        assert_eq!(
            QueueLine {
                qualifiers: 1,
                ..QueueLine::default()
            }
            .describe(),
            "Empty · 1 qualifier active"
        );
    }
    use crate::domain::lead::{Owner, Reach};
    use chrono::Duration;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minute)
    }

    fn state(owner: Owner, stage: Stage, sla_minute: i64) -> LeadState {
        let policy = crate::domain::cadence::Policy::default();
        let mut state = crate::domain::lead::arrive(
            owner,
            Reach {
                phone: true,
                email: true,
                zone: None,
            },
            at(sla_minute),
            &policy,
        )
        .state;
        state.stage = stage;
        state
    }

    fn event(kind: EventKind, charged_to: Option<&str>) -> Event {
        Event {
            kind,
            from: None,
            to: Stage::Assigned,
            detail: String::new(),
            charged_to: charged_to.map(str::to_string),
            open_seconds: None,
        }
    }

    fn open(rep: &str, minute: i64) -> OpenAssignment {
        OpenAssignment {
            rep_id: rep.to_string(),
            assigned_at: at(minute),
        }
    }

    #[test]
    fn a_new_lead_for_a_rep_starts_an_assignment() {
        let s = state(Owner::Rep("ann".into()), Stage::Assigned, 0);
        let step = assignment_step(None, &s, &event(EventKind::Arrived, None), None);
        assert_eq!(step.start, Some(open("ann", 0)));
        assert_eq!(step.end, None);
    }

    #[test]
    fn a_lead_in_a_pool_starts_nothing() {
        let s = state(Owner::Qualifier, Stage::Assigned, 0);
        let step = assignment_step(None, &s, &event(EventKind::Arrived, None), None);
        assert_eq!(step, AssignmentStep::default());
    }

    #[test]
    fn the_holders_attempt_counts_and_the_assignment_goes_on() {
        let s = state(Owner::Rep("ann".into()), Stage::Attempting, 0);
        let step = assignment_step(
            Some(&open("ann", 0)),
            &s,
            &event(EventKind::TouchLogged, None),
            Some("ann"),
        );
        assert!(step.attempt);
        assert_eq!((step.end, step.start), (None, None));
    }

    #[test]
    fn a_missed_sla_reclaims_and_starts_the_next_reps_assignment() {
        let s = state(Owner::Rep("bob".into()), Stage::Assigned, 60);
        let step = assignment_step(
            Some(&open("ann", 0)),
            &s,
            &event(EventKind::SlaMissed, Some("ann")),
            None,
        );
        assert_eq!(step.end, Some(AssignmentEnd::Reclaimed));
        assert_eq!(step.start, Some(open("bob", 60)));
    }

    #[test]
    fn the_last_attempt_before_nurture_counts_then_ends_as_an_outcome() {
        let mut s = state(Owner::Marketing, Stage::Nurture, 0);
        s.owner = Owner::Marketing;
        let step = assignment_step(
            Some(&open("ann", 0)),
            &s,
            &event(EventKind::CadenceExhausted, None),
            Some("ann"),
        );
        assert!(step.attempt);
        assert_eq!(step.end, Some(AssignmentEnd::Outcome));
        assert_eq!(step.start, None);
    }

    #[test]
    fn a_fresh_sla_for_the_same_rep_is_a_new_assignment() {
        let s = state(Owner::Rep("ann".into()), Stage::Hot, 500);
        let step = assignment_step(
            Some(&open("ann", 0)),
            &s,
            &event(EventKind::RepeatInquiry, None),
            None,
        );
        assert_eq!(step.end, Some(AssignmentEnd::Moved));
        assert_eq!(step.start, Some(open("ann", 500)));
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut [9.0, 1.0, 4.0]), Some(4.0));
        assert_eq!(median(&mut [9.0, 1.0, 4.0, 2.0]), Some(3.0));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn the_board_computes_rates_and_team_totals_by_hand() {
        let ann = RepCounts {
            rep_id: "ann".into(),
            name: "Ann".into(),
            assigned: 4,
            attempted: 3,
            within_sla: 2,
            attempts: 10,
            outcomes: 3,
            ..RepCounts::default()
        };
        let bob = RepCounts {
            rep_id: "bob".into(),
            name: "Bob".into(),
            assigned: 6,
            attempted: 2,
            within_sla: 0,
            attempts: 2,
            outcomes: 2,
            reclaimed: 4,
            ..RepCounts::default()
        };
        let board =
            ComplianceBoard::build(30, vec![ann, bob], QueueLine::default(), |rep| match rep {
                "ann" => vec![1.0, 3.0, 20.0],
                _ => vec![70.0, 90.0],
            });
        assert_eq!(board.lines[0].within_sla_pct, Some(50));
        assert_eq!(board.lines[0].median_first_attempt_minutes, Some(3.0));
        assert_eq!(board.lines[0].attempts_per_lead, Some(2.5));
        assert_eq!(board.lines[1].outcome_pct, Some(33));
        assert_eq!(board.team.counts.assigned, 10);
        assert_eq!(board.team.counts.reclaimed, 4);
        assert_eq!(board.team.within_sla_pct, Some(20));
        assert_eq!(board.team.median_first_attempt_minutes, Some(20.0));
        assert_eq!(board.team.outcome_pct, Some(50));
        assert_eq!(board.band, Some(Band::Below));
    }

    #[test]
    fn the_band_is_sixty_to_eighty_percent() {
        assert_eq!(Band::of(59), Band::Below);
        assert_eq!(Band::of(60), Band::Inside);
        assert_eq!(Band::of(80), Band::Inside);
        assert_eq!(Band::of(81), Band::Above);
    }
}
