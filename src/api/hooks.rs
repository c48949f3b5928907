//! Webhooks from the tools around a team, onto the same intake rules as every other door.
//!
//! - `POST /api/v1/hooks/flat`: what an automation tool (Zapier, Make, n8n) posts — one flat
//!   JSON object, field names as people write them (`First Name`, `E-mail`, `tel`; read like a
//!   website form's, see `domain::form_fields`), values text, numbers or true/false. The
//!   source's key as `Authorization: Bearer <key>`; `Idempotency-Key` honoured.
//! - `POST /api/v1/hooks/google-ads`: Google Ads lead form extensions' webhook — its JSON body
//!   (`lead_id`, `user_column_data: [{column_id, column_name, string_value}]`), the source's key
//!   set as the webhook's key, which Google sends as `google_key`. A lead Google sends again
//!   (it retries until it gets a 200) is the first one, by its `lead_id`.
//!
//! Replies as `POST /api/v1/leads`: 201/200 with the lead, 401 without a good key, 400 for a
//! body that is not the expected JSON, 422 with `{errors}` for fields to fix.

use super::intake::{
    admit, bearer, error, field_errors, internal, not_json, over_source_limit, MAX_BODY_BYTES,
};
use crate::domain::form_fields;
use crate::domain::intake::FieldError;
use crate::server::services::sources;
use crate::server::state::AppState;
use crate::server::store::sources::SourceRow;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

/// The most fields one webhook may carry.
const MAX_FIELDS: usize = 100;

/// The handler for `POST /api/v1/hooks/flat`.
pub async fn flat(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(source) = (match source_for(&state, bearer(&headers)).await {
        Ok(source) => source,
        Err(response) => return response,
    }) else {
        return unauthorised("Send the source's API key as 'Authorization: Bearer <key>'.");
    };
    if let Some(wait) = over_source_limit(&state, &source) {
        return wait;
    }
    let body = match readable(body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) if !key.is_empty() && key.len() <= 255 => Some(key.to_string()),
        Some(_) => {
            return field_errors(&[FieldError::new(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )])
        }
    };
    let fields = match flat_fields(&body) {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    let raw = form_fields::from_fields(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    admit(&state, &source, raw, key.as_deref()).await
}

/// A Google Ads lead form webhook body (the parts Leadline reads).
#[derive(Debug, Deserialize)]
struct GoogleLead {
    #[serde(default)]
    google_key: Option<String>,
    lead_id: String,
    #[serde(default)]
    user_column_data: Vec<GoogleColumn>,
    #[serde(default)]
    is_test: bool,
}

#[derive(Debug, Deserialize)]
struct GoogleColumn {
    #[serde(default)]
    column_id: Option<String>,
    #[serde(default)]
    column_name: Option<String>,
    #[serde(default)]
    string_value: Option<String>,
}

/// The handler for `POST /api/v1/hooks/google-ads`.
pub async fn google_ads(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match readable(body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let lead: GoogleLead = match serde_json::from_slice(&body) {
        Ok(lead) => lead,
        Err(e) => return unreadable(&e, "The body is not a Google Ads lead form webhook"),
    };
    let Some(source) = (match source_for(&state, lead.google_key.as_deref()).await {
        Ok(source) => source,
        Err(response) => return response,
    }) else {
        return unauthorised("Set the source's API key as the webhook's key in Google Ads.");
    };
    if let Some(wait) = over_source_limit(&state, &source) {
        return wait;
    }
    if lead.lead_id.is_empty() || lead.lead_id.len() > 200 {
        return field_errors(&[FieldError::new("lead_id", "must be Google's lead id")]);
    }
    if lead.user_column_data.len() > MAX_FIELDS {
        return field_errors(&[FieldError::new("user_column_data", "has too many columns")]);
    }
    let fields: Vec<(String, String)> = lead
        .user_column_data
        .into_iter()
        .filter_map(|column| {
            // A standard column by its id (`EMAIL`); a custom question by its words, so the
            // rep reads what was asked.
            let name = match (column.column_id, column.column_name) {
                (Some(id), _) if form_fields::is_known(&id) => id,
                (_, Some(name)) if !name.trim().is_empty() => name,
                (id, _) => id?,
            };
            Some((name, column.string_value?))
        })
        .collect();
    let raw = form_fields::from_fields(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    if lead.is_test {
        // Google's "Send test data": the set-up works. Not a person, so no lead and no rep
        // called; the answer says what would have been read.
        let readable = crate::domain::intake::check(raw, &state.config.phone_region).is_ok();
        tracing::info!(source = %source.name, readable, "a Google Ads test lead arrived");
        return (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "test": true, "stored": false, "readable": readable })),
        )
            .into_response();
    }
    let key = format!("google-ads:{}", lead.lead_id);
    let answer = admit(&state, &source, raw, Some(&key)).await;
    if answer.status() == StatusCode::UNPROCESSABLE_ENTITY {
        // The only key Google sends is its lead id: say so in its words.
        return reworded_key_refusal(answer).await;
    }
    answer
}

