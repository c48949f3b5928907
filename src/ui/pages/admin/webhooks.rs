//! `/admin/webhooks`: telling the team's other tools what happened to a lead. An admin
//! subscribes an address to events (its signing secret shown once), switches it off and on or
//! removes it, and reads the delivery log, sending a failed delivery again.

use super::{field_message, refusal_text, AdminTabs, Field};
use crate::api::auth::current_user;
use crate::api::webhooks::{
    webhooks, AddWebhook, DeliveryLine, NewWebhook, RemoveWebhook, RetryDelivery, SwitchWebhook,
    WebhookLine,
};
use crate::api::ApiError;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddWebhook>,
    switch: ServerAction<SwitchWebhook>,
    remove: ServerAction<RemoveWebhook>,
    retry: ServerAction<RetryDelivery>,
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let actions = Actions {
        add: ServerAction::<AddWebhook>::new(),
        switch: ServerAction::<SwitchWebhook>::new(),
        remove: ServerAction::<RemoveWebhook>::new(),
        retry: ServerAction::<RetryDelivery>::new(),
    };
    let refreshed = RwSignal::new(0usize);
    // Which deliveries the log shows ("failed", "pending", "delivered"; empty: all), from
    // `?show=` (the admin screens' warning links to the failed ones).
    let show = RwSignal::new(
        leptos_router::hooks::use_query_map()
            .get_untracked()
            .get("show")
            .unwrap_or_default(),
    );
    let me = load(|| (), |_| current_user());
    let view_data = load(
        move || {
            let versions = actions.add.version().get()
                + actions.switch.version().get()
                + actions.remove.version().get()
                + actions.retry.version().get()
                + refreshed.get();
            (versions, show.get())
        },
        |(_, shown)| webhooks(shown),
    );
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading webhooks…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let data = match view_data.await {
                    Ok(data) => data,
                    Err(e) => return refusal(e),
                };
                let hooks = data.webhooks.into_iter().map(|w| webhook_row(w, actions)).collect_view();
                let empty_log = data.log.is_empty();
                let log = data.log.into_iter().map(|d| delivery_row(d, actions)).collect_view();
                view! {
                    <TopBar user=user.clone() title="Webhooks"/>
                    <main class="page wide admin">
                        <AdminTabs user current="/admin/webhooks"/>
                        {add_form(actions, data.events)}
                        {move || new_secret(actions.add.value().get().and_then(Result::ok))}
                        <div role="status" class="outcome">
                            {move || {
                                let refused = [
                                    actions.switch.value().get().and_then(Result::err),
                                    actions.remove.value().get().and_then(Result::err),
                                    actions.retry.value().get().and_then(Result::err),
                                ]
                                .into_iter()
                                .flatten()
                                .next();
                                refused.map(|e| view! { <p class="error" data-testid="webhooks-error">{refusal_text(&e)}</p> })
                            }}
                        </div>
                        <div class="scroll">
                            <table class="grid webhooks" data-testid="webhooks">
                                <caption class="sr-only">"Webhooks"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Address"</th>
                                        <th scope="col">"Events"</th>
                                        <th scope="col">"State"</th>
                                        <th scope="col">"Change"</th>
                                    </tr>
                                </thead>
                                <tbody>{hooks}</tbody>
                            </table>
                        </div>
                        <h2>"Delivery log"</h2>
                        <div class="toolbar" role="group" aria-label="Show">
                            {[("", "All"), ("failed", "Failed"), ("pending", "Waiting"), ("delivered", "Delivered")]
                                .into_iter()
                                .map(|(value, label)| view! {
                                    <button type="button" class="button narrow"
                                        aria-pressed=move || (show.get() == value).to_string()
                                        data-testid=format!("show-{label}")
                                        on:click=move |_| show.set(value.to_string())>{label}</button>
                                })
                                .collect_view()}
                            <button type="button" class="button narrow" data-testid="refresh-log"
                                on:click=move |_| refreshed.update(|n| *n += 1)>"Refresh"</button>
                        </div>
                        {empty_log.then(|| view! { <p class="muted">"No delivery to show."</p> })}
                        <div class="scroll">
                            <table class="grid deliveries" data-testid="deliveries">
                                <caption class="sr-only">"The latest deliveries, newest first"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"When"</th>
                                        <th scope="col">"Event"</th>
                                        <th scope="col">"Lead"</th>
                                        <th scope="col">"To"</th>
                                        <th scope="col">"What happened"</th>
                                    </tr>
                                </thead>
                                <tbody>{log}</tbody>
                            </table>
                        </div>
                        {how_it_is_sent()}
                    </main>
                }
                .into_any()
            })}
        </Transition>
    }
}

