//! The layer every request passes on its way in and out: posts from other sites are refused,
//! server-function bodies are bounded, and every response leaves with the security headers
//! (a Content-Security-Policy with a fresh nonce for the page's own scripts, `nosniff`, no
//! framing, a referrer policy, HSTS over HTTPS) and a caching rule: personal data is never
//! stored by a browser or proxy, static files are revalidated, fingerprinted ones kept a year.

use crate::api::ApiError;
use crate::server::preload::Preloads;
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, Method};

/// The largest body a screen's server-function call may send (four long qualification notes in
/// non-Latin script, or a bulk nurture touch on a thousand leads, fit well inside).
pub const SERVER_FN_MAX_BODY: usize = 256 * 1024;

/// How long a request's body may take to arrive in full.
pub const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Paths of the public REST API: called by other systems with a Bearer key, never with the
/// session cookie, so posts from other origins are what it is for.
const PUBLIC_API: &str = "/api/v1/";
/// Where websites' own forms post: from other sites by design, without a session.
const WEBSITE_FORMS: &str = "/f/";

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
    if method.is_safe() || path.starts_with(PUBLIC_API) || path.starts_with(WEBSITE_FORMS) {
        return false;
    }
    // A header that is there but not plain text is treated as foreign, never as absent.
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.to_str(), Ok("same-origin" | "none")) {
            return true;
        }
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match headers.get("origin").map(|v| v.to_str()) {
        None => false,
        Some(Err(_)) => true,
        Some(Ok(origin)) => {
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

/// Reads a request's whole body before anything acts on it: at most [`SERVER_FN_MAX_BODY`]
/// for a server function (else `413`) and the intake API's own limit for it, and within
/// [`BODY_READ_TIMEOUT`] (else `408`), so no caller can make the server hold a large or
/// never-ending body.
pub async fn bounded_bodies(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let public_api = path.starts_with(PUBLIC_API) || path.starts_with(WEBSITE_FORMS);
    if request.method().is_safe() || !(path.starts_with("/api/") || public_api) {
        return next.run(request).await;
    }
    let limit = if public_api {
        crate::api::intake::MAX_BODY_BYTES
    } else {
        SERVER_FN_MAX_BODY
    };
    let website_form = path.starts_with(WEBSITE_FORMS);
    let too_large = || {
        if website_form {
            crate::api::forms::too_large_page()
        } else if public_api {
            crate::api::intake::too_large()
        } else {
            ApiError::TooLarge.into_response()
        }
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(BODY_READ_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => too_large(),
        Err(_) if website_form => crate::api::forms::too_slow_page(),
        Err(_) => ApiError::TooSlow.into_response(),
    }
}

/// The header `server_fn` marks an error reply with.
const SERVER_FN_ERROR: &str = "serverfnerror";
/// Query parameters a plain (no JavaScript) form post is sent back with: the server function's
/// path and its error (Leptos's) or what it saved ([`crate::api::FORM_SAVED`]), and Leadline's
/// own: until when the page may show it, and its signature.
const ERROR_PATH: &str = "__path";
const ERROR_TEXT: &str = "__err";
const ERROR_UNTIL: &str = "__until";
const ERROR_SIGNATURE: &str = "__sig";
const ERROR_PARAMS: [&str; 5] = [
    ERROR_PATH,
    ERROR_TEXT,
    crate::api::FORM_SAVED,
    ERROR_UNTIL,
    ERROR_SIGNATURE,
];

/// How long the page a failed plain form post returns to may show the error.
const FORM_ERROR_LIFETIME: i64 = 300;

/// Tidies what a server function answers:
/// - a refusal gets the status that says what it is (`server_fn` answers every error `500`):
///   `400` malformed, `403`, `404`, `422` refused, `429` with `Retry-After` …, so no
///   refusal can be mistaken for a server fault, whichever code path made it;
/// - the redirect that sends a plain form post back to its page stays on this site, and the
///   error it carries is signed for that page, that session and five minutes, so a page shows
///   only errors Leadline itself produced for the person looking at it.
pub async fn server_fn_replies(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") || path.starts_with(PUBLIC_API) {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let session = crate::server::request::token_in(request.headers());
    let mut response = next.run(request).await;
    if let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    {
        let viewer = Viewer {
            session: session.as_deref(),
            now: state.clock.now().timestamp(),
        };
        let safe = safe_location(location, host.as_deref(), &viewer, &state.signing_key);
        if let Ok(value) = HeaderValue::from_str(&safe) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    if response.status() != http::StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes) {
        parts.status = error.status();
        if let ApiError::TooManyRequests { retry_after, .. } = error {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Who a form error is shown to: their session (if signed in), and the time now.
struct Viewer<'a> {
    session: Option<&'a str>,
    now: i64,
}

/// Where a server function may send the browser: a path on this site (another site's address,
/// which only a forged `Referer` could give, becomes `/`), with any error it carries signed.
fn safe_location(location: &str, host: Option<&str>, viewer: &Viewer, key: &[u8; 32]) -> String {
    let base = format!("http://{}/", host.unwrap_or("localhost"));
    let Ok(base) = url::Url::parse(&base) else {
        return "/".to_string();
    };
    let Ok(target) = base.join(location) else {
        return "/".to_string();
    };
    if target.host_str() != base.host_str()
        || target.port_or_known_default() != base.port_or_known_default()
    {
        return "/".to_string();
    }
    let page = one_leading_slash(target.path());
    let pairs: Vec<(String, String)> = target
        .query_pairs()
        .filter(|(name, _)| name != ERROR_UNTIL && name != ERROR_SIGNATURE)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let mut pairs = latest_answer(pairs);
    let until = (viewer.now + FORM_ERROR_LIFETIME).to_string();
    if let Some(mac) = form_error_mac(&page, viewer.session, &until, &pairs, key) {
        pairs.push((ERROR_UNTIL.to_string(), until));
        pairs.push((
            ERROR_SIGNATURE.to_string(),
            hex::encode(hmac::Mac::finalize(mac).into_bytes()),
        ));
    }
    if pairs.is_empty() {
        return page;
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    format!("{page}?{query}")
}

/// The address's form answer as the latest post left it. A form posted from a page that was
/// itself an answer (the queue after "Saved", a lead page after a refusal) is sent back to that
/// address with its own answer added after the old one: only the last of each part is kept,
/// and an error replaces an earlier "saved". (Kept whole, the doubled names would make the page
/// drop the answer, and the rep would never hear that the call was refused.)
fn latest_answer(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let answer = [ERROR_PATH, ERROR_TEXT, crate::api::FORM_SAVED];
    let refused = pairs.iter().any(|(name, _)| name == ERROR_TEXT);
    let last_at = |name: &str| pairs.iter().rposition(|(n, _)| n == name);
    pairs
        .iter()
        .enumerate()
        .filter(|(at, (name, _))| {
            if !answer.contains(&name.as_str()) {
                return true;
            }
            if refused && name == crate::api::FORM_SAVED {
                return false;
            }
            last_at(name) == Some(*at)
        })
        .map(|(_, pair)| pair.clone())
        .collect()
}

/// A path to send a browser to on this site: `//evil.example` or `/\evil.example` would be
/// read as another site, so it starts with exactly one slash.
fn one_leading_slash(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

/// The keyed hash that makes a form error (or a form's "saved") genuine: over the page it is
/// shown on, the session it is shown to, until when, and the server function's path, error and
/// what it saved. `None` when the query carries neither an error nor a "saved".
fn form_error_mac(
    page: &str,
    session: Option<&str>,
    until: &str,
    pairs: &[(String, String)],
    key: &[u8; 32],
) -> Option<hmac::Hmac<sha2::Sha256>> {
    use hmac::Mac;
    let find = |wanted: &str| {
        pairs
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.as_str())
    };
    let function = find(ERROR_PATH)?;
    let (error, saved) = (find(ERROR_TEXT), find(crate::api::FORM_SAVED));
    if error.is_none() && saved.is_none() {
        return None;
    }
    // Whether each is there at all is signed too: an empty error is not an absent one.
    let given = |part: Option<&str>| part.map_or_else(|| "-".to_string(), |p| format!("+{p}"));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).ok()?;
    for part in [
        page,
        session.unwrap_or(""),
        until,
        function,
        &given(error),
        &given(saved),
    ] {
        mac.update(part.as_bytes());
        mac.update(b"\0");
    }
    Some(mac)
}

/// A page asked for with a form error that Leadline did not sign for this page and this
/// person, or whose time is up (a link someone made up, or passed on, to show their own words
/// in Leadline's error box) is sent to the same page without it.
pub async fn signed_form_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let query = request.uri().query().unwrap_or("");
    if !matches!(*request.method(), Method::GET | Method::HEAD) || query.is_empty() {
        return next.run(request).await;
    }
    // Names are compared decoded: `%5F%5Ferr` is `__err` to the page too.
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if !pairs
        .iter()
        .any(|(name, _)| ERROR_PARAMS.contains(&name.as_str()))
    {
        return next.run(request).await;
    }
    let value = |wanted: &str| {
        pairs
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.as_str())
    };
    let page = request.uri().path();
    let session = crate::server::request::token_in(request.headers());
    // Each at most once: the page reads one occurrence, the check must read the same.
    let once = ERROR_PARAMS
        .iter()
        .all(|wanted| pairs.iter().filter(|(name, _)| name == wanted).count() <= 1);
    let genuine = once
        && match (value(ERROR_UNTIL), value(ERROR_SIGNATURE)) {
            (Some(until), Some(signature)) => {
                let in_time = until
                    .parse::<i64>()
                    .is_ok_and(|until| until >= state.clock.now().timestamp());
                let signed = pairs
                    .iter()
                    .filter(|(name, _)| name != ERROR_UNTIL && name != ERROR_SIGNATURE)
                    .cloned()
                    .collect::<Vec<_>>();
                let mac =
                    form_error_mac(page, session.as_deref(), until, &signed, &state.signing_key);
                match (hex::decode(signature), mac) {
                    // Compared in constant time.
                    (Ok(given), Some(mac)) => {
                        in_time && hmac::Mac::verify_slice(mac, &given).is_ok()
                    }
                    _ => false,
                }
            }
            _ => false,
        };
    if genuine {
        return next.run(request).await;
    }
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(name, _)| !ERROR_PARAMS.contains(&name.as_str()))
        .collect();
    let mut target = one_leading_slash(page);
    if !kept.is_empty() {
        target.push('?');
        target.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish(),
        );
    }
    axum::response::Redirect::to(&target).into_response()
}

/// Adds the security headers and the caching rule to every response, and hands the page shell
/// a fresh script nonce.
pub async fn secure_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = crate::server::request::new_nonce();
    let fingerprinted = state.leptos_options.hash_files
        && request
            .uri()
            .path()
            .starts_with(&format!("/{}/", state.leptos_options.site_pkg_dir));
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let page_path = (request.method() == Method::GET).then(|| request.uri().path().to_owned());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    if let (true, Some(path)) = (is_page, page_path) {
        if let Some(links) = Preloads::of(&state.leptos_options).for_page(&path) {
            if let Ok(value) = HeaderValue::from_str(links) {
                headers.insert(header::LINK, value);
            }
        }
    }
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
    if cache != "no-store" {
        // A file may be sent brotli, gzip or plain: caches must keep them apart.
        headers
            .entry(header::VARY)
            .or_insert(HeaderValue::from_static("Accept-Encoding"));
    }
    response
}

