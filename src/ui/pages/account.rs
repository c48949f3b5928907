//! `/account`: the sessions a person is signed in with — which browser, from where, last used
//! when — and ending any of them.

use crate::api::account::{my_sessions, EndMySession};
use crate::api::auth::current_user;
use crate::api::ApiError;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let end = ServerAction::<EndMySession>::new();
    let me = load(|| (), |_| current_user());
    let sessions = load(move || end.version().get(), |_| my_sessions());
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading your sessions…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let sessions = match sessions.await {
                    Ok(sessions) => sessions,
                    Err(e) => return refusal(e),
                };
                let home = user.role.home_path();
                let items = sessions
                    .into_iter()
                    .map(|s| {
                        let label = if s.current { "Sign out here" } else { "End this session" };
                        view! {
                            <li class="card session" data-testid="session">
                                <strong>{s.device}</strong>
                                {s.current.then(|| view! { <span class="badge">"this browser"</span> })}
                                <span class="sub">{format!("from {} · signed in {} · used {}", s.address, s.signed_in, s.last_used)}</span>
                                <ActionForm action=end>
                                    <input type="hidden" name="key" value=s.key/>
                                    <button type="submit" class="button" data-testid="end-session">{label}</button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <TopBar user title="Your sessions"/>
                    <main class="page">
                        <p><a class="back" href=home>"← Back to work"</a></p>
                        <p class="muted">"Every browser you are signed in with. A session you do not recognise? End it, then ask your admin to reset your password."</p>
                        <ul class="cards">{items}</ul>
                        {move || end.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
                    </main>
                }
                .into_any()
            })}
        </Transition>
    }
}
