//! `/nurture`: marketing's pool of leads kept warm until they turn hot — why each came, its
//! last and next nurture touch, flags and source; filter, sort, and touch many at once.

use crate::api::auth::current_user;
use crate::api::nurture::{nurture_pool, LogNurtureTouches};
use crate::api::queue::LeadCard;
use crate::api::ApiError;
use crate::domain::touch::NurtureKind;
use crate::ui::components::flags::flags;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;

#[component]
pub fn NurturePage() -> impl IntoView {
    let touch = ServerAction::<LogNurtureTouches>::new();
    let me = load(|| (), |_| current_user());
    let pool = load(move || touch.version().get(), |_| nurture_pool());
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading the nurture pool…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                match pool.await {
                    Ok(leads) => view! {
                        <TopBar user title="Nurture pool"/>
                        <main class="page wide">
                            <p><a href="/campaigns">"Campaigns: the value of leads →"</a> " · " <a href="/import" data-testid="nav-import">"Import a list →"</a></p>
                            <Pool leads touch/>
                        </main>
                    }
                        .into_any(),
                    Err(e) => refusal(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn Pool(leads: Vec<LeadCard>, touch: ServerAction<LogNurtureTouches>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let overdue_only = RwSignal::new(false);
    let by_age = RwSignal::new(false);
    let selected = RwSignal::new(Vec::<String>::new());
    let leads = StoredValue::new(leads);
    let count = leads.with_value(Vec::len);
    let visible = move || {
        let mut shown: Vec<LeadCard> = leads.with_value(|all| {
            all.iter()
                .filter(|l| !overdue_only.get() || l.overdue)
                .filter(|l| {
                    let wanted = reason.get();
                    wanted.is_empty()
                        || l.nurture_why
                            .as_deref()
                            .is_some_and(|w| w.starts_with(&wanted))
                })
                .cloned()
                .collect()
        });
        if by_age.get() {
            shown.reverse();
        }
        shown
    };
    let toggle = move |id: String| {
        selected.update(|ids| {
            if let Some(at) = ids.iter().position(|x| *x == id) {
                ids.remove(at);
            } else {
                ids.push(id);
            }
        });
    };
    let kinds = NurtureKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.as_str()>{k.label()}</option> })
        .collect_view();
    let error = move || {
        touch.value().get().and_then(Result::err).map(|e| {
            view! { <p class="error" role="alert" data-testid="nurture-error">{e.to_string()}</p> }
        })
    };
    Effect::new(move |_| {
        if matches!(touch.value().get(), Some(Ok(_))) {
            selected.set(Vec::new());
        }
    });
    view! {
        <p class="summary" data-testid="nurture-count">{format!("{count} leads being kept warm")}</p>
        <div class="toolbar">
            <label>"Why "
                <select on:change=move |ev| reason.set(event_target_value(&ev))>
                    <option value="">"Any reason"</option>
                    <option value="Not reached">"Not reached after the cadence"</option>
                    <option value="Not ready">"Not ready yet"</option>
                    <option value="Returned">"Returned by a rep"</option>
                </select>
            </label>
            <label class="check">
                <input type="checkbox" on:change=move |ev| overdue_only.set(event_target_checked(&ev))/>
                " Touch overdue only"
            </label>
            <label class="check">
                <input type="checkbox" on:change=move |ev| by_age.set(event_target_checked(&ev))/>
                " Latest due first"
            </label>
        </div>
        <ActionForm action=touch attr:class="toolbar bulk">
            <input type="hidden" name="lead_ids" prop:value=move || selected.get().join(",")/>
            <span data-testid="selected-count">{move || format!("{} selected", selected.get().len())}</span>
            <select name="kind" data-testid="nurture-kind">{kinds}</select>
            <input type="text" name="note" placeholder="What was sent (optional)"/>
            <button type="submit" class="primary narrow" data-testid="log-nurture"
                disabled=move || selected.get().is_empty() || touch.pending().get()>
                "Log touch for selected"
            </button>
        </ActionForm>
        {error}
        <table class="grid">
            <thead>
                <tr>
                    <th></th>
                    <th>"Lead"</th>
                    <th>"Why here"</th>
                    <th>"Age"</th>
                    <th>"Last touch"</th>
                    <th>"Next nurture touch"</th>
                    <th>"Flags"</th>
                    <th>"Source"</th>
                </tr>
            </thead>
            <tbody>
                <For each=visible key=|l| (l.id.clone(), l.due.clone(), l.last_touch.clone()) let:lead>
                    {
                        let id = lead.id.clone();
                        let checked_id = lead.id.clone();
                        let flags = flags(false, lead.repeat_inquirer, lead.phone.is_none(), lead.free_mail);
                        view! {
                            <tr data-testid="nurture-row" class=if lead.overdue { "overdue" } else { "" }>
                                <td>
                                    <input type="checkbox" aria-label="select" data-testid="select-lead"
                                        prop:checked=move || selected.get().contains(&checked_id)
                                        on:change=move |_| toggle(id.clone())/>
                                </td>
                                <td>
                                    <a href=format!("/lead/{}", lead.id)>{lead.name.clone()}</a>
                                    <div class="muted">{lead.company.clone()}</div>
                                </td>
                                <td>{lead.nurture_why.clone().unwrap_or_default()}</td>
                                <td>{lead.age.clone()}</td>
                                <td data-testid="nurture-last">{lead.last_touch.clone().unwrap_or_else(|| "—".to_string())}</td>
                                <td class=if lead.overdue { "due overdue" } else { "due" }>{lead.due.clone()}</td>
                                <td>{flags}</td>
                                <td>{lead.source.clone()}</td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
    }
    .into_any()
}
