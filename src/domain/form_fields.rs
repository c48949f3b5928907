//! Reading an inquiry out of whatever a website's own form or an automation tool sends: field
//! names as people write them (`E-mail`, `tel`, `first_name` + `last_name`, `your-message`),
//! matched leniently onto [`RawInquiry`]. Nothing a person typed is dropped: fields with no
//! place of their own are added to the message as "Label: value" lines.

use crate::domain::intake::RawInquiry;

/// The field a website's form leaves empty and only a robot fills in (hidden from people by
/// the snippet's markup). A post with it filled is thanked and not kept.
pub const HONEYPOT: &str = "leadline_website";

/// Which inquiry field a form field's name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Company,
    Message,
    Timeframe,
    Country,
    Region,
    Postcode,
}

/// `"Your-E-mail Address"` → `"email_address"`: lower case, words joined by `_`, a leading
/// "your" dropped, and "e mail" read as one word.
fn normalise(name: &str) -> String {
    let lowered = name.trim().to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let words = match words.as_slice() {
        ["your", rest @ ..] if !rest.is_empty() => rest.to_vec(),
        _ => words,
    };
    words.join("_").replace("e_mail", "email")
}

fn slot(name: &str) -> Option<Slot> {
    let slot = match normalise(name).as_str() {
        "name" | "full_name" | "fullname" | "contact_name" | "person" => Slot::Name,
        "first_name" | "firstname" | "fname" | "given_name" | "first" | "forename" => {
            Slot::FirstName
        }
        "last_name" | "lastname" | "lname" | "surname" | "family_name" | "last" => Slot::LastName,
        "email" | "email_address" | "mail" | "emailaddress" | "work_email" | "user_email" => {
            Slot::Email
        }
        "phone" | "tel" | "telephone" | "phone_number" | "phonenumber" | "mobile"
        | "mobile_phone" | "cell" | "cellphone" | "tel_number" | "work_phone" | "user_phone" => {
            Slot::Phone
        }
        "company" | "company_name" | "organization" | "organisation" | "business" | "org" => {
            Slot::Company
        }
        "message" | "comments" | "comment" | "enquiry" | "inquiry" | "notes" | "note"
        | "question" | "details" | "body" => Slot::Message,
        "timeframe" | "timeline" | "when" | "time_frame" => Slot::Timeframe,
        "country" | "country_code" => Slot::Country,
        "region" | "state" | "province" | "county" => Slot::Region,
        "postcode" | "zip" | "zipcode" | "zip_code" | "postal_code" | "postalcode" => {
            Slot::Postcode
        }
        _ => return None,
    };
    Some(slot)
}

/// The field a name is read into, by its plain key (`"E-mail Address"` → `"email"`), if any.
pub fn field_key(name: &str) -> Option<&'static str> {
    Some(match slot(name)? {
        Slot::Name => "name",
        Slot::FirstName => "first_name",
        Slot::LastName => "last_name",
        Slot::Email => "email",
        Slot::Phone => "phone",
        Slot::Company => "company",
        Slot::Message => "message",
        Slot::Timeframe => "timeframe",
        Slot::Country => "country",
        Slot::Region => "region",
        Slot::Postcode => "postcode",
    })
}

/// Whether Leadline reads a field of this name into a place of its own (a name, an email …).
pub fn is_known(name: &str) -> bool {
    slot(name).is_some()
}

/// Fields a form carries for its own workings, never shown: the honeypot and hidden tokens.
fn ignored(name: &str) -> bool {
    let name = normalise(name);
    name == HONEYPOT
        || matches!(
            name.as_str(),
            "submit" | "csrf" | "csrf_token" | "_token" | "g_recaptcha_response" | "redirect"
        )
}

/// The most text any one extra field adds to the message.
const EXTRA_MAX: usize = 500;