/// A refusal naming `Idempotency-Key`, which Google never sends, as one naming `lead_id`.
async fn reworded_key_refusal(answer: Response) -> Response {
    let (parts, body) = answer.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The lead could not be read.",
        );
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, bytes.into());
    };
    if !text.contains("\"Idempotency-Key\"") {
        return Response::from_parts(parts, bytes.into());
    }
    field_errors(&[FieldError::new(
        "lead_id",
        "was already sent with different answers; a lead Google sends again must be the same",
    )])
}

/// The source whose key this is, if any; a failed look-up is the server's fault (500).
async fn source_for(state: &AppState, key: Option<&str>) -> Result<Option<SourceRow>, Response> {
    let Some(key) = key else {
        return Ok(None);
    };
    sources::authenticate(&state.db, state.clock.now(), key)
        .await
        .map_err(internal)
}

fn unauthorised(how: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, how);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

/// The body, or the answer to one that could not be read (too large, cut off).
#[expect(
    clippy::result_large_err,
    reason = "the error is the finished answer, made once per request"
)]
fn readable(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Response> {
    body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            super::intake::too_large()
        } else {
            error(status, &rejection.body_text())
        }
    })
}

/// A flat JSON object's fields as text: numbers and true/false written out, nulls left out;
/// anything nested is an error to fix.
/// `400` for a body that is not JSON (said in words) or not the JSON this door takes (the
/// reader's message names the field: "missing field `lead_id`").
fn unreadable(e: &serde_json::Error, what: &str) -> Response {
    let message = match e.classify() {
        serde_json::error::Category::Data => format!("{what}: {e}."),
        _ => not_json(e),
    };
    error(StatusCode::BAD_REQUEST, &message)
}

#[expect(
    clippy::result_large_err,
    reason = "the error is the finished answer, made once per request"
)]
fn flat_fields(body: &[u8]) -> Result<Vec<(String, String)>, Response> {
    debug_assert!(body.len() <= MAX_BODY_BYTES);
    // In the sender's order, so extra fields join the message as sent.
    let Ordered(object) = serde_json::from_slice(body)
        .map_err(|e| unreadable(&e, "The body must be one flat JSON object of fields"))?;
    if object.len() > MAX_FIELDS {
        return Err(field_errors(&[FieldError::new(
            "body",
            "has too many fields",
        )]));
    }
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    for (name, value) in object {
        let text = match value {
            Value::Null => continue,
            Value::String(text) => text,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(_) | Value::Object(_) => {
                errors.push(FieldError::new(
                    &name,
                    "must be text, a number or true/false",
                ));
                continue;
            }
        };
        fields.push((name, text));
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(field_errors(&errors))
    }
}

/// A JSON object's fields in the order they were sent (serde_json's own map sorts them).
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Ordered, M::Error> {
                let mut fields = Vec::new();
                while let Some((name, raw)) =
                    map.next_entry::<String, Box<serde_json::value::RawValue>>()?
                {
                    if fields.len() > MAX_FIELDS {
                        return Err(serde::de::Error::custom("too many fields"));
                    }
                    // A number keeps its digits as sent (an order number, a long id), not a
                    // float's rounding of them.
                    let text = raw.get().trim();
                    let value = if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                        Value::String(text.to_string())
                    } else {
                        serde_json::from_str(text).map_err(serde::de::Error::custom)?
                    };
                    fields.push((name, value));
                }
                Ok(Ordered(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}
