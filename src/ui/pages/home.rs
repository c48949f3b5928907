//! `/`: sends each person to their own home screen, or to sign in.

use crate::api::auth::current_user;
use crate::ui::components::load::load;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let user = load(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let path = match user.await {
                    Ok(Some(user)) => user.role.home_path(),
                    _ => "/login",
                };
                view! { <Redirect path=path/> }
            })}
        </Suspense>
    }
}
