//! The rep's opt-in sound and vibration for a new lead in the queue. The choice is kept in the
//! browser (localStorage), since it belongs to the phone, not the account.

use leptos::prelude::*;

const KEY: &str = "leadline.signal";

/// Watches the ids a queue shows; when one appears that was not there before (after the
/// first load) and the rep has switched the signal on, beeps and vibrates. Returns the switch
/// and how many times it has signalled (shown for the curious, and for tests).
pub fn new_lead_signal(
    ids: impl Fn() -> Option<Vec<String>> + 'static,
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
            let Some(now) = ids() else {
                return;
            };
            let fresh = seen.with_value(|before| {
                before
                    .as_ref()
                    .is_some_and(|before| now.iter().any(|id| !before.contains(id)))
            });
            seen.set_value(Some(now.into_iter().collect()));
            if fresh && enabled.get_untracked() {
                beep_and_vibrate();
                signalled.update(|n| *n += 1);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ids;
    let _ = KEY;
    (enabled, signalled)
}

#[cfg(feature = "hydrate")]
fn beep_and_vibrate() {
    let _ = window().navigator().vibrate_with_duration(300);
    let Ok(audio) = web_sys::AudioContext::new() else {
        return;
    };
    let Ok(tone) = audio.create_oscillator() else {
        return;
    };
    tone.frequency().set_value(880.0);
    let _ = tone.connect_with_audio_node(&audio.destination());
    let _ = tone.start();
    let _ = tone.stop_with_when(audio.current_time() + 0.25);
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
                on:change=move |ev| enabled.set(event_target_checked(&ev))
            />
            "Sound and vibration when a new lead arrives"
        </label>
    }
}
