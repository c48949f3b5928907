//! Working time. The team works set hours on set days in its time zone; a person may be called
//! only inside their own calling window (08:00–21:00 where they live). The first-contact clock
//! runs only while both are open, so a lead that arrives at 02:00 is due at opening + 5 minutes
//! and nobody is warned about minutes the team was closed or the person asleep.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How far ahead the clock looks for open time before it gives up on a calendar.
const HORIZON_DAYS: i64 = 800;

/// Open hours on open days, in one time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    /// Open days, Monday first.
    pub days: [bool; 7],
    pub opens: NaiveTime,
    /// `None`: open until midnight.
    pub closes: Option<NaiveTime>,
    pub tz: Tz,
}

/// Why a set of working hours cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("choose at least one working day")]
    NoDays,
    #[error("the team must close after it opens")]
    ClosesBeforeOpening,
    #[error("days look like Mon-Fri or Mon,Wed,Fri")]
    BadDays,
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl Hours {
    /// A team that has not set its hours: Monday to Friday, 08:00–18:00.
    pub fn office(tz: Tz) -> Self {
        Self {
            days: [true, true, true, true, true, false, false],
            opens: time(8, 0),
            closes: Some(time(18, 0)),
            tz,
        }
    }

    /// Every day, all day.
    pub fn around_the_clock(tz: Tz) -> Self {
        Self {
            days: [true; 7],
            opens: NaiveTime::MIN,
            closes: None,
            tz,
        }
    }

    /// When a person may be called where they live: every day, `opens` to `closes`.
    pub fn calling_window(tz: Tz, (opens, closes): (NaiveTime, NaiveTime)) -> Self {
        Self {
            days: [true; 7],
            opens,
            closes: Some(closes),
            tz,
        }
    }

    /// Hours from their parts, checked: `days` like "Mon-Fri" or "Mon,Tue,Thu"; `closes`
    /// `None` for midnight.
    pub fn new(
        days: &str,
        opens: NaiveTime,
        closes: Option<NaiveTime>,
        tz: Tz,
    ) -> Result<Self, HoursError> {
        let days = parse_days(days)?;
        if closes.is_some_and(|closes| closes <= opens) {
            return Err(HoursError::ClosesBeforeOpening);
        }
        Ok(Self {
            days,
            opens,
            closes,
            tz,
        })
    }

    /// The same days, all day: for limits counted in working days.
    pub fn whole_days(self) -> Self {
        Self {
            opens: NaiveTime::MIN,
            closes: None,
            ..self
        }
    }

    /// The open days as stored and parsed back: "Mon,Tue,Wed".
    pub fn days_text(&self) -> String {
        DAY_NAMES
            .iter()
            .zip(self.days)
            .filter(|(_, open)| *open)
            .map(|(day, _)| *day)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// "Mon–Fri 08:00–18:00 (Europe/Berlin)".
    pub fn describe(&self) -> String {
        let closes = self
            .closes
            .map_or_else(|| "24:00".to_string(), |t| t.format("%H:%M").to_string());
        format!(
            "{} {}–{closes} ({})",
            describe_days(&self.days),
            self.opens.format("%H:%M"),
            self.tz.name()
        )
    }

    /// The open interval on local `date`, in UTC; `None` on a closed day.
    fn on(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let weekday = usize::try_from(date.weekday().num_days_from_monday()).ok()?;
        if !self.days.get(weekday).copied().unwrap_or(false) {
            return None;
        }
        let start = self.instant(date.and_time(self.opens))?;
        let end = match self.closes {
            Some(closes) => self.instant(date.and_time(closes))?,
            None => self.instant(date.succ_opt()?.and_time(NaiveTime::MIN))?,
        };
        (start < end).then_some((start, end))
    }

    /// A local time as an instant; a time skipped by a clock change counts from just after.
    fn instant(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.tz
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
    }

    /// Open intervals that end after `from`, in order.
    fn intervals(self, from: DateTime<Utc>) -> impl Iterator<Item = Interval> {
        let first = from.with_timezone(&self.tz).date_naive() - Duration::days(1);
        (0..HORIZON_DAYS)
            .filter_map(move |i| first.checked_add_signed(Duration::days(i)))
            .filter_map(move |date| self.on(date))
            .filter(move |(_, end)| *end > from)
    }
}

type Interval = (DateTime<Utc>, DateTime<Utc>);

/// The days of the week as people write them, Monday first.
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn parse_days(text: &str) -> Result<[bool; 7], HoursError> {
    let day = |name: &str| {
        let name = name.trim().to_lowercase();
        DAY_NAMES
            .iter()
            .position(|n| name.starts_with(&n.to_lowercase()))
            .ok_or(HoursError::BadDays)
    };
    let mut days = [false; 7];
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once(['-', '–']) {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                let mut d = from;
                loop {
                    days[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day(part)?] = true,
        }
    }
    if days.iter().any(|open| *open) {
        Ok(days)
    } else {
        Err(HoursError::NoDays)
    }
}

fn describe_days(days: &[bool; 7]) -> String {
    let first = days.iter().position(|d| *d).unwrap_or(0);
    let count = days.iter().filter(|d| **d).count();
    let last = days.iter().rposition(|d| *d).unwrap_or(0);
    if count == 7 {
        "Every day".to_string()
    } else if count > 1 && last - first + 1 == count {
        format!("{}–{}", DAY_NAMES[first], DAY_NAMES[last])
    } else {
        DAY_NAMES
            .iter()
            .zip(days)
            .filter(|(_, open)| **open)
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Open time for one lead: the team's hours, and the person's calling window when calls are
/// what is being scheduled.
#[derive(Debug, Clone, Copy)]
pub struct WorkClock {
    team: Hours,
    window: Hours,
}

impl WorkClock {
    /// The team's hours and the lead's calling `window` in `zone` (the team's own zone when
    /// the lead's phone does not tell theirs); no window: any hour.
    pub fn new(team: Hours, zone: Option<Tz>, window: Option<(NaiveTime, NaiveTime)>) -> Self {
        let tz = zone.unwrap_or(team.tz);
        Self {
            team,
            window: window.map_or(Hours::around_the_clock(tz), |w| {
                Hours::calling_window(tz, w)
            }),
        }
    }

    /// Intervals when both are open, from `from` on; if they never meet (a team whose hours
    /// fall in the person's night), the team's hours alone.
    fn open(&self, from: DateTime<Utc>) -> Box<dyn Iterator<Item = Interval>> {
        let mut both = Intersect {
            a: self.team.intervals(from).peekable(),
            b: self.window.intervals(from).peekable(),
        }
        .peekable();
        if both.peek().is_some() {
            Box::new(both)
        } else {
            Box::new(self.team.intervals(from))
        }
    }

    /// `work` of open time after `from`: with zero, the first open moment at or after it.
    pub fn add(&self, from: DateTime<Utc>, work: Duration) -> DateTime<Utc> {
        let mut left = work.max(Duration::zero());
        for (start, end) in self.open(from) {
            let start = start.max(from);
            if start + left <= end {
                return start + left;
            }
            left -= end - start;
        }
        from + work
    }

    /// The first moment at or after `at` when this lead may be called.
    pub fn next_open(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.add(at, Duration::zero())
    }

    /// How much open time passed between `from` and `to`.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if to <= from {
            return total;
        }
        for (start, end) in self.open(from) {
            if start >= to {
                break;
            }
            total += end.min(to) - start.max(from);
        }
        total
    }
}

/// The intersection of two ordered lists of intervals.
struct Intersect<A: Iterator<Item = Interval>, B: Iterator<Item = Interval>> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<A: Iterator<Item = Interval>, B: Iterator<Item = Interval>> Iterator for Intersect<A, B> {
    type Item = Interval;

    fn next(&mut self) -> Option<Interval> {
        loop {
            let (a_start, a_end) = *self.a.peek()?;
            let (b_start, b_end) = *self.b.peek()?;
            let start = a_start.max(b_start);
            let end = a_end.min(b_end);
            if a_end <= b_end {
                self.a.next();
            } else {
                self.b.next();
            }
            if start < end {
                return Some((start, end));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    const WINDOW: Option<(NaiveTime, NaiveTime)> = Some((
        NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
    ));

    fn berlin_office() -> WorkClock {
        WorkClock::new(Hours::office(chrono_tz::Europe::Berlin), None, WINDOW)
    }

    #[test]
    fn a_lead_at_two_in_the_morning_is_due_five_minutes_after_opening() {
        // Wednesday 02:00 in Berlin (01:00 UTC).
        let due = berlin_office().add(at("2026-11-25T01:00:00Z"), Duration::minutes(5));
        assert_eq!(due, at("2026-11-25T07:05:00Z"), "08:05 Berlin");
    }

    #[test]
    fn a_lead_on_saturday_night_is_due_on_monday_morning_and_nobody_is_warned_over_the_weekend() {
        let clock = berlin_office();
        let saturday_night = at("2026-11-28T22:00:00Z");
        assert_eq!(
            clock.add(saturday_night, Duration::minutes(5)),
            at("2026-11-30T07:05:00Z")
        );
        assert_eq!(
            clock.between(saturday_night, at("2026-11-30T06:59:00Z")),
            Duration::zero()
        );
        assert_eq!(
            clock.between(saturday_night, at("2026-11-30T07:15:00Z")),
            Duration::minutes(15)
        );
    }

    #[test]
    fn the_clock_stops_at_closing_and_runs_on_next_morning() {
        let clock = berlin_office();
        // Friday 17:50 Berlin: ten minutes today, fifty on Monday.
        let friday = at("2026-11-27T16:50:00Z");
        assert_eq!(
            clock.add(friday, Duration::minutes(60)),
            at("2026-11-30T07:50:00Z")
        );
    }

    #[test]
    fn calls_wait_for_the_persons_own_morning() {
        // A team in Berlin open all day; a person in New York.
        let clock = WorkClock::new(
            Hours::around_the_clock(chrono_tz::Europe::Berlin),
            Some(chrono_tz::America::New_York),
            WINDOW,
        );
        // 10:00 Berlin is 04:00 in New York: the call waits for 08:00 there (13:00 UTC).
        assert_eq!(
            clock.next_open(at("2026-11-25T09:00:00Z")),
            at("2026-11-25T13:00:00Z")
        );
    }

    #[test]
    fn when_the_team_and_the_persons_day_never_meet_the_team_hours_rule() {
        // A team open 00:00–06:00 UTC, a person in UTC whose calls start at 08:00.
        let team = Hours::new("Mon-Sun", NaiveTime::MIN, Some(time(6, 0)), chrono_tz::UTC).unwrap();
        let clock = WorkClock::new(team, None, WINDOW);
        assert_eq!(
            clock.next_open(at("2026-11-25T10:00:00Z")),
            at("2026-11-26T00:00:00Z")
        );
    }

    #[test]
    fn a_clock_change_night_is_not_a_problem() {
        // Europe moved its clocks on 2026-03-29; a lead at 02:30 that night (a skipped time).
        let clock = WorkClock::new(
            Hours::around_the_clock(chrono_tz::Europe::Berlin),
            Some(chrono_tz::Europe::Berlin),
            WINDOW,
        );
        let due = clock.add(at("2026-03-29T00:30:00Z"), Duration::minutes(5));
        assert_eq!(due, at("2026-03-29T06:05:00Z"), "08:05 summer time");
    }

    #[test]
    fn days_read_as_people_write_them() {
        assert_eq!(
            parse_days("Mon-Fri").unwrap(),
            [true, true, true, true, true, false, false]
        );
        assert_eq!(
            parse_days("sat, sun").unwrap(),
            [false, false, false, false, false, true, true]
        );
        assert_eq!(
            parse_days("Fri-Mon").unwrap(),
            [true, false, false, false, true, true, true]
        );
        assert_eq!(parse_days(""), Err(HoursError::NoDays));
        assert_eq!(parse_days("Funday"), Err(HoursError::BadDays));
        assert_eq!(
            Hours::office(chrono_tz::Europe::Berlin).describe(),
            "Mon–Fri 08:00–18:00 (Europe/Berlin)"
        );
    }

    #[test]
    fn closing_before_opening_is_refused() {
        assert_eq!(
            Hours::new("Mon-Fri", time(18, 0), Some(time(8, 0)), chrono_tz::UTC),
            Err(HoursError::ClosesBeforeOpening)
        );
    }
}
