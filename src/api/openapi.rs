//! The intake doors described for the people and tools that post leads: an OpenAPI 3.1 document
//! at `GET /api/v1/openapi.json`, made from the handlers' annotations and the Rust types they
//! read and answer (so it cannot drift from them), and the same read as a page at
//! `GET /api/v1/docs`.

use crate::domain::intake::{FieldError, RawInquiry};
use crate::server::services::intake::{Accepted, OwnerReply};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi, ToSchema};

/// A refusal with one sentence (`400`, `401`, `413`, `429`).
#[derive(Serialize, ToSchema)]
pub struct ErrorReply {
    pub error: String,
}

/// Fields to fix, all at once (`422`).
#[derive(Serialize, ToSchema)]
pub struct FieldErrors {
    pub errors: Vec<FieldError>,
}

/// What an automation tool posts: one flat object of fields named as people name them
/// (`First Name`, `E-mail`, `tel` …), each text, a number or true/false.
#[derive(ToSchema)]
pub struct FlatFields(pub std::collections::HashMap<String, serde_json::Value>);

/// One answer of a Google Ads lead form.
#[derive(ToSchema)]
pub struct GoogleColumn {
    /// `FULL_NAME`, `EMAIL`, `PHONE_NUMBER`, `COMPANY_NAME`, `POSTAL_CODE` … or a custom
    /// question's id.
    pub column_id: Option<String>,
    pub column_name: Option<String>,
    pub string_value: Option<String>,
}

/// A Google Ads lead form webhook (the fields Leadline reads).
#[derive(ToSchema)]
pub struct GoogleLead {
    /// The webhook's key: the source's API key.
    pub google_key: String,
    /// Google's id of the lead: a lead sent again with it is stored once.
    pub lead_id: String,
    pub user_column_data: Option<Vec<GoogleColumn>>,
    /// Google's "send test data": answered `200` `{"test": true, "stored": false}`; no lead.
    pub is_test: Option<bool>,
}

/// A website's own form (`application/x-www-form-urlencoded` or `multipart/form-data`): any
/// field names, read like [`FlatFields`]; `leadline_website` is the honeypot people leave
/// empty.
#[derive(ToSchema)]
pub struct FormFields(pub std::collections::HashMap<String, String>);

#[utoipa::path(
    post,
    path = "/api/v1/leads",
    tag = "intake",
    summary = "Post an inquiry",
    description = "One inquiry from a source, checked, matched to a known person and routed. \
        A repeated `Idempotency-Key` gets the first answer again.",
    request_body = RawInquiry,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: 1 to 255 visible ASCII characters (else 422)")),
    responses(
        (status = 201, description = "A new lead", body = Accepted),
        (status = 200, description = "A known person: their lead, now hot, with this inquiry on it", body = Accepted),
        (status = 400, description = "Not a JSON object", body = ErrorReply),
        (status = 401, description = "No or wrong source key", body = ErrorReply),
        (status = 413, description = "Body over 64 KiB", body = ErrorReply),
        (status = 422, description = "Fields to fix", body = FieldErrors),
        (status = 429, description = "The source sent its leads for this minute; see Retry-After", body = ErrorReply),
    ),
    security(("source_key" = []))
)]
#[expect(
    dead_code,
    reason = "describes `intake::create_lead` for the OpenAPI document"
)]
fn create_lead() {}

#[utoipa::path(
    post,
    path = "/api/v1/hooks/flat",
    tag = "intake",
    summary = "Post an inquiry from an automation tool",
    description = "A flat JSON object with field names as people write them; fields with no \
        place of their own are kept in the message.",
    request_body = FlatFields,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: 1 to 255 visible ASCII characters (else 422)")),
    responses(
        (status = 201, description = "A new lead", body = Accepted),
        (status = 200, description = "A known person", body = Accepted),
        (status = 400, description = "Not one JSON object", body = ErrorReply),
        (status = 401, description = "No or wrong source key", body = ErrorReply),
        (status = 413, description = "Body over 64 KiB", body = ErrorReply),
        (status = 422, description = "Fields to fix (or a nested value)", body = FieldErrors),
        (status = 429, description = "The source sent its leads for this minute", body = ErrorReply),
    ),
    security(("source_key" = []))
)]
#[expect(dead_code, reason = "describes `hooks::flat` for the OpenAPI document")]
fn flat_hook() {}

#[utoipa::path(
    post,
    path = "/api/v1/hooks/google-ads",
    tag = "intake",
    summary = "Google Ads lead form webhook",
    description = "Set this URL and the source's API key (as the webhook's key) in the lead \
        form. A lead Google sends again is stored once, by its `lead_id`.",
    request_body = GoogleLead,
    responses(
        (status = 201, description = "A new lead; a lead sent again gets its first answer again", body = Accepted),
        (status = 200, description = "A known person; or Google's test data (`{\"test\": true, \"stored\": false}`, no lead)", body = Accepted),
        (status = 400, description = "Not a Google Ads lead", body = ErrorReply),
        (status = 401, description = "No or wrong key in google_key", body = ErrorReply),
        (status = 413, description = "Body over 64 KiB", body = ErrorReply),
        (status = 422, description = "Fields to fix, or a lead_id sent again with different answers", body = FieldErrors),
        (status = 429, description = "The source sent its leads for this minute", body = ErrorReply),
    )
)]
#[expect(
    dead_code,
    reason = "describes `hooks::google_ads` for the OpenAPI document"
)]
fn google_ads_hook() {}