/// Reads a form's fields (in the order posted) as an inquiry. A field named twice keeps its
/// first non-empty value; fields with no place are added to the message.
pub fn from_fields<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> RawInquiry {
    let mut raw = RawInquiry::default();
    let mut first = None::<String>;
    let mut last = None::<String>;
    let mut extras = Vec::new();
    for (name, value) in fields {
        let value = value.trim();
        if value.is_empty() || ignored(name) {
            continue;
        }
        let slot = slot(name);
        let target = match slot {
            Some(Slot::Name) => &mut raw.name,
            Some(Slot::FirstName) => &mut first,
            Some(Slot::LastName) => &mut last,
            Some(Slot::Email) => &mut raw.email,
            Some(Slot::Phone) => &mut raw.phone,
            Some(Slot::Company) => &mut raw.company,
            Some(Slot::Message) => &mut raw.message,
            Some(Slot::Timeframe) => &mut raw.timeframe,
            Some(Slot::Country) => &mut raw.country,
            Some(Slot::Region) => &mut raw.region,
            Some(Slot::Postcode) => &mut raw.postcode,
            None => {
                let value: String = value.chars().take(EXTRA_MAX).collect();
                extras.push(format!("{}: {value}", label(name)));
                continue;
            }
        };
        match target {
            None => *target = Some(value.to_string()),
            // A second, different value for a field already read (a second email, a phone
            // typed twice) is kept where a person will see it.
            Some(first) if first != value => {
                let value: String = value.chars().take(EXTRA_MAX).collect();
                extras.push(format!("{}: {value}", label(name)));
            }
            Some(_) => {}
        }
    }
    let parts = [first, last].into_iter().flatten().collect::<Vec<_>>();
    if !parts.is_empty() {
        let joined = parts.join(" ");
        match &raw.name {
            None => raw.name = Some(joined),
            Some(whole) if *whole != joined => extras.push(format!("Name also given: {joined}")),
            Some(_) => {}
        }
    }
    if !extras.is_empty() {
        let mut message = raw.message.take().unwrap_or_default();
        for extra in extras {
            if !message.is_empty() {
                message.push('\n');
            }
            message.push_str(&extra);
        }
        raw.message = Some(message);
    }
    raw
}

/// The HTML a website pastes to post a form to `action`: the fields Leadline reads, labelled,
/// and the honeypot kept out of people's sight (and screen readers').
pub fn snippet(action: &str) -> String {
    let action = html_escape::encode_double_quoted_attribute(action);
    format!(
        r#"<form method="post" action="{action}" accept-charset="UTF-8">
  <label>Name <input name="name" autocomplete="name" required></label>
  <label>Email <input type="email" name="email" autocomplete="email"></label>
  <label>Phone <input type="tel" name="phone" autocomplete="tel"></label>
  <label>Company <input name="company" autocomplete="organization"></label>
  <label>Message <textarea name="message"></textarea></label>
  <!-- People leave this empty; robots fill it in. Keep it out of sight. -->
  <div style="position:absolute;left:-10000px" aria-hidden="true">
    <label>Leave empty <input name="{HONEYPOT}" tabindex="-1" autocomplete="off"></label>
  </div>
  <button type="submit">Send</button>
</form>"#
    )
}

/// Whether a robot filled in the honeypot.
pub fn is_robot<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    fields
        .into_iter()
        .any(|(name, value)| normalise(name) == HONEYPOT && !value.trim().is_empty())
}

