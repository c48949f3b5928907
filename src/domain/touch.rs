//! Touches: every contact with a lead that gets logged. Only call attempts and meetings count
//! as follow-up; only a connected call or a meeting is a conversation (PRODUCT.md, "Touches").

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a call attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Connected,
    NoAnswer,
    Voicemail,
    Busy,
    WrongNumber,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 5] = [
        CallOutcome::Connected,
        CallOutcome::NoAnswer,
        CallOutcome::Voicemail,
        CallOutcome::Busy,
        CallOutcome::WrongNumber,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Connected => "connected",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::Voicemail => "voicemail",
            CallOutcome::Busy => "busy",
            CallOutcome::WrongNumber => "wrong_number",
        }
    }

    /// What the rep reads on the button and in the history.
    pub fn label(self) -> &'static str {
        match self {
            CallOutcome::Connected => "Connected",
            CallOutcome::NoAnswer => "No answer",
            CallOutcome::Voicemail => "Left voicemail",
            CallOutcome::Busy => "Busy",
            CallOutcome::WrongNumber => "Wrong number",
        }
    }
}

impl FromStr for CallOutcome {
    type Err = UnknownTouch;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CallOutcome::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == s)
            .ok_or_else(|| UnknownTouch(s.to_string()))
    }
}

/// A text that names no touch kind or call outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a kind of touch Leadline knows")]
pub struct UnknownTouch(pub String);

/// A non-sales touch marketing sends to a nurtured lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NurtureKind {
    Content,
    Newsletter,
    EventInvite,
    PersonalEmail,
}

impl NurtureKind {
    pub const ALL: [NurtureKind; 4] = [
        NurtureKind::Content,
        NurtureKind::Newsletter,
        NurtureKind::EventInvite,
        NurtureKind::PersonalEmail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NurtureKind::Content => "content",
            NurtureKind::Newsletter => "newsletter",
            NurtureKind::EventInvite => "event_invite",
            NurtureKind::PersonalEmail => "personal_email",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NurtureKind::Content => "Content sent",
            NurtureKind::Newsletter => "Newsletter",
            NurtureKind::EventInvite => "Event invite",
            NurtureKind::PersonalEmail => "Personal email",
        }
    }
}

impl FromStr for NurtureKind {
    type Err = UnknownTouch;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NurtureKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownTouch(s.to_string()))
    }
}

/// One logged contact with a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "outcome")]
pub enum Touch {
    Call(CallOutcome),
    Meeting,
    Sms,
    /// An email sent; `bounced` when it came back undeliverable.
    Email {
        bounced: bool,
    },
    /// Marketing's touch on a nurtured lead: never follow-up.
    Nurture(NurtureKind),
}

impl Touch {
    /// Call attempts and meetings count toward the first-contact SLA and the cadence.
    pub fn is_follow_up(self) -> bool {
        matches!(self, Touch::Call(_) | Touch::Meeting)
    }

    /// A connected call or a meeting is a live conversation; nothing else is.
    pub fn is_conversation(self) -> bool {
        matches!(self, Touch::Call(CallOutcome::Connected) | Touch::Meeting)
    }

    /// The stored kind: `call`, `meeting`, `sms` or `email`.
    pub fn kind_str(self) -> &'static str {
        match self {
            Touch::Call(_) => "call",
            Touch::Meeting => "meeting",
            Touch::Sms => "sms",
            Touch::Email { .. } => "email",
            Touch::Nurture(_) => "nurture",
        }
    }

    /// The stored outcome: a call's outcome, or `bounced` for an email that came back.
    pub fn outcome_str(self) -> Option<&'static str> {
        match self {
            Touch::Call(outcome) => Some(outcome.as_str()),
            Touch::Email { bounced: true } => Some("bounced"),
            Touch::Nurture(kind) => Some(kind.as_str()),
            _ => None,
        }
    }

    /// Reads a touch back from its stored kind and outcome.
    pub fn from_parts(kind: &str, outcome: Option<&str>) -> Result<Self, UnknownTouch> {
        match (kind, outcome) {
            ("call", Some(outcome)) => outcome.parse().map(Touch::Call),
            ("meeting", _) => Ok(Touch::Meeting),
            ("sms", _) => Ok(Touch::Sms),
            ("email", outcome) => Ok(Touch::Email {
                bounced: outcome == Some("bounced"),
            }),
            ("nurture", Some(kind)) => kind.parse().map(Touch::Nurture),
            _ => Err(UnknownTouch(kind.to_string())),
        }
    }
}

impl fmt::Display for Touch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Touch::Call(outcome) => write!(f, "Call: {}", outcome.label()),
            Touch::Meeting => f.write_str("Meeting"),
            Touch::Sms => f.write_str("SMS"),
            Touch::Email { bounced: false } => f.write_str("Email"),
            Touch::Email { bounced: true } => f.write_str("Email: bounced"),
            Touch::Nurture(kind) => write!(f, "Nurture: {}", kind.label()),
        }
    }
}

/// The most leads one bulk nurture touch may name.
pub const MAX_BULK: usize = 1_000;

