//! `GET /live`: Server-Sent Events telling an open screen that leads changed. A rep hears only
//! of their own leads and a qualifier only of the queue's; managers, marketing and admins hear
//! of every lead. Each message carries
//! a lead id, nothing else; the screen re-reads what it shows.

use crate::api::context::Ctx;
use crate::domain::access::hears_of;
use crate::domain::access::Action;
use crate::server::request::token_in;
use crate::server::services::{accounts, token_hash};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

/// How often an open stream checks that its session is still valid (expired, or the user
/// switched off); signing out ends it at once.
const SESSION_CHECK: Duration = Duration::from_secs(60);

pub async fn stream_changes(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = token_in(&headers) else {
        return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response();
    };
    let user = match Ctx::of_request(&state, &headers, Action::OwnAccount).await {
        Ok(ctx) => ctx.user,
        Err(refusal) => return (refusal.status(), refusal.to_string()).into_response(),
    };
    let ended = session_over(state.clone(), token);
    let changes = BroadcastStream::new(state.live.subscribe()).filter_map(move |message| {
        let heard =
            message.map(|change| hears_of(&user, &change.holders).then_some(change.lead_id));
        async move {
            match heard {
                Ok(Some(lead_id)) => Some(Event::default().event("change").data(lead_id)),
                Ok(_) => None,
                // Missed some: the screen re-reads everything, which catches it up.
                Err(BroadcastStreamRecvError::Lagged(_)) => {
                    Some(Event::default().event("resync").data("lagged"))
                }
            }
        }
    });
    // "ready" on every (re)connection: the screen re-reads, catching up on what it missed.
    let events = stream::once(async { Event::default().event("ready").data("ok") })
        .chain(changes)
        .take_until(ended)
        .map(Ok::<_, Infallible>);
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Resolves when the stream's session ends: signed out (at once), expired or its user switched
/// off (within [`SESSION_CHECK`]), or the server shuts down.
fn session_over(state: AppState, token: String) -> impl std::future::Future<Output = ()> {
    let signed_out = state.live.session_ended(token_hash(&token));
    let lapsed = async move {
        let mut every = tokio::time::interval(SESSION_CHECK);
        every.tick().await;
        loop {
            every.tick().await;
            let now = state.clock.now();
            let idle_since = state.config.idle_since(now);
            let still = accounts::session_still_good(&state.db, now, idle_since, &token).await;
            if matches!(still, Ok(false)) {
                return;
            }
        }
    };
    async move {
        tokio::select! {
            () = signed_out => {}
            () = lapsed => {}
        }
    }
}
