//! Closing a lead: won with its amount and date, or dead with a reason from a fixed list and
//! the evidence that reason needs (PRODUCT.md, "Closing as dead").

use crate::domain::lead::{Evidence, Reach};
use crate::domain::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a lead died. Each reason names the evidence it needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum DeadReason {
    /// Needs a logged conversation.
    BoughtElsewhere,
    /// Needs a logged conversation.
    NotABuyer,
    /// Needs a logged conversation, or the person's own request to stop.
    DoNotContact { own_request: bool },
    /// Needs a failed attempt on every channel on file.
    InvalidContact,
    /// Needs the lead it merges into.
    Duplicate { of: String },
}

impl DeadReason {
    /// The stored name of the reason.
    pub fn as_str(&self) -> &'static str {
        match self {
            DeadReason::BoughtElsewhere => "bought_elsewhere",
            DeadReason::NotABuyer => "not_a_buyer",
            DeadReason::DoNotContact { .. } => "do_not_contact",
            DeadReason::InvalidContact => "invalid_contact",
            DeadReason::Duplicate { .. } => "duplicate",
        }
    }

    /// What the close dialog shows.
    pub fn label(&self) -> &'static str {
        match self {
            DeadReason::BoughtElsewhere => "Bought elsewhere",
            DeadReason::NotABuyer => "Not a buyer",
            DeadReason::DoNotContact { .. } => "Do not contact",
            DeadReason::InvalidContact => "Invalid contact data",
            DeadReason::Duplicate { .. } => "Duplicate",
        }
    }

    /// Reads a reason back from its stored parts.
    pub fn from_parts(
        reason: &str,
        own_request: bool,
        duplicate_of: Option<String>,
    ) -> Option<Self> {
        match reason {
            "bought_elsewhere" => Some(DeadReason::BoughtElsewhere),
            "not_a_buyer" => Some(DeadReason::NotABuyer),
            "do_not_contact" => Some(DeadReason::DoNotContact { own_request }),
            "invalid_contact" => Some(DeadReason::InvalidContact),
            "duplicate" => duplicate_of.map(|of| DeadReason::Duplicate { of }),
            _ => None,
        }
    }
}

/// How a lead ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Closure {
    Won { amount: Money, on: NaiveDate },
    Dead(DeadReason),
}

impl fmt::Display for Closure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Closure::Won { amount, on } => write!(f, "won {amount} on {on}"),
            Closure::Dead(DeadReason::Duplicate { of }) => write!(f, "dead: duplicate of {of}"),
            Closure::Dead(DeadReason::DoNotContact { own_request: true }) => {
                f.write_str("dead: do not contact (their own request)")
            }
            Closure::Dead(reason) => write!(f, "dead: {}", reason.label().to_lowercase()),
        }
    }
}

/// Why a closure is refused, in words the rep can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClosureError {
    #[error("This lead has had no call attempt yet — call it before closing.")]
    NeverContacted,
    #[error("Closing as '{0}' needs a conversation: log the connected call or meeting first.")]
    NeedsConversation(&'static str),
    #[error("Do not contact needs a conversation, or the person's own request to stop (tick it and note how they asked).")]
    DoNotContactWithoutGrounds,
    #[error("Note how and when they asked us to stop (for example: \"by email on 3 May\"): it is the evidence for closing this way.")]
    OwnRequestWithoutNote,
    #[error("Invalid contact data needs a failed attempt on every channel on file: {0}.")]
    ChannelsNotTried(String),
    #[error("A lead cannot be a duplicate of itself.")]
    DuplicateOfItself,
    #[error("The sale date cannot be in the future.")]
    SaleInFuture,
    #[error("The sale date must be within the last ten years.")]
    SaleLongAgo,
}

/// The close dialog as submitted: every field is text, some may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseForm {
    /// `won` or `dead`.
    pub outcome: String,
    pub amount: Option<String>,
    /// The sale date, `YYYY-MM-DD`.
    pub sold_on: Option<String>,
    /// One of the stored reason names.
    pub reason: Option<String>,
    /// Set (to anything) when the person asked to stop.
    pub own_request: Option<String>,
    pub duplicate_of: Option<String>,
}

