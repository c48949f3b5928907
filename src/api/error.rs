//! The one error type server functions return. Validation errors and rule refusals reach the
//! user verbatim; database and internal errors are logged and reach the user only as a
//! generic message.
//!
//! On the wire every error is one JSON object: a stable `code` a client can act on
//! (`refused` for a rule's no, `invalid` for fields that do not parse, `malformed`,
//! `forbidden` …), the `message` the user reads, and `fields` or `retry_after` where they
//! apply. The status says the same: `400` malformed, `401`, `403`, `404`, `408`, `409` refused
//! by a rule, `413`, `422` invalid fields, `429`.

use crate::domain::intake::FieldError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why a server function did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "WireError", try_from = "WireError")]
pub enum ApiError {
    #[error("Please sign in.")]
    Unauthenticated,
    /// A sign-in whose email and password do not match.
    #[error("That email and password do not match.")]
    WrongCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("That was not found: it may have been removed, or it is not yours to see.")]
    NotFound,
    #[error("{}", summarise(.0))]
    Invalid(Vec<FieldError>),
    /// A follow-up rule said no; the text says why.
    #[error("{0}")]
    Refused(String),
    /// The request itself could not be read (a missing or mistyped field on the wire). The
    /// decoder's words stay in the server's log: they can quote what the caller sent.
    #[error("This request could not be read; nothing was changed.")]
    Malformed,
    /// The request body is larger than any screen sends.
    #[error("This request is too large; nothing was changed.")]
    TooLarge,
    /// The request body did not arrive in time.
    #[error("This request took too long to arrive; nothing was changed. Please try again.")]
    TooSlow,
    /// Too many attempts: wait the given number of seconds before trying again.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    /// The request came from another site (a cross-site form or script), not from Leadline.
    #[error("This request did not come from a Leadline page, so it was refused.")]
    CrossSite,
    #[error("Something went wrong on our side and nothing was changed. Please try again.")]
    Internal,
    #[error("Could not reach Leadline ({0}). Check the connection and try again.")]
    Transport(String),
}

/// An error as it travels: a stable code, the message the user reads, and its particulars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// The stable code clients and tests tell errors apart by.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::WrongCredentials => "wrong_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Invalid(_) => "invalid",
            ApiError::Refused(_) => "refused",
            ApiError::Malformed => "malformed",
            ApiError::TooLarge => "too_large",
            ApiError::TooSlow => "too_slow",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::CrossSite => "cross_site",
            ApiError::Internal => "internal",
            ApiError::Transport(_) => "transport",
        }
    }
}

impl From<ApiError> for WireError {
    fn from(error: ApiError) -> Self {
        let message = error.to_string();
        let code = error.code().to_string();
        let (fields, retry_after) = match error {
            ApiError::Invalid(fields) => (fields, None),
            ApiError::TooManyRequests { retry_after, .. } => (Vec::new(), Some(retry_after)),
            _ => (Vec::new(), None),
        };
        WireError {
            code,
            message,
            fields,
            retry_after,
        }
    }
}

impl TryFrom<WireError> for ApiError {
    type Error = String;

    fn try_from(wire: WireError) -> Result<Self, Self::Error> {
        let WireError {
            code,
            message,
            fields,
            retry_after,
        } = wire;
        Ok(match code.as_str() {
            "unauthenticated" => ApiError::Unauthenticated,
            "wrong_credentials" => ApiError::WrongCredentials,
            "forbidden" => ApiError::Forbidden(message),
            "not_found" => ApiError::NotFound,
            "invalid" => ApiError::Invalid(fields),
            "refused" => ApiError::Refused(message),
            "malformed" => ApiError::Malformed,
            "too_large" => ApiError::TooLarge,
            "too_slow" => ApiError::TooSlow,
            "too_many_requests" => ApiError::TooManyRequests {
                message,
                retry_after: retry_after.unwrap_or(1),
            },
            "cross_site" => ApiError::CrossSite,
            "internal" => ApiError::Internal,
            "transport" => ApiError::Transport(message),
            other => return Err(format!("unknown error code '{other}'")),
        })
    }
}

fn summarise(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                crate::domain::intake::field_label(&e.field),
                e.message
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server this is only reached when a request could not be decoded into the
        // function's arguments: the caller's mistake, answered 400, never a server fault.
        #[cfg(feature = "ssr")]
        if let ServerFnErrorErr::Args(why)
        | ServerFnErrorErr::MissingArg(why)
        | ServerFnErrorErr::Deserialization(why) = value
        {
            tracing::info!(why, "a server function call could not be read");
            return ApiError::Malformed.respond();
        }
        ApiError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl ApiError {
    /// The HTTP status that says what kind of failure this is.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            ApiError::Unauthenticated | ApiError::WrongCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Refused(_) => StatusCode::CONFLICT,
            ApiError::Malformed => StatusCode::BAD_REQUEST,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::CrossSite => StatusCode::FORBIDDEN,
            ApiError::Internal | ApiError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets this error's status on the server function's response, so logs and API clients see
    /// a refusal as a 4xx rather than a server fault. Plain HTML form posts keep Leptos's
    /// redirect back to the form.
    pub fn respond(self) -> Self {
        use leptos::prelude::use_context;
        let html_form = is_plain_form_post();
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            if !html_form {
                options.set_status(self.status());
            }
            if let ApiError::TooManyRequests { retry_after, .. } = &self {
                options.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(*retry_after),
                );
            }
        }
        self
    }

    /// This error as a whole response, in the same JSON form server functions answer with:
    /// for refusals made before a server function runs (a layer in front of it).
    pub fn into_response(self) -> axum::response::Response {
        use axum::response::IntoResponse;
        let status = self.status();
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (
            status,
            [(http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(feature = "ssr")]
impl From<crate::server::services::ServiceError> for ApiError {
    fn from(err: crate::server::services::ServiceError) -> Self {
        use crate::server::services::ServiceError as S;
        let err = match err {
            S::Unauthenticated => ApiError::Unauthenticated,
            S::Forbidden(why) => ApiError::Forbidden(why),
            S::NotFound => ApiError::NotFound,
            S::Invalid(errors) => ApiError::Invalid(errors),
            S::Refused(why) => ApiError::Refused(why),
            S::WrongCredentials => ApiError::WrongCredentials,
            S::TooManyRequests {
                message,
                retry_after,
            } => ApiError::TooManyRequests {
                message,
                retry_after,
            },
            S::Db(e) => {
                tracing::error!(error = %e, "database error in a server function");
                ApiError::Internal
            }
            S::Internal(e) => {
                tracing::error!(error = %e, "internal error in a server function");
                ApiError::Internal
            }
        };
        err.respond()
    }
}

/// Whether the server function was called by a plain HTML form (posted by the browser itself,
/// before the page's app works): the browser then wants a page back, not JSON.
#[cfg(feature = "ssr")]
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}
