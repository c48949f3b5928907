//! Contact details that are valid by construction: a lowercased, checked email address and a
//! phone number in E.164 form. Once one of these exists it is valid; `parse` is the only way in.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed, lowercased and checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

/// Why a text is not a usable email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is not an email address (expected something like name@company.com)")]
    Malformed,
    #[error("is too long (at most 254 characters)")]
    TooLong,
}

impl Email {
    /// Normalises and checks an email address as a person typed it.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let normalised = raw.trim().to_lowercase();
        if normalised.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let domain_has_dot = normalised
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        if !domain_has_dot || !email_address::EmailAddress::is_valid(&normalised) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// True for addresses at a free-mail provider (gmail, hotmail, …): a segment reps drop
    /// for no good reason, so boards watch it.
    pub fn is_free_mail(&self) -> bool {
        is_free_mail_domain(self.domain())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Providers anyone can sign up to for free. Country variants (yahoo.co.uk, hotmail.fr …) are
/// matched by their first label.
const FREE_MAIL_EXACT: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "mail.com",
    "zoho.com",
    "fastmail.com",
    "hey.com",
    "qq.com",
    "163.com",
    "126.com",
    "web.de",
    "gmx.net",
    "gmx.com",
    "mail.ru",
    "tutanota.com",
];
const FREE_MAIL_FIRST_LABEL: &[&str] = &["hotmail", "yahoo", "ymail", "gmx", "yandex", "outlook"];

fn is_free_mail_domain(domain: &str) -> bool {
    FREE_MAIL_EXACT.contains(&domain)
        || domain
            .split('.')
            .next()
            .is_some_and(|first| FREE_MAIL_FIRST_LABEL.contains(&first))
}

/// A phone number in E.164 form (`+14155550123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

/// Why a text is not a callable phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is not a phone number we can call (include the country code, e.g. +1 415 555 0123)")]
    Unparseable,
    #[error("is not a valid number for its country")]
    Invalid,
}

impl Phone {
    /// Parses a number as typed. Numbers without a `+country` prefix are read as numbers of
    /// `default_region` (an ISO 3166 code such as `US` or `GB`).
    pub fn parse(raw: &str, default_region: &str) -> Result<Self, PhoneError> {
        let region = default_region.parse::<phonenumber::country::Id>().ok();
        let number = phonenumber::parse(region, raw.trim()).map_err(|_| PhoneError::Unparseable)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::Invalid);
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// The number's country (ISO 3166 code, "DE").
    pub fn country(&self) -> Option<String> {
        let number = phonenumber::parse(None, &self.0).ok()?;
        Some(format!("{:?}", number.country().id()?))
    }

    /// The time zone the person lives in, where the number tells it: its country keeps one
    /// clock (Germany, Japan; not the United States, whose zones the number alone cannot tell).
    pub fn zone(&self) -> Option<chrono_tz::Tz> {
        super::zones::zone_of(&self.country()?, None)
    }

    /// Wraps a number already stored in E.164 form (read back from our own database).
    pub fn from_e164(stored: String) -> Self {
        Self(stored)
    }

    /// The number as people read it, grouped: "+1 415-555-0123", "+49 30 901820".
    pub fn readable(&self) -> String {
        phonenumber::parse(None, &self.0)
            .map(|n| {
                n.format()
                    .mode(phonenumber::Mode::International)
                    .to_string()
            })
            .unwrap_or_else(|_| self.0.clone())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_number_reads_grouped() {
        assert_eq!(
            Phone::from_e164("+14155550123".into()).readable(),
            "+1 415-555-0123"
        );
        assert_eq!(
            Phone::from_e164("+4930901820".into()).readable(),
            "+49 30 901820"
        );
    }

    #[test]
    fn a_number_tells_the_time_zone_only_where_its_country_keeps_one_clock() {
        let zone = |raw| Phone::parse(raw, "US").unwrap().zone();
        assert_eq!(zone("+49 30 901820"), Some(chrono_tz::Europe::Berlin));
        assert_eq!(zone("+44 20 7946 0958"), Some(chrono_tz::Europe::London));
        assert_eq!(zone("+81 3-3224-9999"), Some(chrono_tz::Asia::Tokyo));
        assert_eq!(zone("+1 415 555 0123"), None, "the US spans six zones");
        assert_eq!(zone("+61 2 9374 4000"), None, "so does Australia");
    }

    #[test]
    fn an_email_is_trimmed_and_lowercased() {
        let email = Email::parse("  Ann.Lee@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ann.lee@example.com");
    }

    #[test]
    fn an_email_without_a_domain_is_refused() {
        assert_eq!(Email::parse("ann@"), Err(EmailError::Malformed));
        assert_eq!(Email::parse("ann@localhost"), Err(EmailError::Malformed));
        assert_eq!(Email::parse("not an email"), Err(EmailError::Malformed));
    }

    #[test]
    fn free_mail_addresses_are_flagged_and_company_ones_are_not() {
        assert!(Email::parse("x@gmail.com").unwrap().is_free_mail());
        assert!(Email::parse("x@hotmail.co.uk").unwrap().is_free_mail());
        assert!(Email::parse("x@yahoo.fr").unwrap().is_free_mail());
        assert!(!Email::parse("x@acme-industrial.com")
            .unwrap()
            .is_free_mail());
    }

    #[test]
    fn a_national_phone_number_becomes_e164_in_the_default_region() {
        let phone = Phone::parse("(415) 555-2671", "US").unwrap();
        assert_eq!(phone.as_str(), "+14155552671");
    }

    #[test]
    fn an_international_phone_number_keeps_its_own_country() {
        let phone = Phone::parse("+44 20 7946 0958", "US").unwrap();
        assert_eq!(phone.as_str(), "+442079460958");
    }

    #[test]
    fn words_are_not_a_phone_number() {
        assert!(Phone::parse("call me maybe", "US").is_err());
        assert!(Phone::parse("123", "US").is_err());
    }
}
