//! One lead, as its page shows it, and everything a person does on that page: log a touch,
//! keep qualification notes, hand it to nurture as not ready, close it, reopen it.

use crate::api::ApiError;
use crate::domain::lead::Stage;
use crate::domain::qualification::Qualification;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One line of a lead's touch or event history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub when: String,
    pub what: String,
    pub detail: String,
    pub by: String,
}

/// A rep a manager can give a lead to: "Raj Patel — 12 open" or "… — away or full".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepChoice {
    pub id: String,
    pub label: String,
    pub available: bool,
}

/// A stored (E.164) phone number as people read it.
#[cfg(feature = "ssr")]
pub(crate) fn readable_phone(stored: &str) -> String {
    crate::domain::contact::Phone::from_e164(stored.to_string()).readable()
}

/// Everything the lead page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadDetail {
    pub id: String,
    pub name: String,
    pub company: String,
    pub phone: Option<String>,
    /// The phone as people read it ("+1 415-555-0123").
    pub phone_text: Option<String>,
    pub email: Option<String>,
    pub stage: Stage,
    pub stage_label: String,
    pub owner: String,
    pub repeat_inquirer: bool,
    pub free_mail: bool,
    pub timeframe: String,
    pub source: String,
    pub age: String,
    /// "Attempt 3 of 6 · due today 14:00", or how the lead ended.
    pub step: String,
    pub overdue: bool,
    pub voicemail_suggested: bool,
    /// Why the lead is in nurture, and when it comes back.
    pub nurture: Option<String>,
    pub conversations: u32,
    pub qualification: Qualification,
    pub touches: Vec<HistoryLine>,
    pub history: Vec<HistoryLine>,
    pub messages: Vec<String>,
    /// The caller may log touches (the rep who holds it; a qualifier, for the queue's).
    pub can_log: bool,
    /// The caller may qualify, close it or hand it to nurture (whoever works it, or a manager).
    pub can_work: bool,
    /// The caller may reverse its closure (a manager).
    pub can_reopen: bool,
    /// The lead waits in the qualifier queue and the caller may pass it to sales.
    pub can_pass: bool,
    /// The caller works the nurture pool and the lead is in it.
    pub can_nurture: bool,
    /// Why the lead is hot now (marketing's hand-back or the qualifier's pass), shown first.
    pub hot_note: Option<String>,
    /// Who wrote the hot note: "marketing" or "the qualifier".
    pub hot_note_from: String,
    /// For a customer's new opportunity: "Customer since 2 Mar 2026 · bought 4,800.00".
    pub customer: Option<String>,
    /// Other emails and phones the person gave in later inquiries.
    pub other_contacts: Vec<String>,
    /// For a manager or qualifier: the reps the lead could be given to, with their load.
    pub reps: Vec<RepChoice>,
    /// The caller may give it to another owner by hand (a manager; open, not in nurture).
    pub can_reassign: bool,
}

#[cfg(feature = "ssr")]
mod build {
    use super::*;
    use crate::domain::aging::{due_phrase, short_age};
    use crate::domain::cadence::Policy;
    use crate::domain::lead::{Action, Owner};
    use crate::domain::role::{Role, User};
    use crate::domain::touch::Touch;
    use crate::server::services::work::LeadView;
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    fn local(at: DateTime<Utc>, tz: Tz) -> String {
        at.with_timezone(&tz)
            .format("%a %-d %b %Y %H:%M")
            .to_string()
    }

