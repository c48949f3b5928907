//! Signing in and out, and finding out who is calling (every other server function asks
//! through [`crate::api::context::Ctx`]).

use crate::api::ApiError;
use crate::domain::role::User;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use crate::api::ApiError;
    use crate::domain::role::User;
    use crate::server::request::{token_in, DEVICE_COOKIE, SESSION_COOKIE};
    use crate::server::services::accounts;
    use leptos::prelude::*;

    /// The session token sent with the current request, if any.
    pub fn session_token() -> Option<String> {
        token_in(&use_context::<http::request::Parts>()?.headers)
    }

    /// A `Set-Cookie` value for the device cookie: kept a year, sent only to sign-in.
    pub fn device_cookie(token: &str, secure: bool) -> String {
        cookie::Cookie::build((DEVICE_COOKIE, token.to_string()))
            .path("/api/auth/login")
            .http_only(true)
            .secure(secure)
            .same_site(cookie::SameSite::Strict)
            .max_age(cookie::time::Duration::days(365))
            .build()
            .to_string()
    }

    /// The signed-in user making this request.
    pub async fn caller() -> Result<User, ApiError> {
        let state = crate::api::app_state()?;
        let token = session_token().ok_or(ApiError::Unauthenticated)?;
        let now = state.clock.now();
        accounts::session_user(&state.db, now, state.config.idle_since(now), &token)
            .await?
            .ok_or(ApiError::Unauthenticated)
    }

    /// The signed-in user a plain route's request comes from (the same check as [`caller`]).
    pub async fn route_caller(
        state: &crate::server::state::AppState,
        headers: &http::HeaderMap,
    ) -> Result<User, ApiError> {
        let token = token_in(headers).ok_or(ApiError::Unauthenticated)?;
        let now = state.clock.now();
        accounts::session_user(&state.db, now, state.config.idle_since(now), &token)
            .await?
            .ok_or(ApiError::Unauthenticated)
    }

    /// A `Set-Cookie` value for the session cookie; `None` clears it.
    pub fn session_cookie(token: Option<&str>, secure: bool, days: i64) -> String {
        let mut builder = cookie::Cookie::build((SESSION_COOKIE, token.unwrap_or("").to_string()))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(cookie::SameSite::Lax);
        builder = match token {
            Some(_) => builder.max_age(cookie::time::Duration::days(days)),
            None => builder.max_age(cookie::time::Duration::ZERO),
        };
        builder.build().to_string()
    }

    pub fn set_cookie(value: &str) {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            expect_context::<leptos_axum::ResponseOptions>()
                .append_header(http::header::SET_COOKIE, value);
        }
    }
}

/// Who is signed in, or `None`.
#[server(endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<User>, ApiError> {
    match caller().await {
        Ok(user) => Ok(Some(user)),
        Err(ApiError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Signs in and sends the user to their role's home screen. Repeated failures make the next
/// attempt wait (`429` with `Retry-After`).
#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String) -> Result<(), ApiError> {
    use crate::server::request::{client_address, cookie_in, DEVICE_COOKIE};
    use crate::server::services::accounts::{self, SignIn};
    let state = crate::api::app_state()?;
    let parts = use_context::<http::request::Parts>();
    let address = parts
        .as_ref()
        .map(|parts| client_address(parts, state.config.trust_proxy))
        .unwrap_or_default();
    let device = parts
        .as_ref()
        .and_then(|parts| cookie_in(&parts.headers, DEVICE_COOKIE));
    let agent = parts
        .as_ref()
        .and_then(|p| p.headers.get(http::header::USER_AGENT))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let attempt = SignIn {
        email: &email,
        password: &password,
        address: &address,
        device: device.as_deref(),
        agent: &agent,
    };
    let signed = accounts::sign_in(
        &state.db,
        &state.passwords,
        state.clock.now(),
        state.config.session_days,
        attempt,
    )
    .await?;
    set_cookie(&session_cookie(
        Some(&signed.session),
        state.config.https,
        state.config.session_days,
    ));
    set_cookie(&device_cookie(&signed.device, state.config.https));
    let user = signed.user;
    leptos_axum::redirect(user.role.home_path());
    Ok(())
}

/// Ends the session and goes back to the sign-in screen.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), ApiError> {
    use crate::server::services::accounts;
    let state = crate::api::app_state()?;
    if let Some(token) = session_token() {
        accounts::sign_out(&state.db, &token).await?;
        // Its open live streams end now, not at their next check.
        state
            .live
            .end_session(&crate::server::services::token_hash(&token));
    }
    set_cookie(&session_cookie(None, state.config.https, 0));
    leptos_axum::redirect("/login");
    Ok(())
}
