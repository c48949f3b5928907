//! `/admin/policy`: the follow-up policy in force. An admin changes it here; it is checked as
//! a whole, applies from the next tick without a restart, and each change is an audit entry.
//! Managers read it.

use super::{field_message, refusal_text, AdminTabs, Field};
use crate::api::admin::{policy, SaveCurrency, SavePolicy};
use crate::api::auth::current_user;
use crate::api::ApiError;
use crate::domain::policy_form::PolicyForm;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;

/// Each setting: its field, its label and a hint.
const SETTINGS: [(&str, &str, &str); 15] = [
    (
        "first_contact",
        "First call due within",
        "working time after the lead arrives, e.g. 5 min",
    ),
    (
        "warn_after",
        "Warn the manager after",
        "no call yet; at or after the first-call time",
    ),
    (
        "reassign_after",
        "Give the lead to another rep after",
        "no call yet; after the warning",
    ),
    (
        "later_attempts",
        "Later attempts, after the first",
        "e.g. 1 h, 1 day, 3 days, 6 days, 10 days",
    ),
    (
        "voicemail_attempts",
        "Leave a voicemail on attempts up to",
        "a number of attempts",
    ),
    (
        "after_conversation",
        "Follow up after a conversation within",
        "e.g. 1 day",
    ),
    (
        "nurture_every",
        "Marketing touches a nurtured lead every",
        "e.g. 30 days",
    ),
    (
        "hoard_after",
        "Take back a lead overdue by",
        "working days, e.g. 2 days",
    ),
    (
        "rep_capacity",
        "Open leads per rep at most",
        "a person's own limit overrides it",
    ),
    ("work_days", "Working days", "e.g. Mon-Fri or Mon,Tue,Thu"),
    ("opens", "Opens at", "e.g. 08:00"),
    ("closes", "Closes at", "e.g. 18:00, or 24:00 for midnight"),
    ("timezone", "Time zone", "e.g. Europe/Berlin"),
    (
        "calling_opens",
        "Call people from",
        "their local time; both empty: any hour",
    ),
    (
        "calling_closes",
        "Call people until",
        "their local time, e.g. 21:00",
    ),
];

fn value_of(form: &PolicyForm, field: &str) -> String {
    match field {
        "first_contact" => &form.first_contact,
        "warn_after" => &form.warn_after,
        "reassign_after" => &form.reassign_after,
        "later_attempts" => &form.later_attempts,
        "voicemail_attempts" => &form.voicemail_attempts,
        "after_conversation" => &form.after_conversation,
        "nurture_every" => &form.nurture_every,
        "hoard_after" => &form.hoard_after,
        "rep_capacity" => &form.rep_capacity,
        "work_days" => &form.work_days,
        "opens" => &form.opens,
        "closes" => &form.closes,
        "timezone" => &form.timezone,
        "calling_opens" => &form.calling_opens,
        _ => &form.calling_closes,
    }
    .clone()
}

/// The form's input name for a setting: `policy[first_contact]`.
fn input_name(field: &str) -> &'static str {
    match field {
        "first_contact" => "policy[first_contact]",
        "warn_after" => "policy[warn_after]",
        "reassign_after" => "policy[reassign_after]",
        "later_attempts" => "policy[later_attempts]",
        "voicemail_attempts" => "policy[voicemail_attempts]",
        "after_conversation" => "policy[after_conversation]",
        "nurture_every" => "policy[nurture_every]",
        "hoard_after" => "policy[hoard_after]",
        "rep_capacity" => "policy[rep_capacity]",
        "work_days" => "policy[work_days]",
        "opens" => "policy[opens]",
        "closes" => "policy[closes]",
        "timezone" => "policy[timezone]",
        "calling_opens" => "policy[calling_opens]",
        _ => "policy[calling_closes]",
    }
}

#[component]
pub fn PolicyPage() -> impl IntoView {
    let save = ServerAction::<SavePolicy>::new();
    let save_currency = ServerAction::<SaveCurrency>::new();
    let me = load(|| (), |_| current_user());
    let view_ = load(
        move || save.version().get() + save_currency.version().get(),
        |_| policy(),
    );
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading the policy…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let current = match view_.await {
                    Ok(current) => current,
                    Err(e) => return refusal(e),
                };
                let can_edit = current.can_edit;
                // After a refused save the form keeps what was typed, so nothing is lost.
                let typed = save.input().get_untracked().map(|input| input.policy);
                let shown = match (save.value().get_untracked(), typed) {
                    (Some(Err(_)), Some(typed)) => typed,
                    _ => current.form.clone(),
                };
                let fields = SETTINGS
                    .into_iter()
                    .map(|(field, label, hint)| {
                        let error = Signal::derive(move || field_message(save.value().get(), field));
                        view! {
                            <div class="setting">
                                <Field label=label name=input_name(field) value=value_of(&shown, field) hint=hint
                                    error=error testid=field/>
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <TopBar user=user.clone() title="Follow-up policy"/>
                    <main class="page wide admin">
                        <AdminTabs user current="/admin/policy"/>
                        <p class="summary" data-testid="policy-summary">{current.summary}</p>
                        <ActionForm action=save attr:class="card stack policy-form">
                            <fieldset disabled=!can_edit>
                                <legend>"The rules every lead is followed by"</legend>
                                <div class="settings">{fields}</div>
                            </fieldset>
                            {can_edit.then(|| view! {
                                <button type="submit" class="primary narrow" data-testid="policy-save"
                                    disabled=move || save.pending().get()>"Save: applies from the next minute"</button>
                            })}
                            <div role="status">
                                {move || match save.value().get() {
                                    Some(Ok(())) => Some(view! { <p class="saved" data-testid="policy-saved">"Saved. The new rules apply now."</p> }.into_any()),
                                    Some(Err(e)) => Some(view! { <p class="error" data-testid="policy-error">{refusal_text(&e)}</p> }.into_any()),
                                    None => None,
                                }}
                            </div>
                        </ActionForm>
                        {(!can_edit).then(|| view! { <p class="muted">"Only an admin changes the policy."</p> })}
                        <ActionForm action=save_currency attr:class="card stack currency-form">
                            <fieldset disabled=!can_edit>
                                <legend>"Team settings"</legend>
                                <Field label="Currency of the team's amounts" name="currency" value=current.currency
                                    hint="three letters, e.g. USD or EUR" testid="currency"
                                    error=Signal::derive(move || field_message(save_currency.value().get(), "currency"))/>
                            </fieldset>
                            {can_edit.then(|| view! {
                                <button type="submit" class="button" data-testid="currency-save">"Save currency"</button>
                            })}
                            {move || matches!(save_currency.value().get(), Some(Ok(()))).then(|| view! {
                                <p class="saved" role="status">"Saved."</p>
                            })}
                        </ActionForm>
                    </main>
                }
                .into_any()
            })}
        </Transition>
    }
}
