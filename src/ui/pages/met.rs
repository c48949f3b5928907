//! `/met`: a rep adds a person they met (at a fair, on a site visit). The person goes through
//! the same intake rules as any inquiry; a new lead is theirs with the meeting logged, and a
//! known person's lead stays with whoever holds it.

use crate::api::auth::current_user;
use crate::api::queue::{AddMetLead, MetLead};
use crate::api::ApiError;
use crate::ui::components::frame::{field_error, refusal, TopBar};
use crate::ui::components::load::load;
use crate::ui::components::post_form::{FormPost, PostForm};
use leptos::prelude::*;

#[component]
pub fn MetPage() -> impl IntoView {
    let me = load(|| (), |_| current_user());
    let add = FormPost::to::<AddMetLead>();
    let last = move || add.answer::<MetLead>();
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                view! {
                    <TopBar user title="Add a lead you met"/>
                    <main class="page met">
                        <p class="hint">"Someone you met in person: they join your queue with the meeting logged."</p>
                        {move || last().map(|answer| match answer {
                            Ok(met) => saved(met).into_any(),
                            Err(e) => {
                                let why = match e {
                                    ApiError::Invalid(_) => "Not saved: see the fields marked below.".to_string(),
                                    e => e.to_string(),
                                };
                                view! { <p class="error" role="alert" data-testid="met-error">{why}</p> }.into_any()
                            }
                        })}
                        <PostForm post=add class="stack">
                            <label>"Name"
                                <input type="text" name="name" required maxlength="200" autocomplete="off" data-testid="met-name"/>
                                {field_error(last, "name")}
                            </label>
                            <label>"Phone"
                                <input type="tel" name="phone" maxlength="40" autocomplete="off" data-testid="met-phone"/>
                                {field_error(last, "phone")}
                            </label>
                            <label>"Email"
                                <input type="email" name="email" maxlength="254" autocomplete="off" data-testid="met-email"/>
                                {field_error(last, "email")}
                            </label>
                            <label>"Company"
                                <input type="text" name="company" maxlength="200" autocomplete="off" data-testid="met-company"/>
                                {field_error(last, "company")}
                            </label>
                            <label>"What you talked about"
                                <textarea name="note" maxlength="2000" rows="3" data-testid="met-note"></textarea>
                                {field_error(last, "note")}
                            </label>
                            <button type="submit" class="button primary" data-testid="met-submit"
                                disabled=move || add.pending().get()>
                                "Add to my queue"
                            </button>
                        </PostForm>
                        <p><a class="button" href="/queue">"Back to my queue"</a></p>
                    </main>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// The confirmation: where the lead went.
fn saved(met: MetLead) -> impl IntoView {
    let text = match (met.mine, met.repeat) {
        (true, false) => "Saved: the lead is in your queue, with the meeting logged.".to_string(),
        (true, true) => {
            "Saved: they were already your lead; the meeting is logged on it.".to_string()
        }
        (false, true) => format!(
            "They were already a lead of {}: it is theirs, and marked hot for them to call.",
            met.owner
        ),
        (false, false) => format!(
            "Saved, but you are at capacity or away: the lead went to {}.",
            met.owner
        ),
    };
    let link = met.mine.then(|| {
        view! { <a class="button" href=format!("/lead/{}", met.id) data-testid="met-open">"Open the lead"</a> }
    });
    view! {
        <p class="saved" role="status" data-testid="met-saved">{text}</p>
        {link}
    }
}
