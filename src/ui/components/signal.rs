//! The rep's opt-in signal for a new lead in the queue: a beep and a buzz, and a system
//! notification (opening that lead) while the page is out of sight, with the rep's permission.
//! The choice is kept in the browser (localStorage), since it belongs to the phone, not the
//! account.

use leptos::prelude::*;

const KEY: &str = "leadline.signal";

/// A lead on the queue, as the signal sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead {
    pub id: String,
    pub name: String,
}

/// Watches the ids a queue shows; when one appears that was not there before (after the
/// first load) and the rep has switched the signal on, beeps and vibrates. Returns the switch
/// and how many times it has signalled (shown for the curious, and for tests).
pub fn new_lead_signal(
    leads: impl Fn() -> Option<Vec<NewLead>> + 'static,
) -> (RwSignal<bool>, RwSignal<u32>) {
    let enabled = RwSignal::new(false);
    let signalled = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        use std::collections::HashSet;
        if let Some(storage) = window().local_storage().ok().flatten() {
            enabled.set(storage.get_item(KEY).ok().flatten().as_deref() == Some("on"));
        }
        Effect::new(move |_| {
            let on = enabled.get();
            if let Some(storage) = window().local_storage().ok().flatten() {
                let _ = storage.set_item(KEY, if on { "on" } else { "off" });
            }
        });
        let seen = StoredValue::new_local(None::<HashSet<String>>);
        Effect::new(move |_| {
            let Some(now) = leads() else {
                return;
            };
            let fresh: Vec<NewLead> = seen.with_value(|before| match before {
                Some(before) => now
                    .iter()
                    .filter(|lead| !before.contains(&lead.id))
                    .cloned()
                    .collect(),
                None => Vec::new(),
            });
            seen.set_value(Some(now.into_iter().map(|lead| lead.id).collect()));
            if !fresh.is_empty() && enabled.get_untracked() {
                beep_and_vibrate();
                notify(&fresh);
                signalled.update(|n| *n += 1);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = leads;
    let _ = KEY;
    (enabled, signalled)
}

/// A system notification for the newest arrival, if the page is hidden and the rep allowed it.
#[cfg(feature = "hydrate")]
fn notify(fresh: &[NewLead]) {
    let Some(first) = fresh.first() else {
        return;
    };
    let title = if fresh.len() == 1 {
        "New lead to call".to_string()
    } else {
        format!("{} new leads to call", fresh.len())
    };
    let _ = js::show(&title, &first.name, &format!("/lead/{}", first.id));
}

#[cfg(feature = "hydrate")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// Asks for permission to notify (from a tap).
        #[wasm_bindgen(catch, js_namespace = leadlineNotify, js_name = ask)]
        pub fn ask() -> Result<(), JsValue>;
        /// Shows a notification that opens `url`, if the page is hidden and allowed to.
        #[wasm_bindgen(catch, js_namespace = leadlineNotify, js_name = show)]
        pub fn show(title: &str, body: &str, url: &str) -> Result<JsValue, JsValue>;
        /// A short beep and a buzz.
        #[wasm_bindgen(catch, js_namespace = leadlineNotify, js_name = beep)]
        pub fn beep() -> Result<(), JsValue>;
    }
}

/// A beep and a buzz (`leadlineNotify.beep` in `public/phone.js`: sound and vibration are a few
/// lines of script, and would be far more in the app's download).
#[cfg(feature = "hydrate")]
fn beep_and_vibrate() {
    let _ = js::beep();
}

/// The switch, for the top of the queue.
#[component]
pub fn SignalSwitch(enabled: RwSignal<bool>, signalled: RwSignal<u32>) -> impl IntoView {
    view! {
        <label class="queue-options" data-testid="signal-switch" data-signalled=move || signalled.get()>
            <input
                type="checkbox"
                data-testid="signal-toggle"
                prop:checked=move || enabled.get()
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    #[cfg(feature = "hydrate")]
                    if on {
                        let _ = js::ask();
                    }
                    enabled.set(on);
                }
            />
            "Sound, vibration and a notification when a new lead arrives"
        </label>
    }
}