/// Checks the key a phone made for one touch (8 to 64 letters, digits, `-` or `_`), so a touch
/// sent twice is logged once.
pub fn client_key(key: &str) -> Result<&str, crate::domain::intake::FieldError> {
    let fits = (8..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fits {
        Ok(key)
    } else {
        Err(crate::domain::intake::FieldError::new(
            "key",
            "must be 8 to 64 letters, digits, '-' or '_'",
        ))
    }
}

/// The longest note kept with a touch.
pub const MAX_TOUCH_NOTE: usize = 2_000;

/// A note typed with a touch, made fit to keep: cleaned (see [`crate::domain::text::clean`])
/// and at most [`MAX_TOUCH_NOTE`] characters.
pub fn note(text: &str) -> Result<String, crate::domain::intake::FieldError> {
    let note = crate::domain::text::clean(text);
    if note.chars().count() > MAX_TOUCH_NOTE {
        return Err(crate::domain::intake::FieldError::new(
            "note",
            format!("is too long (at most {MAX_TOUCH_NOTE} characters)"),
        ));
    }
    Ok(note)
}

/// The callback time a rep chose: empty for none; a time with its offset (as a phone sends it,
/// "2026-11-27T15:00:00.000Z"), or a plain "2026-11-27T15:00" read in the team's time zone (a
/// form without JavaScript).
pub fn callback_time(
    text: &str,
    team_zone: chrono_tz::Tz,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, crate::domain::intake::FieldError> {
    use chrono::{NaiveDateTime, TimeZone, Utc};
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(|local| team_zone.from_local_datetime(&local).earliest())
        .map(|at| Some(at.with_timezone(&Utc)))
        .ok_or_else(|| {
            crate::domain::intake::FieldError::new(
                "callback",
                "must be a date and time, such as 2026-11-27 15:00",
            )
        })
}

/// The leads a bulk nurture touch names (`lead_ids` comma-separated): each once, in the
/// order given, and at most [`MAX_BULK`].
pub fn chosen_leads(text: &str) -> Result<Vec<String>, crate::domain::intake::FieldError> {
    let mut ids: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for id in text.split(',').map(str::trim).filter(|id| !id.is_empty()) {
        if seen.insert(id) {
            if ids.len() == MAX_BULK {
                return Err(crate::domain::intake::FieldError::new(
                    "lead_ids",
                    format!("choose at most {MAX_BULK} leads at a time"),
                ));
            }
            ids.push(id.to_string());
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod callback_tests {
    use super::*;

    #[test]
    fn a_callback_time_is_read_with_its_offset_or_in_the_team_zone() {
        let berlin = chrono_tz::Europe::Berlin;
        let at = callback_time("2026-11-27T14:00:00.000Z", berlin)
            .unwrap()
            .unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-27T14:00:00+00:00");
        let at = callback_time("2026-11-27T15:00", berlin).unwrap().unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-27T14:00:00+00:00");
        assert_eq!(callback_time("  ", berlin), Ok(None));
        for bad in ["tomorrow", "2026-13-01T10:00", "<script>"] {
            assert_eq!(
                callback_time(bad, berlin).unwrap_err().field,
                "callback",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_touch_note_is_cleaned_and_kept_short() {
        assert_eq!(
            note(" Asked for a quote\u{7} ").unwrap(),
            "Asked for a quote"
        );
        assert!(note(&"x".repeat(MAX_TOUCH_NOTE)).is_ok());
        assert_eq!(
            note(&"x".repeat(MAX_TOUCH_NOTE + 1)).unwrap_err().field,
            "note"
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_touch_key_is_a_short_plain_token() {
        assert!(super::client_key("0f3a9c2e7b1d4a60").is_ok());
        assert!(super::client_key("short").is_err());
        assert!(super::client_key(&"x".repeat(65)).is_err());
        assert!(super::client_key("<script>alert(1)</script>").is_err());
    }

    use super::*;

    #[test]
    fn a_lead_chosen_twice_is_touched_once() {
        assert_eq!(
            chosen_leads("a, b,a,,c ,b").unwrap(),
            vec!["a".to_string(), "b".to_string(), "c".to_string()]
        );
    }

    #[test]
    fn more_than_a_thousand_leads_at_once_are_refused() {
        let many = (0..=MAX_BULK)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let err = chosen_leads(&many).unwrap_err();
        assert_eq!(err.message, "choose at most 1000 leads at a time");
        let same = vec!["x"; 20_000].join(",");
        assert_eq!(chosen_leads(&same).unwrap().len(), 1);
    }

    #[test]
    fn an_email_is_not_follow_up() {
        assert!(!Touch::Email { bounced: false }.is_follow_up());
        assert!(!Touch::Sms.is_follow_up());
    }

    #[test]
    fn every_call_attempt_is_follow_up_but_only_a_connected_one_is_a_conversation() {
        for outcome in CallOutcome::ALL {
            assert!(Touch::Call(outcome).is_follow_up());
            assert_eq!(
                Touch::Call(outcome).is_conversation(),
                outcome == CallOutcome::Connected
            );
        }
        assert!(Touch::Meeting.is_conversation());
    }

    #[test]
    fn a_touch_reads_back_from_its_stored_parts() {
        for touch in [
            Touch::Call(CallOutcome::Voicemail),
            Touch::Meeting,
            Touch::Sms,
            Touch::Email { bounced: false },
            Touch::Email { bounced: true },
            Touch::Nurture(NurtureKind::EventInvite),
        ] {
            assert_eq!(
                Touch::from_parts(touch.kind_str(), touch.outcome_str()),
                Ok(touch)
            );
        }
    }

    #[test]
    fn a_call_without_an_outcome_is_refused() {
        assert!(Touch::from_parts("call", None).is_err());
        assert!(Touch::from_parts("call", Some("hung_up")).is_err());
    }
}
