//! The caller's unread alerts, each linking to its lead, with a dismiss button.

use crate::api::alerts::{my_alerts, DismissAlert};
use leptos::prelude::*;

#[component]
pub fn AlertList() -> impl IntoView {
    let dismiss = ServerAction::<DismissAlert>::new();
    let alerts = Resource::new(move || dismiss.version().get(), |_| my_alerts());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let alerts = alerts.await.unwrap_or_default();
                (!alerts.is_empty()).then(|| {
                    let items = alerts
                        .into_iter()
                        .map(|alert| {
                            view! {
                                <li class=format!("alert {}", alert.kind) data-testid="alert">
                                    <a href=format!("/lead/{}", alert.lead_id)>{alert.message}</a>
                                    <span class="muted">{format!(" {} ago", alert.age)}</span>
                                    <ActionForm action=dismiss attr:class="inline">
                                        <input type="hidden" name="alert_id" value=alert.id/>
                                        <button type="submit" class="link dark">"Dismiss"</button>
                                    </ActionForm>
                                </li>
                            }
                        })
                        .collect_view();
                    view! { <ul class="alerts" aria-label="Alerts">{items}</ul> }
                })
            })}
        </Transition>
    }
}
