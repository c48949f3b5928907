//! The order a rep works their leads in: what can still be won fastest comes first.
//!
//! Speed to lead is the whole point, so a lead still inside its first-contact window (a new
//! inquiry, a hot hand-back, a repeat inquiry — nobody has called it since) tops the list: hot
//! ones first, then the newest inquiry (the odds of reaching someone fall with every minute). Then the attempts due now, oldest first; then the long
//! overdue, the most recently due first (a week-old miss is likelier won than a year-old one);
//! then what is not due yet.

use crate::domain::cadence::Policy;
use crate::domain::lead::Stage;
use chrono::{DateTime, Duration, Utc};

/// How long past its due time an attempt still counts as "due now" rather than long overdue.
pub const LONG_OVERDUE: Duration = Duration::hours(24);

/// The bands of a work list, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// Not called since it arrived or came back hot, and its first-contact window is open.
    Fresh,
    /// An attempt due now (less than [`LONG_OVERDUE`] late).
    Due,
    /// An attempt overdue by more than [`LONG_OVERDUE`].
    LongOverdue,
    /// Nothing due yet.
    Later,
}

/// Which band a lead falls in at `now`.
pub fn urgency(
    stage: Stage,
    next_due_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Urgency {
    let uncalled = matches!(stage, Stage::Assigned | Stage::Hot);
    // The window stays open until the lead would be taken to another rep.
    let window = (policy.reassign_after - policy.first_contact).max(Duration::zero());
    match next_due_at {
        None if uncalled => Urgency::Fresh,
        None => Urgency::Later,
        Some(due) if uncalled && now < due + window => Urgency::Fresh,
        Some(due) if due > now => Urgency::Later,
        Some(due) if now - due <= LONG_OVERDUE => Urgency::Due,
        Some(_) => Urgency::LongOverdue,
    }
}

/// A key that sorts leads into working order: the band, then the order within it, then the
/// fresher inquiry first. Among fresh leads a hot one (handed back, passed on sales-ready,
/// inquiring again) goes first — that person has just shown they mean it — then the newest.
pub fn work_order(
    stage: Stage,
    next_due_at: Option<DateTime<Utc>>,
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> (Urgency, bool, i64, i64) {
    let band = urgency(stage, next_due_at, now, policy);
    let due = next_due_at.map_or(i64::MAX, |at| at.timestamp_micros());
    let within = match band {
        Urgency::Fresh => -received_at.timestamp_micros(),
        Urgency::LongOverdue => -due,
        Urgency::Due | Urgency::Later => due,
    };
    let cooler = !(band == Urgency::Fresh && stage == Stage::Hot);
    (band, cooler, within, -received_at.timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .unwrap_or_default()
            + Duration::minutes(minutes)
    }

    fn sorted(mut leads: Vec<(&'static str, Stage, i64, i64)>, now: i64) -> Vec<&'static str> {
        let policy = Policy::default();
        leads.sort_by_key(|(_, stage, due, received)| {
            work_order(*stage, Some(at(*due)), at(*received), at(now), &policy)
        });
        leads.into_iter().map(|(name, ..)| name).collect()
    }

    #[test]
    fn a_new_inquiry_and_a_hot_hand_back_come_before_leads_overdue_for_months() {
        let order = sorted(
            vec![
                ("ancient", Stage::Attempting, -600_000, -610_000),
                ("due", Stage::Attempting, -30, -5_000),
                ("later", Stage::Qualifying, 600, -9_000),
                ("hot", Stage::Hot, 4, -1),
                ("new", Stage::Assigned, 3, -2),
            ],
            0,
        );
        assert_eq!(order, ["hot", "new", "due", "ancient", "later"]);
    }

    #[test]
    fn a_first_call_missed_by_minutes_is_still_fresh_but_not_once_the_window_closes() {
        let policy = Policy::default();
        // Due 5 minutes after arrival, taken away at 60: fresh until then.
        assert_eq!(
            urgency(Stage::Assigned, Some(at(0)), at(54), &policy),
            Urgency::Fresh
        );
        assert_eq!(
            urgency(Stage::Assigned, Some(at(0)), at(56), &policy),
            Urgency::Due
        );
        // A lead called once is never fresh, however new.
        assert_eq!(
            urgency(Stage::Attempting, Some(at(10)), at(0), &policy),
            Urgency::Later
        );
    }

    #[test]
    fn inquiries_a_moment_apart_keep_their_order() {
        let policy = Policy::default();
        let first = at(0);
        let second = first + Duration::milliseconds(300);
        let key = |received| work_order(Stage::Assigned, Some(at(5)), received, at(1), &policy);
        assert!(key(second) < key(first), "the newer comes first");
    }

    #[test]
    fn among_the_long_overdue_the_most_recent_miss_comes_first() {
        let order = sorted(
            vec![
                ("year", Stage::Attempting, -525_600, -530_000),
                ("week", Stage::Attempting, -10_080, -12_000),
            ],
            0,
        );
        assert_eq!(order, ["week", "year"]);
    }

    #[test]
    fn among_new_leads_the_newest_inquiry_comes_first() {
        // Ten leads handed over a minute ago (a fresh clock, an older inquiry), then a new one.
        let mut leads = (0..10)
            .map(|_| ("handed over", Stage::Assigned, 4, -90))
            .collect::<Vec<_>>();
        leads.push(("brand new", Stage::Assigned, 5, 0));
        assert_eq!(sorted(leads, 0)[0], "brand new");
    }
}
