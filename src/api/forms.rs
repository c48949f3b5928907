//! `POST /f/{source}`: the door for a website's own HTML form, with JavaScript off and no key
//! (a page's markup is public, so a form carries the source's id, never its key).
//!
//! - `application/x-www-form-urlencoded` or `multipart/form-data` (files are ignored); field
//!   names are read leniently (`domain::form_fields`), and fields with no place of their own
//!   are kept in the message.
//! - The honeypot field filled → thanked, nothing kept. More than
//!   [`FORM_POSTS_PER_ADDRESS`](crate::server::limiter::FORM_POSTS_PER_ADDRESS) posts from
//!   one address → `429` with `Retry-After`. The same post again within a minute → the first
//!   inquiry, not a second.
//! - Accepted → `303` to the source's thank-you address (only that address: nothing in the
//!   post can choose where it goes), else a plain thank-you page. Fields a person must fix →
//!   `422` with a page saying what, in words. Unknown or revoked source → `404`.

use crate::domain::form_fields;
use crate::domain::intake::{field_label, FieldError};
use crate::server::request::client_address;
use crate::server::services::intake::{self, FormPost};
use crate::server::services::ServiceError;
use crate::server::state::AppState;
use crate::server::store::sources;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// The most fields a form post may carry (a real form has a dozen).
const MAX_FIELDS: usize = 100;

/// The handler for `POST /f/{source}`.
pub async fn post_form(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    request: Request,
) -> Response {
    let now = state.clock.now();
    let (parts, body) = request.into_parts();
    let address = client_address(&parts, state.config.trust_proxy);
    let source =
        match sources::find_for_form(&state.db, &source_id).await {
            Ok(Some(found)) => found,
            Ok(None) => return page(
                StatusCode::NOT_FOUND,
                "Form not found",
                "<p>This form is not taking inquiries. Please contact the company another way.</p>",
            ),
            Err(e) => return internal(e),
        };
    if let Err(wait) = state.limits.per_address.check(&address, now) {
        return busy(wait);
    }
    if let Err(wait) = state.limits.per_source.check(&source.0.id, now) {
        return busy(wait);
    }
    let fields = match read_fields(axum::http::Request::from_parts(parts, body), &state).await {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    let pairs = || fields.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let (source, thank_you) = source;
    if form_fields::is_robot(pairs()) {
        tracing::info!(source = %source.name, "a form post filled the honeypot: not kept");
        return thanks(thank_you.as_deref());
    }
    let post = FormPost {
        source: &source,
        raw: form_fields::from_fields(pairs()),
        address: &address,
    };
    let region = source
        .phone_country
        .clone()
        .unwrap_or_else(|| state.config.phone_region.clone());
    match intake::from_form(
        &state.db,
        &state.intake,
        &state.policy.get(),
        &region,
        now,
        post,
        &state.live,
    )
    .await
    {
        Ok(_) => thanks(thank_you.as_deref()),
        Err(ServiceError::Invalid(errors)) => refused(&errors),
        Err(e) => internal(e),
    }
}

/// The post's fields as (name, value), in the order sent.
async fn read_fields(
    request: Request,
    state: &AppState,
) -> Result<Vec<(String, String)>, Response> {
    // The type itself, without its parameters (`; boundary=…`, `; charset=…`).
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let bad = |why: &str| {
        tracing::info!(why, "a form post could not be read");
        page(
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            "<p>The message did not arrive whole. Please go back and send it again.</p>",
        )
    };
    let too_many = || {
        page(
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            "<p>The form has more fields than a contact form needs, so it was not taken.</p>",
        )
    };
    if content_type == "multipart/form-data" {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| bad(&e.body_text()))?;
        let mut fields = Vec::new();
        let mut parts = 0;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| bad(&e.body_text()))?
        {
            parts += 1;
            if parts > MAX_FIELDS {
                return Err(too_many());
            }
            let name = field.name().unwrap_or_default().to_string();
            if field.file_name().is_some() {
                continue;
            }
            let bytes = field.bytes().await.map_err(|e| bad(&e.body_text()))?;
            fields.push((name, text_of(bytes.to_vec())));
        }
        Ok(fields)
    } else if content_type == "application/x-www-form-urlencoded" || content_type.is_empty() {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| bad(&e.body_text()))?;
        let fields = url_encoded(&body);
        if fields.len() > MAX_FIELDS {
            return Err(too_many());
        }
        Ok(fields)
    } else {
        Err(page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The form could not be read",
            "<p>Send the form as application/x-www-form-urlencoded or multipart/form-data.</p>",
        ))
    }
}

