//! The caller's unread alerts, folded into one line ("3 alerts · newest: …") that opens to the
//! list, each linking to its lead with a dismiss button, and a way to dismiss them all. An
//! alert whose job is done (the lead was called, or moved on) is not listed at all. The page
//! loads them (resources are made at a page's top level) and passes them in. Its forms post
//! without JavaScript and dispatch their action with it; `ActionForm` would bring a form-data
//! reader into the queue's download.

use crate::api::alerts::{
    dismiss_alert, dismiss_all_alerts, Alert, DismissAlert, DismissAllAlerts,
};
use crate::api::ApiError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The actions on alerts; a page re-reads its alerts when their version moves. Plain actions
/// calling the server functions: a `ServerAction` also reads a no-JavaScript post's error back
/// from the address, which would bring a base64 decoder into every page's download.
#[derive(Clone, Copy)]
pub struct AlertActions {
    pub dismiss: Action<DismissAlert, Result<(), ApiError>>,
    pub dismiss_all: Action<DismissAllAlerts, Result<u64, ApiError>>,
}

impl AlertActions {
    pub fn new() -> Self {
        Self {
            dismiss: Action::new(|asked: &DismissAlert| dismiss_alert(asked.alert_id.clone())),
            dismiss_all: Action::new(|_: &DismissAllAlerts| dismiss_all_alerts()),
        }
    }

    /// Moves each time an alert is dismissed.
    pub fn version(&self) -> usize {
        self.dismiss.version().get() + self.dismiss_all.version().get()
    }
}

impl Default for AlertActions {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn AlertList(alerts: Vec<Alert>, actions: AlertActions) -> impl IntoView {
    let count = alerts.len();
    let newest = alerts
        .first()
        .map(|a| a.message.clone())
        .unwrap_or_default();
    (count > 0).then(|| {
        let items = alerts
            .into_iter()
            .map(|alert| {
                view! {
                    <li class=format!("alert {}", alert.kind) data-testid="alert">
                        <a href=format!("/lead/{}", alert.lead_id)>{alert.message}</a>
                        <span class="muted">{format!(" {} ago", alert.age)}</span>
                        <form method="post" action=DismissAlert::url() class="inline"
                            on:submit={
                                let alert_id = alert.id.clone();
                                move |ev| {
                                    ev.prevent_default();
                                    actions.dismiss.dispatch(DismissAlert { alert_id: alert_id.clone() });
                                }
                            }>
                            <input type="hidden" name="alert_id" value=alert.id.clone()/>
                            <button type="submit" class="link dark">"Dismiss"</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        let label = if count == 1 {
            "1 alert".to_string()
        } else {
            format!("{count} alerts")
        };
        view! {
            <details class="alerts-fold" data-testid="alerts">
                <summary>
                    <strong data-testid="alert-count">{label}</strong>
                    <span class="newest">{format!(" · newest: {newest}")}</span>
                </summary>
                <ul class="alerts" aria-label="Alerts">{items}</ul>
                <form method="post" action=DismissAllAlerts::url() class="inline"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        actions.dismiss_all.dispatch(DismissAllAlerts {});
                    }>
                    <button type="submit" class="link dark" data-testid="dismiss-all">"Dismiss all"</button>
                </form>
            </details>
        }
    })
}