    pub fn detail(
        view: LeadView,
        user: &User,
        now: DateTime<Utc>,
        tz: Tz,
        policy: &Policy,
        currency: &str,
    ) -> LeadDetail {
        let lead = view.record;
        let state = &lead.state;
        let hot_note_from = view
            .history
            .iter()
            .rev()
            .find_map(|e| match e.kind.as_str() {
                "passed_to_sales" => Some("the qualifier"),
                "handed_back" => Some("marketing"),
                _ => None,
            })
            .unwrap_or("marketing")
            .to_string();
        let now_local = now.with_timezone(&tz).naive_local();
        let (step, overdue) = match (&state.closure, state.next) {
            (Some(closure), _) => (format!("Closed: {closure}"), false),
            (None, Some(next)) => {
                let due = due_phrase(next.due_at.with_timezone(&tz).naive_local(), now_local);
                let what = match next.action {
                    Action::Call(n) => format!("Attempt {n} of {}", policy.cadence_len()),
                    other => other.describe(policy),
                };
                (format!("{what} · due {due}"), next.due_at < now)
            }
            (None, None) => (String::new(), false),
        };
        let works = crate::domain::access::works(user, &state.owner);
        let manager = matches!(user.role, Role::Manager | Role::Admin);
        let open = state.stage.is_open();
        LeadDetail {
            id: lead.contact.id,
            name: lead.contact.name,
            company: lead.contact.company,
            phone_text: lead.contact.phone.as_deref().map(readable_phone),
            phone: lead.contact.phone,
            email: lead.contact.email,
            stage: state.stage,
            stage_label: state.stage.label().to_string(),
            owner: match &state.owner {
                Owner::Rep(_) => view.owner_name,
                Owner::Marketing => "Marketing (nurture pool)".to_string(),
                Owner::Qualifier => "Qualifier queue".to_string(),
            },
            repeat_inquirer: lead.repeat_inquirer,
            free_mail: lead.contact.free_mail,
            timeframe: lead.contact.timeframe,
            source: view.source,
            age: short_age(now - lead.contact.received_at),
            step,
            overdue,
            voicemail_suggested: matches!(state.next.map(|n| n.action), Some(Action::Call(n)) if policy.voicemail_suggested(n)),
            nurture: state.nurture_reason.map(|reason| match state.recontact_at {
                Some(at) => format!("{} — back to sales {}", reason.label(), local(at, tz)),
                None => reason.label().to_string(),
            }),
            conversations: state.evidence.conversations,
            qualification: view.qualification,
            touches: view
                .touches
                .into_iter()
                .map(|t| HistoryLine {
                    when: local(t.occurred_at, tz),
                    what: Touch::from_parts(&t.kind, t.outcome.as_deref())
                        .map_or_else(|_| t.kind.clone(), |touch| touch.to_string()),
                    detail: t.note,
                    by: t.by,
                })
                .collect(),
            // Newest first, like the touches: what happened last is what a rep needs.
            history: view
                .history
                .into_iter()
                .rev()
                .map(|e| HistoryLine {
                    when: local(e.occurred_at, tz),
                    what: match e.from_stage {
                        Some(from) if from != e.to_stage => {
                            format!("{}: {from} → {}", e.kind.replace('_', " "), e.to_stage)
                        }
                        _ => e.kind.replace('_', " "),
                    },
                    detail: e.detail,
                    by: e.actor.unwrap_or_else(|| "Leadline".to_string()),
                })
                .collect(),
            messages: view.messages,
            can_log: open && works && state.stage != Stage::Nurture,
            can_work: open && state.stage != Stage::Nurture && (works || manager),
            can_pass: state.stage == Stage::Queued && (works || manager),
            can_reopen: !open && manager,
            can_nurture: state.stage == Stage::Nurture
                && matches!(user.role, Role::Marketing | Role::Manager | Role::Admin),
            hot_note: state.hot_note.clone(),
            hot_note_from,
            other_contacts: view.other_contacts,
            can_reassign: manager && open && state.stage != Stage::Nurture,
            reps: view
                .reps
                .into_iter()
                .filter(|rep| state.owner.rep_id() != Some(rep.id.as_str()))
                .map(|rep| RepChoice {
                    label: if rep.available {
                        format!("{} — {} open", rep.name, rep.open)
                    } else {
                        format!("{} — away or full", rep.name)
                    },
                    id: rep.id,
                    available: rep.available,
                })
                .collect(),
            customer: view.customer.map(|(since, sales, total)| {
                let since = since.format("%-d %b %Y");
                if sales == 1 {
                    format!("Customer since {since} · bought {currency} {total}")
                } else {
                    format!(
                        "Customer since {since} · bought {sales} times, {currency} {total} in all"
                    )
                }
            }),
        }
    }
}

/// One lead the caller may see.
#[server(endpoint = "lead/detail")]
pub async fn get_lead(lead_id: String) -> Result<LeadDetail, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::work;
    let Ctx { user, state, .. } = Ctx::enter(Action::SeeLead).await?;
    let view = work::lead_view(
        &state.db,
        &user,
        &lead_id,
        state.clock.now(),
        state.policy.get().rep_capacity,
    )
    .await?;
    let currency = crate::server::services::policy::currency(&state.db).await?;
    Ok(build::detail(
        view,
        &user,
        state.clock.now(),
        state.config.timezone,
        &state.policy.get(),
        &currency,
    ))
}

/// Logs a touch: `kind` is call, meeting, sms or email; a call needs its `outcome`
/// (connected, no_answer, voicemail, busy, wrong_number), an email may be `bounced`.
#[server(endpoint = "lead/log-touch")]
pub async fn log_touch(
    lead_id: String,
    kind: String,
    outcome: Option<String>,
    note: Option<String>,
    key: Option<String>,
) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::intake::FieldError;
    use crate::domain::touch::Touch;
    use crate::server::services::touches;
    let Ctx { user, state, .. } = Ctx::enter(Action::LogTouch).await?;
    let touch = Touch::from_parts(&kind, outcome.as_deref()).map_err(|_| {
        ApiError::Invalid(vec![FieldError::new("outcome", "choose what happened: for a call, connected, no answer, voicemail, busy or wrong number")]).respond()
    })?;
    let logged = touches::Logged {
        touch,
        note: note.as_deref().unwrap_or(""),
        key: key.as_deref(),
        callback: None,
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
    Ok(())
}