/// The policy: only this site's scripts and styles (the page's inline ones by nonce), its
/// WebAssembly and images; no plugins, no framing, no posting elsewhere.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
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
    fn an_origin_that_is_not_plain_text_counts_as_another_site() {
        let mut odd = headers(&[("host", "crm.acme.com")]);
        odd.insert(
            "origin",
            HeaderValue::from_bytes(b"https://crm.acme.com\xff").unwrap(),
        );
        assert!(is_cross_site(&Method::POST, "/api/auth/login", &odd, None));
        let mut odd_site = headers(&[("host", "crm.acme.com")]);
        odd_site.insert(
            "sec-fetch-site",
            HeaderValue::from_bytes(b"same-origin\xff").unwrap(),
        );
        assert!(is_cross_site(
            &Method::POST,
            "/api/auth/login",
            &odd_site,
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
    fn what_a_form_saved_is_signed_like_an_error_and_an_empty_error_is_not_an_absent_one() {
        let key = [7u8; 32];
        let pair = |name: &str, value: &str| (name.to_string(), value.to_string());
        let signed = |pairs: &[(String, String)]| {
            form_error_mac("/queue", Some("s1"), "1000", pairs, &key)
                .map(|mac| hmac::Mac::finalize(mac).into_bytes().to_vec())
        };
        let saved = [
            pair(ERROR_PATH, "/api/queue/log-call"),
            pair(crate::api::FORM_SAVED, "busy:abc"),
        ];
        let with_empty_error = [saved.to_vec(), vec![pair(ERROR_TEXT, "")]].concat();
        assert!(signed(&saved).is_some());
        assert_ne!(signed(&saved), signed(&with_empty_error));
        assert_eq!(signed(&[pair(ERROR_PATH, "/api/queue/log-call")]), None);
        let viewer = Viewer {
            session: Some("s1"),
            now: 1000,
        };
        let location = safe_location(
            "/queue?__path=%2Fapi%2Fqueue%2Flog-call&__saved=busy%3Aabc",
            Some("crm.acme.com"),
            &viewer,
            &key,
        );
        assert!(location.contains("__sig="), "{location}");
    }

    #[test]
    fn a_form_posted_from_an_answer_page_is_sent_back_with_its_own_answer_only() {
        let key = [7u8; 32];
        let viewer = Viewer {
            session: Some("s1"),
            now: 1000,
        };
        // The queue after "Saved", then a call refused: Leptos adds its error to that address.
        let location = safe_location(
            "/queue?__path=%2Fapi%2Fqueue%2Flog-call&__saved=busy%3Aabc&__until=900&__sig=00\
             &__path=%2Fapi%2Fqueue%2Flog-call&__err=eyJ4Ijoy",
            Some("crm.acme.com"),
            &viewer,
            &key,
        );
        let url = url::Url::parse(&format!("http://crm.acme.com{location}")).unwrap();
        let names: Vec<String> = url.query_pairs().map(|(n, _)| n.into_owned()).collect();
        assert_eq!(names, ["__path", "__err", "__until", "__sig"], "{location}");
        assert!(url
            .query_pairs()
            .any(|(n, v)| n == "__err" && v == "eyJ4Ijoy"));
        // A lead page after one refusal, then another: the new error is the one kept.
        let location = safe_location(
            "/lead/7?__path=%2Fapi%2Flead%2Fclose&__err=b2xk&__path=%2Fapi%2Flead%2Fclose&__err=bmV3",
            Some("crm.acme.com"),
            &viewer,
            &key,
        );
        assert!(location.contains("__err=bmV3"), "{location}");
        assert!(!location.contains("b2xk"), "{location}");
        assert!(location.contains("__sig="), "{location}");
    }

    #[test]
    fn the_policy_lets_only_the_nonced_scripts_and_the_wasm_run() {
        let policy = content_security_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(policy.contains("style-src 'self' 'nonce-abc123';"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