impl CloseForm {
    /// Reads the dialog into a closure, naming every field that is wrong.
    pub fn parse(&self) -> Result<Closure, Vec<crate::domain::intake::FieldError>> {
        use crate::domain::intake::FieldError;
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        match self.outcome.as_str() {
            "won" => {
                let mut errors = Vec::new();
                let amount = match given(&self.amount) {
                    None => {
                        errors.push(FieldError::new("amount", "is required for a won lead"));
                        None
                    }
                    Some(raw) => Money::parse(&raw)
                        .map_err(|e| errors.push(FieldError::new("amount", e.to_string())))
                        .ok(),
                };
                let on = match given(&self.sold_on) {
                    None => {
                        errors.push(FieldError::new("sold_on", "is required for a won lead"));
                        None
                    }
                    Some(raw) => NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
                        .map_err(|_| {
                            errors.push(FieldError::new("sold_on", "is not a date (YYYY-MM-DD)"))
                        })
                        .ok(),
                };
                match (amount, on) {
                    (Some(amount), Some(on)) => Ok(Closure::Won { amount, on }),
                    _ => Err(errors),
                }
            }
            "dead" => {
                let reason = given(&self.reason).unwrap_or_default();
                DeadReason::from_parts(
                    &reason,
                    self.own_request.is_some(),
                    given(&self.duplicate_of),
                )
                .map(Closure::Dead)
                .ok_or_else(|| {
                    vec![if reason == "duplicate" {
                        FieldError::new("duplicate_of", "name the lead this one duplicates")
                    } else {
                        FieldError::new("reason", "choose a reason from the list")
                    }]
                })
            }
            _ => Err(vec![FieldError::new("outcome", "must be won or dead")]),
        }
    }
}

/// The reasons a lead can die, as (stored name, label), in the order the dialog lists them.
pub const DEAD_REASONS: [(&str, &str); 5] = [
    ("bought_elsewhere", "Bought elsewhere"),
    ("not_a_buyer", "Not a buyer"),
    ("do_not_contact", "Do not contact"),
    ("invalid_contact", "Invalid contact data"),
    ("duplicate", "Duplicate"),
];

