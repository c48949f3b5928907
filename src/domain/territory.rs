//! Territories: which reps a lead is offered to first, by where the person is (country, and a
//! region or postcode prefix) or by the source it came from. Routing offers a lead to the
//! territory's reps in turn, then to the whole team, then to the qualifier queue.

use serde::{Deserialize, Serialize};

/// Where the person is, as far as the inquiry (or their phone) tells.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// ISO 3166 code, upper case ("DE").
    pub country: Option<String>,
    pub region: Option<String>,
    /// Upper case, without spaces ("SW1A1AA").
    pub postcode: Option<String>,
}

/// One rule of a territory: a place (a country, optionally narrowed to a region or a postcode
/// prefix), or a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub territory: String,
    pub country: Option<String>,
    pub region: Option<String>,
    pub postcode_prefix: Option<String>,
    pub source_id: Option<String>,
}

/// Why a rule cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("name the territory")]
    NoName,
    #[error("give a country (with a region or postcode prefix if you like) or a source")]
    Empty,
    #[error("a region or postcode prefix needs its country")]
    NoCountry,
    #[error("is not a country code like US or DE")]
    Country,
}

/// A country code as typed, checked and in upper case.
pub fn country_code(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    super::zones::COUNTRY_ZONES
        .iter()
        .any(|(country, _)| *country == code)
        .then_some(code)
}

/// A postcode (or prefix) as compared: upper case, no spaces or dashes.
pub fn postcode_key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

impl Rule {
    /// A place rule for `territory`.
    pub fn place(
        territory: &str,
        country: &str,
        region: Option<&str>,
        postcode_prefix: Option<&str>,
    ) -> Result<Self, RuleError> {
        let territory = territory.trim();
        if territory.is_empty() {
            return Err(RuleError::NoName);
        }
        let country = if country.trim().is_empty() {
            return Err(if region.is_some() || postcode_prefix.is_some() {
                RuleError::NoCountry
            } else {
                RuleError::Empty
            });
        } else {
            country_code(country).ok_or(RuleError::Country)?
        };
        Ok(Self {
            territory: territory.to_string(),
            country: Some(country),
            region: region
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            postcode_prefix: postcode_prefix.map(postcode_key).filter(|p| !p.is_empty()),
            source_id: None,
        })
    }

    /// How closely this rule fits a lead from `place` through `source_id`: a source rule is
    /// the team's explicit choice and fits best, then a postcode prefix, a region, a country.
    /// `None` when it does not fit.
    fn fit(&self, place: &Place, source_id: &str) -> Option<u8> {
        if let Some(source) = &self.source_id {
            return (source == source_id).then_some(4);
        }
        let country = self.country.as_deref()?;
        if place.country.as_deref() != Some(country) {
            return None;
        }
        if let Some(prefix) = &self.postcode_prefix {
            let postcode = place.postcode.as_deref()?;
            if !postcode.starts_with(prefix.as_str()) {
                return None;
            }
        }
        if let Some(region) = &self.region {
            let theirs = place.region.as_deref()?;
            if !theirs.trim().eq_ignore_ascii_case(region.trim()) {
                return None;
            }
        }
        Some(if self.postcode_prefix.is_some() {
            3
        } else if self.region.is_some() {
            2
        } else {
            1
        })
    }
}

/// The territory a lead from `place` through `source_id` belongs to: the best-fitting rule's
/// (on a tie, the territory first by name). `None` when no rule fits.
pub fn territory_for<'a>(rules: &'a [Rule], place: &Place, source_id: &str) -> Option<&'a str> {
    rules
        .iter()
        .filter_map(|rule| rule.fit(place, source_id).map(|fit| (fit, rule)))
        .max_by(|(a, ra), (b, rb)| a.cmp(b).then_with(|| rb.territory.cmp(&ra.territory)))
        .map(|(_, rule)| rule.territory.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(country: &str, region: Option<&str>, postcode: Option<&str>) -> Place {
        Place {
            country: Some(country.to_string()),
            region: region.map(str::to_string),
            postcode: postcode.map(postcode_key),
        }
    }

    fn rules() -> Vec<Rule> {
        vec![
            Rule::place("DACH", "de", None, None).unwrap(),
            Rule::place("DACH", "AT", None, None).unwrap(),
            Rule::place("US West", "US", Some("California"), None).unwrap(),
            Rule::place("Bay Area", "US", None, Some("94")).unwrap(),
            Rule {
                source_id: Some("expo".to_string()),
                ..Rule::place("Events", "US", None, None).unwrap()
            },
        ]
    }

    #[test]
    fn a_lead_goes_to_the_territory_that_fits_it_most_closely() {
        let rules = rules();
        let find = |p: Place, source: &str| territory_for(&rules, &p, source);
        assert_eq!(find(place("DE", None, None), "web"), Some("DACH"));
        assert_eq!(find(place("AT", Some("Tirol"), None), "web"), Some("DACH"));
        assert_eq!(
            find(place("US", Some("california"), Some("90210")), "web"),
            Some("US West")
        );
        assert_eq!(
            find(place("US", Some("California"), Some("94107")), "web"),
            Some("Bay Area"),
            "a postcode prefix is closer than a region"
        );
        assert_eq!(
            find(place("DE", None, None), "expo"),
            Some("Events"),
            "a source rule is the team's explicit choice"
        );
        assert_eq!(find(place("FR", None, None), "web"), None);
        assert_eq!(find(Place::default(), "web"), None);
    }

    #[test]
    fn rules_are_checked_as_typed() {
        assert_eq!(
            Rule::place("X", "Germany", None, None),
            Err(RuleError::Country)
        );
        assert_eq!(
            Rule::place("X", "ZZ", None, None),
            Err(RuleError::Country),
            "two letters that name no country"
        );
        assert_eq!(
            Rule::place("X", "", Some("Bavaria"), None),
            Err(RuleError::NoCountry)
        );
        assert_eq!(Rule::place(" ", "DE", None, None), Err(RuleError::NoName));
        assert_eq!(
            Rule::place("X", "gb", None, Some("sw1a 1")).unwrap(),
            Rule {
                territory: "X".to_string(),
                country: Some("GB".to_string()),
                region: None,
                postcode_prefix: Some("SW1A1".to_string()),
                source_id: None,
            }
        );
    }
}
