//! The layer every request passes on its way in and out: posts from other sites are refused,
//! server-function bodies are bounded, and every response leaves with the security headers
//! (a Content-Security-Policy with a fresh nonce for the page's own scripts, `nosniff`, no
//! framing, a referrer policy, HSTS over HTTPS) and a caching rule: personal data is never
//! stored by a browser or proxy, static files are revalidated, fingerprinted ones kept a year.

use crate::api::ApiError;
use crate::domain::throttle::address_key;
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderMap, HeaderValue, Method};
use std::net::{IpAddr, SocketAddr};

/// The largest body a screen's server-function call may send (bulk nurture touches carry
/// many lead ids; nothing else comes close).
pub const SERVER_FN_MAX_BODY: usize = 1024 * 1024;

/// Paths of the public REST API: called by other systems with a Bearer key, never with the
/// session cookie, so posts from other origins are what it is for.
const PUBLIC_API: &str = "/api/v1/";

/// The nonce that lets this response's own inline scripts run, and no others. Put in the
/// request's extensions for the page shell to stamp on the scripts it writes.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Whether a request that may change something came from another site. Browsers say where a
/// request comes from (`Sec-Fetch-Site`, `Origin`); a request that says neither is not a
/// browser's cross-site form or script and is left to the session check.
pub fn is_cross_site(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    public_origin: Option<&str>,
) -> bool {
    if method.is_safe() || path.starts_with(PUBLIC_API) {
        return false;
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return true;
        }
    }
    match text("origin") {
        None => false,
        Some(origin) => {
            let expected = public_origin
                .map(authority_of)
                .or_else(|| text("host"))
                .map(str::to_ascii_lowercase);
            expected.is_none_or(|expected| authority_of(origin).to_ascii_lowercase() != expected)
        }
    }
}

/// `host[:port]` of an origin or URL (`https://crm.acme.com:8443/x` → `crm.acme.com:8443`).
fn authority_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
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

/// Refuses posts (and other changing methods) that another site's page sent: a sign-in or a
/// server function called from a form or script elsewhere never reaches Leadline's code.
pub async fn same_site_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if is_cross_site(
        request.method(),
        request.uri().path(),
        request.headers(),
        state.config.public_origin.as_deref(),
    ) {
        tracing::warn!(
            path = request.uri().path(),
            origin = ?request.headers().get(header::ORIGIN),
            "refused a cross-site request"
        );
        return ApiError::CrossSite.into_response();
    }
    next.run(request).await
}

/// Reads a server-function call's body up to [`SERVER_FN_MAX_BODY`], answering `413` beyond it,
/// so no caller can make the server hold an unbounded body.
pub async fn bounded_server_fn_body(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") || path.starts_with(PUBLIC_API) {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > SERVER_FN_MAX_BODY as u64) {
        return ApiError::TooLarge.into_response();
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, SERVER_FN_MAX_BODY).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => ApiError::TooLarge.into_response(),
    }
}

/// Adds the security headers and the caching rule to every response, and hands the page shell
/// a fresh script nonce.
pub async fn secure_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    let fingerprinted = state.leptos_options.hash_files
        && request
            .uri()
            .path()
            .starts_with(&format!("/{}/", state.leptos_options.site_pkg_dir));
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.entry(name).or_insert(value);
        }
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        &content_security_policy(&nonce),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    // Same-origin only: plain form posts (no JavaScript) are sent back to the page they came
    // from by its Referer, which other sites never see.
    set(header::REFERRER_POLICY, "same-origin");
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if state.config.https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    // A static file carries Last-Modified (and is answered 304 when unchanged); a page, a
    // server function's reply, an export or a live stream is personal and never stored.
    let cache = if !headers.contains_key(header::LAST_MODIFIED) {
        "no-store"
    } else if fingerprinted {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The policy: only this site's scripts (the page's inline ones by nonce), its WebAssembly,
/// styles and images; no plugins, no framing, no posting elsewhere.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// 128 random bits, hex-encoded.
fn new_nonce() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_post_from_another_origin_is_cross_site() {
        let from_evil = headers(&[("host", "crm.acme.com"), ("origin", "https://evil.example")]);
        assert!(is_cross_site(
            &Method::POST,
            "/api/auth/login",
            &from_evil,
            None
        ));
        let from_browser = headers(&[("host", "crm.acme.com"), ("sec-fetch-site", "cross-site")]);
        assert!(is_cross_site(
            &Method::POST,
            "/api/lead/close",
            &from_browser,
            None
        ));
        let sandboxed = headers(&[("host", "crm.acme.com"), ("origin", "null")]);
        assert!(is_cross_site(
            &Method::POST,
            "/api/lead/close",
            &sandboxed,
            None
        ));
        let sibling = headers(&[("host", "crm.acme.com"), ("sec-fetch-site", "same-site")]);
        assert!(is_cross_site(
            &Method::POST,
            "/api/lead/close",
            &sibling,
            None
        ));
    }

    #[test]
    fn a_post_from_the_same_origin_or_from_no_browser_is_let_through() {
        let own = headers(&[
            ("host", "crm.acme.com"),
            ("origin", "https://crm.acme.com"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(!is_cross_site(&Method::POST, "/api/auth/login", &own, None));
        let script = headers(&[("host", "crm.acme.com")]);
        assert!(!is_cross_site(
            &Method::POST,
            "/api/auth/login",
            &script,
            None
        ));
    }

    #[test]
    fn reads_and_the_public_api_are_never_refused_as_cross_site() {
        let from_evil = headers(&[("host", "crm.acme.com"), ("origin", "https://evil.example")]);
        assert!(!is_cross_site(&Method::GET, "/board", &from_evil, None));
        assert!(!is_cross_site(
            &Method::POST,
            "/api/v1/leads",
            &from_evil,
            None
        ));
    }

    #[test]
    fn behind_a_proxy_the_public_origin_is_what_counts() {
        let proxied = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://crm.acme.com"),
        ]);
        assert!(!is_cross_site(
            &Method::POST,
            "/api/auth/login",
            &proxied,
            Some("https://crm.acme.com")
        ));
        assert!(is_cross_site(
            &Method::POST,
            "/api/auth/login",
            &proxied,
            None
        ));
    }

    #[test]
    fn the_policy_lets_only_the_nonced_scripts_and_the_wasm_run() {
        let policy = content_security_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
