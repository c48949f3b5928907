//! The follow-up policy as the admin screen edits it: every field as typed, checked into a
//! [`Policy`] as a whole (no zero or negative spans, the warning before the reassignment, the
//! cadence in order), and each change described for the audit log.

use crate::domain::cadence::Policy;
use crate::domain::hours::Hours;
use crate::domain::intake::FieldError;
use chrono::{Duration, NaiveTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The longest span any policy setting may have: a year.
const MAX_SPAN_DAYS: i64 = 366;
/// The most open leads one rep may be given.
pub const MAX_CAPACITY: u32 = 10_000;

/// The policy's fields as typed. Spans read as people write them: "5", "5 min", "2 h",
/// "3 days", "1 week" (a bare number is minutes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub first_contact: String,
    pub warn_after: String,
    pub reassign_after: String,
    /// When attempts 2.. are due after the first: "1 h, 1 day, 3 days".
    pub later_attempts: String,
    pub voicemail_attempts: String,
    pub after_conversation: String,
    pub nurture_every: String,
    pub hoard_after: String,
    pub rep_capacity: String,
    /// "Mon-Fri" or "Mon,Tue,Thu".
    pub work_days: String,
    pub opens: String,
    /// "18:00", or "24:00" for midnight.
    pub closes: String,
    /// "Europe/Berlin".
    pub timezone: String,
    /// Empty (with `calling_closes`): calls at any hour.
    pub calling_opens: String,
    pub calling_closes: String,
}

/// A span as people say it: "5 min", "1 h 30 min", "2 days", "1 week".
pub fn span_text(span: Duration) -> String {
    let minutes = span.num_minutes();
    let (weeks, days, hours, mins) = (
        minutes / (7 * 1440),
        minutes / 1440,
        minutes % 1440 / 60,
        minutes % 60,
    );
    let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if minutes > 0 && minutes % (7 * 1440) == 0 {
        return plural(weeks, "week", "weeks");
    }
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(plural(days, "day", "days"));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if mins > 0 || parts.is_empty() {
        parts.push(format!("{mins} min"));
    }
    parts.join(" ")
}

/// Reads a span such as "90", "90 min", "1 h 30 min", "2 days" or "1 week".
pub fn parse_span(text: &str) -> Result<Duration, &'static str> {
    const HOW: &str = "is not a length of time like 5 min, 2 h or 3 days";
    let text = text.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err("is required");
    }
    if text.starts_with('-') {
        return Err("must be more than zero");
    }
    let mut total: i64 = 0;
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(HOW);
        }
        let number: i64 = rest[..digits].parse().map_err(|_| HOW)?;
        rest = rest[digits..].trim_start();
        let unit_len = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let minutes_per = match &rest[..unit_len] {
            "" | "m" | "min" | "mins" | "minute" | "minutes" => 1,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60,
            "d" | "day" | "days" => 1440,
            "w" | "wk" | "week" | "weeks" => 7 * 1440,
            _ => return Err(HOW),
        };
        total = number
            .checked_mul(minutes_per)
            .and_then(|m| total.checked_add(m))
            .ok_or("is longer than a year")?;
        rest = rest[unit_len..].trim_start_matches([' ', ',']);
    }
    match total {
        0 => Err("must be more than zero"),
        m if m > MAX_SPAN_DAYS * 1440 => Err("is longer than a year"),
        m => Ok(Duration::minutes(m)),
    }
}

