//! What a rep learns while qualifying a lead: budget, authority, need and timeline (BANT).

use crate::domain::intake::FieldError;
use crate::domain::text::clean;
use serde::{Deserialize, Serialize};

/// The rep's qualification notes, each free text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    pub budget: String,
    pub authority: String,
    pub need: String,
    pub timeline: String,
}

/// The longest note Leadline keeps per field.
pub const MAX_NOTE: usize = 2_000;

impl Qualification {
    /// Cleans each note (see [`clean`]) and refuses any that is too long, naming the field.
    pub fn check(self) -> Result<Self, Vec<FieldError>> {
        let q = Qualification {
            budget: clean(&self.budget),
            authority: clean(&self.authority),
            need: clean(&self.need),
            timeline: clean(&self.timeline),
        };
        let errors: Vec<FieldError> = [
            ("budget", &q.budget),
            ("authority", &q.authority),
            ("need", &q.need),
            ("timeline", &q.timeline),
        ]
        .into_iter()
        .filter(|(_, v)| v.chars().count() > MAX_NOTE)
        .map(|(f, _)| FieldError::new(f, format!("is too long (at most {MAX_NOTE} characters)")))
        .collect();
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }

    /// How many of the four are answered.
    pub fn answered(&self) -> usize {
        [&self.budget, &self.authority, &self.need, &self.timeline]
            .iter()
            .filter(|v| !v.is_empty())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_and_counted() {
        let q = Qualification {
            budget: "  20k ".into(),
            need: "new CRM".into(),
            ..Qualification::default()
        }
        .check()
        .expect("short notes are fine");
        assert_eq!(q.budget, "20k");
        assert_eq!(q.answered(), 2);
    }

    #[test]
    fn an_overlong_note_is_refused_by_field() {
        let errors = Qualification {
            timeline: "x".repeat(MAX_NOTE + 1),
            ..Qualification::default()
        }
        .check()
        .unwrap_err();
        assert_eq!(errors[0].field, "timeline");
    }
}