impl Closure {
    /// Whether the evidence on a lead allows this closure. `today` bounds the sale date.
    pub fn allowed(
        &self,
        evidence: &Evidence,
        reach: Reach,
        today: NaiveDate,
    ) -> Result<(), ClosureError> {
        let reason = match self {
            Closure::Won { on, .. } => {
                return if *on > today {
                    Err(ClosureError::SaleInFuture)
                } else if today
                    .checked_sub_months(chrono::Months::new(120))
                    .is_none_or(|ten_years_ago| *on < ten_years_ago)
                {
                    Err(ClosureError::SaleLongAgo)
                } else {
                    Ok(())
                };
            }
            Closure::Dead(reason) => reason,
        };
        if evidence.attempts == 0
            && !matches!(reason, DeadReason::DoNotContact { own_request: true })
        {
            return Err(ClosureError::NeverContacted);
        }
        let talked = evidence.conversations > 0;
        match reason {
            DeadReason::BoughtElsewhere | DeadReason::NotABuyer if !talked => {
                Err(ClosureError::NeedsConversation(reason.label()))
            }
            DeadReason::DoNotContact { own_request } if !talked && !own_request => {
                Err(ClosureError::DoNotContactWithoutGrounds)
            }
            DeadReason::InvalidContact => {
                let mut missing = Vec::new();
                if reach.phone && evidence.wrong_numbers == 0 {
                    missing.push("log the call that found a wrong number");
                }
                if reach.email && evidence.bounced_emails == 0 {
                    missing.push("log the email that bounced");
                }
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(ClosureError::ChannelsNotTried(missing.join(" and ")))
                }
            }
            _ => Ok(()),
        }
    }

    /// Whether this closure is do-not-contact.
    pub fn is_do_not_contact(&self) -> bool {
        matches!(self, Closure::Dead(DeadReason::DoNotContact { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).expect("a real date")
    }

    fn evidence(attempts: u32, conversations: u32) -> Evidence {
        Evidence {
            attempts,
            conversations,
            ..Evidence::default()
        }
    }

    const BOTH: Reach = Reach {
        phone: true,
        email: true,
        zone: None,
    };

    fn dead(reason: DeadReason) -> Closure {
        Closure::Dead(reason)
    }

    #[test]
    fn a_lead_that_was_never_called_cannot_be_closed_as_dead() {
        assert_eq!(
            dead(DeadReason::NotABuyer).allowed(&evidence(0, 0), BOTH, today()),
            Err(ClosureError::NeverContacted)
        );
        assert_eq!(
            ClosureError::NeverContacted.to_string(),
            "This lead has had no call attempt yet — call it before closing."
        );
    }

    #[test]
    fn bought_elsewhere_and_not_a_buyer_need_a_conversation() {
        for reason in [DeadReason::BoughtElsewhere, DeadReason::NotABuyer] {
            assert!(matches!(
                dead(reason.clone()).allowed(&evidence(3, 0), BOTH, today()),
                Err(ClosureError::NeedsConversation(_))
            ));
            assert_eq!(dead(reason).allowed(&evidence(3, 1), BOTH, today()), Ok(()));
        }
    }

    #[test]
    fn do_not_contact_needs_a_conversation_or_their_own_request() {
        let asked = dead(DeadReason::DoNotContact { own_request: true });
        let not_asked = dead(DeadReason::DoNotContact { own_request: false });
        assert_eq!(
            not_asked.allowed(&evidence(2, 0), BOTH, today()),
            Err(ClosureError::DoNotContactWithoutGrounds)
        );
        assert_eq!(not_asked.allowed(&evidence(2, 1), BOTH, today()), Ok(()));
        assert_eq!(
            asked.allowed(&evidence(0, 0), BOTH, today()),
            Ok(()),
            "a person who asked in writing to stop is never called to check"
        );
    }

    #[test]
    fn invalid_contact_needs_a_failed_attempt_on_every_channel_on_file() {
        let mut tried = evidence(2, 0);
        tried.wrong_numbers = 1;
        let err = dead(DeadReason::InvalidContact)
            .allowed(&tried, BOTH, today())
            .unwrap_err();
        assert!(err.to_string().contains("email that bounced"), "{err}");
        let phone_only = Reach {
            phone: true,
            email: false,
            zone: None,
        };
        assert_eq!(
            dead(DeadReason::InvalidContact).allowed(&tried, phone_only, today()),
            Ok(())
        );
        tried.bounced_emails = 1;
        assert_eq!(
            dead(DeadReason::InvalidContact).allowed(&tried, BOTH, today()),
            Ok(())
        );
    }

    #[test]
    fn a_sale_cannot_be_dated_in_the_future() {
        let amount = Money::parse("500").expect("an amount");
        let tomorrow = today().succ_opt().expect("a date");
        assert_eq!(
            Closure::Won {
                amount,
                on: tomorrow
            }
            .allowed(&evidence(0, 0), BOTH, today()),
            Err(ClosureError::SaleInFuture)
        );
        assert_eq!(
            Closure::Won {
                amount,
                on: today()
            }
            .allowed(&evidence(1, 1), BOTH, today()),
            Ok(())
        );
    }

    #[test]
    fn a_sale_dated_before_any_real_one_is_refused() {
        let amount = Money::parse("500").expect("an amount");
        // today() is 2026-06-01: ten years back is 2016-06-01, which is still allowed.
        let ten_years = NaiveDate::from_ymd_opt(2016, 6, 1).expect("a date");
        assert_eq!(
            Closure::Won {
                amount,
                on: ten_years
            }
            .allowed(&evidence(1, 1), BOTH, today()),
            Ok(())
        );
        for on in ["-0001-12-31", "0001-01-01", "2016-05-31"] {
            let on = NaiveDate::parse_from_str(on, "%Y-%m-%d").expect("a date");
            assert_eq!(
                Closure::Won { amount, on }.allowed(&evidence(1, 1), BOTH, today()),
                Err(ClosureError::SaleLongAgo),
                "{on}"
            );
        }
    }

    #[test]
    fn the_close_dialog_reads_into_a_closure_or_names_the_wrong_fields() {
        let won = CloseForm {
            outcome: "won".into(),
            amount: Some("4,800".into()),
            sold_on: Some("2026-05-30".into()),
            ..CloseForm::default()
        };
        assert!(matches!(won.parse(), Ok(Closure::Won { .. })));
        let bad = CloseForm {
            outcome: "won".into(),
            amount: Some("lots".into()),
            ..CloseForm::default()
        };
        let fields: Vec<_> = bad
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["amount", "sold_on"]);
        let dup = CloseForm {
            outcome: "dead".into(),
            reason: Some("duplicate".into()),
            ..CloseForm::default()
        };
        assert_eq!(dup.parse().unwrap_err()[0].field, "duplicate_of");
        let dnc = CloseForm {
            outcome: "dead".into(),
            reason: Some("do_not_contact".into()),
            own_request: Some("on".into()),
            ..CloseForm::default()
        };
        assert_eq!(
            dnc.parse(),
            Ok(Closure::Dead(DeadReason::DoNotContact {
                own_request: true
            }))
        );
    }

    #[test]
    fn reasons_read_back_from_their_stored_parts() {
        for reason in [
            DeadReason::BoughtElsewhere,
            DeadReason::NotABuyer,
            DeadReason::DoNotContact { own_request: true },
            DeadReason::InvalidContact,
            DeadReason::Duplicate { of: "L1".into() },
        ] {
            let own = matches!(reason, DeadReason::DoNotContact { own_request: true });
            let of = match &reason {
                DeadReason::Duplicate { of } => Some(of.clone()),
                _ => None,
            };
            assert_eq!(
                DeadReason::from_parts(reason.as_str(), own, of),
                Some(reason)
            );
        }
    }
}