/// "08:00" as a time; "24:00" (midnight at the end of the day) as `None`.
pub fn parse_clock_time(text: &str) -> Result<Option<NaiveTime>, &'static str> {
    match text.trim() {
        "24:00" => Ok(None),
        t => NaiveTime::parse_from_str(t, "%H:%M")
            .map(Some)
            .map_err(|_| "is not a time like 08:00"),
    }
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl PolicyForm {
    /// The form filled in with `policy`.
    pub fn of(policy: &Policy) -> Self {
        let (calling_opens, calling_closes) = policy
            .calling_window
            .map_or_else(Default::default, |(o, c)| (hhmm(o), hhmm(c)));
        Self {
            first_contact: span_text(policy.first_contact),
            warn_after: span_text(policy.warn_after),
            reassign_after: span_text(policy.reassign_after),
            later_attempts: policy
                .later_attempts
                .iter()
                .map(|d| span_text(*d))
                .collect::<Vec<_>>()
                .join(", "),
            voicemail_attempts: policy.voicemail_attempts.to_string(),
            after_conversation: span_text(policy.after_conversation),
            nurture_every: span_text(policy.nurture_every),
            hoard_after: span_text(policy.hoard_after),
            rep_capacity: policy.rep_capacity.to_string(),
            work_days: policy.hours.days_text(),
            opens: hhmm(policy.hours.opens),
            closes: policy
                .hours
                .closes
                .map_or_else(|| "24:00".to_string(), hhmm),
            timezone: policy.hours.tz.name().to_string(),
            calling_opens,
            calling_closes,
        }
    }

    /// The policy the form describes, or every field that is wrong and why.
    pub fn parse(&self) -> Result<Policy, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut span = |field: &str, text: &str| {
            parse_span(text)
                .map_err(|e| errors.push(FieldError::new(field, e)))
                .ok()
        };
        let first_contact = span("first_contact", &self.first_contact);
        let warn_after = span("warn_after", &self.warn_after);
        let reassign_after = span("reassign_after", &self.reassign_after);
        let after_conversation = span("after_conversation", &self.after_conversation);
        let nurture_every = span("nurture_every", &self.nurture_every);
        let hoard_after = span("hoard_after", &self.hoard_after);
        let later_attempts = self.later_attempts();
        if let (Some(first), Some(warn)) = (first_contact, warn_after) {
            if warn < first {
                errors.push(FieldError::new(
                    "warn_after",
                    "must not come before the first call is due",
                ));
            }
        }
        if let (Some(warn), Some(reassign)) = (warn_after, reassign_after) {
            if reassign <= warn {
                errors.push(FieldError::new(
                    "reassign_after",
                    "must come after the manager is warned",
                ));
            }
        }
        let later_attempts = later_attempts
            .map_err(|message| errors.push(FieldError::new("later_attempts", message)))
            .ok();
        // Checked against the cadence only when the cadence itself reads.
        let cadence_len = later_attempts.as_ref().map_or(usize::MAX, |l| l.len() + 1);
        let voicemail_attempts = match self.voicemail_attempts.trim().parse::<u32>() {
            Ok(n) if usize::try_from(n).is_ok_and(|n| n <= cadence_len) => Some(n),
            Ok(_) => {
                errors.push(FieldError::new(
                    "voicemail_attempts",
                    format!("must be at most the {cadence_len} attempts of the cadence"),
                ));
                None
            }
            Err(_) => {
                errors.push(FieldError::new(
                    "voicemail_attempts",
                    "is not a whole number",
                ));
                None
            }
        };
        let rep_capacity = match self.rep_capacity.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_CAPACITY).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError::new(
                    "rep_capacity",
                    format!("must be a whole number from 1 to {MAX_CAPACITY}"),
                ));
                None
            }
        };
        let hours = self
            .hours()
            .map_err(|(field, message)| errors.push(FieldError::new(field, message)))
            .ok();
        let calling_window = self
            .calling_window()
            .map_err(|(field, message)| errors.push(FieldError::new(field, message)))
            .ok();
        match (
            first_contact,
            warn_after,
            reassign_after,
            later_attempts,
            voicemail_attempts,
            after_conversation,
            nurture_every,
            hoard_after,
            rep_capacity,
            hours,
            calling_window,
        ) {
            (
                Some(first_contact),
                Some(warn_after),
                Some(reassign_after),
                Some(later_attempts),
                Some(voicemail_attempts),
                Some(after_conversation),
                Some(nurture_every),
                Some(hoard_after),
                Some(rep_capacity),
                Some(hours),
                Some(calling_window),
            ) if errors.is_empty() => Ok(Policy {
                first_contact,
                warn_after,
                reassign_after,
                later_attempts,
                voicemail_attempts,
                after_conversation,
                nurture_every,
                hoard_after,
                rep_capacity,
                hours,
                calling_window,
            }),
            _ => Err(errors),
        }
    }

    fn later_attempts(&self) -> Result<Vec<Duration>, String> {
        let spans = self
            .later_attempts
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_span(s).map_err(|e| format!("'{s}' {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        if spans.windows(2).any(|pair| pair[1] <= pair[0]) {
            return Err("each attempt must come later than the one before".to_string());
        }
        if spans.len() > 20 {
            return Err("may have at most 20 later attempts".to_string());
        }
        Ok(spans)
    }

    fn hours(&self) -> Result<Hours, (&'static str, String)> {
        let tz = self.timezone.trim().parse::<Tz>().map_err(|_| {
            (
                "timezone",
                "is not a time zone like Europe/Berlin".to_string(),
            )
        })?;
        let opens = parse_clock_time(&self.opens)
            .map_err(|e| ("opens", e.to_string()))?
            .ok_or(("opens", "must be before midnight".to_string()))?;
        let closes = parse_clock_time(&self.closes).map_err(|e| ("closes", e.to_string()))?;
        Hours::new(&self.work_days, opens, closes, tz).map_err(|e| {
            let field = match e {
                crate::domain::hours::HoursError::ClosesBeforeOpening => "closes",
                _ => "work_days",
            };
            (field, e.to_string())
        })
    }

    fn calling_window(&self) -> Result<Option<(NaiveTime, NaiveTime)>, (&'static str, String)> {
        let (opens, closes) = (self.calling_opens.trim(), self.calling_closes.trim());
        if opens.is_empty() && closes.is_empty() {
            return Ok(None);
        }
        let time = |field: &'static str, text: &str| {
            parse_clock_time(text)
                .map_err(|e| (field, e.to_string()))?
                .ok_or((field, "must be before midnight".to_string()))
        };
        let (opens, closes) = (
            time("calling_opens", opens)?,
            time("calling_closes", closes)?,
        );
        if closes <= opens {
            return Err((
                "calling_closes",
                "must be after the window opens".to_string(),
            ));
        }
        Ok(Some((opens, closes)))
    }
}

