//! `/queue`: the rep's open leads, most urgent first, made for a phone. Each lead has a tap to
//! call and a two-tap "log call" with the outcome.

use crate::api::alerts::my_alerts;
use crate::api::auth::current_user;
use crate::api::queue::{my_queue, LeadCard, LogCall};
use crate::api::ApiError;
use crate::domain::lead::Stage;
use crate::domain::touch::CallOutcome;
use crate::ui::components::alerts::{AlertActions, AlertList};
use crate::ui::components::flags::flags;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::live::refresh_on_changes;
use crate::ui::components::signal::{new_lead_signal, SignalSwitch};
use leptos::prelude::*;

#[component]
pub fn QueuePage() -> impl IntoView {
    let log_call = ServerAction::<LogCall>::new();
    let me = Resource::new(|| (), |_| current_user());
    let queue = Resource::new(move || log_call.version().get(), |_| my_queue());
    let alert_actions = AlertActions::new();
    let alerts = Resource::new(move || alert_actions.version(), |_| my_alerts());
    refresh_on_changes(move || {
        queue.refetch();
        alerts.refetch();
    });
    // The lead page's code loads on its own: fetch it while the rep reads the queue.
    Effect::new(|_| {
        leptos::task::spawn_local(async {
            <crate::ui::pages::lead::LeadRoute as leptos_router::LazyRoute>::preload().await;
        });
    });
    let (signal_on, signalled) = new_lead_signal(move || {
        queue
            .get()
            .and_then(Result::ok)
            .map(|cards| cards.into_iter().map(|card| card.id).collect())
    });
    let log_error = move || {
        log_call.value().get().and_then(Result::err).map(|e| {
            view! { <p class="error" role="alert" data-testid="log-error">{e.to_string()}</p> }
        })
    };
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading your queue…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let cards = match queue.await {
                    Ok(cards) => cards,
                    Err(e) => return refusal(e),
                };
                let alert_list = alerts.await.unwrap_or_default();
                let overdue = cards.iter().filter(|c| c.overdue).count();
                let open = cards.len();
                view! {
                    <TopBar user title="My queue"/>
                    <main class="page queue">
                        <p class="summary" data-testid="queue-summary">
                            {format!("{open} open · {overdue} overdue")}
                        </p>
                        <SignalSwitch enabled=signal_on signalled/>
                        <AlertList alerts=alert_list actions=alert_actions/>
                        {log_error}
                        {if cards.is_empty() {
                            view! { <p class="empty">"Nothing to follow up right now."</p> }.into_any()
                        } else {
                            view! {
                                <ol class="cards">
                                    {cards
                                        .into_iter()
                                        .map(|card| view! { <LeadCardView card log_call/> })
                                        .collect_view()}
                                </ol>
                            }
                                .into_any()
                        }}
                    </main>
                }
                    .into_any()
            })}
        </Transition>
    }
}

#[component]
fn LeadCardView(card: LeadCard, log_call: ServerAction<LogCall>) -> impl IntoView {
    let hot = card.stage == Stage::Hot;
    let class = match (hot, card.overdue) {
        // Hot first: a hot lead is also the most urgent.
        (true, _) => "card lead hot",
        (false, true) => "card lead overdue",
        _ => "card lead",
    };
    let tel = card.phone.clone().map(|phone| {
        view! {
            <a class="button call" href=format!("tel:{phone}") data-testid="call-link">
                {format!("Call {phone}")}
            </a>
        }
    });
    let mail = card
        .email
        .clone()
        .map(|email| view! { <a class="email" href=format!("mailto:{email}")>{email.clone()}</a> });
    let lead_id = card.id.clone();
    let outcomes = CallOutcome::ALL
        .into_iter()
        .map(|outcome| {
            let lead_id = lead_id.clone();
            view! {
                <ActionForm action=log_call>
                    <input type="hidden" name="lead_id" value=lead_id/>
                    <input type="hidden" name="outcome" value=outcome.as_str()/>
                    <button type="submit" class="outcome"
                        data-testid=format!("outcome-{}", outcome.as_str())
                        disabled=move || log_call.pending().get()>
                        {outcome.label()}
                    </button>
                </ActionForm>
            }
        })
        .collect_view();
    let flags = flags(
        hot,
        card.repeat_inquirer,
        card.phone.is_none(),
        card.free_mail,
    );
    view! {
        <li class=class data-testid="lead-card" data-lead-id=card.id.clone()>
            <div class="lead-head">
                <a class="name" href=format!("/lead/{}", card.id) data-testid="lead-link">{card.name.clone()}</a>
                <span class="age" title="since inquiry">{card.age.clone()}</span>
            </div>
            <div class="company">{card.company.clone()}</div>
            <div class="flags">{flags}</div>
            <div class="next" data-testid="next-action">
                {card.next_action.clone()} " · "
                <span class=if card.overdue { "due overdue" } else { "due" }>{card.due.clone()}</span>
                {card.voicemail_suggested.then_some(" · leave a voicemail if no answer")}
            </div>
            {card.hot_note.clone().filter(|_| hot).map(|note| view! {
                <p class="hot-note" data-testid="card-hot-note">{format!("Why now: {note}")}</p>
            })}
            <div class="last" data-testid="last-touch">
                {card.last_touch.clone().unwrap_or_else(|| "Not contacted yet".to_string())}
            </div>
            {(!card.message.is_empty()).then(|| view! { <p class="message">{card.message.clone()}</p> })}
            <div class="actions">
                {tel}
                {mail}
            </div>
            <details class="log-call">
                <summary class="button" data-testid="log-call">"Log call"</summary>
                <div class="outcomes">{outcomes}</div>
            </details>
        </li>
    }
}
