//! A form that posts to a server function: a plain HTML form (it works before the WebAssembly
//! arrives), sent by the browser as it stands once the page works.
//!
//! Why not `ActionForm`: each `ActionForm` reads the form into its function's argument type, so
//! every form brings its own form-data reader and encoder into the download, and a
//! `ServerAction` a base64 decoder. The lead page alone has ten. This sends the form's fields
//! as they are (the server reads them exactly as it reads a no-JavaScript post), so one piece
//! of code serves every form, and the server's answer comes back as JSON text.

use crate::api::ApiError;
use leptos::prelude::*;

/// One form's action: its last answer (the server function's JSON reply, or its refusal), a
/// count of the posts that were saved, and whether a post is on its way.
#[derive(Clone, Copy)]
pub struct FormPost {
    path: &'static str,
    action: Action<String, Result<String, ApiError>>,
    saved: RwSignal<usize>,
}

impl FormPost {
    /// For the server function `S`. A refusal of this form's post made before the page worked
    /// (the server sent the browser back here with it in the address) is its first answer.
    pub fn to<S: leptos::server_fn::ServerFn>() -> Self {
        let path = S::PATH;
        let refused = use_context::<leptos::server::ServerActionError>()
            .filter(|refusal| refusal.path() == path)
            .map(|refusal| Err(refusal_in_address(refusal.err())));
        let saved = RwSignal::new(0);
        let action = Action::new_with_value(refused, move |body: &String| {
            let body = body.clone();
            async move {
                let answer = send(path, body).await;
                if answer.is_ok() {
                    saved.update(|n| *n += 1);
                }
                answer
            }
        });
        Self {
            path,
            action,
            saved,
        }
    }

    /// How many posts were saved: a page re-reads what it shows when this moves. (Not on a
    /// refusal: re-reading would redraw the form and lose what was typed in it.)
    pub fn saved(&self) -> usize {
        self.saved.get()
    }

    /// The last answer: the reply's JSON text, or why it was refused.
    pub fn value(&self) -> Option<Result<String, ApiError>> {
        self.action.value().get()
    }

    /// The last answer with the reply read as `T` (a reply that does not read is the server's
    /// fault, reported as such).
    pub fn answer<T: serde::de::DeserializeOwned>(&self) -> Option<Result<T, ApiError>> {
        self.value().map(|answer| {
            answer.and_then(|json| serde_json::from_str(&json).map_err(|_| ApiError::Internal))
        })
    }

    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }
}

/// The form. `children` are its fields and its submit button.
#[component]
pub fn PostForm(
    post: FormPost,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <form method="post" action=post.path class=class on:submit=move |ev| {
            ev.prevent_default();
            if let Some(body) = fields(&ev) {
                post.action.dispatch(body);
            }
        }>
            {children()}
        </form>
    }
}

/// The refusal the server wrote into the address (URL-safe base64 of its JSON). The browser's
/// own decoder reads it, so no decoder comes with the download.
#[cfg(feature = "hydrate")]
pub(crate) fn refusal_in_address(encoded: &str) -> ApiError {
    let standard: String = encoded
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let bytes: Option<Vec<u8>> = window().atob(&standard).ok().and_then(|text| {
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect()
    });
    bytes
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(ApiError::Malformed)
}

#[cfg(not(feature = "hydrate"))]
pub(crate) fn refusal_in_address(encoded: &str) -> ApiError {
    leptos::server_fn::error::ServerFnUrlError::<ApiError>::decode_err(encoded)
}

/// The submitted form's fields, URL-encoded as the browser would post them.
#[cfg(feature = "hydrate")]
fn fields(ev: &leptos::ev::SubmitEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let form = ev.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    let encoded = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    Some(String::from(encoded.to_string()))
}

#[cfg(not(feature = "hydrate"))]
fn fields(_: &leptos::ev::SubmitEvent) -> Option<String> {
    None
}

/// Posts the fields to the server function and reads its answer as its own client would: an
/// error status carries the refusal, a redirect goes through the router.
#[cfg(feature = "hydrate")]
async fn send(path: &'static str, body: String) -> Result<String, ApiError> {
    use leptos::server_fn::client::{browser::BrowserClient, Client};
    use leptos::server_fn::error::FromServerFnError;
    use leptos::server_fn::redirect::call_redirect_hook;
    use leptos::server_fn::request::{browser::BrowserRequest, ClientReq};
    use leptos::server_fn::response::ClientRes;
    let request = <BrowserRequest as ClientReq<ApiError>>::try_new_post(
        path,
        "application/x-www-form-urlencoded",
        "application/json",
        body,
    )?;
    let response = <BrowserClient as Client<ApiError>>::send(request).await?;
    let status = ClientRes::<ApiError>::status(&response);
    let redirect = ClientRes::<ApiError>::has_redirect(&response)
        .then(|| ClientRes::<ApiError>::location(&response));
    let bytes = ClientRes::<ApiError>::try_into_bytes(response).await?;
    if (400..=599).contains(&status) {
        return Err(ApiError::de(bytes));
    }
    if let Some(location) = redirect {
        call_redirect_hook(&location);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Forms are only sent from the browser: a server render never submits one.
#[cfg(not(feature = "hydrate"))]
async fn send(_: &'static str, _: String) -> Result<String, ApiError> {
    Err(ApiError::Internal)
}
