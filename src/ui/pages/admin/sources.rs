//! `/admin/sources`: where leads come from. An admin adds a source (its API key shown once),
//! sets its cost, phone country and thank-you page, rotates its key (the old one works for a
//! grace period chosen here) or revokes it.

use super::{field_message, refusal_text, AdminTabs, Field};
use crate::api::admin::{
    sources, AddSource, EditSource, NewKey, RevokeSource, RotateKey, SourceLine,
};
use crate::api::auth::current_user;
use crate::api::ApiError;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddSource>,
    edit: ServerAction<EditSource>,
    rotate: ServerAction<RotateKey>,
    revoke: ServerAction<RevokeSource>,
}

#[component]
pub fn SourcesPage() -> impl IntoView {
    let actions = Actions {
        add: ServerAction::<AddSource>::new(),
        edit: ServerAction::<EditSource>::new(),
        rotate: ServerAction::<RotateKey>::new(),
        revoke: ServerAction::<RevokeSource>::new(),
    };
    let me = load(|| (), |_| current_user());
    let list = load(
        move || {
            actions.add.version().get()
                + actions.edit.version().get()
                + actions.rotate.version().get()
                + actions.revoke.version().get()
        },
        |_| sources(),
    );
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading sources…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let list = match list.await {
                    Ok(list) => list,
                    Err(e) => return refusal(e),
                };
                let rows = list.into_iter().map(|s| source_row(s, actions)).collect_view();
                view! {
                    <TopBar user=user.clone() title="Sources"/>
                    <main class="page wide admin">
                        <AdminTabs user current="/admin/sources"/>
                        {add_form(actions)}
                        {move || new_key(actions.add.value().get().and_then(Result::ok))}
                        {move || new_key(actions.rotate.value().get().and_then(Result::ok))}
                        <div role="status" class="outcome">
                            {move || {
                                let refused = [
                                    actions.edit.value().get().and_then(Result::err),
                                    actions.rotate.value().get().and_then(Result::err),
                                    actions.revoke.value().get().and_then(Result::err),
                                ]
                                .into_iter()
                                .flatten()
                                .next();
                                refused.map(|e| view! { <p class="error" data-testid="sources-error">{refusal_text(&e)}</p> })
                            }}
                        </div>
                        <div class="scroll">
                            <table class="grid sources">
                                <caption class="sr-only">"Lead sources"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Source"</th>
                                        <th scope="col">"Leads"</th>
                                        <th scope="col">"Cost"</th>
                                        <th scope="col">"Key"</th>
                                        <th scope="col">"Change"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <p class="muted">
                            "A source posts leads to " <code>"POST /api/v1/leads"</code>
                            " with its key as " <code>"Authorization: Bearer <key>"</code>
                            ", or from a website's own form to the address in its "
                            <strong>"Website form"</strong> " snippet (no key, no script)."
                        </p>
                    </main>
                }
                .into_any()
            })}
        </Transition>
    }
}

/// A key just made, shown once to copy.
fn new_key(key: Option<NewKey>) -> Option<impl IntoView> {
    key.map(|key| {
        view! {
            <div class="card invite" data-testid="new-key">
                <p>"The API key of " <strong>{key.source}</strong> ". Copy it now: it is not shown again."</p>
                <label class="sr-only" for="new-key">"API key"</label>
                <input id="new-key" class="copy" type="text" readonly value=key.key data-testid="new-key-value"/>
            </div>
        }
    })
}

fn add_form(actions: Actions) -> impl IntoView {
    let add = actions.add;
    let error =
        move |field: &'static str| Signal::derive(move || field_message(add.value().get(), field));
    view! {
        <details class="card" open=move || matches!(add.value().get(), Some(Err(_)))>
            <summary data-testid="add-source">"Add a source"</summary>
            <ActionForm action=add attr:class="stack columns">
                <Field label="Name" name="name" value="" error=error("name") testid="source-name"/>
                <Field label="What it cost" name="cost" value="" hint="e.g. 1,200.00" error=error("cost")/>
                <Field label="Phone country" name="phone_country" value="" hint="two letters, e.g. US; empty: the server's"
                    error=error("phone_country")/>
                <Field label="Thank-you page" name="thank_you_url" value="" hint="https://… where a web form sends people"
                    error=error("thank_you_url")/>
                <button type="submit" class="primary narrow" data-testid="source-add">"Add and make a key"</button>
                {move || match add.value().get() {
                    Some(Err(e)) => Some(view! { <p class="error" role="alert">{refusal_text(&e)}</p> }),
                    _ => None,
                }}
            </ActionForm>
        </details>
    }
}

fn source_row(source: SourceLine, actions: Actions) -> impl IntoView {
    let revoked = source.revoked;
    let name = source.name.clone();
    let testid = format!("source-{}", source.name);
    let snippet = source.form_snippet.clone();
    let (title, last_lead, leads, cost, key_state) = (
        source.name.clone(),
        source.last_lead.clone(),
        source.leads,
        source.cost.clone(),
        source.key_state.clone(),
    );
    view! {
        <tr class:off=revoked data-testid=testid>
            <th scope="row">{title}<span class="sub">{last_lead}</span></th>
            <td>{leads}</td>
            <td>{cost}</td>
            <td data-testid="key-state">{key_state}</td>
            <td>
                {(!revoked).then(|| view! {
                    <details class="row-actions" data-testid="source-change">
                        <summary>"Change " <span class="sr-only">{name.clone()}</span></summary>
                        {source_forms(source, actions)}
                    </details>
                    // What a website pastes: its form then posts here with no key and no script.
                    <details class="row-actions" data-testid="form-snippet">
                        <summary>"Website form " <span class="sr-only">{name}</span></summary>
                        <p class="muted">"Paste this into a page of the website; each post becomes a lead of this source."</p>
                        <pre class="snippet"><code data-testid="form-snippet-code">{snippet}</code></pre>
                    </details>
                })}
            </td>
        </tr>
    }
}

fn source_forms(source: SourceLine, actions: Actions) -> impl IntoView {
    let scope = format!("-{}", source.id);
    let (s1, s2, s3) = (scope.clone(), scope.clone(), scope.clone());
    let hidden = |id: &str| {
        let id = id.to_string();
        view! { <input type="hidden" name="source_id" value=id/> }
    };
    let (a, b, c) = (hidden(&source.id), hidden(&source.id), hidden(&source.id));
    view! {
        <ActionForm action=actions.edit attr:class="stack">
            {a}
            <Field label="What it cost" name="cost" value=source.cost scope=s1/>
            <Field label="Phone country" name="phone_country" value=source.phone_country scope=s2/>
            <Field label="Thank-you page" name="thank_you_url" value=source.thank_you_url scope=s3/>
            <button type="submit" class="primary narrow">"Save"</button>
        </ActionForm>
        <ActionForm action=actions.rotate attr:class="stack">
            {b}
            <Field label="Old key keeps working for (hours)" name="grace_hours" value="24"
                hint="0: it stops now" scope=scope testid="grace-hours"/>
            <button type="submit" class="button" data-testid="rotate">"Make a new key"</button>
        </ActionForm>
        <ActionForm action=actions.revoke>
            {c}
            <button type="submit" class="danger" data-testid="revoke">"Revoke: stop every key now"</button>
        </ActionForm>
    }
}
