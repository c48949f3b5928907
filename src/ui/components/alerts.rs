//! The caller's unread alerts, folded into one line ("3 alerts · newest: …") that opens to the
//! list, each linking to its lead with a dismiss button, and a way to dismiss them all. An
//! alert whose job is done (the lead was called, or moved on) is not listed at all. The page
//! loads them (resources are made at a page's top level) and passes them in.

use crate::api::alerts::{Alert, DismissAlert, DismissAllAlerts};
use leptos::prelude::*;

/// The actions on alerts; a page re-reads its alerts when their version moves.
#[derive(Clone, Copy)]
pub struct AlertActions {
    pub dismiss: ServerAction<DismissAlert>,
    pub dismiss_all: ServerAction<DismissAllAlerts>,
}

impl AlertActions {
    pub fn new() -> Self {
        Self {
            dismiss: ServerAction::<DismissAlert>::new(),
            dismiss_all: ServerAction::<DismissAllAlerts>::new(),
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
                        <ActionForm action=actions.dismiss attr:class="inline">
                            <input type="hidden" name="alert_id" value=alert.id/>
                            <button type="submit" class="link dark">"Dismiss"</button>
                        </ActionForm>
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
                <ActionForm action=actions.dismiss_all attr:class="inline">
                    <button type="submit" class="link dark" data-testid="dismiss-all">"Dismiss all"</button>
                </ActionForm>
            </details>
        }
    })
}
