//! The clock's rules: what falls due on a lead just because time passed. The first-contact
//! SLA (warn the manager at 15 minutes, reassign at 60), hoarding (a rep sitting on an overdue
//! lead loses it), and a nurtured lead's recontact date (it comes back to sales).

use crate::domain::cadence::Policy;
use crate::domain::lead::{
    restart_with, Event, EventKind, LeadState, NextAction, Owner, Stage, Transition,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Something the clock makes happen to a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tick {
    /// No first attempt yet, past the warning time: tell the manager.
    SlaWarning,
    /// No first attempt yet, past the reassignment time: give it to another rep.
    SlaReassign,
    /// The rep's next action is overdue beyond the hoarding limit: give it to another rep.
    Hoarded,
    /// A nurtured lead reached its recontact date: back to sales.
    Recontact,
}

impl Tick {
    /// Whether applying this tick needs a new owner chosen by routing.
    pub fn needs_new_owner(self) -> bool {
        !matches!(self, Tick::SlaWarning)
    }
}

/// The tick that is due on `lead` at `now`, the earliest rule first. Applying it changes the
/// state so that the same tick is never due twice.
pub fn due_tick(lead: &LeadState, now: DateTime<Utc>, policy: &Policy) -> Option<Tick> {
    match (&lead.owner, lead.stage) {
        (Owner::Rep(_), _) if lead.awaiting_first_attempt() => {
            let waited = policy.sla_waited(lead.sla_started_at, now, lead.reach.zone);
            if waited >= policy.reassign_after {
                // A warning that fell due is still recorded before the reassignment.
                Some(if lead.sla_warned {
                    Tick::SlaReassign
                } else {
                    Tick::SlaWarning
                })
            } else if waited >= policy.warn_after && !lead.sla_warned {
                Some(Tick::SlaWarning)
            } else {
                None
            }
        }
        (Owner::Rep(_), stage) if stage.is_open() => lead
            .next
            .filter(|next| policy.overdue_by(next.due_at, now) >= policy.hoard_after)
            .map(|_| Tick::Hoarded),
        // The qualifier queue keeps the same first-contact SLA: the managers are warned. (It is
        // already where leads go when no rep can take them, so nothing reassigns it.)
        (Owner::Qualifier, Stage::Queued)
            if lead.awaiting_first_attempt()
                && !lead.sla_warned
                && policy.sla_waited(lead.sla_started_at, now, lead.reach.zone)
                    >= policy.warn_after =>
        {
            Some(Tick::SlaWarning)
        }
        (Owner::Marketing, Stage::Nurture) => lead
            .recontact_at
            .filter(|at| *at <= now)
            .map(|_| Tick::Recontact),
        _ => None,
    }
}

/// Applies `tick`. `new_owner` is who routing chose for ticks that move the lead (another rep,
/// else the qualifier queue); it is ignored for a warning.
pub fn apply_tick(
    lead: &LeadState,
    tick: Tick,
    new_owner: Owner,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Transition {
    let holder = lead.owner.rep_id().map(str::to_string);
    let event = |kind, to, detail: String| Event {
        kind,
        from: Some(lead.stage),
        to,
        detail,
        charged_to: holder.clone(),
        open_seconds: None,
    };
    match tick {
        Tick::SlaWarning => {
            let state = LeadState {
                sla_warned: true,
                ..lead.clone()
            };
            let waited = policy.sla_waited(lead.sla_started_at, now, lead.reach.zone);
            Transition {
                event: event(
                    EventKind::SlaWarning,
                    lead.stage,
                    format!(
                        "no call attempt {} after the lead arrived",
                        working_span(waited)
                    ),
                ),
                state,
            }
        }
        Tick::SlaReassign => {
            let state = restart_with(lead, new_owner, lead.stage, now, policy);
            let to = state.stage;
            Transition {
                event: event(
                    EventKind::SlaMissed,
                    to,
                    format!(
                        "no call attempt within {} min; reassigned",
                        policy.reassign_after.num_minutes()
                    ),
                ),
                state,
            }
        }
        Tick::Hoarded => {
            let mut state = lead.clone();
            let (stage, next) = match &new_owner {
                Owner::Rep(_) => (
                    lead.stage,
                    lead.next.map(|next| NextAction {
                        due_at: policy.clock(lead.reach.zone).next_open(now),
                        ..next
                    }),
                ),
                other => {
                    let (stage, next) = crate::domain::lead::entry_for(
                        other,
                        lead.stage,
                        now,
                        policy,
                        lead.reach.zone,
                    );
                    (stage, Some(next))
                }
            };
            state.stage = stage;
            state.next = next;
            state.owner = new_owner;
            Transition {
                event: event(
                    EventKind::Reclaimed,
                    stage,
                    format!(
                        "next action overdue by more than {} h of working days; reclaimed",
                        policy.hoard_after.num_hours()
                    ),
                ),
                state,
            }
        }
        Tick::Recontact => {
            let state = restart_with(lead, new_owner, Stage::Hot, now, policy);
            let to = state.stage;
            Transition {
                event: Event {
                    charged_to: None,
                    ..event(
                        EventKind::RecontactDue,
                        to,
                        "recontact date reached; back to sales as hot".to_string(),
                    )
                },
                state,
            }
        }
    }
}

/// Working time waited, as people say it: "15 working minutes", "3 working hours",
/// "6 working days" (never "360010 min").
pub fn working_span(waited: Duration) -> String {
    let minutes = waited.num_minutes().max(0);
    let hours = minutes / 60;
    let days = hours / 24;
    match (minutes, hours, days) {
        (1, ..) => "1 working minute".to_string(),
        (m, ..) if m < 60 => format!("{m} working minutes"),
        (_, 1, _) => "1 working hour".to_string(),
        (_, h, _) if h < 48 => format!("{h} working hours"),
        (.., d) => format!("{d} working days"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn waiting_reads_in_minutes_hours_or_days() {
        use chrono::Duration;
        assert_eq!(
            super::working_span(Duration::minutes(15)),
            "15 working minutes"
        );
        assert_eq!(
            super::working_span(Duration::minutes(185)),
            "3 working hours"
        );
        assert_eq!(
            super::working_span(Duration::minutes(360_010)),
            "250 working days"
        );
    }

    use super::*;
    use crate::domain::lead::{arrive, log_touch, not_ready, Reach};
    use crate::domain::touch::{CallOutcome, Touch};
    use chrono::Duration;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .expect("a time")
            .with_timezone(&Utc)
    }

    fn rita() -> Owner {
        Owner::Rep("rita".into())
    }

    fn raj() -> Owner {
        Owner::Rep("raj".into())
    }

    fn new_lead() -> LeadState {
        arrive(
            rita(),
            Reach {
                phone: true,
                email: true,
                zone: None,
            },
            t0(),
            &Policy::default(),
        )
        .state
    }

    #[test]
    fn nothing_is_due_inside_the_first_fifteen_minutes() {
        assert_eq!(
            due_tick(
                &new_lead(),
                t0() + Duration::minutes(14),
                &Policy::default()
            ),
            None
        );
    }

    #[test]
    fn the_manager_is_warned_at_fifteen_minutes_without_a_call_and_only_once() {
        let policy = Policy::default();
        let at = t0() + Duration::minutes(15);
        assert_eq!(due_tick(&new_lead(), at, &policy), Some(Tick::SlaWarning));
        let warned = apply_tick(&new_lead(), Tick::SlaWarning, rita(), at, &policy);
        assert_eq!(warned.event.kind, EventKind::SlaWarning);
        assert_eq!(warned.event.charged_to.as_deref(), Some("rita"));
        assert_eq!(
            due_tick(&warned.state, at + Duration::minutes(10), &policy),
            None
        );
    }

    #[test]
    fn at_sixty_minutes_without_a_call_the_lead_goes_to_another_rep_and_the_miss_stays_with_the_first(
    ) {
        let policy = Policy::default();
        let at = t0() + Duration::minutes(60);
        let mut lead = new_lead();
        lead.sla_warned = true;
        assert_eq!(due_tick(&lead, at, &policy), Some(Tick::SlaReassign));
        let moved = apply_tick(&lead, Tick::SlaReassign, raj(), at, &policy);
        assert_eq!(moved.state.owner, raj());
        assert_eq!(moved.event.kind, EventKind::SlaMissed);
        assert_eq!(moved.event.charged_to.as_deref(), Some("rita"));
        assert_eq!(
            moved.state.next.map(|n| n.due_at),
            Some(at + Duration::minutes(5))
        );
        assert_eq!(
            due_tick(&moved.state, at + Duration::minutes(1), &policy),
            None
        );
    }

    #[test]
    fn with_no_other_rep_a_missed_lead_goes_to_the_qualifier_queue() {
        let policy = Policy::default();
        let mut lead = new_lead();
        lead.sla_warned = true;
        let at = t0() + Duration::hours(2);
        let moved = apply_tick(&lead, Tick::SlaReassign, Owner::Qualifier, at, &policy);
        assert_eq!(moved.state.stage, Stage::Queued);
    }

    #[test]
    fn a_called_lead_has_no_sla_tick() {
        let policy = Policy::default();
        let called = log_touch(&new_lead(), Touch::Call(CallOutcome::Busy), t0(), &policy)
            .expect("a call on a new lead")
            .state;
        assert_eq!(
            due_tick(&called, t0() + Duration::minutes(59), &policy),
            None
        );
    }

    #[test]
    fn a_rep_sitting_on_an_overdue_lead_for_two_days_loses_it() {
        let policy = Policy::default();
        let called = log_touch(
            &new_lead(),
            Touch::Call(CallOutcome::NoAnswer),
            t0(),
            &policy,
        )
        .expect("a call")
        .state;
        let due = called.next.expect("a next action").due_at;
        assert_eq!(due_tick(&called, due + Duration::hours(47), &policy), None);
        let at = due + Duration::days(2);
        assert_eq!(due_tick(&called, at, &policy), Some(Tick::Hoarded));
        let moved = apply_tick(&called, Tick::Hoarded, raj(), at, &policy);
        assert_eq!(moved.state.owner, raj());
        assert_eq!(moved.event.kind, EventKind::Reclaimed);
        assert_eq!(moved.event.charged_to.as_deref(), Some("rita"));
        assert_eq!(
            due_tick(&moved.state, at + Duration::hours(1), &policy),
            None
        );
    }

    #[test]
    fn a_not_ready_lead_comes_back_to_sales_as_hot_on_its_recontact_date() {
        let policy = Policy::default();
        let talked = log_touch(
            &new_lead(),
            Touch::Call(CallOutcome::Connected),
            t0(),
            &policy,
        )
        .expect("a call")
        .state;
        let back_on = t0() + Duration::days(90);
        let nurtured = not_ready(&talked, "budget next year", back_on, t0(), &policy)
            .expect("not ready after a conversation")
            .state;
        assert_eq!(
            due_tick(&nurtured, back_on - Duration::minutes(1), &policy),
            None
        );
        assert_eq!(due_tick(&nurtured, back_on, &policy), Some(Tick::Recontact));
        let back = apply_tick(&nurtured, Tick::Recontact, rita(), back_on, &policy);
        assert_eq!(back.state.stage, Stage::Hot);
        assert_eq!(back.state.recontact_at, None);
        assert_eq!(back.event.charged_to, None);
    }
}