#[utoipa::path(
    post,
    path = "/f/{source}",
    tag = "intake",
    summary = "A website's own HTML form",
    description = "No key and no script: the source's id is in the address. Answers are pages \
        for the person who sent the form.",
    params(("source" = String, Path, description = "The source's id (its admin page shows the snippet)")),
    request_body(content = FormFields, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Sent: to the source's thank-you address"),
        (status = 200, description = "Sent (or a robot's post, silently dropped): a thank-you page"),
        (status = 404, description = "No such source, or revoked"),
        (status = 415, description = "Another body type"),
        (status = 422, description = "A page saying what to fix"),
        (status = 429, description = "Too many posts from this address or for this source; see Retry-After"),
    )
)]
#[expect(
    dead_code,
    reason = "describes `forms::post_form` for the OpenAPI document"
)]
fn website_form() {}

/// The source key, sent as a Bearer token.
struct SourceKey;

impl Modify for SourceKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "source_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The source's API key (admin → Sources)"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Leadline intake",
        description = "Every way leads reach a Leadline team. Each ends in the same checks, \
            matching of a known person and routing."
    ),
    paths(create_lead, flat_hook, google_ads_hook, website_form),
    components(schemas(RawInquiry, FieldError, Accepted, OwnerReply, ErrorReply, FieldErrors)),
    modifiers(&SourceKey)
)]
struct IntakeApi;

/// The document (made once per call; it is small).
pub fn document() -> utoipa::openapi::OpenApi {
    IntakeApi::openapi()
}

/// `GET /api/v1/openapi.json`.
pub async fn json() -> Response {
    match document().to_pretty_json() {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the OpenAPI document could not be written");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /api/v1/docs`: the document as a page to read.
pub async fn page() -> Response {
    let doc = document();
    // Escaped, with `code` in backticks shown as code.
    let esc = |text: &str| {
        let escaped = html_escape::encode_text(text).into_owned();
        let mut out = String::new();
        for (i, piece) in escaped.split('`').enumerate() {
            if i % 2 == 1 {
                out.push_str(&format!("<code>{piece}</code>"));
            } else {
                out.push_str(piece);
            }
        }
        out
    };
    let mut body = String::new();
    if let Some(description) = &doc.info.description {
        body.push_str(&format!("<p>{}</p>", esc(description)));
    }
    body.push_str(
        "<p>Machine-readable: <a href=\"/api/v1/openapi.json\">openapi.json</a> (OpenAPI 3.1).</p>",
    );
    for (path, item) in &doc.paths.paths {
        let Some(operation) = &item.post else {
            continue;
        };
        body.push_str(&format!(
            "<section><h2><code>POST {}</code></h2>",
            esc(path)
        ));
        if let Some(summary) = &operation.summary {
            body.push_str(&format!("<p><strong>{}</strong></p>", esc(summary)));
        }
        if let Some(description) = &operation.description {
            body.push_str(&format!("<p>{}</p>", esc(description)));
        }
        if let Some(request) = &operation.request_body {
            for (content_type, content) in &request.content {
                body.push_str(&format!(
                    "<p>Body: <code>{}</code>{}</p>",
                    esc(content_type),
                    fields(content.schema.as_ref(), &doc)
                ));
            }
        }
        body.push_str("<table><tr><th>Answer</th><th>When</th></tr>");
        for (status, response) in &operation.responses.responses {
            let description = match response {
                RefOr::T(response) => response.description.clone(),
                RefOr::Ref(reference) => reference.ref_location.clone(),
            };
            body.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(status),
                esc(&description)
            ));
        }
        body.push_str("</table></section>");
    }
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1c2733}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #d8dee4;padding:.25rem .5rem;text-align:left;vertical-align:top}}\
         code{{overflow-wrap:anywhere}}</style></head><body><h1>{title}</h1>{body}</body></html>",
        title = esc(&doc.info.title),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// " — fields: `name`, `email` …" for a body whose schema names its fields.
fn fields(schema: Option<&RefOr<Schema>>, doc: &utoipa::openapi::OpenApi) -> String {
    let object = match schema {
        Some(RefOr::Ref(reference)) => {
            let name = reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default();
            doc.components
                .as_ref()
                .and_then(|c| c.schemas.get(name))
                .and_then(|s| match s {
                    RefOr::T(Schema::Object(object)) => Some(object.clone()),
                    _ => None,
                })
        }
        Some(RefOr::T(Schema::Object(object))) => Some(object.clone()),
        _ => None,
    };
    let names: Vec<String> = object
        .map(|o| {
            o.properties
                .keys()
                .map(|k| format!("<code>{}</code>", html_escape::encode_text(k)))
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        String::new()
    } else {
        format!(" — fields: {}", names.join(", "))
    }
}
