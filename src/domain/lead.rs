//! The lead lifecycle: stages, owners, the next action, and the pure transitions that move a
//! lead from one state to the next (PRODUCT.md, "The lead lifecycle"). Every transition returns
//! the new state together with the event that records it, or a refusal saying why not.

use crate::domain::cadence::Policy;
pub use crate::domain::closure::{Closure, ClosureError, DeadReason};
use crate::domain::text::{clean, clean_line};
use crate::domain::touch::{CallOutcome, NurtureKind, Touch};
use chrono::{DateTime, NaiveDate, Utc};
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

/// Which ways of reaching the person are on file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    pub phone: bool,
    pub email: bool,
    /// The person's time zone, where their phone number tells it: calls wait for their day.
    pub zone: Option<chrono_tz::Tz>,
}

impl Reach {
    /// How a person with this stored (E.164) phone, and an email or not, can be reached; their
    /// time zone from where they said they are, else from their phone.
    #[cfg(feature = "ssr")]
    pub fn of(phone: Option<&str>, email: bool, place: &crate::domain::territory::Place) -> Self {
        let stated = place
            .country
            .as_deref()
            .and_then(|country| crate::domain::zones::zone_of(country, place.region.as_deref()));
        Self {
            phone: phone.is_some(),
            email,
            zone: stated.or_else(|| {
                phone.and_then(|p| crate::domain::contact::Phone::from_e164(p.to_string()).zone())
            }),
        }
    }
}

/// What has been logged on a lead over its life: the evidence closures are judged on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Call attempts and meetings.
    pub attempts: u32,
    /// Connected calls and meetings.
    pub conversations: u32,
    /// Calls logged as a wrong number.
    pub wrong_numbers: u32,
    /// Emails logged as bounced.
    pub bounced_emails: u32,
}

/// Why a lead sits in the nurture pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NurtureReason {
    /// The cadence ended without a conversation.
    Unreached,
    /// A conversation found no near-term need.
    NotReady,
    /// A rep returned it to marketing with a reason.
    Returned,
}

impl NurtureReason {
    pub fn as_str(self) -> &'static str {
        match self {
            NurtureReason::Unreached => "unreached",
            NurtureReason::NotReady => "not_ready",
            NurtureReason::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unreached" => Some(NurtureReason::Unreached),
            "not_ready" => Some(NurtureReason::NotReady),
            "returned" => Some(NurtureReason::Returned),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NurtureReason::Unreached => "Not reached after the cadence",
            NurtureReason::NotReady => "Not ready yet",
            NurtureReason::Returned => "Returned by a rep",
        }
    }
}

/// The part of a lead the lifecycle rules read and change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadState {
    pub stage: Stage,
    /// Who holds the lead; for a closed lead, who held it last.
    pub owner: Owner,
    pub reach: Reach,
    pub evidence: Evidence,
    /// Call attempts and meetings in the current cadence.
    pub cadence_attempts: u32,
    /// When the first attempt of the current cadence was made.
    pub cadence_started_at: Option<DateTime<Utc>>,
    /// When the current first-contact clock started: arrival, a hot signal or a reassignment.
    pub sla_started_at: DateTime<Utc>,
    /// The manager has been warned about this first-contact clock.
    pub sla_warned: bool,
    /// `None` exactly when the lead is closed.
    pub next: Option<NextAction>,
    /// `Some` exactly when the lead is closed: how, with its evidence.
    pub closure: Option<Closure>,
    /// In nurture: why, and when it comes back to sales on its own.
    pub nurture_reason: Option<NurtureReason>,
    pub recontact_at: Option<DateTime<Utc>>,
    /// Marketing's "why now" note from the last hand-back, for the rep to read first.
    pub hot_note: Option<String>,
    /// How often marketing has handed this lead back to sales.
    pub handbacks: u32,
}

impl LeadState {
    /// Waiting for the first call attempt of a fresh first-contact clock (with a rep, or in
    /// the qualifier queue).
    pub fn awaiting_first_attempt(&self) -> bool {
        matches!(self.stage, Stage::Assigned | Stage::Hot | Stage::Queued)
            && self.cadence_attempts == 0
            && !self.talked_on_this_clock()
    }

    /// They were talked to since the current first-contact clock started: calls are
    /// follow-ups now, not attempts to reach them.
    pub fn talked_on_this_clock(&self) -> bool {
        match self.stage {
            Stage::Qualifying => true,
            Stage::Queued => matches!(self.next.map(|n| n.action), Some(Action::FollowUp)),
            _ => false,
        }
    }

    /// Marked do-not-contact: never reopened by a new inquiry.
    pub fn do_not_contact(&self) -> bool {
        matches!(
            self.closure,
            Some(Closure::Dead(DeadReason::DoNotContact { .. }))
        )
    }
}

/// What happened to a lead, as written to its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Arrived,
    TouchLogged,
    RepeatInquiry,
    CadenceExhausted,
    NotReady,
    Won,
    Closed,
    Reopened,
    SlaWarning,
    SlaMissed,
    Reclaimed,
    RecontactDue,
    ReturnedToMarketing,
    NurtureTouched,
    HandedBack,
    /// A closure the rules refused; the lead is unchanged.
    ClosureRefused,
    /// Qualification notes (BANT) were saved.
    QualificationSaved,
    /// Given to another owner by hand (a manager) or because its rep was switched off.
    Reassigned,
    /// The qualifier passed it from the queue to a rep, sales-ready.
    PassedToSales,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Arrived => "arrived",
            EventKind::TouchLogged => "touch_logged",
            EventKind::RepeatInquiry => "repeat_inquiry",
            EventKind::CadenceExhausted => "cadence_exhausted",
            EventKind::NotReady => "not_ready",
            EventKind::Won => "won",
            EventKind::Closed => "closed",
            EventKind::Reopened => "reopened",
            EventKind::SlaWarning => "sla_warning",
            EventKind::SlaMissed => "sla_missed",
            EventKind::Reclaimed => "reclaimed",
            EventKind::RecontactDue => "recontact_due",
            EventKind::ReturnedToMarketing => "returned_to_marketing",
            EventKind::NurtureTouched => "nurture_touched",
            EventKind::HandedBack => "handed_back",
            EventKind::ClosureRefused => "closure_refused",
            EventKind::QualificationSaved => "qualification_saved",
            EventKind::Reassigned => "reassigned",
            EventKind::PassedToSales => "passed_to_sales",
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
    /// The rep whose record this counts against (a missed SLA, a reclaimed lead).
    pub charged_to: Option<String>,
    /// For a call attempt or meeting: the open time (working hours, calling window) since the
    /// first-contact clock started, in seconds — what speed to lead is judged on.
    #[serde(default)]
    pub open_seconds: Option<i64>,
}

impl Event {
    fn new(kind: EventKind, from: Option<Stage>, to: Stage, detail: impl Into<String>) -> Self {
        Self {
            kind,
            from,
            to,
            detail: detail.into(),
            charged_to: None,
            open_seconds: None,
        }
    }
}

/// A change the rules allow: the new state and the event that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: LeadState,
    pub event: Event,
}

impl Transition {
    fn new(state: LeadState, event: Event) -> Self {
        Self { state, event }
    }
}

