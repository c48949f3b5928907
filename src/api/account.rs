//! A person's own account: the sessions they are signed in with (and ending any of them), and
//! choosing a password through the one-time link an admin gave them.

use crate::api::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One session of the caller's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub key: String,
    /// "Chrome on Android", or what the browser said of itself.
    pub device: String,
    pub address: String,
    pub signed_in: String,
    pub last_used: String,
    /// The session this page was loaded with.
    pub current: bool,
}

/// A short name for a browser from its `User-Agent`.
pub fn device_of(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "Mac"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) if agent.trim().is_empty() => "Unknown device".to_string(),
        (None, None) => agent.chars().take(60).collect(),
    }
}

/// The caller's sessions, most recently used first.
#[server(endpoint = "account/sessions")]
pub async fn my_sessions() -> Result<Vec<SessionView>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::aging::short_age;
    use crate::server::services::accounts;
    let Ctx { user, state, .. } = Ctx::enter(Action::OwnAccount).await?;
    let now = state.clock.now();
    let token = crate::api::auth::session_token();
    let tz = state.config.timezone;
    Ok(accounts::sessions_of(
        &state.db,
        &user.id,
        now,
        state.config.idle_since(now),
        token.as_deref(),
    )
    .await?
    .into_iter()
    .map(|s| SessionView {
        key: s.key,
        device: device_of(&s.agent),
        address: s.address,
        signed_in: s
            .created_at
            .with_timezone(&tz)
            .format("%-d %b %Y %H:%M")
            .to_string(),
        last_used: if now - s.last_seen_at < chrono::Duration::minutes(2) {
            "now".to_string()
        } else {
            format!("{} ago", short_age(now - s.last_seen_at))
        },
        current: s.current,
    })
    .collect())
}

/// Ends one of the caller's sessions (named by its `key`).
#[server(endpoint = "account/end-session")]
pub async fn end_my_session(key: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::accounts;
    let Ctx { user, state, .. } = Ctx::enter(Action::OwnAccount).await?;
    let hash = accounts::end_session(&state.db, &user.id, &key).await?;
    state.live.end_session(&hash);
    Ok(())
}

/// The name of the person a one-time link is for, if the link is still good.
#[server(endpoint = "account/link")]
pub async fn link_holder(token: String) -> Result<Option<String>, ApiError> {
    use crate::server::services::accounts;
    let state = crate::api::app_state()?;
    Ok(
        accounts::link_holder(&state.db, state.clock.now(), token.trim())
            .await?
            .map(|user| user.name),
    )
}

/// Chooses a password through a one-time link, and signs in.
#[server(endpoint = "account/choose-password")]
pub async fn choose_password(
    token: String,
    password: String,
    again: String,
) -> Result<(), ApiError> {
    use crate::api::auth::{session_cookie, set_cookie};
    use crate::server::request::client_address;
    use crate::server::services::accounts::{self, ChosenPassword};
    if password != again {
        return Err(
            ApiError::Invalid(vec![crate::domain::intake::FieldError::new(
                "again",
                "does not match the password",
            )])
            .respond(),
        );
    }
    let state = crate::api::app_state()?;
    let parts = use_context::<http::request::Parts>();
    let address = parts
        .as_ref()
        .map(|parts| client_address(parts, state.config.trust_proxy))
        .unwrap_or_default();
    let agent = parts
        .as_ref()
        .and_then(|p| p.headers.get(http::header::USER_AGENT))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let chosen = ChosenPassword {
        token: token.trim(),
        password: &password,
        address: &address,
        agent: &agent,
    };
    let signed = accounts::choose_password(
        &state.db,
        &state.passwords,
        state.clock.now(),
        state.config.session_days,
        chosen,
    )
    .await
    .map_err(|e| match e {
        crate::server::services::ServiceError::NotFound => ApiError::Refused(
            "This link was already used or has expired. Ask your admin for a new one.".to_string(),
        )
        .respond(),
        other => other.into(),
    })?;
    set_cookie(&session_cookie(
        Some(&signed.session),
        state.config.https,
        state.config.session_days,
    ));
    leptos_axum::redirect(signed.user.role.home_path());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_is_named_as_people_know_it() {
        assert_eq!(
            device_of("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"),
            "Chrome on Android"
        );
        assert_eq!(
            device_of("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1"),
            "Safari on iPhone"
        );
        assert_eq!(device_of(""), "Unknown device");
        assert_eq!(device_of("curl/8.5"), "curl/8.5");
    }
}
