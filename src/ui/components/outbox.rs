//! Calls kept on the phone until the server has them. A logged call is put in the outbox (the
//! browser's IndexedDB, through `/phone.js`) the moment it is tapped and taken out once the
//! server confirms it or the rep undoes it; whatever is still there when the queue opens again
//! (after a reload, a closed tab or a dead signal) is sent then. Each call carries its key, so
//! sending it twice logs it once. Without the script (or on the server) the outbox is empty and
//! calls live only as long as the page.

use serde::{Deserialize, Serialize};

/// One logged call waiting for the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parcel {
    pub key: String,
    /// Who logged it: only they send it.
    pub user: String,
    pub lead_id: String,
    /// For telling the rep which lead, if the server refuses it later.
    pub lead_name: String,
    pub outcome: String,
    /// What was said, sent with the call.
    #[serde(default)]
    pub note: String,
    /// The agreed callback time (RFC 3339), or empty.
    #[serde(default)]
    pub callback: String,
}

/// Says who is signed in, so leaving the page sends only their calls.
pub fn owner(user: &str) {
    #[cfg(feature = "hydrate")]
    let _ = js::owner(user);
    #[cfg(not(feature = "hydrate"))]
    let _ = user;
}

/// Keeps a parcel on the phone.
pub fn keep(parcel: &Parcel) {
    #[cfg(feature = "hydrate")]
    if let Ok(json) = serde_json::to_string(parcel) {
        quietly(js::put(&json));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = parcel;
}

/// Forgets a parcel: the server has it, or the rep took the call back.
pub fn forget(key: &str) {
    #[cfg(feature = "hydrate")]
    quietly(js::remove(key));
    #[cfg(not(feature = "hydrate"))]
    let _ = key;
}

/// What `user` left in the outbox.
pub async fn kept(user: &str) -> Vec<Parcel> {
    #[cfg(feature = "hydrate")]
    {
        let Ok(promise) = js::list() else {
            return Vec::new();
        };
        let Ok(all) = wasm_bindgen_futures::JsFuture::from(promise).await else {
            return Vec::new();
        };
        let parcels: Vec<Parcel> = all
            .as_string()
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        parcels.into_iter().filter(|p| p.user == user).collect()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = user;
        Vec::new()
    }
}

/// Waits for the browser to finish writing, so a failure is handled rather than reported as
/// an unhandled rejection (a full or private-mode store just means the page is the only copy).
#[cfg(feature = "hydrate")]
fn quietly(promise: Result<js_sys::Promise, wasm_bindgen::JsValue>) {
    if let Ok(promise) = promise {
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

#[cfg(feature = "hydrate")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = leadlineOutbox, js_name = owner)]
        pub fn owner(user: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = leadlineOutbox, js_name = put)]
        pub fn put(json: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(catch, js_namespace = leadlineOutbox, js_name = remove)]
        pub fn remove(key: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(catch, js_namespace = leadlineOutbox, js_name = list)]
        pub fn list() -> Result<js_sys::Promise, JsValue>;
    }
}
