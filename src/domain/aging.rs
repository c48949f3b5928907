//! Age buckets for leads: how long since the inquiry, or since the last real touch
//! (PRODUCT.md, "Aging").

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One column of the aging board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBucket {
    UnderFiveMinutes,
    FiveToSixtyMinutes,
    OneToTwentyFourHours,
    OneToSevenDays,
    OneToFourWeeks,
    OneToThreeMonths,
    ThreeToSixMonths,
    SixToTwelveMonths,
    OverTwelveMonths,
}

impl AgeBucket {
    /// Every bucket, youngest first.
    pub const ALL: [AgeBucket; 9] = [
        AgeBucket::UnderFiveMinutes,
        AgeBucket::FiveToSixtyMinutes,
        AgeBucket::OneToTwentyFourHours,
        AgeBucket::OneToSevenDays,
        AgeBucket::OneToFourWeeks,
        AgeBucket::OneToThreeMonths,
        AgeBucket::ThreeToSixMonths,
        AgeBucket::SixToTwelveMonths,
        AgeBucket::OverTwelveMonths,
    ];

    /// Where each bucket but the last ends: an age below `BOUNDS[i]` (and not below the one
    /// before) is in `ALL[i]`. The database groups by these.
    pub fn bounds() -> [Duration; 8] {
        [
            Duration::minutes(5),
            Duration::minutes(60),
            Duration::hours(24),
            Duration::days(7),
            Duration::days(28),
            Duration::days(91),
            Duration::days(182),
            Duration::days(365),
        ]
    }

    /// The bucket an age falls in. A negative age (clock skew) counts as brand new.
    pub fn of(age: Duration) -> Self {
        let minutes = age.num_minutes();
        let days = age.num_days();
        match () {
            _ if minutes < 5 => AgeBucket::UnderFiveMinutes,
            _ if minutes < 60 => AgeBucket::FiveToSixtyMinutes,
            _ if minutes < 24 * 60 => AgeBucket::OneToTwentyFourHours,
            _ if days < 7 => AgeBucket::OneToSevenDays,
            _ if days < 28 => AgeBucket::OneToFourWeeks,
            _ if days < 91 => AgeBucket::OneToThreeMonths,
            _ if days < 182 => AgeBucket::ThreeToSixMonths,
            _ if days < 365 => AgeBucket::SixToTwelveMonths,
            _ => AgeBucket::OverTwelveMonths,
        }
    }

    /// The bucket of something that happened at `since`, seen at `now`.
    pub fn since(since: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        Self::of(now - since)
    }

    /// The column heading.
    pub fn label(self) -> &'static str {
        match self {
            AgeBucket::UnderFiveMinutes => "< 5 min",
            AgeBucket::FiveToSixtyMinutes => "5–60 min",
            AgeBucket::OneToTwentyFourHours => "1–24 h",
            AgeBucket::OneToSevenDays => "1–7 days",
            AgeBucket::OneToFourWeeks => "1–4 weeks",
            AgeBucket::OneToThreeMonths => "1–3 months",
            AgeBucket::ThreeToSixMonths => "3–6 months",
            AgeBucket::SixToTwelveMonths => "6–12 months",
            AgeBucket::OverTwelveMonths => "> 12 months",
        }
    }
}

/// A short human age such as "4 min", "3 h", "12 days", "5 mo".
pub fn short_age(age: Duration) -> String {
    let minutes = age.num_minutes().max(0);
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m if m < 60 * 24 * 60 => format!("{} days", m / (24 * 60)),
        m => format!("{} mo", m / (30 * 24 * 60)),
    }
}

/// When something is due, in the team's local time: "today 14:00", "tomorrow 09:30",
/// "Mon 9 Mar 10:00".
pub fn due_phrase(due: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> String {
    let days = (due.date() - now.date()).num_days();
    let time = due.format("%H:%M");
    match days {
        0 => format!("today {time}"),
        1 => format!("tomorrow {time}"),
        -1 => format!("yesterday {time}"),
        _ => format!("{}", due.format("%a %-d %b %H:%M")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_from_four_minutes_ago_is_under_five_minutes() {
        assert_eq!(
            AgeBucket::of(Duration::minutes(4)),
            AgeBucket::UnderFiveMinutes
        );
    }

    #[test]
    fn each_boundary_starts_the_next_bucket() {
        let cases = [
            (Duration::minutes(5), AgeBucket::FiveToSixtyMinutes),
            (Duration::minutes(60), AgeBucket::OneToTwentyFourHours),
            (Duration::hours(24), AgeBucket::OneToSevenDays),
            (Duration::days(7), AgeBucket::OneToFourWeeks),
            (Duration::days(28), AgeBucket::OneToThreeMonths),
            (Duration::days(91), AgeBucket::ThreeToSixMonths),
            (Duration::days(182), AgeBucket::SixToTwelveMonths),
            (Duration::days(365), AgeBucket::OverTwelveMonths),
        ];
        for (age, bucket) in cases {
            assert_eq!(AgeBucket::of(age), bucket, "age {age}");
            assert_eq!(
                AgeBucket::of(age - Duration::seconds(1)),
                AgeBucket::ALL[bucket as usize - 1],
                "just under {age}"
            );
        }
    }

    #[test]
    fn the_bounds_are_where_buckets_change() {
        for (i, bound) in AgeBucket::bounds().into_iter().enumerate() {
            assert_eq!(
                AgeBucket::of(bound - Duration::milliseconds(1)),
                AgeBucket::ALL[i]
            );
            assert_eq!(AgeBucket::of(bound), AgeBucket::ALL[i + 1]);
        }
    }

    #[test]
    fn a_time_in_the_future_counts_as_brand_new() {
        assert_eq!(
            AgeBucket::of(Duration::minutes(-3)),
            AgeBucket::UnderFiveMinutes
        );
    }

    #[test]
    fn due_times_say_today_tomorrow_or_the_date() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("a time");
        assert_eq!(due_phrase(now + Duration::hours(5), now), "today 14:00");
        assert_eq!(due_phrase(now + Duration::hours(24), now), "tomorrow 09:00");
        assert_eq!(
            due_phrase(now - Duration::hours(20), now),
            "yesterday 13:00"
        );
        assert_eq!(due_phrase(now + Duration::days(7), now), "Mon 9 Mar 09:00");
    }

    #[test]
    fn short_ages_read_naturally() {
        assert_eq!(short_age(Duration::minutes(4)), "4 min");
        assert_eq!(short_age(Duration::hours(5)), "5 h");
        assert_eq!(short_age(Duration::days(12)), "12 days");
        assert_eq!(short_age(Duration::days(150)), "5 mo");
    }
}
