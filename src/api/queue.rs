//! The rep's queue: their open leads, most urgent first, and logging a call on one.

use crate::api::ApiError;
use crate::domain::lead::Stage;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One lead as a work list shows it. Time labels are worked out on the server, so the page
/// reads the same before and after the WebAssembly loads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LeadCard {
    pub id: String,
    pub name: String,
    pub company: String,
    pub phone: Option<String>,
    /// The phone as people read it ("+1 415-555-0123").
    pub phone_text: Option<String>,
    pub email: Option<String>,
    pub stage: Stage,
    pub repeat_inquirer: bool,
    pub free_mail: bool,
    pub timeframe: String,
    pub message: String,
    pub source: String,
    /// Age since the inquiry, e.g. "12 min".
    pub age: String,
    /// What to do next, e.g. "Call (attempt 2 of 6)".
    pub next_action: String,
    /// "due in 4 min" or "overdue by 2 h".
    pub due: String,
    pub overdue: bool,
    /// Leave a voicemail if nobody answers.
    pub voicemail_suggested: bool,
    /// The latest touch, e.g. "Call: No answer · 3 min ago".
    pub last_touch: Option<String>,
    pub touch_count: i64,
    /// In nurture: why it is there (and when it comes back, if set).
    pub nurture_why: Option<String>,
    /// Marketing's "why now" note on a lead handed back hot.
    pub hot_note: Option<String>,
}

#[cfg(feature = "ssr")]
pub(crate) fn card(
    row: crate::server::store::leads::WorkRow,
    now: chrono::DateTime<chrono::Utc>,
    policy: &crate::domain::cadence::Policy,
) -> LeadCard {
    use crate::domain::aging::short_age;
    use crate::domain::lead::Action;
    use crate::domain::touch::Touch;
    let action = row.next_action.as_deref().and_then(Action::parse);
    let (due, overdue) = match row.next_due_at {
        // Within a minute either side it is simply due now ("overdue by 0 min" says nothing).
        Some(due) if (now - due).num_seconds().abs() < 60 => ("due now".to_string(), due < now),
        Some(due) if due < now => (format!("overdue by {}", short_age(now - due)), true),
        Some(due)
            if due - now < chrono::Duration::hours(1) || due - now > chrono::Duration::days(6) =>
        {
            (format!("due in {}", short_age(due - now)), false)
        }
        // Later today or within the week (after a night or a weekend): when, in the team's time.
        Some(due) => {
            let tz = policy.hours.tz;
            let at = crate::domain::aging::due_phrase(
                due.with_timezone(&tz).naive_local(),
                now.with_timezone(&tz).naive_local(),
            );
            (format!("due {at}"), false)
        }
        None => (String::new(), false),
    };
    let last_touch = row.last_touch_kind.as_deref().and_then(|kind| {
        let touch = Touch::from_parts(kind, row.last_touch_outcome.as_deref()).ok()?;
        let when = row.last_touch_at.map_or(String::new(), |at| {
            format!(" · {} ago", short_age(now - at))
        });
        Some(format!("{touch}{when}"))
    });
    let nurture_why = row
        .nurture_reason
        .as_deref()
        .and_then(crate::domain::lead::NurtureReason::parse)
        .map(|reason| match row.recontact_at {
            Some(at) => format!(
                "{} (back to sales in {})",
                reason.label(),
                short_age(at - now)
            ),
            None => reason.label().to_string(),
        });
    LeadCard {
        nurture_why,
        hot_note: row.hot_note,
        stage: row.stage.parse().unwrap_or(Stage::Assigned),
        age: short_age(now - row.received_at),
        next_action: action.map_or_else(String::new, |a| a.describe(policy)),
        voicemail_suggested: matches!(action, Some(Action::Call(n)) if policy.voicemail_suggested(n)),
        due,
        overdue,
        last_touch,
        id: row.id,
        name: row.name,
        company: row.company,
        phone_text: row.phone.as_deref().map(crate::api::lead::readable_phone),
        phone: row.phone,
        email: row.email,
        repeat_inquirer: row.repeat_inquirer,
        free_mail: row.free_mail,
        timeframe: row.timeframe,
        message: row.message.unwrap_or_default(),
        source: row.source,
        touch_count: row.touch_count,
    }
}

/// The caller's open leads, most urgent first (reps: their own; qualifiers: the queue).
#[server(endpoint = "queue/mine")]
pub async fn my_queue() -> Result<Vec<LeadCard>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::work;
    let Ctx { user, state, .. } = Ctx::enter(Action::WorkQueue).await?;
    let now = state.clock.now();
    let policy = state.policy.get();
    let rows = work::queue_for(&state.db, &user, now, &policy).await?;
    Ok(rows
        .into_iter()
        .map(|row| card(row, now, &policy))
        .collect())
}