fn how_it_is_sent() -> impl IntoView {
    view! {
        <details class="card">
            <summary>"How deliveries are sent and signed"</summary>
            <p>
                "Each event is sent as a JSON " <code>"POST"</code> " with the headers "
                <code>"Leadline-Event"</code> ", " <code>"Leadline-Delivery"</code>
                " (the same on every try) and " <code>"Leadline-Signature: t=<unix seconds>,v1=<hex>"</code>
                ", where the hex is the HMAC-SHA256 of " <code>"<unix seconds>.<body>"</code>
                " keyed with the webhook's secret. Check it, and refuse a timestamp more than five minutes old."
            </p>
            <p>
                "Answer with any 2xx within 10 seconds. Otherwise the delivery is tried again after 1 and 5 minutes, "
                "then 15 minutes, 1, 3, 6 and 12 hours — also after a restart. A delivery that fails all 8 tries "
                "switches its webhook off, and these screens say so. A receiver may hear of an event twice: "
                "the body's " <code>"id"</code> " tells them apart."
            </p>
        </details>
    }
}

/// The secret of a webhook just added, shown once to copy.
fn new_secret(added: Option<NewWebhook>) -> Option<impl IntoView> {
    added.map(|added| {
        view! {
            <div class="card invite" data-testid="new-secret">
                <p>"The signing secret of " <strong>{added.url}</strong> ". Copy it now: it is not shown again."</p>
                <label class="sr-only" for="new-secret">"Signing secret"</label>
                <input id="new-secret" class="copy" type="text" readonly value=added.secret data-testid="new-secret-value"/>
            </div>
        }
    })
}

fn add_form(actions: Actions, events: Vec<(String, String)>) -> impl IntoView {
    let add = actions.add;
    let error =
        move |field: &'static str| Signal::derive(move || field_message(add.value().get(), field));
    let boxes = events
        .into_iter()
        .enumerate()
        .map(|(n, (name, meaning))| {
            let field = format!("events[{n}]");
            let id = format!("event-{n}");
            let for_id = id.clone();
            view! {
                <label class="check" for=for_id>
                    <input type="checkbox" id=id name=field value=name.clone() checked=true/>
                    <code>{name}</code> " — " {meaning}
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="card" open=move || matches!(add.value().get(), Some(Err(_)))>
            <summary data-testid="add-webhook">"Add a webhook"</summary>
            <ActionForm action=add attr:class="stack">
                <Field label="Address" name="url" value="" kind="url" hint="https://… where the other tool listens"
                    error=error("url") testid="webhook-url"/>
                <fieldset class="stack">
                    <legend>"Events to send"</legend>
                    {boxes}
                    {move || error("events").get().map(|message| view! { <p class="error">{message}</p> })}
                </fieldset>
                <button type="submit" class="primary narrow" data-testid="webhook-add">"Add and make a secret"</button>
                {move || match add.value().get() {
                    Some(Err(e)) => Some(view! { <p class="error" role="alert">{refusal_text(&e)}</p> }),
                    _ => None,
                }}
            </ActionForm>
        </details>
    }
}

fn webhook_row(hook: WebhookLine, actions: Actions) -> impl IntoView {
    let state = if hook.on {
        format!("On · {}", hook.counts)
    } else {
        format!("Off: {} · {}", hook.off_why, hook.counts)
    };
    let (id1, id2) = (hook.id.clone(), hook.id.clone());
    let (url, url1, url2) = (hook.url.clone(), hook.url.clone(), hook.url.clone());
    let switch_to = if hook.on { "false" } else { "true" };
    let switch_label = if hook.on { "Switch off" } else { "Switch on" };
    view! {
        <tr class:off=!hook.on data-testid="webhook">
            <th scope="row"><span class="url">{url}</span><span class="sub">"Added " {hook.added}</span></th>
            <td>{hook.events.join(", ")}</td>
            <td data-testid="webhook-state">{state}</td>
            <td>
                <ActionForm action=actions.switch>
                    <input type="hidden" name="webhook_id" value=id1/>
                    <input type="hidden" name="on" value=switch_to/>
                    <button type="submit" class="button" data-testid="webhook-switch">
                        {switch_label} <span class="sr-only">{url1}</span>
                    </button>
                </ActionForm>
                <ActionForm action=actions.remove>
                    <input type="hidden" name="webhook_id" value=id2/>
                    <button type="submit" class="danger" data-testid="webhook-remove">
                        "Remove " <span class="sr-only">{url2}</span>
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

fn delivery_row(delivery: DeliveryLine, actions: Actions) -> impl IntoView {
    let failed = delivery.state == "failed";
    let href = format!("/lead/{}", delivery.lead_id);
    let id = delivery.id.clone();
    view! {
        <tr data-testid="delivery" data-state=delivery.state.clone()>
            <td>{delivery.at}</td>
            <td><code>{delivery.event}</code></td>
            <td><a href=href>{delivery.lead_name}</a></td>
            <td class="url">{delivery.url}</td>
            <td>
                <span data-testid="delivery-status">{delivery.status}</span>
                {failed.then(|| view! {
                    <ActionForm action=actions.retry>
                        <input type="hidden" name="delivery_id" value=id/>
                        <button type="submit" class="button" data-testid="delivery-retry">"Send again"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
