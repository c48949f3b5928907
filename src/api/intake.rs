//! `POST /api/v1/leads`: the public intake API other systems code against.
//!
//! - `Authorization: Bearer <source key>`; no or wrong key → 401.
//! - JSON object with string fields `name`, `email`, `phone`, `company`, `message`,
//!   `timeframe`, `country` (ISO code; else the phone's), `region`, `postcode`; at least one
//!   of email or phone. Bad fields → 422 `{"errors":[{field,message}]}`;
//!   malformed JSON → 400; body over 64 KiB → 413.
//! - New lead → 201 `{id, owner, stage, repeat: false}`; a known person → 200 with the existing
//!   lead's id and `repeat: true`. A repeated `Idempotency-Key` gets the first reply again.

use crate::domain::intake::{FieldError, RawInquiry};
use crate::server::services::{intake, sources, ServiceError};
use crate::server::state::AppState;
use crate::server::store::sources::SourceRow;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The largest request body intake accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
const MAX_IDEMPOTENCY_KEY: usize = 255;
const FIELDS: [&str; 9] = [
    "name",
    "email",
    "phone",
    "company",
    "message",
    "timeframe",
    "country",
    "region",
    "postcode",
];

pub(super) fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

pub(super) fn field_errors(errors: &[FieldError]) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({ "errors": errors })),
    )
        .into_response()
}

pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    // The scheme's name is case-insensitive (RFC 9110).
    let (scheme, key) = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim()
        .split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
}

/// Why a body could not be read as an inquiry.
enum BadBody {
    /// Not a JSON object at all (400).
    Malformed(String),
    /// A JSON object with fields of the wrong type (422).
    Fields(Vec<FieldError>),
}

impl BadBody {
    fn into_response(self) -> Response {
        match self {
            BadBody::Malformed(why) => error(StatusCode::BAD_REQUEST, &why),
            BadBody::Fields(errors) => field_errors(&errors),
        }
    }
}

/// Any other method than POST on a JSON door: `405`, naming the one it takes.
pub async fn post_only() -> Response {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "This address takes POST only: post the lead as a JSON object.",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// Why `body` is not JSON, in words and with where (the parser's own message names Rust types).
pub(super) fn not_json(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "it ends before the JSON does",
        Category::Syntax => "it is not well-formed",
        Category::Data | Category::Io => "it could not be read",
    };
    format!(
        "The body is not valid JSON: {what} (line {}, column {}).",
        e.line(),
        e.column()
    )
}

/// Reads the JSON object into a raw inquiry; a field that is there but not text is an error.
fn parse_body(body: &[u8]) -> Result<RawInquiry, BadBody> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| BadBody::Malformed(not_json(&e)))?;
    let Value::Object(object) = value else {
        return Err(BadBody::Malformed(
            "The body must be a JSON object.".to_string(),
        ));
    };
    let mut errors = Vec::new();
    let mut take = |field: &str| match object.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(FieldError::new(field, "must be a string"));
            None
        }
    };
    let [name, email, phone, company, message, timeframe, country, region, postcode] =
        FIELDS.map(&mut take);
    if !errors.is_empty() {
        return Err(BadBody::Fields(errors));
    }
    Ok(RawInquiry {
        name,
        email,
        phone,
        company,
        message,
        timeframe,
        country,
        region,
        postcode,
    })
}

/// The handler for `POST /api/v1/leads`.
pub async fn create_lead(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let source = match bearer(&headers) {
        None => None,
        Some(key) => match sources::authenticate(&state.db, state.clock.now(), key).await {
            Ok(source) => source,
            Err(e) => return internal(e),
        },
    };
    let Some(source) = source else {
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "Send the source's API key as 'Authorization: Bearer <key>'.",
        );
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    };
    if let Some(wait) = over_source_limit(&state, &source) {
        return wait;
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                return too_large();
            }
            return error(status, &rejection.body_text());
        }
    };
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) if !key.is_empty() && key.len() <= MAX_IDEMPOTENCY_KEY => Some(key),
        Some(_) => {
            return field_errors(&[FieldError::new(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )])
        }
    };
    let raw = match parse_body(&body) {
        Ok(raw) => raw,
        Err(bad) => return bad.into_response(),
    };
    admit(&state, &source, raw, key).await
}

/// Takes an inquiry in from `source` and answers as the intake API does: the stored reply, or
/// the fields to fix, or a 500 that says nothing was saved. Every JSON door ends here.
pub(super) async fn admit(
    state: &AppState,
    source: &SourceRow,
    raw: RawInquiry,
    key: Option<&str>,
) -> Response {
    let reply = intake::receive(
        &state.db,
        &state.intake,
        &state.policy.get(),
        source
            .phone_country
            .as_deref()
            .unwrap_or(&state.config.phone_region),
        state.clock.now(),
        source,
        raw,
        key,
        &state.live,
    )
    .await;
    match reply {
        Ok(reply) => (
            StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, "application/json")],
            reply.body,
        )
            .into_response(),
        Err(ServiceError::Invalid(errors)) => field_errors(&errors),
        Err(e) => internal(e),
    }
}

/// `429` with `Retry-After` when `source` has sent its leads for this minute
/// (`Config::source_posts_per_minute`); counts this one otherwise.
pub(super) fn over_source_limit(state: &AppState, source: &SourceRow) -> Option<Response> {
    let wait = state
        .limits
        .per_source
        .check(&source.id, state.clock.now())
        .err()?;
    tracing::warn!(source = %source.name, "a source is over its leads a minute");
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        &format!(
            "This source sent more than {} leads this minute; send the rest after {} seconds.",
            state.config.source_posts_per_minute,
            wait.num_seconds()
        ),
    );
    if let Ok(seconds) = HeaderValue::from_str(&wait.num_seconds().to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    Some(response)
}

/// The answer to a body over [`MAX_BODY_BYTES`].
pub fn too_large() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("The body is larger than {} KiB.", MAX_BODY_BYTES / 1024),
    )
}

pub(super) fn internal(err: impl std::fmt::Display) -> Response {
    tracing::error!(error = %err, "intake failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The inquiry could not be stored. Nothing was saved; retry with the same Idempotency-Key.",
    )
}