/// `429`: this address (or the whole source) sent too much just now.
fn busy(wait: chrono::Duration) -> Response {
    let mut response = page(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many messages",
        "<p>Too many messages arrived in a short time. Please wait a few minutes and send it again.</p>",
    );
    if let Ok(seconds) = HeaderValue::from_str(&wait.num_seconds().to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    response
}

/// A url-encoded body's fields (at most one more than [`MAX_FIELDS`]), each decoded as UTF-8
/// or, when it is not (a page in Latin-1 sends its own encoding), as Latin-1.
fn url_encoded(body: &[u8]) -> Vec<(String, String)> {
    let decode = |part: &[u8]| {
        let spaced: Vec<u8> = part
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        text_of(percent_encoding::percent_decode(&spaced).collect())
    };
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .take(MAX_FIELDS + 1)
        .map(|pair| {
            let mut halves = pair.splitn(2, |&b| b == b'=');
            let name = decode(halves.next().unwrap_or_default());
            let value = decode(halves.next().unwrap_or_default());
            (name, value)
        })
        .collect()
}

/// Text from a form: UTF-8, else Latin-1 (each byte its own character), never lost.
fn text_of(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().into_iter().map(char::from).collect(),
    }
}

/// `413`, as a page for the person who sent the form.
pub fn too_large_page() -> Response {
    page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Message too long",
        "<p>The message is longer than this form takes. Please shorten it and send it again.</p>",
    )
}

/// `408`, as a page for the person who sent the form.
pub fn too_slow_page() -> Response {
    page(
        StatusCode::REQUEST_TIMEOUT,
        "Not sent",
        "<p>The message took too long to arrive. Please go back and send it again.</p>",
    )
}

/// `GET /f/{source}`: someone opened the form's address itself.
pub async fn opened() -> Response {
    let mut response = page(
        StatusCode::METHOD_NOT_ALLOWED,
        "Contact form",
        "<p>This address receives a website's contact form. Please use the form on the website.</p>",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// After an accepted (or silently dropped) post: the source's own thank-you page, else ours.
fn thanks(thank_you: Option<&str>) -> Response {
    match thank_you {
        Some(url) => Redirect::to(url).into_response(),
        None => page(
            StatusCode::OK,
            "Thank you",
            "<p>Thank you — your message has arrived. Someone will be in touch shortly.</p>",
        ),
    }
}

/// What the person must fix, field by field.
fn refused(errors: &[FieldError]) -> Response {
    let mut items = String::new();
    let mut said = Vec::new();
    for e in errors {
        if said.contains(&&e.message) {
            continue;
        }
        said.push(&e.message);
        // A problem of several fields at once ("give an email or a phone") is one sentence.
        let shared = errors.iter().filter(|o| o.message == e.message).count() > 1;
        let line = if shared {
            let mut chars = e.message.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        } else {
            format!("{} {}", field_label(&e.field), e.message)
        };
        items.push_str(&format!("<li>{}</li>", html_escape::encode_text(&line)));
    }
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Please check the form",
        &format!(
            "<p>Your message was not sent yet:</p><ul>{items}</ul><p>Go back, correct it and send it again.</p>"
        ),
    )
}

fn internal(err: impl std::fmt::Display) -> Response {
    tracing::error!(error = %err, "a form post failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Not sent",
        "<p>Your message could not be stored. Please go back and send it again.</p>",
    )
}

/// A small page of our own: no script, readable on a phone. `body` is trusted markup.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    // Its one style block runs by a nonce of its own; nothing else on the page may.
    let nonce = crate::server::request::new_nonce();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>\
         <style nonce=\"{nonce}\">body{{font:17px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1c2733}}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>",
        title = html_escape::encode_text(title),
    );
    let policy = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    );
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}
