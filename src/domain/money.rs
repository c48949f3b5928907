//! Money as whole cents, parsed from what a person types ("1,250.50", "$900").

use serde::{Deserialize, Serialize};
use std::fmt;

/// A positive amount in cents of the team's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Money(i64);

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("is not an amount (write it like 1250 or 1,250.50)")]
    Malformed,
    #[error("must be more than zero")]
    NotPositive,
    #[error("is larger than any sale or campaign Leadline records (at most 1,000,000,000.00)")]
    TooLarge,
}

/// The largest amount Leadline keeps: a billion in the team's currency. Far above any one
/// sale or campaign, and small enough that a million of them still add up without overflow.
pub const MAX_CENTS: i64 = 100_000_000_000;

impl Money {
    /// Reads an amount: optional currency sign, thousands commas, at most two decimals.
    pub fn parse(raw: &str) -> Result<Self, MoneyError> {
        let cleaned: String = raw
            .trim()
            .trim_start_matches(['$', '€', '£'])
            .chars()
            .filter(|c| *c != ',' && *c != ' ')
            .collect();
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || fraction.len() > 2 {
            return Err(MoneyError::Malformed);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
        let cents: i64 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| MoneyError::Malformed)?;
        let total = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(cents))
            .ok_or(MoneyError::TooLarge)?;
        Self::from_cents(total)
    }

    /// An amount from stored cents.
    pub fn from_cents(cents: i64) -> Result<Self, MoneyError> {
        if cents <= 0 {
            return Err(MoneyError::NotPositive);
        }
        if cents > MAX_CENTS {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self(cents))
    }

    pub fn cents(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = (self.0 / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{grouped}.{:02}", self.0 % 100)
    }
}

/// A currency code as the team sets it: three letters, such as USD or EUR (ISO 4217's form).
pub fn currency_code(text: &str) -> Result<String, &'static str> {
    let code = text.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("is not a currency code like USD or EUR")
    }
}

/// An amount in words with its currency: "USD 4,800.00".
pub fn with_currency(amount: impl std::fmt::Display, currency: &str) -> String {
    format!("{currency} {amount}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_currency_is_three_letters() {
        assert_eq!(currency_code(" eur "), Ok("EUR".to_string()));
        assert!(currency_code("euro").is_err());
        assert!(currency_code("$").is_err());
        assert!(currency_code("U5D").is_err());
        assert_eq!(with_currency("4,800.00", "USD"), "USD 4,800.00");
    }

    #[test]
    fn amounts_are_read_as_people_write_them() {
        assert_eq!(Money::parse("1250").map(Money::cents), Ok(125_000));
        assert_eq!(Money::parse("$1,250.5").map(Money::cents), Ok(125_050));
        assert_eq!(Money::parse(" 0.99 ").map(Money::cents), Ok(99));
    }

    #[test]
    fn zero_and_nonsense_are_refused() {
        assert_eq!(Money::parse("0"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse("-5"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse("12.345"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse("lots"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse(""), Err(MoneyError::Malformed));
    }

    #[test]
    fn an_amount_too_large_to_be_a_sale_is_refused() {
        assert_eq!(
            Money::parse("92233720368547758.07"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Money::parse("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(Money::parse("1,000,000,000.01"), Err(MoneyError::TooLarge));
        assert!(Money::parse("1,000,000,000").is_ok());
    }

    #[test]
    fn amounts_print_with_thousands_and_cents() {
        assert_eq!(
            Money::parse("1234567.8").unwrap().to_string(),
            "1,234,567.80"
        );
        assert_eq!(Money::parse("5").unwrap().to_string(), "5.00");
    }
}
