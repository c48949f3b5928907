//! Text people type, made fit to keep and show. Control characters and the invisible marks
//! that reorder text around them (bidirectional embeddings, overrides and isolates) are taken
//! out where text comes in, so a name such as "Ann\u{202E}gpj.exe" cannot show as something it
//! is not, and a note cannot smuggle terminal escapes into a log or an export.

/// Invisible formatting marks that change the display order of the text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that show nothing at all: every format character (Unicode category Cf: zero-width
/// space, word joiner, invisible operators, tag characters, soft hyphen …) except the
/// zero-width joiner and non-joiner, which emoji and several scripts need; and the blank
/// letters and marks that make "empty" names (Hangul fillers, Khmer inherent vowels, Mongolian
/// variation selectors, the combining grapheme joiner, the object replacement character).
fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let format = c.general_category() == GeneralCategory::Format;
    (format && !matches!(c, '\u{200C}' | '\u{200D}'))
        || matches!(
            c,
            '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'
                ..='\u{180F}' | '\u{3164}' | '\u{FFA0}' | '\u{FFFC}'
        )
}

/// True for a character Leadline never keeps: a control character other than a line break or
/// tab, a bidirectional control, an invisible one, or a byte-order mark.
fn is_unwanted(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || is_bidi_control(c)
        || is_invisible(c)
        || c == '\u{FEFF}'
}

/// A note that may run over several lines: line breaks kept (as `\n`), other control and
/// bidirectional characters removed, and the ends trimmed.
pub fn clean(text: &str) -> String {
    let unified = text
        .replace("\r\n", "\n")
        .replace(['\r', '\u{2028}', '\u{2029}', '\u{85}'], "\n");
    unified
        .chars()
        .filter(|c| !is_unwanted(*c))
        .collect::<String>()
        .trim()
        .to_string()
}

/// A one-line value (a name, a reason): as [`clean`], with line breaks and tabs turned into
/// single spaces.
pub fn clean_line(text: &str) -> String {
    clean(text)
        .split(['\n', '\t'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name (a person's, a company's, a team member's, a source's): as [`clean_line`], and empty
/// unless it has at least one letter or digit, so a name cannot be made of blanks, marks or
/// braille spaces that look like nothing.
pub fn clean_name(text: &str) -> String {
    let name = clean_line(text);
    if name.chars().any(char::is_alphanumeric) {
        name
    } else {
        String::new()
    }
}

/// A spreadsheet cell that cannot be read as a formula: text starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return gets a leading apostrophe, which spreadsheets show as text.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// What a search box looks through on one lead: its words lower-cased, and its phone's digits
/// apart, so "415 555 0123", "(415) 555-0123" and "4155550123" all find the same number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Haystack {
    words: String,
    digits: String,
}

impl Haystack {
    pub fn new(fields: &[&str]) -> Self {
        Self::lowered_by(fields, str::to_lowercase)
    }

    /// [`Haystack::new`] with the lower-casing given: a browser passes its own, which knows
    /// every script without carrying Unicode's case tables in the app's download.
    pub fn lowered_by(fields: &[&str], lower: impl Fn(&str) -> String) -> Self {
        let joined = fields.join(" ");
        Self {
            words: lower(&joined),
            digits: joined.chars().filter(char::is_ascii_digit).collect(),
        }
    }

    /// True when `typed` is empty, each word of it appears in the words (in any order: "Rossi
    /// Olivia" finds Olivia Rossi), or it is a phone number (at least three digits and nothing
    /// but phone punctuation besides) whose digits appear.
    pub fn finds(&self, typed: &str) -> bool {
        self.finds_lowered(&typed.trim().to_lowercase())
    }

    /// [`Haystack::finds`] for what was typed, already trimmed and lower-cased.
    pub fn finds_lowered(&self, typed: &str) -> bool {
        if typed.is_empty() || self.words.contains(typed) {
            return true;
        }
        if typed
            .split_whitespace()
            .all(|word| self.words.contains(word))
        {
            return true;
        }
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        let phone_like = typed
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        phone_like && digits.len() >= 3 && self.digits.contains(&digits)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_search_finds_names_companies_and_phones_however_typed() {
        let lead = super::Haystack::new(&["Ann Lee", "Acme GmbH", "ann@acme.test", "+14155550123"]);
        for typed in [
            "",
            "ann",
            "ACME",
            "lee",
            "(415) 555-0123",
            "555 0123",
            "+1 415",
            "lee ann",
            "Acme  ann",
        ] {
            assert!(lead.finds(typed), "{typed}");
        }
        for typed in ["bob", "777", "ann bob", "999", "lee anne"] {
            assert!(!lead.finds(typed), "{typed}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_right_to_left_override_is_taken_out_of_a_name() {
        assert_eq!(clean_line("Ann\u{202E}gpj.exe"), "Anngpj.exe");
        assert_eq!(clean_line("\u{2066}Bob\u{2069} \u{200F}Lee"), "Bob Lee");
    }

    #[test]
    fn invisible_characters_cannot_make_a_blank_or_look_alike_name() {
        assert_eq!(clean_line("\u{3164}\u{200B}\u{2060}"), "");
        assert_eq!(clean_line("Ad\u{00AD}min\u{E0041}"), "Admin");
        assert_eq!(
            clean_line("A\u{206A}\u{1D173}\u{1BCA0}\u{13430}\u{FFFC}\u{180E}B"),
            "AB"
        );
        assert_eq!(clean_name("\u{2800}\u{2800}"), "");
        assert_eq!(clean_name("\u{200D}\u{200C}"), "");
        assert_eq!(clean_name("\u{0301}\u{0301}"), "");
        assert_eq!(clean_name(" Zoë 👩\u{200D}💻 "), "Zoë 👩\u{200D}💻");
    }

    #[test]
    fn control_characters_are_removed_but_a_note_keeps_its_lines() {
        assert_eq!(
            clean("Called\u{7}\u{1b}[31m twice\r\nNo answer\u{0}"),
            "Called[31m twice\nNo answer"
        );
    }

    #[test]
    fn a_one_line_value_turns_line_breaks_into_spaces() {
        assert_eq!(
            clean_line("  Acme\nIndustrial\t Ltd "),
            "Acme Industrial Ltd"
        );
    }

    #[test]
    fn letters_in_every_script_and_emoji_are_kept() {
        let text = "Zoë Ångström — 李雷 — مريم — 👩‍💻";
        assert_eq!(clean_line(text), text);
    }

    #[test]
    fn a_cell_that_would_run_as_a_formula_is_made_text() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("+1 415"), "'+1 415");
        assert_eq!(spreadsheet_safe("-2"), "'-2");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("Website form"), "Website form");
    }

    proptest! {
        #[test]
        fn cleaned_text_never_holds_a_control_or_reordering_character(text in any::<String>()) {
            for out in [clean(&text), clean_line(&text)] {
                prop_assert!(!out.chars().any(is_unwanted), "{out:?}");
                prop_assert_eq!(out.trim(), out.as_str());
            }
            prop_assert!(!clean_line(&text).contains('\n'));
        }
    }
}
