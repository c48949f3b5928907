//! The caller's unread alerts, each linking to its lead, with a dismiss button. The page
//! loads them (resources are made at a page's top level) and passes them in.

use crate::api::alerts::{Alert, DismissAlert};
use leptos::prelude::*;

#[component]
pub fn AlertList(alerts: Vec<Alert>, dismiss: ServerAction<DismissAlert>) -> impl IntoView {
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
}
