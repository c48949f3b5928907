//! A multi-line text box that already holds text a person typed.
//!
//! Leptos writes a `<textarea>`'s children into the server-rendered page without escaping them,
//! so a note such as `</textarea><img onerror=…>` would end the box and run as markup. The text
//! goes in as escaped inner HTML instead: the server writes it escaped, and the browser parses it
//! back as plain text inside the box, so both read the same characters and nothing runs.

use leptos::prelude::*;

/// A `<textarea name=name>` holding `value` as text.
#[component]
pub fn TextBox(
    name: &'static str,
    value: String,
    #[prop(default = 2)] rows: u32,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let escaped = html_escape::encode_text(&value).into_owned();
    view! {
        <textarea name=name rows=rows data-testid=(!testid.is_empty()).then_some(testid) inner_html=escaped></textarea>
    }
}
