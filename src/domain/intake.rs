//! Turning an inquiry as it arrives (from a web form, an integration or a CSV row) into a
//! checked one, with an error per field a person can act on.

#[cfg(feature = "ssr")]
use crate::domain::contact::{Email, Phone};
#[cfg(feature = "ssr")]
use crate::domain::territory::{country_code, postcode_key, Place};
#[cfg(feature = "ssr")]
use crate::domain::text::{clean, clean_line, clean_name};
use serde::{Deserialize, Serialize};

/// An inquiry as received: every field is optional text; at least one of `email` and `phone`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RawInquiry {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub message: Option<String>,
    pub timeframe: Option<String>,
    /// ISO 3166 code ("DE"); without it, the phone number's country.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
}

/// A checked inquiry: at least one way to reach the person, contact data normalised. (Checked
/// on the server only: the browser build carries no phone-number or email rules.)
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub company: String,
    pub message: String,
    pub timeframe: String,
    /// Where the person is (for territories).
    pub place: Place,
}

#[cfg(feature = "ssr")]
impl Inquiry {
    /// The email as text, if any.
    pub fn email_text(&self) -> Option<&str> {
        self.email.as_ref().map(|e| e.as_str())
    }

    /// The phone as text, if any.
    pub fn phone_text(&self) -> Option<&str> {
        self.phone.as_ref().map(|p| p.as_str())
    }

    /// True when the address is at a free-mail provider.
    pub fn free_mail(&self) -> bool {
        self.email.as_ref().is_some_and(Email::is_free_mail)
    }

    /// The name to show: the person's name, else their email, else their phone.
    pub fn display_name(&self) -> String {
        if !self.name.is_empty() {
            return self.name.clone();
        }
        self.email
            .as_ref()
            .map(|e| e.to_string())
            .or_else(|| self.phone.as_ref().map(|p| p.to_string()))
            .unwrap_or_default()
    }
}