/// Saves the rep's qualification notes (budget, authority, need, timeline).
#[server(endpoint = "lead/qualify")]
pub async fn save_qualification(
    lead_id: String,
    budget: String,
    authority: String,
    need: String,
    timeline: String,
) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::lifecycle;
    let Ctx { user, state, .. } = Ctx::enter(Action::WorkLead).await?;
    let notes = Qualification {
        budget,
        authority,
        need,
        timeline,
    };
    lifecycle::qualify(&state.db, state.clock.now(), &user, &lead_id, notes).await?;
    Ok(())
}

/// Hands a lead that is not ready to marketing, with a reason and the date (`YYYY-MM-DD`)
/// it comes back to sales.
#[server(endpoint = "lead/not-ready")]
pub async fn mark_not_ready(
    lead_id: String,
    reason: String,
    recontact_on: String,
) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::intake::FieldError;
    use crate::server::services::lifecycle;
    let Ctx { user, state, .. } = Ctx::enter(Action::WorkLead).await?;
    let on = chrono::NaiveDate::parse_from_str(recontact_on.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::Invalid(vec![FieldError::new(
            "recontact_on",
            "is not a date (YYYY-MM-DD)",
        )])
        .respond()
    })?;
    let at = on
        .and_hms_opt(9, 0, 0)
        .and_then(|t| t.and_local_timezone(state.config.timezone).earliest())
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| {
            ApiError::Invalid(vec![FieldError::new(
                "recontact_on",
                "is not a date in this time zone",
            )])
            .respond()
        })?;
    lifecycle::not_ready(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &user,
        &lead_id,
        &reason,
        at,
        &state.live,
    )
    .await?;
    Ok(())
}

/// Closes a lead won (amount, date) or dead (a reason and its evidence). The dialog's fields
/// arrive as `close[outcome]`, `close[amount]`, `close[sold_on]`, `close[reason]`,
/// `close[own_request]` and `close[duplicate_of]`.
#[server(endpoint = "lead/close")]
pub async fn close_lead(
    lead_id: String,
    close: crate::domain::closure::CloseForm,
    note: Option<String>,
) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::lifecycle;
    let Ctx { user, state, .. } = Ctx::enter(Action::WorkLead).await?;
    lifecycle::close(
        &state.db,
        state.clock.now(),
        &user,
        &lead_id,
        &close,
        note.as_deref().unwrap_or(""),
        &state.live,
    )
    .await?;
    Ok(())
}

/// A manager reverses a closure.
#[server(endpoint = "lead/reopen")]
pub async fn reopen_lead(lead_id: String, note: Option<String>) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::lifecycle;
    let Ctx { user, state, .. } = Ctx::enter(Action::Manage).await?;
    lifecycle::reopen(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &user,
        &lead_id,
        note.as_deref().unwrap_or(""),
        &state.live,
    )
    .await?;
    Ok(())
}

/// A rep returns a lead they called to marketing, with a reason.
#[server(endpoint = "lead/return")]
pub async fn return_lead(lead_id: String, reason: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::lifecycle;
    let Ctx { user, state, .. } = Ctx::enter(Action::WorkLead).await?;
    lifecycle::return_to_marketing(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &user,
        &lead_id,
        &reason,
        &state.live,
    )
    .await?;
    Ok(())
}

/// Gives leads (`lead_ids`, comma-separated) to the rep `to`, or to the next rep who can take
/// them when `to` is empty, with a reason. Managers only.
#[server(endpoint = "lead/reassign")]
pub async fn reassign_leads(
    lead_ids: String,
    to: Option<String>,
    reason: String,
) -> Result<usize, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::lifecycle;
    let Ctx { user, state, .. } = Ctx::enter(Action::Manage).await?;
    let ids = crate::domain::touch::chosen_leads(&lead_ids)
        .map_err(|error| ApiError::Invalid(vec![error]).respond())?;
    let to = to
        .map(|to| to.trim().to_string())
        .filter(|to| !to.is_empty());
    Ok(lifecycle::reassign(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &user,
        &ids,
        to.as_deref(),
        &reason,
        &state.live,
    )
    .await?)
}

/// The qualifier passes a sales-ready lead from the queue to the rep `to`, or to the next rep
/// who can take it when `to` is empty, with a note for them. Answers the rep's name.
#[server(endpoint = "lead/pass")]
pub async fn pass_to_sales(
    lead_id: String,
    to: Option<String>,
    note: String,
) -> Result<String, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::lifecycle;
    let Ctx { user, state, .. } = Ctx::enter(Action::PassToSales).await?;
    let to = to
        .map(|to| to.trim().to_string())
        .filter(|to| !to.is_empty());
    Ok(lifecycle::pass_to_sales(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &user,
        &lead_id,
        to.as_deref(),
        &note,
        &state.live,
    )
    .await?)
}
