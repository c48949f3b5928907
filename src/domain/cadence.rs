//! The follow-up policy: when the first call is due, and when each later call attempt of the
//! cadence is due. Values are settings; `Policy::default()` holds PRODUCT.md's defaults.

use super::hours::{Hours, WorkClock};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The follow-up settings a team works under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// First call attempt due this long after the inquiry arrives.
    pub first_contact: Duration,
    /// The manager is warned when no attempt was made this long after arrival.
    pub warn_after: Duration,
    /// The lead goes to another rep when no attempt was made this long after arrival.
    pub reassign_after: Duration,
    /// When attempts 2.. are due, measured from the first attempt of the cadence.
    pub later_attempts: Vec<Duration>,
    /// Voicemail is worth leaving on attempts up to this number.
    pub voicemail_attempts: u32,
    /// How soon a rep follows up after a conversation.
    pub after_conversation: Duration,
    /// How often marketing touches a nurtured lead.
    pub nurture_every: Duration,
    /// A rep's lead whose next action is overdue by this much goes to another rep.
    pub hoard_after: Duration,
    /// Open leads one rep can follow up; past it, routing looks elsewhere.
    pub rep_capacity: u32,
    /// The team's working hours, days and time zone: the first-contact clock runs only then.
    pub hours: Hours,
    /// Calls are scheduled only between these local times where the person lives (their
    /// phone's time zone, else the team's); `None`: at any hour.
    pub calling_window: Option<(NaiveTime, NaiveTime)>,
}

/// 08:00–21:00: when people may be called.
pub fn default_calling_window() -> (NaiveTime, NaiveTime) {
    (
        NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
        NaiveTime::from_hms_opt(21, 0, 0).unwrap_or(NaiveTime::MIN),
    )
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            first_contact: Duration::minutes(5),
            warn_after: Duration::minutes(15),
            reassign_after: Duration::minutes(60),
            later_attempts: vec![
                Duration::hours(1),
                Duration::days(1),
                Duration::days(3),
                Duration::days(6),
                Duration::days(10),
            ],
            voicemail_attempts: 2,
            after_conversation: Duration::days(1),
            nurture_every: Duration::days(30),
            hoard_after: Duration::days(2),
            rep_capacity: 150,
            hours: Hours::office(chrono_tz::UTC),
            calling_window: Some(default_calling_window()),
        }
    }
}

impl Policy {
    /// How many call attempts the cadence has in all.
    pub fn cadence_len(&self) -> u32 {
        u32::try_from(self.later_attempts.len()).unwrap_or(u32::MAX) + 1
    }

    /// Open time for calling a person in `zone` (`None`: the phone does not tell it).
    pub fn clock(&self, zone: Option<Tz>) -> WorkClock {
        WorkClock::new(self.hours, zone, self.calling_window)
    }

    /// When the first call is due for a lead that arrived (or turned hot) at `arrived`: the
    /// first-contact minutes counted in open time (a lead at 02:00 is due at opening + 5).
    pub fn first_call_due(&self, arrived: DateTime<Utc>, zone: Option<Tz>) -> DateTime<Utc> {
        self.clock(zone).add(arrived, self.first_contact)
    }

    /// How much of the first-contact clock has run between `started` and `now`.
    pub fn sla_waited(
        &self,
        started: DateTime<Utc>,
        now: DateTime<Utc>,
        zone: Option<Tz>,
    ) -> Duration {
        self.clock(zone).between(started, now)
    }

    /// When attempt `attempt` (1-based) is due in a cadence whose first attempt was made at
    /// `first_attempt`, moved into open time. `None` once the cadence has no such attempt.
    pub fn attempt_due(
        &self,
        attempt: u32,
        first_attempt: DateTime<Utc>,
        zone: Option<Tz>,
    ) -> Option<DateTime<Utc>> {
        let index = usize::try_from(attempt.checked_sub(2)?).ok()?;
        self.later_attempts
            .get(index)
            .map(|offset| self.clock(zone).next_open(first_attempt + *offset))
    }

    /// When a follow-up call after a conversation at `now` is due, in open time.
    pub fn follow_up_due(&self, now: DateTime<Utc>, zone: Option<Tz>) -> DateTime<Utc> {
        self.clock(zone).next_open(now + self.after_conversation)
    }

    /// How long a next action due at `due` has been overdue at `now`, counting working days
    /// only (a weekend does not make a rep a hoarder).
    pub fn overdue_by(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
        WorkClock::new(self.hours.whole_days(), None, None).between(due, now)
    }

    /// Whether the rep should leave a voicemail on this attempt.
    pub fn voicemail_suggested(&self, attempt: u32) -> bool {
        attempt <= self.voicemail_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_first_call_is_due_five_minutes_after_arrival() {
        // t0 is a Monday at 09:00 UTC, inside the default office hours.
        assert_eq!(
            Policy::default().first_call_due(t0(), None),
            t0() + Duration::minutes(5)
        );
    }

    #[test]
    fn a_weekend_overdue_does_not_count() {
        let policy = Policy::default();
        let friday_noon = t0() - Duration::days(3) + Duration::hours(3);
        assert_eq!(
            policy.overdue_by(friday_noon, t0()),
            Duration::hours(12 + 9),
            "Friday afternoon and evening, then Monday until 09:00"
        );
    }

    #[test]
    fn the_default_cadence_is_six_attempts_over_ten_days() {
        let policy = Policy::default();
        assert_eq!(policy.cadence_len(), 6);
        let policy = Policy {
            hours: Hours::around_the_clock(chrono_tz::UTC),
            calling_window: None,
            ..policy
        };
        let due: Vec<_> = (2..=6)
            .map(|n| policy.attempt_due(n, t0(), None).unwrap() - t0())
            .collect();
        assert_eq!(
            due,
            vec![
                Duration::hours(1),
                Duration::days(1),
                Duration::days(3),
                Duration::days(6),
                Duration::days(10)
            ]
        );
        assert_eq!(policy.attempt_due(7, t0(), None), None);
    }

    #[test]
    fn voicemail_is_suggested_on_the_first_two_attempts_only() {
        let policy = Policy::default();
        assert!(policy.voicemail_suggested(1));
        assert!(policy.voicemail_suggested(2));
        assert!(!policy.voicemail_suggested(3));
    }
}
