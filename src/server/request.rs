//! What a request says about who sent it: its session and device cookies, and the client's
//! address. Read the same way by server functions, REST handlers and the protective layer.

use crate::domain::throttle::address_key;
use axum::extract::ConnectInfo;
use std::net::{IpAddr, SocketAddr};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "leadline_session";
/// The cookie that marks a browser as one an account signed in from (sent to sign-in only).
pub const DEVICE_COOKIE: &str = "leadline_device";

/// The value of the cookie called `name` in a request's `Cookie` headers, if any.
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The session token in a request's `Cookie` headers, if any.
pub fn token_in(headers: &http::HeaderMap) -> Option<String> {
    cookie_in(headers, SESSION_COOKIE)
}

/// The address sign-in throttling counts a request against: the peer's address, or behind a
/// trusted proxy the last address in `X-Forwarded-For` (the one the proxy saw), as
/// [`address_key`] groups them.
pub fn client_address(parts: &http::request::Parts, trust_proxy: bool) -> String {
    let forwarded = trust_proxy
        .then(|| {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|last| last.trim().parse::<IpAddr>().ok())
        })
        .flatten();
    let peer = || {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
    };
    forwarded
        .or_else(peer)
        .map_or_else(|| "unknown".to_string(), address_key)
}

/// A fresh nonce for a response's Content-Security-Policy: 128 random bits, hex-encoded.
pub fn new_nonce() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
