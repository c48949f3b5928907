//! `POST /test/clock`: moves the server's clock and applies what fell due, so end-to-end tests
//! can walk a lead through days in seconds. Mounted only when `LEADLINE_TEST_CLOCK=1`; never
//! in production.

use crate::server::services::scheduler;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// How far to move the clock.
#[derive(Debug, Deserialize)]
pub struct Advance {
    pub minutes: i64,
}

pub async fn advance(
    State(state): State<AppState>,
    Json(body): Json<Advance>,
) -> (StatusCode, Json<Value>) {
    if body.minutes < 0 {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "the clock only moves forward" })),
        );
    }
    state.clock.advance(chrono::Duration::minutes(body.minutes));
    let now = state.clock.now();
    // Every age on the boards moved.
    state.live.publish("", []);
    match scheduler::run_due(&state.db, &state.policy.get(), now, &state.live).await {
        Ok(applied) => (
            StatusCode::OK,
            Json(json!({ "now": now, "applied": applied })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "test clock: due ticks failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "error": "due ticks failed" })),
            )
        }
    }
}
