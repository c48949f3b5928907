//! The kinds of lead reps tend to drop for reasons that predict nothing (PRODUCT.md, "Why it
//! exists"): no phone, a free-mail address, a repeat inquirer, a long timeframe, an old lead.

use chrono::Duration;
use serde::{Deserialize, Serialize};

/// One dropped-lead segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Segment {
    NoPhone,
    FreeMail,
    RepeatInquirer,
    LongTimeframe,
    OlderThanFourWeeks,
}

impl Segment {
    pub const ALL: [Segment; 5] = [
        Segment::NoPhone,
        Segment::FreeMail,
        Segment::RepeatInquirer,
        Segment::LongTimeframe,
        Segment::OlderThanFourWeeks,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Segment::NoPhone => "No phone",
            Segment::FreeMail => "Free-mail",
            Segment::RepeatInquirer => "Repeat inquirer",
            Segment::LongTimeframe => "Timeframe > 3 months",
            Segment::OlderThanFourWeeks => "Older than 4 weeks",
        }
    }
}

/// Which segments a lead was in when a rep was given it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SegmentFlags {
    pub no_phone: bool,
    pub free_mail: bool,
    pub repeat_inquirer: bool,
    pub long_timeframe: bool,
    pub older_than_4w: bool,
}

impl SegmentFlags {
    /// The flags of a lead of age `age` with the given contact facts and stated timeframe.
    pub fn of(
        has_phone: bool,
        free_mail: bool,
        repeat_inquirer: bool,
        timeframe: &str,
        age: Duration,
    ) -> Self {
        Self {
            no_phone: !has_phone,
            free_mail,
            repeat_inquirer,
            long_timeframe: is_long_timeframe(timeframe),
            older_than_4w: age >= Duration::weeks(4),
        }
    }

    pub fn has(self, segment: Segment) -> bool {
        match segment {
            Segment::NoPhone => self.no_phone,
            Segment::FreeMail => self.free_mail,
            Segment::RepeatInquirer => self.repeat_inquirer,
            Segment::LongTimeframe => self.long_timeframe,
            Segment::OlderThanFourWeeks => self.older_than_4w,
        }
    }
}

/// True when a stated buying timeframe (free text from a web form) means no purchase within
/// the next three months: "3-6 months", "next year", "just researching". Unknown or vague
/// answers ("not sure", "") are not counted as long.
pub fn is_long_timeframe(text: &str) -> bool {
    let text = text.to_lowercase();
    const SOON: [&str; 9] = [
        "now",
        "asap",
        "immediate",
        "urgent",
        "today",
        "this week",
        "this month",
        "this quarter",
        "within",
    ];
    const LATER: [&str; 6] = [
        "next year",
        "researching",
        "someday",
        "some day",
        "no rush",
        "later",
    ];
    if let Some(months) = earliest_months(&text) {
        return months >= 3.0;
    }
    if SOON.iter().any(|w| text.contains(w)) {
        return false;
    }
    LATER.iter().any(|w| text.contains(w))
}

/// The earliest time named in `text`, in months: "3-6 months" → 3, "2 weeks" → 0.5; 0 when it
/// is an upper limit ("within 3 months", "under 2 months", "< 1 year").
fn earliest_months(text: &str) -> Option<f64> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '-' || c == '–')
        .filter(|w| !w.is_empty())
        .collect();
    let number_at = words.iter().position(|w| w.parse::<f64>().is_ok())?;
    let number: f64 = words[number_at].parse().ok()?;
    let unit = words[number_at + 1..]
        .iter()
        .find_map(|w| unit_months(w.trim_matches(|c: char| !c.is_alphabetic())))?;
    let upper_limit = words[..number_at].iter().any(|w| {
        ["within", "under", "<", "less", "before", "by", "max"]
            .iter()
            .any(|limit| w.contains(limit))
    });
    Some(if upper_limit { 0.0 } else { number * unit })
}

fn unit_months(word: &str) -> Option<f64> {
    let word = word.trim_end_matches('s');
    match word {
        "day" => Some(1.0 / 30.0),
        "week" | "wk" => Some(12.0 / 52.0),
        "month" | "mo" | "mth" => Some(1.0),
        "quarter" => Some(3.0),
        "year" | "yr" => Some(12.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_timeframes_are_those_beyond_three_months() {
        for long in [
            "3-6 months",
            "6-12 months",
            "6 months",
            "next year",
            "1 year",
            "just researching",
            "in 2 quarters",
            "4–5 months",
        ] {
            assert!(is_long_timeframe(long), "{long} is long");
        }
        for soon in [
            "now",
            "ASAP",
            "within 3 months",
            "1-3 months",
            "2 weeks",
            "this quarter",
            "under 6 months",
            "",
            "not sure",
        ] {
            assert!(!is_long_timeframe(soon), "{soon} is not long");
        }
    }

    #[test]
    fn flags_follow_the_lead_as_given() {
        let flags = SegmentFlags::of(false, true, false, "3-6 months", Duration::days(29));
        assert!(flags.has(Segment::NoPhone));
        assert!(flags.has(Segment::FreeMail));
        assert!(!flags.has(Segment::RepeatInquirer));
        assert!(flags.has(Segment::LongTimeframe));
        assert!(flags.has(Segment::OlderThanFourWeeks));
        let fresh = SegmentFlags::of(true, false, true, "now", Duration::days(27));
        assert!(!fresh.has(Segment::OlderThanFourWeeks));
        assert!(fresh.has(Segment::RepeatInquirer));
    }
}
