//! The follow-up policy: when the first call is due, and when each later call attempt of the
//! cadence is due. Values are settings; `Policy::default()` holds PRODUCT.md's defaults.

use chrono::{DateTime, Duration, Utc};
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
        }
    }
}

impl Policy {
    /// How many call attempts the cadence has in all.
    pub fn cadence_len(&self) -> u32 {
        u32::try_from(self.later_attempts.len()).unwrap_or(u32::MAX) + 1
    }

    /// When the first call is due for a lead that arrived (or turned hot) at `arrived`.
    pub fn first_call_due(&self, arrived: DateTime<Utc>) -> DateTime<Utc> {
        arrived + self.first_contact
    }

    /// When attempt `attempt` (1-based) is due in a cadence whose first attempt was made at
    /// `first_attempt`. `None` once the cadence has no such attempt.
    pub fn attempt_due(&self, attempt: u32, first_attempt: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let index = usize::try_from(attempt.checked_sub(2)?).ok()?;
        self.later_attempts
            .get(index)
            .map(|offset| first_attempt + *offset)
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
        assert_eq!(
            Policy::default().first_call_due(t0()),
            t0() + Duration::minutes(5)
        );
    }

    #[test]
    fn the_default_cadence_is_six_attempts_over_ten_days() {
        let policy = Policy::default();
        assert_eq!(policy.cadence_len(), 6);
        let due: Vec<_> = (2..=6)
            .map(|n| policy.attempt_due(n, t0()).unwrap() - t0())
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
        assert_eq!(policy.attempt_due(7, t0()), None);
    }

    #[test]
    fn voicemail_is_suggested_on_the_first_two_attempts_only() {
        let policy = Policy::default();
        assert!(policy.voicemail_suggested(1));
        assert!(policy.voicemail_suggested(2));
        assert!(!policy.voicemail_suggested(3));
    }
}
