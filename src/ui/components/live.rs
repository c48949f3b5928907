//! Keeps a screen live: in the browser, listens to `/live` and calls `refresh` whenever a
//! change it may show arrives, and on every (re)connection so nothing missed stays missed. The
//! browser reconnects a dropped stream by itself. On the server this does nothing.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

pub fn refresh_on_changes(refresh: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Ok(source) = web_sys::EventSource::new("/live") else {
            return;
        };
        let refresh = refresh.clone();
        let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| refresh());
        for event in ["ready", "change", "resync"] {
            let _ =
                source.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
        // Kept with the page: closed and dropped when the page goes away.
        let held = StoredValue::new_local((source, listener));
        on_cleanup(move || held.with_value(|(source, _)| source.close()));
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = refresh;
}
