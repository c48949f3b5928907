//! The lead lifecycle: stages, owners, the next action, and the pure transitions that move a
//! lead from one state to the next (PRODUCT.md, "The lead lifecycle"). Every transition returns
//! the new state together with the event that records it, or a refusal saying why not.

use crate::domain::cadence::Policy;
use crate::domain::touch::Touch;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a lead is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Assigned to a rep, not yet called.
    Assigned,
    /// Called at least once, no conversation yet.
    Attempting,
    /// A conversation happened; the rep is qualifying.
    Qualifying,
    /// Handed back to sales by a hot signal; first call due under a fresh SLA.
    Hot,
    /// Waiting in the qualifier queue for someone to pick it up.
    Queued,
    /// Kept warm by marketing.
    Nurture,
    /// Bought.
    Won,
    /// Closed with a reason and its evidence.
    Dead,
}

impl Stage {
    /// The open stages, in the order the boards show them.
    pub const OPEN: [Stage; 6] = [
        Stage::Assigned,
        Stage::Hot,
        Stage::Attempting,
        Stage::Qualifying,
        Stage::Queued,
        Stage::Nurture,
    ];

    pub const ALL: [Stage; 8] = [
        Stage::Assigned,
        Stage::Hot,
        Stage::Attempting,
        Stage::Qualifying,
        Stage::Queued,
        Stage::Nurture,
        Stage::Won,
        Stage::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Assigned => "assigned",
            Stage::Attempting => "attempting",
            Stage::Qualifying => "qualifying",
            Stage::Hot => "hot",
            Stage::Queued => "queued",
            Stage::Nurture => "nurture",
            Stage::Won => "won",
            Stage::Dead => "dead",
        }
    }

    /// The row heading on boards.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Assigned => "New, not called",
            Stage::Attempting => "Attempting",
            Stage::Qualifying => "Connected / qualifying",
            Stage::Hot => "Hot",
            Stage::Queued => "Qualifier queue",
            Stage::Nurture => "Nurture",
            Stage::Won => "Won",
            Stage::Dead => "Dead",
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Won | Stage::Dead)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored stage name that Leadline does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stage '{0}'")]
pub struct UnknownStage(pub String);

impl FromStr for Stage {
    type Err = UnknownStage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| UnknownStage(s.to_string()))
    }
}

/// Who is responsible for a lead's next action. Every open lead has exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "user_id", rename_all = "snake_case")]
pub enum Owner {
    /// A rep, by user id.
    Rep(String),
    /// The marketing nurture pool.
    Marketing,
    /// The qualifier queue, for overflow when no rep has capacity.
    Qualifier,
}

impl Owner {
    /// The stored kind: `rep`, `marketing` or `qualifier`.
    pub fn kind_str(&self) -> &'static str {
        match self {
            Owner::Rep(_) => "rep",
            Owner::Marketing => "marketing",
            Owner::Qualifier => "qualifier",
        }
    }

    /// The rep's user id, when a rep owns the lead.
    pub fn rep_id(&self) -> Option<&str> {
        match self {
            Owner::Rep(id) => Some(id),
            _ => None,
        }
    }

    /// Reads an owner back from its stored kind and user id.
    pub fn from_parts(kind: &str, user_id: Option<String>) -> Option<Self> {
        match (kind, user_id) {
            ("rep", Some(id)) => Some(Owner::Rep(id)),
            ("marketing", _) => Some(Owner::Marketing),
            ("qualifier", _) => Some(Owner::Qualifier),
            _ => None,
        }
    }
}

/// What has to happen next to a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "attempt")]
pub enum Action {
    /// Call attempt number n of the cadence.
    Call(u32),
    /// Call back after a conversation to qualify or close.
    FollowUp,
    /// A qualifier reviews the lead.
    Qualify,
    /// Marketing sends a non-sales touch.
    NurtureTouch,
}