/// Why the rules refuse a change. The message is what the user reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("This lead is closed ({0}); a manager can reopen it.")]
    Closed(Stage),
    #[error(
        "This lead is in the nurture pool; marketing hands it back to sales when it turns hot."
    )]
    InNurture,
    #[error("This lead is open; only a closed lead can be reopened.")]
    NotReopenable,
    #[error(transparent)]
    Closure(#[from] ClosureError),
    #[error("Hand a lead to nurture as not ready only after talking to them: log the connected call or meeting first.")]
    NotReadyWithoutConversation,
    #[error("The recontact date must be in the future.")]
    RecontactInPast,
    #[error("The recontact date must be within three years.")]
    RecontactTooFar,
    #[error("Only a lead in the nurture pool can be {0}.")]
    NotInNurture(&'static str),
    #[error("Say why now: a short note tells the rep what changed.")]
    HandBackWithoutNote,
    #[error("Say why you are returning it, so marketing knows what to send.")]
    ReturnWithoutReason,
    #[error("Say why it is reassigned, so the record shows it.")]
    ReassignWithoutReason,
    #[error("Only a lead in the qualifier queue can be passed to sales.")]
    NotInQueue,
    #[error("No rep can take it now (all are away or full); it stays in the queue.")]
    NoRepCanTakeIt,
    #[error("Add a note for the rep: what makes this lead ready now.")]
    PassWithoutNote,
    #[error("This lead has had no call attempt yet — call it before handing it to marketing.")]
    ReturnNeverCalled,
    #[error("The note is too long (at most {0} characters).")]
    NoteTooLong(usize),
    #[error("That callback time has passed: choose a later one.")]
    CallbackInPast,
    #[error("A wrong number cannot be called back.")]
    CallbackOnWrongNumber,
    #[error("That was the cadence's last attempt, so the lead goes to marketing: no callback can be set. If they asked to be called later, mark them not ready with that date.")]
    CallbackAfterCadence,
    #[error("Until you have talked to them, a callback must fall within the cadence (by its last attempt). For later, mark them not ready after a conversation, or let the cadence run.")]
    CallbackBeyondCadence,
    #[error("A callback can be at most {0} days ahead. For later, mark them not ready with that date: marketing keeps them warm and hands them back then.")]
    CallbackTooFar(i64),
}

/// The longest hand-back or return note kept.
pub const MAX_NOTE: usize = 500;

/// The first state of a lead that arrived at `now` and went to `owner`.
pub fn arrive(owner: Owner, reach: Reach, now: DateTime<Utc>, policy: &Policy) -> Transition {
    let (stage, next) = entry_for(&owner, Stage::Assigned, now, policy, reach.zone);
    let state = LeadState {
        stage,
        owner,
        reach,
        evidence: Evidence::default(),
        cadence_attempts: 0,
        cadence_started_at: None,
        sla_started_at: now,
        sla_warned: false,
        next: Some(next),
        closure: None,
        nurture_reason: None,
        recontact_at: None,
        hot_note: None,
        handbacks: 0,
    };
    Transition::new(state, Event::new(EventKind::Arrived, None, stage, ""))
}

/// A customer who bought before inquired again: a new opportunity for the same person, hot,
/// with a fresh first-contact clock under `owner`. (Their sale stays as it was.)
pub fn customer_returns(
    owner: Owner,
    reach: Reach,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Transition {
    let arrived = arrive(owner, reach, now, policy).state;
    let (stage, next) = entry_for(&arrived.owner, Stage::Hot, now, policy, reach.zone);
    let state = LeadState {
        stage,
        next: Some(next),
        ..arrived
    };
    Transition::new(
        state,
        Event::new(
            EventKind::RepeatInquiry,
            None,
            stage,
            "a customer inquired again: a new opportunity",
        ),
    )
}

/// Where a lead given to `owner` now starts: a rep gets `rep_stage` with the first call due
/// under the SLA; the qualifier queue and marketing start with their own next action.
pub(crate) fn entry_for(
    owner: &Owner,
    rep_stage: Stage,
    now: DateTime<Utc>,
    policy: &Policy,
    zone: Option<chrono_tz::Tz>,
) -> (Stage, NextAction) {
    match owner {
        Owner::Rep(_) => (
            rep_stage,
            NextAction {
                action: Action::Call(1),
                due_at: policy.first_call_due(now, zone),
            },
        ),
        // The queue keeps the same first-contact clock, in open time.
        Owner::Qualifier => (
            Stage::Queued,
            NextAction {
                action: Action::Qualify,
                due_at: policy.first_call_due(now, zone),
            },
        ),
        Owner::Marketing => (
            Stage::Nurture,
            NextAction {
                action: Action::NurtureTouch,
                due_at: now,
            },
        ),
    }
}

/// Starts a fresh first-contact clock with `owner` (a hot signal, a reopening or a
/// reassignment): the cadence begins again.
pub(crate) fn restart_with(
    lead: &LeadState,
    owner: Owner,
    rep_stage: Stage,
    now: DateTime<Utc>,
    policy: &Policy,
) -> LeadState {
    let (stage, next) = entry_for(&owner, rep_stage, now, policy, lead.reach.zone);
    LeadState {
        stage,
        owner,
        cadence_attempts: 0,
        cadence_started_at: None,
        sla_started_at: now,
        sla_warned: false,
        next: Some(next),
        closure: None,
        nurture_reason: None,
        recontact_at: None,
        hot_note: None,
        ..lead.clone()
    }
}

/// A touch was logged. Calls and meetings move the cadence on; emails and SMS are recorded
/// (a bounced email counts as evidence) but leave the next action where it was, because
/// they are not follow-up.
pub fn log_touch(
    lead: &LeadState,
    touch: Touch,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    match lead.stage {
        stage if !stage.is_open() => return Err(TransitionError::Closed(stage)),
        Stage::Nurture => return Err(TransitionError::InNurture),
        _ => {}
    }
    if let Touch::Nurture(_) = touch {
        return Err(TransitionError::NotInNurture("touched by marketing"));
    }
    let mut state = lead.clone();
    let event = |kind, to, detail: String| Event::new(kind, Some(lead.stage), to, detail);
    if let Touch::Email { bounced: true } = touch {
        state.evidence.bounced_emails += 1;
    }
    if !touch.is_follow_up() {
        return Ok(Transition::new(
            state,
            event(EventKind::TouchLogged, lead.stage, touch.to_string()),
        ));
    }
    // Speed to lead is judged in open time: minutes the team was closed, or the person's
    // night, are nobody's delay.
    let open_seconds = Some(
        policy
            .sla_waited(lead.sla_started_at, now, lead.reach.zone)
            .num_seconds(),
    );
    let event = |kind, to, detail: String| Event {
        open_seconds,
        ..Event::new(kind, Some(lead.stage), to, detail)
    };

    state.evidence.attempts += 1;
    if touch == Touch::Call(CallOutcome::WrongNumber) {
        state.evidence.wrong_numbers += 1;
    }
    // The cadence counts attempts toward a conversation on the current first-contact clock:
    // a new lead, and equally a hot one (handed back, or inquiring again) whoever talked to
    // them before. Once they are talked to (qualifying), calls are follow-ups.
    let reaching = !lead.talked_on_this_clock();
    if reaching {
        state.cadence_attempts += 1;
    }
    let started = *state.cadence_started_at.get_or_insert(now);
    let follow_up = NextAction {
        action: Action::FollowUp,
        due_at: policy.follow_up_due(now, lead.reach.zone),
    };
    if touch.is_conversation() {
        state.evidence.conversations += 1;
        state.stage = Stage::Qualifying;
        state.next = Some(follow_up);
    } else if !reaching {
        // Already talked to them on this clock: keep following up; the cadence is for
        // reaching them.
        state.next = Some(follow_up);
    } else if let Some(due_at) =
        policy.attempt_due(state.cadence_attempts + 1, started, lead.reach.zone)
    {
        state.stage = Stage::Attempting;
        state.next = Some(NextAction {
            action: Action::Call(state.cadence_attempts + 1),
            due_at: policy.clock(lead.reach.zone).next_open(due_at.max(now)),
        });
    } else {
        state.stage = Stage::Nurture;
        state.owner = Owner::Marketing;
        state.nurture_reason = Some(NurtureReason::Unreached);
        state.next = Some(NextAction {
            action: Action::NurtureTouch,
            due_at: now + policy.nurture_every,
        });
        let detail = format!(
            "{touch}; no conversation after {} attempts, so marketing keeps it warm",
            state.cadence_attempts
        );
        return Ok(Transition::new(
            state,
            event(EventKind::CadenceExhausted, Stage::Nurture, detail),
        ));
    }
    if lead.stage == Stage::Queued {
        // The qualifier queue works the lead through the same cadence; it stays in the queue
        // until the qualifier passes it to sales, hands it to nurture or closes it.
        state.stage = Stage::Queued;
    }
    Ok(Transition::new(
        state.clone(),
        event(EventKind::TouchLogged, state.stage, touch.to_string()),
    ))
}

/// The longest a rep may put off a follow-up call by agreeing a callback.
pub const CALLBACK_AT_MOST_DAYS: i64 = 30;

/// The rep agreed a time to call back, with the call that `logged` (from [`log_touch`]) recorded:
/// the next call is due then instead of when the cadence would have put it, moved into open
/// time (the team's hours and the person's calling window). The time must be ahead; until the
/// person has been talked to it must fall within the cadence (by its last attempt), afterwards
/// within [`CALLBACK_AT_MOST_DAYS`]; longer waits are what "not ready" and nurture are for.
pub fn call_back(
    touch: Touch,
    logged: Transition,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    if touch == Touch::Call(CallOutcome::WrongNumber) {
        return Err(TransitionError::CallbackOnWrongNumber);
    }
    if at <= now {
        return Err(TransitionError::CallbackInPast);
    }
    let Some(next) = logged
        .state
        .next
        .filter(|_| logged.state.stage != Stage::Nurture)
    else {
        return Err(TransitionError::CallbackAfterCadence);
    };
    let zone = logged.state.reach.zone;
    let latest = match next.action {
        Action::Call(_) => logged
            .state
            .cadence_started_at
            .and_then(|started| policy.attempt_due(policy.cadence_len(), started, zone))
            .ok_or(TransitionError::CallbackBeyondCadence)?,
        _ => now + chrono::Duration::days(CALLBACK_AT_MOST_DAYS),
    };
    if at > latest {
        return Err(match next.action {
            Action::Call(_) => TransitionError::CallbackBeyondCadence,
            _ => TransitionError::CallbackTooFar(CALLBACK_AT_MOST_DAYS),
        });
    }
    let mut state = logged.state;
    state.next = Some(NextAction {
        action: next.action,
        due_at: policy.clock(zone).next_open(at),
    });
    let mut event = logged.event;
    event.detail = format!("{}; callback agreed", event.detail);
    Ok(Transition::new(state, event))
}

/// The same person inquired again. The lead turns hot with a fresh first-contact SLA under
/// `owner` — unless it was closed as do-not-contact, which no inquiry reopens, or won: a sale
/// is history, and a customer's new inquiry is a new opportunity ([`customer_returns`]).
pub fn repeat_inquiry(
    lead: &LeadState,
    owner: Owner,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Transition {
    if lead.stage == Stage::Won {
        return Transition::new(
            lead.clone(),
            Event::new(
                EventKind::RepeatInquiry,
                Some(lead.stage),
                lead.stage,
                "inquired again; the sale stays, and a new opportunity follows it",
            ),
        );
    }
    if lead.do_not_contact() {
        return Transition::new(
            lead.clone(),
            Event::new(
                EventKind::RepeatInquiry,
                Some(lead.stage),
                lead.stage,
                "inquired again; do-not-contact, so not reopened",
            ),
        );
    }
    let state = restart_with(lead, owner, Stage::Hot, now, policy);
    let to = state.stage;
    Transition::new(
        state,
        Event::new(
            EventKind::RepeatInquiry,
            Some(lead.stage),
            to,
            "inquired again",
        ),
    )
}

/// After a conversation that found no near-term need, the rep hands the lead to marketing
/// with a reason; it comes back to sales on its own at `recontact_at`.
pub fn not_ready(
    lead: &LeadState,
    note: &str,
    recontact_at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    match lead.stage {
        stage if !stage.is_open() => return Err(TransitionError::Closed(stage)),
        Stage::Nurture => return Err(TransitionError::InNurture),
        _ => {}
    }
    if lead.evidence.conversations == 0 {
        return Err(TransitionError::NotReadyWithoutConversation);
    }
    if recontact_at <= now {
        return Err(TransitionError::RecontactInPast);
    }
    if now
        .checked_add_months(chrono::Months::new(36))
        .is_none_or(|three_years_on| recontact_at > three_years_on)
    {
        return Err(TransitionError::RecontactTooFar);
    }
    let state = LeadState {
        stage: Stage::Nurture,
        owner: Owner::Marketing,
        next: Some(NextAction {
            action: Action::NurtureTouch,
            due_at: (now + policy.nurture_every).min(recontact_at),
        }),
        nurture_reason: Some(NurtureReason::NotReady),
        recontact_at: Some(recontact_at),
        hot_note: None,
        ..lead.clone()
    };
    let detail = format!(
        "not ready: {}; back to sales on {}",
        clean_line(note),
        recontact_at.format("%Y-%m-%d")
    );
    Ok(Transition::new(
        state,
        Event::new(
            EventKind::NotReady,
            Some(lead.stage),
            Stage::Nurture,
            detail,
        ),
    ))
}

/// A rep returns a lead to marketing for a reason other than "not ready" (they asked for
/// information only, wrong timing). It must have been called at least once: handing over an
/// untouched lead would be dropping it.
pub fn return_to_marketing(
    lead: &LeadState,
    reason: &str,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    match lead.stage {
        stage if !stage.is_open() => return Err(TransitionError::Closed(stage)),
        Stage::Nurture => return Err(TransitionError::InNurture),
        _ => {}
    }
    let reason = checked_note(reason, TransitionError::ReturnWithoutReason)?;
    if lead.evidence.attempts == 0 {
        return Err(TransitionError::ReturnNeverCalled);
    }
    let state = LeadState {
        stage: Stage::Nurture,
        owner: Owner::Marketing,
        next: Some(NextAction {
            action: Action::NurtureTouch,
            due_at: now + policy.nurture_every,
        }),
        nurture_reason: Some(NurtureReason::Returned),
        recontact_at: None,
        hot_note: None,
        ..lead.clone()
    };
    Ok(Transition::new(
        state,
        Event::new(
            EventKind::ReturnedToMarketing,
            Some(lead.stage),
            Stage::Nurture,
            reason,
        ),
    ))
}

fn checked_note(note: &str, missing: TransitionError) -> Result<String, TransitionError> {
    let note = clean(note);
    if note.is_empty() {
        Err(missing)
    } else if note.chars().count() > MAX_NOTE {
        Err(TransitionError::NoteTooLong(MAX_NOTE))
    } else {
        Ok(note)
    }
}

/// Marketing sent a nurture touch: the next one is due a nurture interval from now.
pub fn nurture_touch(
    lead: &LeadState,
    kind: NurtureKind,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    if lead.stage != Stage::Nurture {
        return Err(TransitionError::NotInNurture("touched by marketing"));
    }
    let due_at = now + policy.nurture_every;
    let state = LeadState {
        next: Some(NextAction {
            action: Action::NurtureTouch,
            due_at: lead
                .recontact_at
                .map_or(due_at, |at| at.min(due_at).max(now)),
        }),
        ..lead.clone()
    };
    Ok(Transition::new(
        state,
        Event::new(
            EventKind::NurtureTouched,
            Some(Stage::Nurture),
            Stage::Nurture,
            kind.label(),
        ),
    ))
}

/// Marketing hands a lead that turned hot back to sales with a "why now" note: it goes to
/// `owner` as hot, under a fresh first-contact clock.
pub fn hand_back(
    lead: &LeadState,
    note: &str,
    owner: Owner,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    if lead.stage != Stage::Nurture {
        return Err(TransitionError::NotInNurture("handed back"));
    }
    let note = checked_note(note, TransitionError::HandBackWithoutNote)?;
    let mut state = restart_with(lead, owner, Stage::Hot, now, policy);
    state.hot_note = Some(note.clone());
    state.handbacks += 1;
    let to = state.stage;
    Ok(Transition::new(
        state,
        Event::new(EventKind::HandedBack, Some(Stage::Nurture), to, note),
    ))
}

/// Closes a lead as won or dead, if its evidence allows.
pub fn close(
    lead: &LeadState,
    closure: Closure,
    note: &str,
    today: NaiveDate,
) -> Result<Transition, TransitionError> {
    if !lead.stage.is_open() {
        return Err(TransitionError::Closed(lead.stage));
    }
    closure.allowed(&lead.evidence, lead.reach, today)?;
    let note = clean(note);
    if matches!(
        closure,
        Closure::Dead(DeadReason::DoNotContact { own_request: true })
    ) && note.is_empty()
    {
        return Err(ClosureError::OwnRequestWithoutNote.into());
    }
    let (stage, kind) = match closure {
        Closure::Won { .. } => (Stage::Won, EventKind::Won),
        Closure::Dead(_) => (Stage::Dead, EventKind::Closed),
    };
    let detail = match note.as_str() {
        "" => closure.to_string(),
        note => format!("{closure}: {note}"),
    };
    let state = LeadState {
        stage,
        next: None,
        closure: Some(closure),
        nurture_reason: None,
        recontact_at: None,
        ..lead.clone()
    };
    Ok(Transition::new(
        state,
        Event::new(kind, Some(lead.stage), stage, detail),
    ))
}

/// The qualifier passes a sales-ready lead from the queue to `owner` (a rep) with a note for
/// them: it arrives hot, under a fresh first-contact clock, the note shown first.
pub fn pass_to_sales(
    lead: &LeadState,
    owner: Owner,
    note: &str,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    if lead.stage != Stage::Queued {
        return Err(TransitionError::NotInQueue);
    }
    if owner.rep_id().is_none() {
        return Err(TransitionError::NoRepCanTakeIt);
    }
    let note = checked_note(note, TransitionError::PassWithoutNote)?;
    let mut state = restart_with(lead, owner, Stage::Hot, now, policy);
    state.hot_note = Some(note.clone());
    let to = state.stage;
    Ok(Transition::new(
        state,
        Event::new(EventKind::PassedToSales, Some(Stage::Queued), to, note),
    ))
}

/// The lead is given to `owner` by hand (a manager's choice, or its rep was switched off), for
/// `reason`. The new owner starts a fresh first-contact clock: a hot lead stays hot, a lead
/// that was talked to is followed up, any other is called; the old owner keeps their record.
pub fn reassign(
    lead: &LeadState,
    owner: Owner,
    reason: &str,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    match lead.stage {
        stage if !stage.is_open() => return Err(TransitionError::Closed(stage)),
        Stage::Nurture => return Err(TransitionError::InNurture),
        _ => {}
    }
    let reason = checked_note(reason, TransitionError::ReassignWithoutReason)?;
    let rep_stage = if lead.stage == Stage::Hot {
        Stage::Hot
    } else if lead.evidence.conversations > 0 {
        Stage::Qualifying
    } else {
        Stage::Assigned
    };
    let mut state = restart_with(lead, owner, rep_stage, now, policy);
    if state.stage == Stage::Qualifying {
        state.next = Some(NextAction {
            action: Action::FollowUp,
            due_at: policy.first_call_due(now, lead.reach.zone),
        });
    }
    if state.stage == Stage::Hot {
        state.hot_note.clone_from(&lead.hot_note);
    }
    let to = state.stage;
    Ok(Transition::new(
        state,
        Event::new(EventKind::Reassigned, Some(lead.stage), to, reason),
    ))
}

/// A closure the rules refused, for the lead's history (the lead itself is unchanged): what
/// was tried and why it was refused.
pub fn closure_refused(lead: &LeadState, closure: &Closure, why: &str) -> Event {
    // The kind of closure only: a refused one's particulars (a lead id that does not exist)
    // are not worth keeping.
    let tried = match closure {
        Closure::Won { .. } => "won".to_string(),
        Closure::Dead(reason) => format!("dead: {}", reason.label().to_lowercase()),
    };
    Event::new(
        EventKind::ClosureRefused,
        Some(lead.stage),
        lead.stage,
        format!("tried to close as {tried}; refused: {why}"),
    )
}

/// Qualification notes were saved, for the lead's history: which of them say something.
pub fn qualification_saved(
    lead: &LeadState,
    notes: &crate::domain::qualification::Qualification,
) -> Event {
    let filled: Vec<&str> = [
        ("budget", &notes.budget),
        ("authority", &notes.authority),
        ("need", &notes.need),
        ("timeline", &notes.timeline),
    ]
    .into_iter()
    .filter(|(_, note)| !note.is_empty())
    .map(|(name, _)| name)
    .collect();
    let detail = if filled.is_empty() {
        "qualification notes cleared".to_string()
    } else {
        format!("qualification notes: {}", filled.join(", "))
    };
    Event::new(
        EventKind::QualificationSaved,
        Some(lead.stage),
        lead.stage,
        detail,
    )
}

/// A manager reverses a closure: the lead is open again under `owner`, with a fresh
/// first-contact clock.
pub fn reopen(
    lead: &LeadState,
    owner: Owner,
    note: &str,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Transition, TransitionError> {
    if lead.stage.is_open() {
        return Err(TransitionError::NotReopenable);
    }
    let rep_stage = if lead.evidence.conversations > 0 {
        Stage::Qualifying
    } else {
        Stage::Assigned
    };
    let mut state = restart_with(lead, owner, rep_stage, now, policy);
    if state.stage == Stage::Qualifying {
        state.next = Some(NextAction {
            action: Action::FollowUp,
            due_at: policy.first_call_due(now, lead.reach.zone),
        });
    }
    let to = state.stage;
    Ok(Transition::new(
        state,
        Event::new(
            EventKind::Reopened,
            Some(lead.stage),
            to,
            format!("closure reversed: {}", clean(note)),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Money;
    use crate::domain::sla::{apply_tick, due_tick};
    use chrono::Duration;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .expect("a time")
            .with_timezone(&Utc)
    }

    fn rep() -> Owner {
        Owner::Rep("rep-1".to_string())
    }

    const BOTH: Reach = Reach {
        phone: true,
        email: true,
        zone: None,
    };

    fn new_lead() -> LeadState {
        arrive(rep(), BOTH, t0(), &Policy::default()).state
    }

    fn call(lead: &LeadState, outcome: CallOutcome, at: DateTime<Utc>) -> LeadState {
        log_touch(lead, Touch::Call(outcome), at, &Policy::default())
            .expect("a call is allowed")
            .state
    }

    fn call_back_after(
        lead: &LeadState,
        outcome: CallOutcome,
        at: DateTime<Utc>,
        back: DateTime<Utc>,
    ) -> Result<LeadState, TransitionError> {
        let policy = Policy::default();
        let touch = Touch::Call(outcome);
        let logged = log_touch(lead, touch, at, &policy).expect("a call is allowed");
        call_back(touch, logged, back, at, &policy).map(|t| t.state)
    }

    #[test]
    fn a_callback_the_rep_agreed_sets_when_the_next_call_is_due() {
        let lead = new_lead();
        // Busy: "call me in two hours" (within the cadence, earlier than its day-1 attempt).
        let at = t0() + Duration::minutes(2);
        let back = at + Duration::hours(2);
        let state = call_back_after(&lead, CallOutcome::Busy, at, back).unwrap();
        assert_eq!(state.next.unwrap().action, Action::Call(2));
        assert_eq!(state.next.unwrap().due_at, back);
        // Talked: a follow-up in three weeks is fine; beyond a month it is "not ready".
        let state = call_back_after(&lead, CallOutcome::Connected, at, at + Duration::days(21));
        assert_eq!(state.unwrap().next.unwrap().action, Action::FollowUp);
        assert_eq!(
            call_back_after(&lead, CallOutcome::Connected, at, at + Duration::days(31)),
            Err(TransitionError::CallbackTooFar(CALLBACK_AT_MOST_DAYS))
        );
    }

    #[test]
    fn a_callback_is_refused_in_the_past_beyond_the_cadence_or_on_a_wrong_number() {
        let lead = new_lead();
        let at = t0() + Duration::minutes(2);
        assert_eq!(
            call_back_after(&lead, CallOutcome::NoAnswer, at, at),
            Err(TransitionError::CallbackInPast)
        );
        assert_eq!(
            call_back_after(&lead, CallOutcome::NoAnswer, at, at + Duration::days(60)),
            Err(TransitionError::CallbackBeyondCadence)
        );
        assert_eq!(
            call_back_after(&lead, CallOutcome::WrongNumber, at, at + Duration::hours(1)),
            Err(TransitionError::CallbackOnWrongNumber)
        );
    }

    #[test]
    fn a_callback_outside_calling_hours_moves_to_the_next_open_time() {
        let lead = new_lead();
        let at = t0() + Duration::minutes(2);
        // 03:00 the next night: nobody is called then.
        let night = (at + Duration::days(1))
            .date_naive()
            .and_hms_opt(3, 0, 0)
            .unwrap()
            .and_utc();
        let state = call_back_after(&lead, CallOutcome::Busy, at, night).unwrap();
        let due = state.next.unwrap().due_at;
        assert!(due > night, "{due}");
        assert_eq!(due, Policy::default().clock(None).next_open(night));
    }

    #[test]
    fn no_callback_once_the_cadence_has_ended() {
        let policy = Policy::default();
        let mut lead = new_lead();
        let mut at = t0();
        for _ in 1..policy.cadence_len() {
            at = lead.next.unwrap().due_at;
            lead = call(&lead, CallOutcome::NoAnswer, at);
        }
        let last = lead.next.unwrap().due_at;
        assert_eq!(
            call_back_after(
                &lead,
                CallOutcome::NoAnswer,
                last,
                last + Duration::hours(1)
            ),
            Err(TransitionError::CallbackAfterCadence)
        );
        let _ = at;
    }

    #[test]
    fn a_new_lead_for_a_rep_has_its_first_call_due_in_five_minutes() {
        let lead = new_lead();
        assert_eq!(lead.stage, Stage::Assigned);
        assert_eq!(
            lead.next,
            Some(NextAction {
                action: Action::Call(1),
                due_at: t0() + Duration::minutes(5)
            })
        );
    }

    #[test]
    fn a_lead_no_rep_can_take_waits_in_the_qualifier_queue() {
        let t = arrive(Owner::Qualifier, BOTH, t0(), &Policy::default());
        assert_eq!(t.state.stage, Stage::Queued);
        assert_eq!(t.state.next.map(|n| n.action), Some(Action::Qualify));
    }

    #[test]
    fn an_unanswered_first_call_makes_the_second_due_an_hour_later() {
        let later = t0() + Duration::minutes(2);
        let lead = call(&new_lead(), CallOutcome::NoAnswer, later);
        assert_eq!(lead.stage, Stage::Attempting);
        assert_eq!(
            lead.next,
            Some(NextAction {
                action: Action::Call(2),
                due_at: later + Duration::hours(1)
            })
        );
    }

    #[test]
    fn a_connected_call_starts_qualifying() {
        let lead = call(&new_lead(), CallOutcome::Connected, t0());
        assert_eq!(lead.stage, Stage::Qualifying);
        assert_eq!(lead.evidence.conversations, 1);
    }

    #[test]
    fn an_email_is_recorded_but_does_not_move_the_cadence() {
        let policy = Policy::default();
        let lead = new_lead();
        let t = log_touch(&lead, Touch::Email { bounced: false }, t0(), &policy).expect("allowed");
        assert_eq!(t.state, lead);
        assert_eq!(t.event.kind, EventKind::TouchLogged);
    }

    #[test]
    fn a_bounced_email_is_kept_as_evidence() {
        let policy = Policy::default();
        let t =
            log_touch(&new_lead(), Touch::Email { bounced: true }, t0(), &policy).expect("allowed");
        assert_eq!(t.state.evidence.bounced_emails, 1);
        assert_eq!(t.state.evidence.attempts, 0);
    }

    #[test]
    fn six_unanswered_attempts_hand_the_lead_to_marketing() {
        let policy = Policy::default();
        let mut lead = new_lead();
        let mut now = t0();
        for attempt in 1..=6 {
            let t = log_touch(&lead, Touch::Call(CallOutcome::NoAnswer), now, &policy)
                .expect("allowed");
            lead = t.state;
            if attempt < 6 {
                assert_eq!(lead.stage, Stage::Attempting, "after attempt {attempt}");
                now = lead.next.expect("a next call").due_at;
            } else {
                assert_eq!(t.event.kind, EventKind::CadenceExhausted);
            }
        }
        assert_eq!(lead.stage, Stage::Nurture);
        assert_eq!(lead.owner, Owner::Marketing);
        assert_eq!(lead.nurture_reason, Some(NurtureReason::Unreached));
        assert_eq!(now - t0(), Duration::days(10));
    }

    #[test]
    fn a_rep_cannot_log_a_call_on_a_lead_in_nurture() {
        let mut lead = new_lead();
        lead.stage = Stage::Nurture;
        lead.owner = Owner::Marketing;
        assert_eq!(
            log_touch(
                &lead,
                Touch::Call(CallOutcome::Busy),
                t0(),
                &Policy::default()
            ),
            Err(TransitionError::InNurture)
        );
    }

    #[test]
    fn a_repeat_inquiry_makes_the_lead_hot_with_a_fresh_sla() {
        let policy = Policy::default();
        let mut lead = new_lead();
        lead.stage = Stage::Nurture;
        lead.owner = Owner::Marketing;
        // Six weeks later, a Monday morning: inside office hours.
        let now = t0() + Duration::days(42);
        let t = repeat_inquiry(&lead, rep(), now, &policy);
        assert_eq!(t.state.stage, Stage::Hot);
        assert_eq!(t.state.sla_started_at, now);
        assert_eq!(
            t.state.next.expect("a call").due_at,
            now + Duration::minutes(5)
        );
        assert_eq!(t.event.from, Some(Stage::Nurture));
    }

    #[test]
    fn a_repeat_inquiry_never_undoes_a_sale() {
        let policy = Policy::default();
        let talked = call(&new_lead(), CallOutcome::Connected, t0());
        let won = Closure::Won {
            amount: crate::domain::money::Money::parse("4800").expect("an amount"),
            on: t0().date_naive(),
        };
        let sold = close(&talked, won.clone(), "", t0().date_naive())
            .expect("winnable")
            .state;
        let t = repeat_inquiry(&sold, rep(), t0() + Duration::days(90), &policy);
        assert_eq!(t.state, sold);
        assert_eq!(t.state.closure, Some(won));
    }

    #[test]
    fn a_repeat_inquiry_reopens_a_dead_lead_as_hot() {
        let policy = Policy::default();
        let talked = call(&new_lead(), CallOutcome::Connected, t0());
        let dead = close(
            &talked,
            Closure::Dead(DeadReason::NotABuyer),
            "",
            t0().date_naive(),
        )
        .expect("closable")
        .state;
        let t = repeat_inquiry(&dead, rep(), t0() + Duration::days(200), &policy);
        assert_eq!(t.state.stage, Stage::Hot);
        assert_eq!(t.state.closure, None);
    }

    #[test]
    fn a_customer_returning_is_a_hot_new_opportunity_with_the_first_call_due_at_once() {
        let t = customer_returns(rep(), BOTH, t0(), &Policy::default());
        assert_eq!(t.state.stage, Stage::Hot);
        assert!(t.state.awaiting_first_attempt());
        assert_eq!(
            t.state.next,
            Some(NextAction {
                action: Action::Call(1),
                due_at: t0() + Duration::minutes(5)
            })
        );
        let queued = customer_returns(Owner::Qualifier, BOTH, t0(), &Policy::default());
        assert_eq!(queued.state.stage, Stage::Queued);
    }

    #[test]
    fn a_lead_reassigned_by_hand_starts_a_fresh_clock_with_its_new_rep() {
        let policy = Policy::default();
        let later = t0() + Duration::hours(3);
        let other = Owner::Rep("rep-2".to_string());
        let t = reassign(&new_lead(), other.clone(), "swamped", later, &policy).expect("allowed");
        assert_eq!(t.state.owner, other);
        assert_eq!(t.state.stage, Stage::Assigned);
        assert_eq!(t.state.sla_started_at, later);
        assert!(t.state.awaiting_first_attempt());
        assert_eq!(t.event.kind, EventKind::Reassigned);
        assert_eq!(t.event.detail, "swamped");
        let talked = call(&new_lead(), CallOutcome::Connected, t0());
        let t = reassign(&talked, other.clone(), "swamped", later, &policy).expect("allowed");
        assert_eq!(t.state.stage, Stage::Qualifying);
        assert_eq!(t.state.next.map(|n| n.action), Some(Action::FollowUp));
        assert_eq!(
            reassign(&new_lead(), other, "  ", later, &policy),
            Err(TransitionError::ReassignWithoutReason)
        );
    }

    #[test]
    fn a_do_not_contact_lead_is_not_reopened_by_a_new_inquiry() {
        let talked = call(&new_lead(), CallOutcome::Connected, t0());
        let dnc = Closure::Dead(DeadReason::DoNotContact { own_request: false });
        let dead = close(&talked, dnc, "asked us to stop", t0().date_naive())
            .expect("closable")
            .state;
        let t = repeat_inquiry(&dead, rep(), t0() + Duration::days(3), &Policy::default());
        assert_eq!(t.state, dead);
        assert!(t.event.detail.contains("do-not-contact"));
    }

    #[test]
    fn closing_at_their_own_request_needs_a_note_of_how_and_when_they_asked() {
        let asked = Closure::Dead(DeadReason::DoNotContact { own_request: true });
        let err = close(&new_lead(), asked.clone(), "  ", t0().date_naive()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Note how and when they asked us to stop (for example: \"by email on 3 May\"): it is the evidence for closing this way."
        );
        let t = close(
            &new_lead(),
            asked,
            "replied STOP to our text on 2 March",
            t0().date_naive(),
        )
        .expect("closable with the note");
        assert!(t
            .event
            .detail
            .contains("replied STOP to our text on 2 March"));
    }

    #[test]
    fn a_lead_that_was_never_called_cannot_be_closed() {
        let err = close(
            &new_lead(),
            Closure::Dead(DeadReason::NotABuyer),
            "",
            t0().date_naive(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "This lead has had no call attempt yet — call it before closing."
        );
    }

    #[test]
    fn a_won_lead_records_its_amount_and_date_and_has_no_next_action() {
        let talked = call(&new_lead(), CallOutcome::Connected, t0());
        let won = Closure::Won {
            amount: Money::parse("4,800").expect("an amount"),
            on: t0().date_naive(),
        };
        let t = close(&talked, won.clone(), "", t0().date_naive()).expect("winnable");
        assert_eq!(t.state.stage, Stage::Won);
        assert_eq!(t.state.closure, Some(won));
        assert_eq!(t.state.next, None);
        assert_eq!(t.event.detail, "won 4,800.00 on 2026-03-02");
    }

    #[test]
    fn a_closed_lead_cannot_be_closed_again_but_a_manager_can_reopen_it() {
        let policy = Policy::default();
        let talked = call(&new_lead(), CallOutcome::Connected, t0());
        let dead = close(
            &talked,
            Closure::Dead(DeadReason::BoughtElsewhere),
            "",
            t0().date_naive(),
        )
        .expect("closable")
        .state;
        assert_eq!(
            close(
                &dead,
                Closure::Dead(DeadReason::NotABuyer),
                "",
                t0().date_naive()
            ),
            Err(TransitionError::Closed(Stage::Dead))
        );
        let open = reopen(&dead, rep(), "they never bought", t0(), &policy).expect("reopenable");
        assert_eq!(open.state.stage, Stage::Qualifying);
        assert!(open.state.next.is_some());
        assert_eq!(open.state.closure, None);
        assert_eq!(
            reopen(&open.state, rep(), "", t0(), &policy),
            Err(TransitionError::NotReopenable)
        );
    }

    #[test]
    fn not_ready_needs_a_conversation_and_a_future_date() {
        let policy = Policy::default();
        let later = t0() + Duration::days(60);
        assert_eq!(
            not_ready(&new_lead(), "", later, t0(), &policy),
            Err(TransitionError::NotReadyWithoutConversation)
        );
        let talked = call(&new_lead(), CallOutcome::Connected, t0());
        assert_eq!(
            not_ready(&talked, "", t0(), t0(), &policy),
            Err(TransitionError::RecontactInPast)
        );
        let year_10000 = DateTime::parse_from_rfc3339("+10000-01-01T09:00:00Z")
            .map_or(t0() + Duration::days(3_000_000), |t| t.with_timezone(&Utc));
        assert_eq!(
            not_ready(&talked, "", year_10000, t0(), &policy),
            Err(TransitionError::RecontactTooFar)
        );
        // t0() is 2026-03-02 09:00: three years on is 2029-03-02 09:00, and no later.
        let three_years = t0() + Duration::days(365 * 3 + 1);
        assert!(not_ready(&talked, "x", three_years, t0(), &policy).is_ok());
        assert_eq!(
            not_ready(&talked, "x", three_years + Duration::days(1), t0(), &policy),
            Err(TransitionError::RecontactTooFar)
        );
        let t = not_ready(&talked, "budget in Q3", later, t0(), &policy).expect("allowed");
        assert_eq!(t.state.owner, Owner::Marketing);
        assert_eq!(t.state.recontact_at, Some(later));
        assert!(t.event.detail.contains("budget in Q3"));
    }

    fn nurtured() -> LeadState {
        let policy = Policy::default();
        let called = call(&new_lead(), CallOutcome::NoAnswer, t0());
        return_to_marketing(&called, "asked for information by email", t0(), &policy)
            .expect("returnable after a call")
            .state
    }

    #[test]
    fn a_rep_cannot_return_a_lead_to_marketing_without_a_call_or_a_reason() {
        let policy = Policy::default();
        assert_eq!(
            return_to_marketing(&new_lead(), "no time", t0(), &policy),
            Err(TransitionError::ReturnNeverCalled)
        );
        let called = call(&new_lead(), CallOutcome::NoAnswer, t0());
        assert_eq!(
            return_to_marketing(&called, "  ", t0(), &policy),
            Err(TransitionError::ReturnWithoutReason)
        );
        let lead = nurtured();
        assert_eq!(lead.owner, Owner::Marketing);
        assert_eq!(lead.nurture_reason, Some(NurtureReason::Returned));
    }

    #[test]
    fn a_nurture_touch_moves_the_next_touch_a_month_out() {
        let policy = Policy::default();
        let later = t0() + Duration::days(31);
        let t =
            nurture_touch(&nurtured(), NurtureKind::EventInvite, later, &policy).expect("allowed");
        assert_eq!(
            t.state.next.expect("next").due_at,
            later + Duration::days(30)
        );
        assert_eq!(t.event.kind, EventKind::NurtureTouched);
        assert!(nurture_touch(&new_lead(), NurtureKind::Content, t0(), &policy).is_err());
    }

    #[test]
    fn an_unanswered_call_on_a_hot_lead_talked_to_before_meets_its_sla_and_starts_its_cadence() {
        let policy = Policy::default();
        let talked = call(&new_lead(), CallOutcome::Connected, t0());
        let returned = return_to_marketing(&talked, "wants a brochure", t0(), &policy)
            .expect("returnable")
            .state;
        let later = t0() + Duration::days(20);
        let hot = hand_back(&returned, "replied: budget approved", rep(), later, &policy)
            .expect("allowed")
            .state;
        assert!(hot.awaiting_first_attempt());
        let called = call(&hot, CallOutcome::NoAnswer, later + Duration::minutes(2));
        assert!(
            !called.awaiting_first_attempt(),
            "the call met the first-contact SLA"
        );
        assert_eq!(called.stage, Stage::Attempting);
        assert_eq!(called.next.map(|n| n.action), Some(Action::Call(2)));
        for minutes in [15, 60, 61] {
            assert_eq!(
                crate::domain::sla::due_tick(&called, later + Duration::minutes(minutes), &policy),
                None,
                "no warning or reassignment at {minutes} min"
            );
        }
        let again = repeat_inquiry(&talked, rep(), later, &policy).state;
        let voicemail = call(&again, CallOutcome::Voicemail, later + Duration::minutes(1));
        assert_eq!(
            voicemail.cadence_attempts, 1,
            "a repeat inquirer's call counts too"
        );
        assert!(!voicemail.awaiting_first_attempt());
    }

    #[test]
    fn a_hand_back_needs_a_why_now_note_and_returns_the_lead_hot_with_a_fresh_sla() {
        let policy = Policy::default();
        let later = t0() + Duration::days(20);
        assert_eq!(
            hand_back(&nurtured(), " ", rep(), later, &policy),
            Err(TransitionError::HandBackWithoutNote)
        );
        let t = hand_back(
            &nurtured(),
            "replied: budget approved",
            rep(),
            later,
            &policy,
        )
        .expect("allowed");
        assert_eq!(t.state.stage, Stage::Hot);
        assert_eq!(t.state.owner, rep());
        assert_eq!(t.state.sla_started_at, later);
        assert_eq!(
            t.state.hot_note.as_deref(),
            Some("replied: budget approved")
        );
        assert_eq!(t.state.handbacks, 1);
        assert_eq!(t.event.detail, "replied: budget approved");
        assert_eq!(
            hand_back(&t.state, "again", rep(), later, &policy),
            Err(TransitionError::NotInNurture("handed back"))
        );
    }

    #[test]
    fn sales_touches_cannot_be_logged_as_nurture_touches() {
        assert_eq!(
            log_touch(
                &new_lead(),
                Touch::Nurture(NurtureKind::Content),
                t0(),
                &Policy::default()
            ),
            Err(TransitionError::NotInNurture("touched by marketing"))
        );
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

    /// One step of the simulated world in the property test.
    #[derive(Debug, Clone)]
    enum Step {
        Touch(usize, Touch),
        Advance(i64),
        Repeat(usize),
        Close(usize, Closure),
        Reopen(usize),
        NotReady(usize, i64),
        Return(usize),
        NurtureTouch(usize),
        HandBack(usize),
        /// A manager gives the lead to whoever routing picks, by hand.
        Reassign(usize),
        /// The qualifier passes a queued lead to a rep.
        Pass(usize),
        /// A rep goes away, or comes back.
        ToggleAway(usize),
        /// A rep is switched off: each of their open leads is routed to someone else.
        Deactivate(usize),
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
            Just(Touch::Email { bounced: false }),
            Just(Touch::Email { bounced: true }),
        ]
    }

    fn any_closure() -> impl Strategy<Value = Closure> {
        prop_oneof![
            Just(Closure::Dead(DeadReason::BoughtElsewhere)),
            Just(Closure::Dead(DeadReason::NotABuyer)),
            any::<bool>()
                .prop_map(|own_request| Closure::Dead(DeadReason::DoNotContact { own_request })),
            Just(Closure::Dead(DeadReason::InvalidContact)),
            Just(Closure::Dead(DeadReason::Duplicate { of: "other".into() })),
            (1i64..1_000_000).prop_map(|cents| Closure::Won {
                amount: Money::from_cents(cents).expect("positive"),
                on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date"),
            }),
        ]
    }

    fn any_step(leads: usize) -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0..leads, any_touch()).prop_map(|(i, t)| Step::Touch(i, t)),
            3 => (1i64..6_000).prop_map(Step::Advance),
            1 => (0..leads).prop_map(Step::Repeat),
            1 => (0..leads, any_closure()).prop_map(|(i, c)| Step::Close(i, c)),
            1 => (0..leads).prop_map(Step::Reopen),
            1 => (0..leads, 1i64..200).prop_map(|(i, d)| Step::NotReady(i, d)),
            1 => (0..leads).prop_map(Step::Return),
            1 => (0..leads).prop_map(Step::NurtureTouch),
            1 => (0..leads).prop_map(Step::HandBack),
            1 => (0..leads).prop_map(Step::Reassign),
            1 => (0..leads).prop_map(Step::Pass),
            1 => (0usize..2).prop_map(Step::ToggleAway),
            1 => (0usize..2).prop_map(Step::Deactivate),
        ]
    }

    /// The team in the simulation: which reps are switched on, and which are away.
    #[derive(Debug, Clone)]
    struct Team {
        reps: [&'static str; 2],
        active: [bool; 2],
        away: [bool; 2],
    }

    /// Open leads one simulated rep can hold.
    const CAPACITY: usize = 2;

    impl Team {
        /// Routing in the simulation: a rep who is on, not away, under capacity and not
        /// `except`, else the qualifier queue.
        fn route(&self, except: Option<&str>, leads: &[LeadState]) -> Owner {
            let load = |rep: &str| {
                leads
                    .iter()
                    .filter(|l| l.stage.is_open() && l.owner.rep_id() == Some(rep))
                    .count()
            };
            (0..2)
                .find(|&r| {
                    self.active[r]
                        && !self.away[r]
                        && Some(self.reps[r]) != except
                        && load(self.reps[r]) < CAPACITY
                })
                .map_or(Owner::Qualifier, |r| Owner::Rep(self.reps[r].to_string()))
        }

        fn is_on(&self, rep: &str) -> bool {
            (0..2).any(|r| self.reps[r] == rep && self.active[r])
        }
    }

    fn check(lead: &LeadState) -> Result<(), TestCaseError> {
        if lead.stage.is_open() {
            prop_assert!(
                lead.next.is_some(),
                "an open lead has a next action: {lead:?}"
            );
            prop_assert!(lead.closure.is_none());
            let expected_owner_kind = match lead.stage {
                Stage::Nurture => "marketing",
                Stage::Queued => "qualifier",
                _ => "rep",
            };
            prop_assert_eq!(lead.owner.kind_str(), expected_owner_kind, "{:?}", lead);
        } else {
            prop_assert!(lead.next.is_none());
            let closure = lead.closure.as_ref();
            prop_assert!(closure.is_some(), "a closed lead carries its closure");
            if let Some(closure) = closure {
                let today = NaiveDate::from_ymd_opt(2030, 1, 1).expect("a date");
                prop_assert!(
                    closure.allowed(&lead.evidence, lead.reach, today).is_ok(),
                    "a dead lead always has its evidence: {:?}",
                    lead
                );
            }
        }
        prop_assert!(lead.cadence_attempts <= Policy::default().cadence_len());
        Ok(())
    }

    fn record(
        leads: &mut [LeadState],
        histories: &mut [Vec<Event>],
        i: usize,
        t: Transition,
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(
            t.event.to,
            t.state.stage,
            "an event ends where the lead goes"
        );
        leads[i] = t.state;
        histories[i].push(t.event);
        Ok(())
    }

    proptest! {
        #[test]
        fn whatever_happens_every_open_lead_has_one_owner_and_a_due_next_action(
            steps in proptest::collection::vec(any_step(3), 0..60)
        ) {
            let policy = Policy::default();
            let mut team = Team { reps: ["rita", "raj"], active: [true, true], away: [false, false] };
            // Under office hours (the default policy), one person in Tokyo whose calls wait for
            // their own morning.
            let tokyo = Reach { phone: true, email: false, zone: Some(chrono_tz::Asia::Tokyo) };
            let reaches = [BOTH, tokyo, Reach { phone: false, email: true, zone: None }];
            let mut now = t0();
            let mut leads: Vec<LeadState> = reaches
                .iter()
                .map(|reach| arrive(Owner::Rep("rita".into()), *reach, now, &policy).state)
                .collect();
            // The history of each lead: every change comes with an event.
            let mut histories: Vec<Vec<Event>> = vec![Vec::new(); leads.len()];
            for step in steps {
                let outcome = match step {
                    Step::Touch(i, touch) => Some((i, log_touch(&leads[i], touch, now, &policy))),
                    Step::Repeat(i) => {
                        let owner = team.route(None, &leads);
                        Some((i, Ok(repeat_inquiry(&leads[i], owner, now, &policy))))
                    }
                    Step::Close(i, closure) => Some((i, close(&leads[i], closure, "by phone today", now.date_naive()))),
                    Step::Reopen(i) => {
                        let owner = team.route(None, &leads);
                        Some((i, reopen(&leads[i], owner, "", now, &policy)))
                    }
                    Step::NotReady(i, days) => {
                        Some((i, not_ready(&leads[i], "", now + Duration::days(days), now, &policy)))
                    }
                    Step::Return(i) => Some((i, return_to_marketing(&leads[i], "asked for a brochure", now, &policy))),
                    Step::NurtureTouch(i) => Some((i, nurture_touch(&leads[i], NurtureKind::Newsletter, now, &policy))),
                    Step::HandBack(i) => {
                        let owner = team.route(None, &leads);
                        Some((i, hand_back(&leads[i], "replied to the newsletter", owner, now, &policy)))
                    }
                    Step::Reassign(i) => {
                        let owner = team.route(leads[i].owner.rep_id(), &leads);
                        Some((i, reassign(&leads[i], owner, "swamped", now, &policy)))
                    }
                    Step::Pass(i) => {
                        let owner = team.route(None, &leads);
                        Some((i, pass_to_sales(&leads[i], owner, "budget approved", now, &policy)))
                    }
                    Step::ToggleAway(r) => {
                        team.away[r] = !team.away[r];
                        None
                    }
                    Step::Deactivate(r) => {
                        team.active[r] = false;
                        let gone = team.reps[r];
                        for i in 0..leads.len() {
                            if leads[i].stage.is_open() && leads[i].owner.rep_id() == Some(gone) {
                                let owner = team.route(Some(gone), &leads);
                                let t = reassign(&leads[i], owner, "switched off", now, &policy)
                                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                                record(&mut leads, &mut histories, i, t)?;
                            }
                        }
                        None
                    }
                    Step::Advance(minutes) => {
                        now += Duration::minutes(minutes);
                        for i in 0..leads.len() {
                            let mut applied = 0;
                            while let Some(tick) = due_tick(&leads[i], now, &policy) {
                                let owner = team.route(leads[i].owner.rep_id(), &leads);
                                let t = apply_tick(&leads[i], tick, owner, now, &policy);
                                record(&mut leads, &mut histories, i, t)?;
                                applied += 1;
                                prop_assert!(applied <= 2, "ticks settle: {:?}", leads[i]);
                            }
                        }
                        None
                    }
                };
                if let Some((i, Ok(t))) = outcome {
                    record(&mut leads, &mut histories, i, t)?;
                }
                for lead in &leads {
                    check(lead)?;
                    if let (Owner::Rep(_), Some(next)) = (&lead.owner, lead.next) {
                        if matches!(next.action, Action::Call(_) | Action::FollowUp) {
                            // Open at that moment, or at its last minute (due at closing).
                            let clock = policy.clock(lead.reach.zone);
                            let due = next.due_at;
                            prop_assert!(
                                clock.next_open(due) == due
                                    || clock.next_open(due - Duration::seconds(1)) < due,
                                "calls fall due in open time: {:?}",
                                lead
                            );
                        }
                    }
                    if let (true, Some(rep)) = (lead.stage.is_open(), lead.owner.rep_id()) {
                        prop_assert!(team.is_on(rep), "an open lead's rep can work it: {:?}", lead);
                    }
                }
            }
            for (lead, history) in leads.iter().zip(&histories) {
                if let Some(last) = history.last() {
                    prop_assert_eq!(last.to, lead.stage, "the history ends where the lead is");
                }
            }
        }
    }
}
