//! The one error type server functions return. Validation errors and rule refusals reach the
//! user verbatim; database and internal errors are logged and reach the user only as a
//! generic message.

use crate::domain::intake::FieldError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why a server function did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("That lead was not found.")]
    NotFound,
    #[error("{}", summarise(.0))]
    Invalid(Vec<FieldError>),
    /// A follow-up rule said no; the text says why.
    #[error("{0}")]
    Refused(String),
    #[error("Something went wrong on our side and nothing was changed. Please try again.")]
    Internal,
    #[error("Could not reach Leadline ({0}). Check the connection and try again.")]
    Transport(String),
}

fn summarise(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl ApiError {
    /// The HTTP status that says what kind of failure this is.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) | ApiError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal | ApiError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets this error's status on the server function's response, so logs and API clients see
    /// a refusal as a 4xx rather than a server fault. Plain HTML form posts keep Leptos's
    /// redirect back to the form.
    pub fn respond(self) -> Self {
        use leptos::prelude::use_context;
        let html_form = use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if !html_form {
            if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(self.status());
            }
        }
        self
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
