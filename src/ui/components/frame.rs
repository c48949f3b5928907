//! The frame around a signed-in screen: the top bar with the user's name and sign-out, and the
//! handling of a caller who is not signed in or not allowed.

use crate::api::auth::{logout, Logout};
use crate::api::ApiError;
use crate::domain::role::{Role, User};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The top bar, and the browser tab's title (the screen's: never text a person typed, as the
/// server writes a title unescaped).
#[component]
pub fn TopBar(user: User, title: &'static str) -> impl IntoView {
    // A plain action: see `AlertActions` for why not a `ServerAction`.
    let sign_out = Action::new(|_: &()| logout());
    view! {
        <Title text=format!("{title} · Leadline")/>
        <header class="topbar">
            <span class="brand">"Leadline"</span>
            <h1 class="title">{title}</h1>
            {matches!(user.role, Role::Admin | Role::Manager).then(|| view! {
                <a class="topnav" href="/admin/people" data-testid="nav-team">"Team"</a>
            })}
            <a class="who" href="/account" data-testid="who" title="Your sessions">{user.name}</a>
            // A plain form (it posts without JavaScript), not an `ActionForm`: that would bring
            // a form-data reader into every page's download just for this button.
            <form method="post" action=Logout::url() class="signout"
                on:submit=move |ev| {
                    ev.prevent_default();
                    sign_out.dispatch(());
                }>
                <button type="submit" class="link" data-testid="sign-out">"Sign out"</button>
            </form>
        </header>
    }
}

/// What to show when a server function refused: the sign-in screen for a stranger, else the
/// message.
pub fn refusal(err: ApiError) -> AnyView {
    match err {
        ApiError::Unauthenticated => view! { <Redirect path="/login"/> }.into_any(),
        other => view! {
            <p class="error" role="alert" data-testid="error">{other.to_string()}</p>
        }
        .into_any(),
    }
}

/// Shows what was wrong with one field of a refused form, beside that field, in a rep's words
/// ("Sale date is required", not `sold_on`).
pub fn field_error<T: 'static>(
    last: impl Fn() -> Option<Result<T, ApiError>> + Send + Sync + 'static,
    field: &'static str,
) -> impl IntoView {
    move || {
        match last() {
        Some(Err(ApiError::Invalid(fields))) => fields
            .into_iter()
            .find(|f| f.field == field)
            .map(|f| {
                let text = format!("{} {}", crate::domain::intake::field_label(field), f.message);
                view! { <span class="field-error" data-testid=format!("error-{field}")>{text}</span> }
            }),
        _ => None,
    }
    }
}