/// A field's name as a label: `budget_range` → "Budget range".
fn label(name: &str) -> String {
    let words = normalise(name).replace('_', " ");
    if words.is_empty() {
        return "Field".to_string();
    }
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(fields: &[(&str, &str)]) -> RawInquiry {
        from_fields(fields.iter().copied())
    }

    #[test]
    fn names_are_matched_however_a_website_spells_them() {
        let raw = read(&[
            ("Your-Name", "Ann Lee"),
            ("E-mail", "ann@example.org"),
            ("tel", "+1 415 555 0100"),
            ("Organisation", "Acme"),
            ("your-message", "Call me"),
            ("ZIP", "94110"),
            ("State", "CA"),
        ]);
        assert_eq!(raw.name.as_deref(), Some("Ann Lee"));
        assert_eq!(raw.email.as_deref(), Some("ann@example.org"));
        assert_eq!(raw.phone.as_deref(), Some("+1 415 555 0100"));
        assert_eq!(raw.company.as_deref(), Some("Acme"));
        assert_eq!(raw.message.as_deref(), Some("Call me"));
        assert_eq!(raw.postcode.as_deref(), Some("94110"));
        assert_eq!(raw.region.as_deref(), Some("CA"));
    }

    #[test]
    fn first_and_last_name_make_the_name() {
        let raw = read(&[
            ("first_name", "Ann"),
            ("last_name", "Lee"),
            ("email", "a@b.org"),
        ]);
        assert_eq!(raw.name.as_deref(), Some("Ann Lee"));
        let raw = read(&[("lname", "Lee")]);
        assert_eq!(raw.name.as_deref(), Some("Lee"));
        // A whole name wins over its parts.
        let raw = read(&[("fname", "A"), ("name", "Ann Lee")]);
        assert_eq!(raw.name.as_deref(), Some("Ann Lee"));
    }

    #[test]
    fn fields_without_a_place_are_kept_in_the_message() {
        let raw = read(&[
            ("message", "Quote please"),
            ("budget_range", "10-20k"),
            ("Seats", "12"),
            ("submit", "Send"),
            (HONEYPOT, ""),
        ]);
        assert_eq!(
            raw.message.as_deref(),
            Some("Quote please\nBudget range: 10-20k\nSeats: 12")
        );
        let raw = read(&[("email", "a@b.org"), ("how_did_you_hear", "A friend")]);
        assert_eq!(raw.message.as_deref(), Some("How did you hear: A friend"));
    }

    #[test]
    fn the_first_filled_value_of_a_field_named_twice_counts_and_a_different_one_is_kept() {
        let raw = read(&[("email", " "), ("email", "a@b.org"), ("E-mail", "c@d.org")]);
        assert_eq!(raw.email.as_deref(), Some("a@b.org"));
        assert_eq!(raw.message.as_deref(), Some("Email: c@d.org"));
        // The same value twice (a "confirm email" field) is said once.
        let raw = read(&[
            ("email", "a@b.org"),
            ("confirm_email", "x"),
            ("email", "a@b.org"),
        ]);
        assert_eq!(raw.message.as_deref(), Some("Confirm email: x"));
        // Parts of a name that differ from the whole name given are kept too.
        let raw = read(&[
            ("first_name", "Ann"),
            ("last_name", "Zed"),
            ("full_name", "Bo Yu"),
        ]);
        assert_eq!(raw.name.as_deref(), Some("Bo Yu"));
        assert_eq!(raw.message.as_deref(), Some("Name also given: Ann Zed"));
        // A field with no name keeps its value.
        let raw = read(&[("", "v"), ("email", "a@b.org")]);
        assert_eq!(raw.message.as_deref(), Some("Field: v"));
    }

    #[test]
    fn the_snippet_posts_to_its_address_and_carries_the_fields_read_here() {
        let html = snippet("https://crm.example/f/01ab");
        assert!(html.starts_with(
            r#"<form method="post" action="https://crm.example/f/01ab" accept-charset="UTF-8">"#
        ));
        let names: Vec<&str> = html
            .split("name=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        assert_eq!(
            names,
            ["name", "email", "phone", "company", "message", HONEYPOT]
        );
        let read = from_fields(names.iter().map(|n| (*n, "x")));
        assert!(read.name.is_some() && read.email.is_some() && read.message.is_some());
        // An address that would break out of the attribute stays inside it.
        assert!(snippet("https://x/\"><script>").contains("&quot;&gt;&lt;script&gt;"));
    }

    #[test]
    fn a_filled_honeypot_marks_a_robot() {
        assert!(is_robot([(HONEYPOT, "http://spam.example")]));
        assert!(!is_robot([(HONEYPOT, "  "), ("email", "a@b.org")]));
        assert!(!is_robot([("email", "a@b.org")]));
    }

    #[test]
    fn an_extra_field_adds_at_most_its_share_of_text() {
        let long = "x".repeat(5000);
        let raw = read(&[("email", "a@b.org"), ("notes2", long.as_str())]);
        assert_eq!(
            raw.message.unwrap().chars().count(),
            "Notes2: ".len() + EXTRA_MAX
        );
    }
}