/// Logs a call attempt with its outcome on one of the caller's leads, with what was said
/// (`note`) and the time the person agreed to be called back (`callback`), if any. A `key` the
/// phone made for this call makes sending it again harmless: it is logged once.
#[server(endpoint = "queue/log-call")]
pub async fn log_call(
    lead_id: String,
    outcome: String,
    key: Option<String>,
    note: Option<String>,
    callback: Option<String>,
) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::touch::{callback_time, CallOutcome, Touch};
    use crate::server::services::touches;
    let Ctx { user, state, .. } = Ctx::enter(Action::LogTouch).await?;
    let outcome: CallOutcome = outcome.parse().map_err(|_| {
        ApiError::Invalid(vec![crate::domain::intake::FieldError::new(
            "outcome",
            "must be one of connected, no_answer, voicemail, busy, wrong_number",
        )])
        .respond()
    })?;
    let callback = callback_time(callback.as_deref().unwrap_or(""), state.config.timezone)
        .map_err(|e| ApiError::Invalid(vec![e]).respond())?;
    let logged = touches::Logged {
        touch: Touch::Call(outcome),
        note: note.as_deref().unwrap_or(""),
        // A card drawn by the app has no key of its own in its form: it never posts itself.
        key: key.as_deref().filter(|key| !key.is_empty()),
        callback,
    };
    touches::log(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &user,
        &lead_id,
        logged,
        &state.live,
    )
    .await?;
    if crate::api::error::is_plain_form_post() {
        // The card's own form posted it, before the app worked on the phone: back to the
        // queue, which says what was saved.
        leptos_axum::redirect(&saved_address(&lead_id, outcome));
    }
    Ok(())
}

/// The queue's address after a plain form post of a call: what was saved, as
/// "outcome:lead id" (signed on the way out, see [`crate::api::FORM_SAVED`]).
#[cfg(feature = "ssr")]
fn saved_address(lead_id: &str, outcome: crate::domain::touch::CallOutcome) -> String {
    use leptos::server_fn::ServerFn;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("__path", LogCall::PATH)
        .append_pair(
            crate::api::FORM_SAVED,
            &format!("{}:{lead_id}", outcome.as_str()),
        )
        .finish();
    format!("/queue?{query}")
}

/// What a card's call form did when the browser posted it itself (before the app worked): the
/// server sent it back to the queue with this in the address.
#[derive(Debug, Clone, PartialEq)]
pub enum PostedCall {
    Saved {
        outcome: crate::domain::touch::CallOutcome,
        lead_id: String,
    },
    Refused(ApiError),
}

impl PostedCall {
    /// Read from the queue's address: `saved` is [`crate::api::FORM_SAVED`]'s value, `refused`
    /// the error Leptos read for this server function. Only ever signed by the server (a page
    /// asked for with an unsigned one is sent to the queue without it).
    pub fn read(saved: Option<&str>, refused: Option<ApiError>) -> Option<Self> {
        if let Some(why) = refused {
            return Some(Self::Refused(why));
        }
        let (outcome, lead_id) = saved?.split_once(':')?;
        Some(Self::Saved {
            outcome: outcome.parse().ok()?,
            lead_id: lead_id.to_string(),
        })
    }
}

/// A lead a rep added after meeting the person, as the screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetLead {
    pub id: String,
    /// Who holds it now ("Raj Patel", "Qualifier queue").
    pub owner: String,
    /// The caller holds it.
    pub mine: bool,
    /// The person was known: their lead, not a new one.
    pub repeat: bool,
}

/// Adds a person the caller met: checked and matched like any inquiry, offered first to them,
/// with the meeting (and `note`) logged when it is theirs.
#[server(endpoint = "queue/met")]
pub async fn add_met_lead(
    name: String,
    phone: Option<String>,
    email: Option<String>,
    company: Option<String>,
    note: Option<String>,
) -> Result<MetLead, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::intake::RawInquiry;
    use crate::server::services::intake;
    let Ctx { user, state, .. } = Ctx::enter(Action::WorkQueue).await?;
    let given = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
    let raw = RawInquiry {
        name: Some(name),
        phone: given(phone),
        email: given(email),
        company: given(company),
        // What was talked about travels with the inquiry too: if the lead goes to another
        // rep (this one full or away, or the person already theirs), they read it there.
        message: given(note.clone()),
        timeframe: None,
        country: None,
        region: None,
        postcode: None,
    };
    let accepted = intake::met_in_person(
        &state.db,
        &state.policy.get(),
        &state.config.phone_region,
        state.clock.now(),
        &user,
        intake::Met {
            person: raw,
            note: note.as_deref().unwrap_or(""),
        },
        &state.live,
    )
    .await?;
    Ok(MetLead {
        mine: accepted.owner.id.as_deref() == Some(user.id.as_str())
            || (accepted.owner.kind == "qualifier"
                && user.role == crate::domain::role::Role::Qualifier),
        id: accepted.id,
        owner: accepted.owner.name,
        repeat: accepted.repeat,
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::{saved_address, PostedCall};
    use crate::api::ApiError;
    use crate::domain::touch::CallOutcome;

    #[test]
    fn the_queue_reads_back_the_call_its_address_says_was_saved() {
        let address = saved_address("lead:with:colons", CallOutcome::Voicemail);
        let query = url::Url::parse(&format!("http://x{address}")).unwrap();
        let saved = query
            .query_pairs()
            .find(|(name, _)| name == crate::api::FORM_SAVED)
            .map(|(_, value)| value.into_owned());
        assert_eq!(
            PostedCall::read(saved.as_deref(), None),
            Some(PostedCall::Saved {
                outcome: CallOutcome::Voicemail,
                lead_id: "lead:with:colons".to_string(),
            })
        );
        assert_eq!(PostedCall::read(Some("shouted:abc"), None), None);
        assert_eq!(PostedCall::read(Some("busy"), None), None);
        assert_eq!(
            PostedCall::read(saved.as_deref(), Some(ApiError::Malformed)),
            Some(PostedCall::Refused(ApiError::Malformed))
        );
    }
}
