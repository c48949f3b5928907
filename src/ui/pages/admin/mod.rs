//! The admin screens: the team's people, sources and their keys, the follow-up policy and the
//! audit log. Desktop screens; admins change things, managers see people and the policy.

pub mod audit;
pub mod people;
pub mod policy;
pub mod sources;
pub mod territories;
pub mod webhooks;

use crate::api::ApiError;
use crate::domain::intake::FieldError;
use crate::domain::role::{Role, User};
use leptos::prelude::*;

/// The tabs between the admin screens, the current one marked.
#[component]
pub fn AdminTabs(user: User, current: &'static str) -> impl IntoView {
    let tabs: &[(&str, &str)] = match user.role {
        Role::Admin => &[
            ("/admin/people", "People"),
            ("/admin/sources", "Sources"),
            ("/admin/territories", "Territories"),
            ("/admin/policy", "Follow-up policy"),
            ("/admin/audit", "Audit log"),
            ("/admin/webhooks", "Webhooks"),
            ("/board", "Boards"),
        ],
        _ => &[
            ("/admin/people", "People"),
            ("/admin/policy", "Follow-up policy"),
            ("/board", "Boards"),
        ],
    };
    let links = tabs
        .iter()
        .map(|(href, label)| {
            let here = *href == current;
            view! {
                <a class=if here { "tab current" } else { "tab" } href=*href
                    aria-current=here.then_some("page")>{*label}</a>
            }
        })
        .collect_view();
    let warning = (user.role == Role::Admin).then(|| {
        let trouble = crate::ui::components::load::load(
            || (),
            |_| crate::api::webhooks::webhook_trouble(),
        );
        view! {
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match trouble.await {
                        Ok(n) if n > 0 => Some(view! {
                            <p class="error" role="alert" data-testid="webhook-trouble">
                                {if n == 1 {
                                    "A webhook was switched off: its deliveries kept failing. ".to_string()
                                } else {
                                    format!("{n} webhooks were switched off: their deliveries kept failing. ")
                                }}
                                <a href="/admin/webhooks?show=failed">"See the failed deliveries"</a>
                            </p>
                        }),
                        _ => None,
                    }
                })}
            </Transition>
        }
    });
    view! {
        <nav class="tabs" aria-label="Admin">{links}</nav>
        {warning}
    }
}

/// The message of the field called `field` in a refusal, if the refusal names it.
pub fn field_message<T>(result: Option<Result<T, ApiError>>, field: &str) -> Option<String> {
    match result {
        Some(Err(ApiError::Invalid(errors))) => errors
            .into_iter()
            .find(|e| e.field == field)
            .map(|FieldError { message, .. }| message),
        _ => None,
    }
}

/// A refusal in words, for the top of a form: when every problem is a field's, a pointer to
/// the fields; else the message.
pub fn refusal_text(error: &ApiError) -> String {
    match error {
        ApiError::Invalid(_) => "Nothing was saved: check the fields marked below.".to_string(),
        other => other.to_string(),
    }
}

/// A labelled text input with its own error under it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(into)] value: String,
    #[prop(optional)] hint: &'static str,
    #[prop(optional, into)] error: MaybeProp<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] testid: &'static str,
    #[prop(optional, into)] placeholder: String,
    /// Tells two forms' fields of the same name apart (a row's id).
    #[prop(optional, into)]
    scope: String,
) -> impl IntoView {
    let id = format!("f-{}{scope}", name.replace(['[', ']'], "-"));
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <label for=id.clone()>
            {label}
            {(!hint.is_empty()).then(|| view! { <span class="field-hint">{hint}</span> })}
        </label>
        <input type=kind id=id name=name value=value placeholder=placeholder
            aria-invalid=move || error.get().map(|_| "true")
            aria-describedby=move || error.get().map(|_| described.clone())
            data-testid=(!testid.is_empty()).then_some(testid)/>
        {move || error.get().map(|message| view! { <span class="field-error" role="alert" id=error_id.clone()>{message}</span> })}
    }
}