impl Action {
    pub fn as_str(self) -> String {
        match self {
            Action::Call(n) => format!("call:{n}"),
            Action::FollowUp => "follow_up".to_string(),
            Action::Qualify => "qualify".to_string(),
            Action::NurtureTouch => "nurture_touch".to_string(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "follow_up" => Some(Action::FollowUp),
            "qualify" => Some(Action::Qualify),
            "nurture_touch" => Some(Action::NurtureTouch),
            other => other
                .strip_prefix("call:")
                .and_then(|n| n.parse().ok())
                .map(Action::Call),
        }
    }

    /// What the owner reads, e.g. "Call (attempt 2 of 6)".
    pub fn describe(self, policy: &Policy) -> String {
        match self {
            Action::Call(n) => format!("Call (attempt {n} of {})", policy.cadence_len()),
            Action::FollowUp => "Follow up the conversation".to_string(),
            Action::Qualify => "Qualify".to_string(),
            Action::NurtureTouch => "Nurture touch".to_string(),
        }
    }
}

/// The next action and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextAction {
    pub action: Action,
    pub due_at: DateTime<Utc>,
}

/// The part of a lead the lifecycle rules read and change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadState {
    pub stage: Stage,
    pub owner: Owner,
    /// Call attempts and meetings in the current cadence.
    pub cadence_attempts: u32,
    /// When the first attempt of the current cadence was made.
    pub cadence_started_at: Option<DateTime<Utc>>,
    /// Conversations (connected calls and meetings) over the lead's life.
    pub conversations: u32,
    /// `None` only for a closed lead.
    pub next: Option<NextAction>,
}

/// What happened to a lead, as written to its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Arrived,
    TouchLogged,
    RepeatInquiry,
    CadenceExhausted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Arrived => "arrived",
            EventKind::TouchLogged => "touch_logged",
            EventKind::RepeatInquiry => "repeat_inquiry",
            EventKind::CadenceExhausted => "cadence_exhausted",
        }
    }
}

/// One entry of a lead's append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub from: Option<Stage>,
    pub to: Stage,
    pub detail: String,
}

/// A change the rules allow: the new state and the event that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: LeadState,
    pub event: Event,
}

/// Why the rules refuse a change. The message is what the user reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("This lead is closed ({0}); reopen it before logging touches.")]
    Closed(Stage),
    #[error("This lead is in the nurture pool; marketing must hand it back to sales first.")]
    InNurture,
}

/// A new lead, just arrived and given to `owner`.
pub fn arrive(owner: Owner, now: DateTime<Utc>, policy: &Policy) -> Transition {
    let (stage, action, due_at) = match owner {
        Owner::Qualifier => (Stage::Queued, Action::Qualify, now),
        Owner::Marketing => (Stage::Nurture, Action::NurtureTouch, now),
        Owner::Rep(_) => (Stage::Assigned, Action::Call(1), policy.first_call_due(now)),
    };
    Transition {
        state: LeadState {
            stage,
            owner,
            cadence_attempts: 0,
            cadence_started_at: None,
            conversations: 0,
            next: Some(NextAction { action, due_at }),
        },
        event: Event {
            kind: EventKind::Arrived,
            from: None,
            to: stage,
            detail: String::new(),
        },
    }
}

/// A rep logged a touch. Calls and meetings move the cadence on; emails and SMS are recorded
/// but leave the next action where it was, because they are not follow-up.
pub fn log_touch(
    lead: &LeadState,
    touch: Touch,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    if !lead.stage.is_open() {
        return Err(TransitionError::Closed(lead.stage));
    }
    if lead.stage == Stage::Nurture {
        return Err(TransitionError::InNurture);
    }
    let mut state = lead.clone();
    let event = |kind, to, detail: String| Event {
        kind,
        from: Some(lead.stage),
        to,
        detail,
    };
    if !touch.is_follow_up() {
        return Ok(Transition {
            event: event(EventKind::TouchLogged, lead.stage, touch.to_string()),
            state,
        });
    }

    if lead.conversations == 0 {
        // The cadence counts attempts toward a first conversation only.
        state.cadence_attempts += 1;
    }
    let started = *state.cadence_started_at.get_or_insert(now);
    if touch.is_conversation() {
        state.conversations += 1;
        state.stage = Stage::Qualifying;
        state.next = Some(NextAction {
            action: Action::FollowUp,
            due_at: now + policy.after_conversation,
        });
    } else if lead.conversations > 0 {
        // Already talked to them: keep following up, the cadence is for first contact.
        state.next = Some(NextAction {
            action: Action::FollowUp,
            due_at: now + policy.after_conversation,
        });
    } else if let Some(due_at) = policy.attempt_due(state.cadence_attempts + 1, started) {
        state.stage = Stage::Attempting;
        state.next = Some(NextAction {
            action: Action::Call(state.cadence_attempts + 1),
            due_at: due_at.max(now),
        });
    } else {
        state.stage = Stage::Nurture;
        state.owner = Owner::Marketing;
        state.next = Some(NextAction {
            action: Action::NurtureTouch,
            due_at: now + policy.nurture_every,
        });
        let detail = format!(
            "{touch}; no conversation after {} attempts — handed to marketing",
            state.cadence_attempts
        );
        return Ok(Transition {
            event: event(EventKind::CadenceExhausted, Stage::Nurture, detail),
            state,
        });
    }
    Ok(Transition {
        event: event(EventKind::TouchLogged, state.stage, touch.to_string()),
        state,
    })
}

