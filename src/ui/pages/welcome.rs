//! `/welcome?token=…`: a new person (or one whose password was reset) chooses a password
//! through the one-time link an admin gave them, and is signed in. Works as a plain form too.

use crate::api::account::{link_holder, ChoosePassword};
use crate::ui::components::load::load;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WelcomePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let choose = ServerAction::<ChoosePassword>::new();
    let holder = load(token, link_holder);
    view! {
        <main class="login-page">
            <h1 class="brand-big">"Leadline"</h1>
            <Transition fallback=|| view! { <p>"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match holder.await {
                        Ok(Some(name)) => view! {
                            <p class="tagline" data-testid="welcome-name">{format!("Welcome, {name}. Choose a password to sign in.")}</p>
                            <ActionForm action=choose attr:class="card login-form">
                                <input type="hidden" name="token" value=token()/>
                                <label>
                                    "Password (at least 10 characters)"
                                    <input type="password" name="password" required minlength="10"
                                        autocomplete="new-password" data-testid="welcome-password"/>
                                </label>
                                <label>
                                    "The same again"
                                    <input type="password" name="again" required minlength="10"
                                        autocomplete="new-password" data-testid="welcome-again"/>
                                </label>
                                <button type="submit" class="primary" data-testid="welcome-submit"
                                    disabled=move || choose.pending().get()>"Choose and sign in"</button>
                                {move || choose.value().get().and_then(Result::err).map(|e| view! {
                                    <p class="error" role="alert" data-testid="welcome-error">{e.to_string()}</p>
                                })}
                            </ActionForm>
                        }
                        .into_any(),
                        _ => view! {
                            <p class="error" role="alert" data-testid="welcome-expired">
                                "This link was already used or has expired. Ask your admin for a new one."
                            </p>
                            <p><a href="/login">"Sign in"</a></p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}