/// What changed between two policies, one phrase per setting: "first call due 5 min → 10 min".
pub fn changes(before: &Policy, after: &Policy) -> Vec<String> {
    let (old, new) = (PolicyForm::of(before), PolicyForm::of(after));
    let fields: [(&str, &String, &String); 15] = [
        ("first call due", &old.first_contact, &new.first_contact),
        ("manager warned", &old.warn_after, &new.warn_after),
        ("reassigned", &old.reassign_after, &new.reassign_after),
        ("later attempts", &old.later_attempts, &new.later_attempts),
        (
            "voicemail on attempts up to",
            &old.voicemail_attempts,
            &new.voicemail_attempts,
        ),
        (
            "follow-up after a conversation",
            &old.after_conversation,
            &new.after_conversation,
        ),
        (
            "nurture touch every",
            &old.nurture_every,
            &new.nurture_every,
        ),
        ("hoarding limit", &old.hoard_after, &new.hoard_after),
        ("rep capacity", &old.rep_capacity, &new.rep_capacity),
        ("working days", &old.work_days, &new.work_days),
        ("opens", &old.opens, &new.opens),
        ("closes", &old.closes, &new.closes),
        ("time zone", &old.timezone, &new.timezone),
        (
            "calling window opens",
            &old.calling_opens,
            &new.calling_opens,
        ),
        (
            "calling window closes",
            &old.calling_closes,
            &new.calling_closes,
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(what, a, b)| {
            let show = |s: &String| {
                if s.is_empty() {
                    "any hour".to_string()
                } else {
                    s.clone()
                }
            };
            format!("{what} {} → {}", show(a), show(b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(result: Result<Policy, Vec<FieldError>>) -> Vec<String> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn spans_read_as_people_write_them() {
        assert_eq!(parse_span("5"), Ok(Duration::minutes(5)));
        assert_eq!(parse_span(" 2 h "), Ok(Duration::hours(2)));
        assert_eq!(parse_span("1 h 30 min"), Ok(Duration::minutes(90)));
        assert_eq!(parse_span("3 Days"), Ok(Duration::days(3)));
        assert_eq!(parse_span("1 week"), Ok(Duration::days(7)));
        assert_eq!(parse_span("0"), Err("must be more than zero"));
        assert_eq!(parse_span("-5"), Err("must be more than zero"));
        assert_eq!(parse_span(""), Err("is required"));
        assert!(parse_span("soon").is_err());
        assert!(parse_span("5 fortnights").is_err());
        assert_eq!(
            parse_span("99999999999999999999"),
            Err("is not a length of time like 5 min, 2 h or 3 days")
        );
        assert_eq!(parse_span("400 days"), Err("is longer than a year"));
    }

    #[test]
    fn spans_are_written_as_people_say_them() {
        assert_eq!(span_text(Duration::minutes(5)), "5 min");
        assert_eq!(span_text(Duration::minutes(90)), "1 h 30 min");
        assert_eq!(span_text(Duration::days(1)), "1 day");
        assert_eq!(span_text(Duration::days(2)), "2 days");
        assert_eq!(span_text(Duration::days(14)), "2 weeks");
        assert_eq!(span_text(Duration::minutes(1500)), "1 day 1 h");
    }

    #[test]
    fn the_default_policy_reads_back_from_its_own_form() {
        let policy = Policy::default();
        assert_eq!(PolicyForm::of(&policy).parse(), Ok(policy));
    }

    #[test]
    fn zero_or_negative_spans_are_refused_field_by_field() {
        let form = PolicyForm {
            first_contact: "0".into(),
            hoard_after: "-3 days".into(),
            nurture_every: "never".into(),
            ..PolicyForm::of(&Policy::default())
        };
        assert_eq!(
            fields(form.parse()),
            ["first_contact", "nurture_every", "hoard_after"]
        );
    }

    #[test]
    fn the_warning_must_come_before_the_reassignment() {
        let form = PolicyForm {
            warn_after: "1 h".into(),
            reassign_after: "30 min".into(),
            ..PolicyForm::of(&Policy::default())
        };
        assert_eq!(fields(form.parse()), ["reassign_after"]);
        let early = PolicyForm {
            first_contact: "30 min".into(),
            warn_after: "10 min".into(),
            ..PolicyForm::of(&Policy::default())
        };
        assert_eq!(fields(early.parse()), ["warn_after"]);
    }

    #[test]
    fn a_cadence_out_of_order_capacity_of_zero_and_bad_hours_are_each_named() {
        let form = PolicyForm {
            later_attempts: "1 day, 1 h".into(),
            rep_capacity: "0".into(),
            timezone: "Mars/Olympus".into(),
            calling_opens: "21:00".into(),
            calling_closes: "08:00".into(),
            ..PolicyForm::of(&Policy::default())
        };
        assert_eq!(
            fields(form.parse()),
            [
                "later_attempts",
                "rep_capacity",
                "timezone",
                "calling_closes"
            ]
        );
    }

    #[test]
    fn no_calling_window_means_calls_at_any_hour() {
        let form = PolicyForm {
            calling_opens: String::new(),
            calling_closes: String::new(),
            ..PolicyForm::of(&Policy::default())
        };
        assert_eq!(form.parse().map(|p| p.calling_window), Ok(None));
    }

    #[test]
    fn a_change_is_described_setting_by_setting() {
        let before = Policy::default();
        let after = Policy {
            first_contact: Duration::minutes(10),
            rep_capacity: 40,
            ..before.clone()
        };
        assert_eq!(
            changes(&before, &after),
            ["first call due 5 min → 10 min", "rep capacity 150 → 40"]
        );
        assert!(changes(&before, &before).is_empty());
    }

    proptest! {
        #[test]
        fn any_span_reads_back_from_how_it_is_written(minutes in 1i64..(366 * 1440)) {
            prop_assert_eq!(parse_span(&span_text(Duration::minutes(minutes))), Ok(Duration::minutes(minutes)));
        }

        #[test]
        fn no_typed_text_makes_the_form_panic(text in "\\PC{0,24}") {
            let form = PolicyForm {
                first_contact: text.clone(),
                later_attempts: text.clone(),
                rep_capacity: text.clone(),
                opens: text.clone(),
                calling_opens: text,
                ..PolicyForm::of(&Policy::default())
            };
            let _ = form.parse();
        }
    }
}