/// What is wrong with one field, in words for the person who filled it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// A field's name in the words of the person filling the form: "Sale date", not `sold_on`.
pub fn field_label(field: &str) -> String {
    let known = match field {
        "sold_on" => Some("Sale date"),
        "duplicate_of" => Some("Duplicate of"),
        "lead_id" | "lead_ids" => Some("Lead"),
        "to" => Some("Rep"),
        "kind" => Some("What happened"),
        "key" => Some("The phone's key for this call"),
        "callback" => Some("Callback time"),
        _ => None,
    };
    if let Some(label) = known {
        return label.to_string();
    }
    let words = field.replace(['_', '[', ']'], " ");
    let words = words.trim();
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
const LIMITS: [(&str, usize); 6] = [
    ("name", 200),
    ("company", 200),
    ("timeframe", 100),
    ("message", 10_000),
    ("region", 100),
    ("postcode", 16),
];

/// A one-line field as typed, cleaned of control and reordering characters.
#[cfg(feature = "ssr")]
fn text(value: Option<String>) -> String {
    value.as_deref().map(clean_line).unwrap_or_default()
}

/// Checks an inquiry. Phone numbers without a country code are read as numbers of
/// `default_region`. Every problem is reported, not just the first.
#[cfg(feature = "ssr")]
pub fn check(raw: RawInquiry, default_region: &str) -> Result<Inquiry, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = raw.name.as_deref().map(clean_name).unwrap_or_default();
    let company = raw.company.as_deref().map(clean_name).unwrap_or_default();
    let message = raw.message.as_deref().map(clean).unwrap_or_default();
    let timeframe = text(raw.timeframe);
    let region = text(raw.region);
    let postcode = text(raw.postcode);
    for (field, value) in [
        ("name", &name),
        ("company", &company),
        ("timeframe", &timeframe),
        ("message", &message),
        ("region", &region),
        ("postcode", &postcode),
    ] {
        let limit = LIMITS
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(usize::MAX, |(_, l)| *l);
        if value.chars().count() > limit {
            errors.push(FieldError::new(
                field,
                format!("is too long (at most {limit} characters)"),
            ));
        }
    }

    // An address with a hidden character in it is refused, not quietly made another address.
    let hidden_in_email = raw
        .email
        .as_deref()
        .is_some_and(|e| e.trim().chars().any(char::is_control));
    let email_text = text(raw.email);
    let phone_text = text(raw.phone);
    let email = match email_text.as_str() {
        "" => None,
        _ if hidden_in_email => {
            errors.push(FieldError::new(
                "email",
                "has a hidden control character in it; type the address again",
            ));
            None
        }
        raw => Email::parse(raw)
            .map_err(|e| errors.push(FieldError::new("email", e.to_string())))
            .ok(),
    };
    let phone = match phone_text.as_str() {
        "" => None,
        raw => Phone::parse(raw, default_region)
            .map_err(|e| errors.push(FieldError::new("phone", e.to_string())))
            .ok(),
    };
    let country = match text(raw.country).as_str() {
        "" => phone.as_ref().and_then(Phone::country),
        typed => country_code(typed).or_else(|| {
            errors.push(FieldError::new(
                "country",
                "is not a country code like US or DE",
            ));
            None
        }),
    };
    if !postcode
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        errors.push(FieldError::new(
            "postcode",
            "is not a postcode (letters, digits, spaces and dashes)",
        ));
    }
    let place = Place {
        country,
        region: Some(region).filter(|r| !r.is_empty()),
        postcode: Some(postcode_key(&postcode)).filter(|p| !p.is_empty()),
    };
    if email_text.is_empty() && phone_text.is_empty() {
        let message = "give an email address or a phone number, so someone can follow up";
        errors.push(FieldError::new("email", message));
        errors.push(FieldError::new("phone", message));
    }

    if errors.is_empty() {
        Ok(Inquiry {
            name,
            email,
            phone,
            company,
            message,
            timeframe,
            place,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_named_in_a_person_s_words() {
        assert_eq!(super::field_label("sold_on"), "Sale date");
        assert_eq!(super::field_label("first_contact"), "First contact");
        assert_eq!(super::field_label("amount"), "Amount");
    }

    use super::*;

    fn raw(email: &str, phone: &str) -> RawInquiry {
        RawInquiry {
            name: Some("Ann Lee".into()),
            email: Some(email.into()),
            phone: Some(phone.into()),
            ..RawInquiry::default()
        }
    }

    #[test]
    fn an_email_with_a_hidden_character_is_refused_not_changed_into_another_address() {
        let errors = check(raw("ann\u{0}@acme.com", ""), "US").unwrap_err();
        assert_eq!(errors[0].field, "email");
        assert!(errors[0].message.contains("hidden control character"));
        assert!(
            check(raw(" ann@acme.com\n", ""), "US").is_ok(),
            "surrounding space is fine"
        );
    }

    #[test]
    fn an_inquiry_with_an_email_only_is_accepted_and_normalised() {
        let inquiry = check(raw(" Ann@Acme.com", ""), "US").unwrap();
        assert_eq!(inquiry.email.unwrap().as_str(), "ann@acme.com");
        assert_eq!(inquiry.phone, None);
    }

    #[test]
    fn an_inquiry_with_no_way_to_reach_anyone_is_refused_on_both_fields() {
        let errors = check(raw("", "  "), "US").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["email", "phone"]);
        assert!(errors[0]
            .message
            .contains("email address or a phone number"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut input = raw("nope", "12");
        input.name = Some("x".repeat(201));
        let errors = check(input, "US").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "email", "phone"]);
    }

    #[test]
    fn a_gmail_inquiry_is_marked_free_mail() {
        assert!(check(raw("a@gmail.com", ""), "US").unwrap().free_mail());
    }

    #[test]
    fn a_nameless_lead_is_shown_by_its_email() {
        let mut input = raw("a@acme.com", "");
        input.name = None;
        assert_eq!(check(input, "US").unwrap().display_name(), "a@acme.com");
    }
}