/// The same person inquired again. An open lead sold by a rep stays with that rep; either way
/// the lead becomes hot with a fresh first-contact SLA. `owner` is who takes it now.
pub fn repeat_inquiry(
    lead: &LeadState,
    owner: Owner,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Transition {
    let (stage, next) = match &owner {
        Owner::Rep(_) => (
            Stage::Hot,
            NextAction {
                action: Action::Call(1),
                due_at: policy.first_call_due(now),
            },
        ),
        Owner::Qualifier => (
            Stage::Queued,
            NextAction {
                action: Action::Qualify,
                due_at: now,
            },
        ),
        Owner::Marketing => (
            Stage::Nurture,
            NextAction {
                action: Action::NurtureTouch,
                due_at: now,
            },
        ),
    };
    Transition {
        state: LeadState {
            stage,
            owner,
            cadence_attempts: 0,
            cadence_started_at: None,
            conversations: lead.conversations,
            next: Some(next),
        },
        event: Event {
            kind: EventKind::RepeatInquiry,
            from: Some(lead.stage),
            to: stage,
            detail: "inquired again".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::touch::CallOutcome;
    use chrono::Duration;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn rep() -> Owner {
        Owner::Rep("rep-1".to_string())
    }

    #[test]
    fn a_new_lead_for_a_rep_has_its_first_call_due_in_five_minutes() {
        let t = arrive(rep(), t0(), &Policy::default());
        assert_eq!(t.state.stage, Stage::Assigned);
        assert_eq!(
            t.state.next,
            Some(NextAction {
                action: Action::Call(1),
                due_at: t0() + Duration::minutes(5)
            })
        );
    }

    #[test]
    fn a_lead_no_rep_can_take_waits_in_the_qualifier_queue() {
        let t = arrive(Owner::Qualifier, t0(), &Policy::default());
        assert_eq!(t.state.stage, Stage::Queued);
        assert_eq!(t.state.next.map(|n| n.action), Some(Action::Qualify));
    }

    #[test]
    fn an_unanswered_first_call_makes_the_second_due_an_hour_later() {
        let policy = Policy::default();
        let lead = arrive(rep(), t0(), &policy).state;
        let later = t0() + Duration::minutes(2);
        let t = log_touch(&lead, Touch::Call(CallOutcome::NoAnswer), later, &policy).unwrap();
        assert_eq!(t.state.stage, Stage::Attempting);
        assert_eq!(
            t.state.next,
            Some(NextAction {
                action: Action::Call(2),
                due_at: later + Duration::hours(1)
            })
        );
    }

    #[test]
    fn a_connected_call_starts_qualifying() {
        let policy = Policy::default();
        let lead = arrive(rep(), t0(), &policy).state;
        let t = log_touch(&lead, Touch::Call(CallOutcome::Connected), t0(), &policy).unwrap();
        assert_eq!(t.state.stage, Stage::Qualifying);
        assert_eq!(t.state.conversations, 1);
    }

    #[test]
    fn an_email_is_recorded_but_does_not_move_the_cadence() {
        let policy = Policy::default();
        let lead = arrive(rep(), t0(), &policy).state;
        let t = log_touch(&lead, Touch::Email, t0(), &policy).unwrap();
        assert_eq!(t.state, lead);
        assert_eq!(t.event.kind, EventKind::TouchLogged);
    }

    #[test]
    fn six_unanswered_attempts_hand_the_lead_to_marketing() {
        let policy = Policy::default();
        let mut lead = arrive(rep(), t0(), &policy).state;
        let mut now = t0();
        for attempt in 1..=6 {
            let t = log_touch(&lead, Touch::Call(CallOutcome::NoAnswer), now, &policy).unwrap();
            lead = t.state;
            if attempt < 6 {
                assert_eq!(lead.stage, Stage::Attempting, "after attempt {attempt}");
                now = lead.next.unwrap().due_at;
            } else {
                assert_eq!(t.event.kind, EventKind::CadenceExhausted);
            }
        }
        assert_eq!(lead.stage, Stage::Nurture);
        assert_eq!(lead.owner, Owner::Marketing);
        assert_eq!(now - t0(), Duration::days(10));
    }

    #[test]
    fn a_rep_cannot_log_a_call_on_a_lead_in_nurture() {
        let policy = Policy::default();
        let mut lead = arrive(rep(), t0(), &policy).state;
        lead.stage = Stage::Nurture;
        lead.owner = Owner::Marketing;
        assert_eq!(
            log_touch(&lead, Touch::Call(CallOutcome::Busy), t0(), &policy),
            Err(TransitionError::InNurture)
        );
    }

    #[test]
    fn a_repeat_inquiry_makes_the_lead_hot_with_a_fresh_sla() {
        let policy = Policy::default();
        let mut lead = arrive(rep(), t0(), &policy).state;
        lead.stage = Stage::Nurture;
        lead.owner = Owner::Marketing;
        let now = t0() + Duration::days(40);
        let t = repeat_inquiry(&lead, rep(), now, &policy);
        assert_eq!(t.state.stage, Stage::Hot);
        assert_eq!(t.state.next.unwrap().due_at, now + Duration::minutes(5));
        assert_eq!(t.event.from, Some(Stage::Nurture));
    }

    #[test]
    fn actions_read_back_from_their_stored_form() {
        for action in [
            Action::Call(3),
            Action::FollowUp,
            Action::Qualify,
            Action::NurtureTouch,
        ] {
            assert_eq!(Action::parse(&action.as_str()), Some(action));
        }
    }

    fn any_touch() -> impl Strategy<Value = Touch> {
        prop_oneof![
            Just(Touch::Call(CallOutcome::Connected)),
            Just(Touch::Call(CallOutcome::NoAnswer)),
            Just(Touch::Call(CallOutcome::Voicemail)),
            Just(Touch::Call(CallOutcome::Busy)),
            Just(Touch::Call(CallOutcome::WrongNumber)),
            Just(Touch::Meeting),
            Just(Touch::Sms),
            Just(Touch::Email),
        ]
    }

    proptest! {
        #[test]
        fn whatever_is_logged_an_open_lead_has_one_owner_and_a_due_next_action(
            steps in proptest::collection::vec((any_touch(), 0i64..20_000, any::<bool>()), 0..40)
        ) {
            let policy = Policy::default();
            let mut lead = arrive(rep(), t0(), &policy).state;
            let mut now = t0();
            for (touch, minutes, inquire_again) in steps {
                now += Duration::minutes(minutes);
                let transition = if inquire_again {
                    Ok(repeat_inquiry(&lead, rep(), now, &policy))
                } else {
                    log_touch(&lead, touch, now, &policy)
                };
                if let Ok(t) = transition {
                    prop_assert_eq!(t.event.to, t.state.stage);
                    lead = t.state;
                }
                prop_assert!(lead.stage.is_open());
                prop_assert!(lead.next.is_some());
                let rep_owned = matches!(lead.owner, Owner::Rep(_));
                let rep_stage = !matches!(lead.stage, Stage::Nurture | Stage::Queued);
                prop_assert_eq!(rep_owned, rep_stage);
                prop_assert!(lead.cadence_attempts <= policy.cadence_len());
            }
        }
    }
}
