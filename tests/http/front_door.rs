//! The front door, tried the way an attacker would: hostile text in every field, password
//! guessing, posts from other sites, malformed and oversized calls, races on one
//! idempotency key, and what the headers promise.

use crate::common::{
    call, client, client_builder, refused, spawn_app, spawn_app_with, TestApp, PASSWORD,
};
use futures_util::future::join_all;
use leadline::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Text that would end a `<textarea>` and run as markup if it were written into a page as is.
const HOSTILE: &str = "</textarea><img src=x onerror=alert(1)><script>alert(2)</script>";

/// Signs in as `email` from a plain client, with extra headers; returns status, headers and body.
async fn sign_in_attempt(
    app: &TestApp,
    email: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = client()
        .post(format!("{}/api/auth/login", app.url))
        .header("Accept", "application/json")
        .form(&[("email", email), ("password", password)]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A sign-in's answer when it worked (a redirect for a plain form, else 200).
fn signed_in(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

async fn lead_page(app: &TestApp, client: &reqwest::Client, id: &str) -> String {
    let response = client
        .get(format!("{}/lead/{id}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// Rita (a rep, signed in) and the id of a new lead of hers for `email`.
async fn ritas_new_lead(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    app.add_user(Role::Rep, "rita@acme.test").await;
    let lead: Value = app
        .post_lead(json!({ "email": email }))
        .await
        .json()
        .await
        .unwrap();
    let id = lead["id"].as_str().unwrap().to_string();
    (app.signed_in("rita@acme.test").await, id)
}

/// Every `<script …>` tag in a page, up to its `>`.
fn script_tags(html: &str) -> Vec<&str> {
    html.match_indices("<script")
        .map(|(at, _)| &html[at..at + html[at..].find('>').unwrap_or(0)])
        .collect()
}

#[tokio::test]
async fn hostile_qualification_notes_and_names_are_written_into_the_page_as_text() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let lead: Value = app
        .post_lead(json!({ "name": HOSTILE, "email": "ann@acme.test", "company": HOSTILE }))
        .await
        .json()
        .await
        .unwrap();
    let id = lead["id"].as_str().unwrap();
    let rita = app.signed_in("rita@acme.test").await;
    call(&app, &rita, id, "connected").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/qualify",
            &[
                ("lead_id", id),
                ("budget", HOSTILE),
                ("authority", "<b>Ann</b> & co"),
                ("need", HOSTILE),
                ("timeline", "Q3"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let max = app.signed_in("max@acme.test").await;
    let html = lead_page(&app, &max, id).await;
    assert!(
        !html.contains("<img src=x"),
        "no hostile element reaches the page"
    );
    assert!(!html.contains("<script>alert"));
    assert!(
        html.contains("&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;"),
        "the note is shown as the text the rep typed"
    );
    assert!(html.contains("&lt;b&gt;Ann&lt;/b&gt; &amp; co"));
    for tag in script_tags(&html) {
        assert!(
            tag.contains("nonce=\""),
            "every script in the page is the page's own: {tag}"
        );
    }
}

#[tokio::test]
async fn pages_carry_a_policy_whose_nonce_only_the_pages_own_scripts_have() {
    let app = spawn_app().await;
    let response = client()
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    let headers = response.headers().clone();
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "no HSTS over plain HTTP"
    );
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    let scripts = script_tags(&html);
    assert!(!scripts.is_empty());
    for tag in scripts {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{tag}");
    }
    let again = client()
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    let next_policy = again.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        !next_policy.contains(&nonce),
        "each response has a nonce of its own"
    );
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_browsers_are_told_to_stay_on_https() {
    let app = spawn_app_with(|config, _| config.https = true).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let (status, headers, _) = sign_in_attempt(&app, "rita@acme.test", PASSWORD, &[]).await;
    assert!(signed_in(status), "{status}");
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age=31536000"));
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused_and_opens_no_session() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    for headers in [
        vec![("Origin", "https://evil.example")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Origin", "null")],
    ] {
        let (status, response_headers, body) =
            sign_in_attempt(&app, "rita@acme.test", PASSWORD, &headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(
            body["code"],
            json!("cross_site"),
            "refused before the password is looked at"
        );
        assert!(response_headers.get("set-cookie").is_none());
    }
    let own_origin = app.url.clone();
    let (status, headers, _) = sign_in_attempt(
        &app,
        "rita@acme.test",
        PASSWORD,
        &[
            ("Origin", own_origin.as_str()),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    )
    .await;
    assert!(signed_in(status), "from Leadline's own page: {status}");
    assert!(headers.get("set-cookie").is_some());
}

#[tokio::test]
async fn a_change_posted_from_another_site_with_the_users_cookie_changes_nothing() {
    let app = spawn_app().await;
    let (rita, id) = ritas_new_lead(&app, "ann@acme.test").await;
    let id = id.as_str();
    let response = rita
        .post(format!("{}/api/lead/log-touch", app.url))
        .header("Accept", "application/json")
        .header("Origin", "https://evil.example")
        .form(&[("lead_id", id), ("kind", "call"), ("outcome", "connected")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (touches,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM touches")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(touches, 0, "no call was logged");
}

#[tokio::test]
async fn after_five_wrong_passwords_the_account_waits_and_so_does_the_right_password() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    for _ in 0..5 {
        let (status, _, body) = sign_in_attempt(&app, "rita@acme.test", "guess guess", &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            body,
            json!({ "code": "wrong_credentials", "message": "That email and password do not match." })
        );
    }
    let (status, headers, body) = sign_in_attempt(&app, "rita@acme.test", "guess guess", &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(
        body["message"],
        "Too many failed sign-ins. Wait 1 seconds and try again."
    );
    let (status, headers, _) = sign_in_attempt(&app, "rita@acme.test", PASSWORD, &[]).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password waits too while the account is throttled"
    );
    assert!(headers.get("set-cookie").is_none());

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _, _) = sign_in_attempt(&app, "rita@acme.test", PASSWORD, &[]).await;
    assert!(signed_in(status), "after the wait: {status}");
    let (failed, succeeded): (i64, i64) = sqlx::query_as(
        "SELECT SUM(NOT succeeded), SUM(succeeded) FROM sign_in_attempts WHERE email = 'rita@acme.test'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (failed, succeeded),
        (5, 1),
        "every checked attempt is recorded"
    );
}

#[tokio::test]
async fn an_unknown_email_is_throttled_alike_and_takes_as_long_as_a_known_one() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..4 {
        for (email, times) in [
            ("rita@acme.test", &mut known),
            ("nobody@acme.test", &mut unknown),
        ] {
            let started = Instant::now();
            let (status, _, body) = sign_in_attempt(&app, email, "guess guess", &[]).await;
            times.push(started.elapsed());
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(
                body,
                json!({ "code": "wrong_credentials", "message": "That email and password do not match." })
            );
        }
    }
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[2], unknown[2]);
    assert!(
        unknown * 2 > known,
        "an unknown email is checked as slowly as a known one: {unknown:?} vs {known:?}"
    );
    sign_in_attempt(&app, "nobody@acme.test", "guess guess", &[]).await;
    let (status, _, body) = sign_in_attempt(&app, "nobody@acme.test", "guess guess", &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn one_address_guessing_across_many_accounts_is_stopped_after_twenty_failures() {
    let app = spawn_app_with(|config, _| config.trust_proxy = true).await;
    let from_attacker = [("X-Forwarded-For", "198.51.100.7, 203.0.113.9")];
    for n in 0..20 {
        let email = format!("user{n}@acme.test");
        let (status, _, _) = sign_in_attempt(&app, &email, "guess guess", &from_attacker).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let (status, headers, _) =
        sign_in_attempt(&app, "fresh@acme.test", "guess guess", &from_attacker).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key("retry-after"));
    let (status, _, _) = sign_in_attempt(
        &app,
        "fresh@acme.test",
        "guess guess",
        &[("X-Forwarded-For", "203.0.113.10")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "another address is not held up"
    );
}

#[tokio::test]
async fn twenty_concurrent_posts_with_one_idempotency_key_make_one_lead_and_one_answer() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let body = json!({ "name": "Ann Lee", "email": "ann@acme.test" });
    let posts = (0..20).map(|_| app.post_lead_with(body.clone(), Some(&app.key), Some("form-7")));
    let responses = join_all(posts).await;
    let mut answers = Vec::new();
    for response in responses {
        assert_eq!(response.status(), StatusCode::CREATED);
        answers.push(response.text().await.unwrap());
    }
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "every retry gets the first answer"
    );
    assert_eq!(app.lead_count().await, 1);
}

#[tokio::test]
async fn an_idempotency_key_reused_for_another_person_is_refused_not_answered_with_the_first_lead()
{
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let first = app
        .post_lead_with(
            json!({ "email": "ann@acme.test" }),
            Some(&app.key),
            Some("k-1"),
        )
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let other = app
        .post_lead_with(
            json!({ "email": "bob@acme.test" }),
            Some(&app.key),
            Some("k-1"),
        )
        .await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = other.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(
        body["errors"][0]["message"],
        "was already used for a different inquiry; send a new key with a new inquiry"
    );
    assert_eq!(app.lead_count().await, 1, "Bob's inquiry was not stored");
}

#[tokio::test]
async fn a_malformed_server_function_call_is_a_400_and_an_oversized_one_a_413() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let max = app.signed_in("max@acme.test").await;
    let (status, body) = app.server_fn(&max, "lead/close", &[("note", "x")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["code"],
        json!("malformed"),
        "the caller's words are not repeated"
    );
    let (status, body) = app
        .server_fn(
            &max,
            "board/aging-cell",
            &[("basis", "inquiry"), ("stage", "new"), ("bucket", "many")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let response = max
        .post(format!("{}/api/lead/qualify", app.url))
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.json::<Value>().await.unwrap()["code"],
        json!("too_large")
    );
    // A decoder's complaint can quote the caller: it stays in the log, not in the answer.
    let (status, body) = app
        .server_fn(
            &max,
            "auth/login",
            &[
                ("x\"). Call IT on +1 555 0100", "1"),
                ("x\"). Call IT on +1 555 0100", "2"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], json!("malformed"));
}

/// Every server function the screens call.
const SERVER_FNS: [&str; 23] = [
    "auth/me",
    "auth/login",
    "auth/logout",
    "queue/mine",
    "queue/log-call",
    "alerts/mine",
    "alerts/dismiss",
    "lead/detail",
    "lead/log-touch",
    "lead/qualify",
    "lead/not-ready",
    "lead/close",
    "lead/reopen",
    "lead/return",
    "board/aging",
    "board/aging-cell",
    "board/compliance",
    "board/outlook",
    "board/closures",
    "nurture/pool",
    "nurture/touch",
    "nurture/hand-back",
    "nurture/campaigns",
];

#[tokio::test]
async fn no_malformed_body_makes_any_server_function_fail_on_the_server() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let signed_in = app.signed_in("max@acme.test").await;
    let anonymous = client_builder().build().unwrap();
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("application/x-www-form-urlencoded", Vec::new()),
        (
            "application/x-www-form-urlencoded",
            b"lead_id=%ZZ&&=&".to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            b"lead_id=1&lead_id=2&bucket=-1&window_days=99999999999".to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            vec![0xff, 0xfe, 0x00, 0x80],
        ),
        (
            "application/x-www-form-urlencoded",
            b"close[outcome]=won&close[amount]=1e309&close[sold_on]=0000-99-99&lead_id=x".to_vec(),
        ),
        (
            "application/json",
            br#"{"lead_id": [1, {"a": null}]}"#.to_vec(),
        ),
        ("text/plain", b"\x00\x01\x02".to_vec()),
        (
            "multipart/form-data; boundary=zz",
            b"--zz\r\nbroken".to_vec(),
        ),
    ];
    let mut failures = Vec::new();
    for path in SERVER_FNS {
        for client in [&signed_in, &anonymous] {
            for (content_type, body) in &bodies {
                let response = client
                    .post(format!("{}/api/{path}", app.url))
                    .header("Accept", "application/json")
                    .header("Content-Type", *content_type)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                if response.status().is_server_error() {
                    failures.push(format!(
                        "{path} {content_type} {:?} → {}",
                        String::from_utf8_lossy(body),
                        response.status()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn a_qualifier_hears_of_the_queue_and_nothing_else() {
    use futures_util::StreamExt;
    let app = spawn_app().await;
    app.add_user(Role::Qualifier, "quinn@acme.test").await;
    let quinn = app.signed_in("quinn@acme.test").await;
    let stream = quinn.get(format!("{}/live", app.url)).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    // No rep yet: this lead waits in the qualifier queue.
    let queued: Value = app
        .post_lead(json!({ "email": "queued@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    app.add_user(Role::Rep, "rita@acme.test").await;
    let reps: Value = app
        .post_lead(json!({ "email": "for-rita@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reps["owner"]["kind"], "rep");
    let mut body = stream.bytes_stream();
    let mut heard = String::new();
    let _ = tokio::time::timeout(Duration::from_millis(800), async {
        while let Some(Ok(chunk)) = body.next().await {
            heard.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(
        heard.contains(queued["id"].as_str().unwrap()),
        "the queue's own lead: {heard}"
    );
    assert!(
        !heard.contains(reps["id"].as_str().unwrap()),
        "a rep's lead is not the qualifier's to hear of: {heard}"
    );
}

#[tokio::test]
async fn fifty_concurrent_repeats_of_one_person_make_one_lead_and_one_hot_alert() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let first = app
        .post_lead(json!({ "name": "Ann Lee", "email": "ann@acme.test" }))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let repeats = (0..50).map(|_| app.post_lead(json!({ "email": "ann@acme.test" })));
    for response in join_all(repeats).await {
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(app.lead_count().await, 1);
    let rita = app.signed_in("rita@acme.test").await;
    let (_, alerts) = app.server_fn(&rita, "alerts/mine", &[]).await;
    let alerts = alerts.as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0]["message"]
        .as_str()
        .unwrap()
        .contains("inquired again and is hot"));
}

#[tokio::test]
async fn a_campaign_named_like_a_formula_is_exported_as_text() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let (_, key) = leadline::server::services::sources::add_source(
        &app.db,
        chrono::Utc::now(),
        "=HYPERLINK(\"http://evil.example\",\"Click\")",
    )
    .await
    .unwrap();
    app.post_lead_with(json!({ "email": "ann@acme.test" }), Some(&key), None)
        .await;
    let max = app.signed_in("max@acme.test").await;
    let csv = max
        .get(format!("{}/campaigns.csv", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\""),
        "{csv}"
    );
    assert!(!csv.lines().any(|line| line.starts_with("=")), "{csv}");
}

#[tokio::test]
async fn control_and_reordering_characters_are_taken_out_of_what_comes_in() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let lead: Value = app
        .post_lead(json!({
            "name": "Ann\u{202E}gpj.exe\u{7}",
            "email": "ann@acme.test",
            "company": "Acme\u{0}\u{1b}[2J Ltd",
            "message": "Line one\r\nLine\u{2066} two"
        }))
        .await
        .json()
        .await
        .unwrap();
    let id = lead["id"].as_str().unwrap();
    let rita = app.signed_in("rita@acme.test").await;
    let (status, _) = app
        .server_fn(
            &rita,
            "lead/log-touch",
            &[
                ("lead_id", id),
                ("kind", "meeting"),
                ("note", "Met\u{202D} them\u{8}"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, detail) = app
        .server_fn(&rita, "lead/detail", &[("lead_id", id)])
        .await;
    assert_eq!(detail["name"], "Anngpj.exe");
    assert_eq!(detail["company"], "Acme[2J Ltd");
    assert_eq!(detail["messages"][0], "Line one\nLine two");
    assert_eq!(detail["touches"][0]["detail"], "Met them");

    let blank: Value = app
        .post_lead(json!({ "name": "\u{2800}\u{3164}\u{200B}", "email": "blank@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    let (_, detail) = app
        .server_fn(
            &rita,
            "lead/detail",
            &[("lead_id", blank["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(
        detail["name"], "blank@acme.test",
        "a name of blanks is no name: the lead shows by its email"
    );
}

#[tokio::test]
async fn static_files_are_compressed_revalidated_and_fingerprinted_ones_kept_a_year() {
    let css = "body { color: #123456; }\n".repeat(200);
    let plain = spawn_app().await;
    std::fs::write(plain.dir.path().join("site/pkg/leadline.css"), &css).unwrap();
    let url = format!("{}/pkg/leadline.css", plain.url);
    let first = client()
        .get(&url)
        .header("Accept-Encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let encoding = first.headers()["content-encoding"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(["br", "gzip"].contains(&encoding.as_str()), "{encoding}");
    assert_eq!(first.headers()["cache-control"], "no-cache");
    assert!(
        first.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("accept-encoding")
            || first.headers()["vary"]
                .to_str()
                .unwrap()
                .contains("Accept-Encoding")
    );
    let compressed = first.bytes().await.unwrap().len();
    assert!(compressed * 10 < css.len(), "{compressed} of {}", css.len());
    let modified = client().get(&url).send().await.unwrap().headers()["last-modified"].clone();
    let again = client()
        .get(&url)
        .header("If-Modified-Since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let page = client()
        .get(format!("{}/login", plain.url))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["content-encoding"], "gzip");
    assert_eq!(page.headers()["cache-control"], "no-store");

    let hashed = spawn_app_with(|_, options| options.hash_files = true).await;
    std::fs::write(hashed.dir.path().join("site/pkg/leadline.Xy12.css"), &css).unwrap();
    let response = client()
        .get(format!("{}/pkg/leadline.Xy12.css", hashed.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

/// Moves the test server's clock forward.
async fn advance_clock(app: &TestApp, minutes: i64) {
    let response = client()
        .post(format!("{}/test/clock", app.url))
        .json(&json!({ "minutes": minutes }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// The value a `Set-Cookie` header gives the cookie called `name`.
fn set_cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

#[tokio::test]
async fn an_attacker_locking_an_account_does_not_lock_its_owner_out_of_their_own_phone() {
    let app = spawn_app_with(|config, _| config.trust_proxy = true).await;
    app.add_user(Role::Rep, "rosa@acme.test").await;
    let phone = [("X-Forwarded-For", "198.51.100.20")];
    let (status, headers, _) = sign_in_attempt(&app, "rosa@acme.test", PASSWORD, &phone).await;
    assert!(signed_in(status));
    let device = set_cookie(&headers, "leadline_device").expect("a device cookie");
    assert!(headers
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().contains("Path=/api/auth/login")));

    // An attacker elsewhere guesses until the account is locked.
    let attacker = [("X-Forwarded-For", "203.0.113.66")];
    for n in 0..10 {
        let (status, _, _) =
            sign_in_attempt(&app, "rosa@acme.test", "guess guess", &attacker).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "guess {n}");
        advance_clock(&app, 1).await;
    }
    let (status, _, _) = sign_in_attempt(&app, "rosa@acme.test", "guess guess", &attacker).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account is locked"
    );

    // From a browser that never signed in to it, even the right password waits…
    let (status, _, _) = sign_in_attempt(
        &app,
        "rosa@acme.test",
        PASSWORD,
        &[("X-Forwarded-For", "198.51.100.21")],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // …but Rosa's own phone, which signed in before, gets in.
    let cookie = format!("leadline_device={device}");
    let (status, _, _) = sign_in_attempt(
        &app,
        "rosa@acme.test",
        PASSWORD,
        &[
            ("X-Forwarded-For", "198.51.100.22"),
            ("Cookie", cookie.as_str()),
        ],
    )
    .await;
    assert!(signed_in(status), "{status}");
    // Rosa signing in did not give the attacker fresh guesses.
    let (status, _, _) = sign_in_attempt(&app, "rosa@acme.test", "guess guess", &attacker).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "still locked for the attacker"
    );

    // A device cookie does not help guessing: its own failures are throttled like any.
    let from_phone = [
        ("X-Forwarded-For", "198.51.100.22"),
        ("Cookie", cookie.as_str()),
    ];
    for n in 0..5 {
        let (status, _, body) =
            sign_in_attempt(&app, "rosa@acme.test", "guess again", &from_phone).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{n}: {body}");
    }
    let (status, _, _) = sign_in_attempt(&app, "rosa@acme.test", "guess again", &from_phone).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // A device value Leadline never gave out is replaced, not adopted.
    app.add_user(Role::Rep, "ada@acme.test").await;
    let (status, headers, _) = sign_in_attempt(
        &app,
        "ada@acme.test",
        PASSWORD,
        &[
            ("X-Forwarded-For", "198.51.100.30"),
            ("Cookie", "leadline_device=x"),
        ],
    )
    .await;
    assert!(signed_in(status));
    let given = set_cookie(&headers, "leadline_device").unwrap();
    assert_ne!(given, "x");
    assert_eq!(given.len(), 64);
}

#[tokio::test]
async fn signing_in_again_and_again_keeps_at_most_twenty_sessions_and_long_emails_are_not_stored() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    for _ in 0..24 {
        let (status, _, _) = sign_in_attempt(&app, "rita@acme.test", PASSWORD, &[]).await;
        assert!(signed_in(status));
    }
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions, 20);
    let long = format!("{}@acme.test", "a".repeat(10_000));
    let (status, _, body) = sign_in_attempt(&app, &long, "guess guess", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({ "code": "wrong_credentials", "message": "That email and password do not match." })
    );
    let (longest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(LENGTH(email)) FROM sign_in_attempts")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(longest.unwrap_or(0) < 300, "{longest:?}");
}

#[tokio::test]
async fn a_sale_too_large_to_be_real_is_refused_and_the_boards_keep_adding_up() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let (rita, id) = ritas_new_lead(&app, "ann@acme.test").await;
    let id = id.as_str();
    call(&app, &rita, id, "connected").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/close",
            &[
                ("lead_id", id),
                ("close[outcome]", "won"),
                ("close[amount]", "92233720368547758.07"),
                ("close[sold_on]", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("at most 1,000,000,000.00"),
        "{body}"
    );
    let max = app.signed_in("max@acme.test").await;
    let (status, _) = app.server_fn(&max, "board/outlook", &[]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_refusal_keeps_its_own_status_whichever_server_function_gives_it() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let max = app.signed_in("max@acme.test").await;
    let (status, body) = app
        .server_fn(
            &max,
            "board/aging-cell",
            &[
                ("basis", "real_touch"),
                ("stage", "assigned"),
                ("bucket", "9"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "bucket");
}

#[tokio::test]
async fn a_link_carrying_made_up_error_text_is_not_shown_on_the_sign_in_page() {
    let app = spawn_app().await;
    let no_redirects = client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // base64url of {"Refused":"Your password expired. Call IT on +1 900 555 0100."}
    let forged =
        "eyJSZWZ1c2VkIjoiWW91ciBwYXNzd29yZCBleHBpcmVkLiBDYWxsIElUIG9uICsxIDkwMCA1NTUgMDEwMC4ifQ";
    let response = no_redirects
        .get(format!(
            "{}/login?__path=%2Fapi%2Fauth%2Flogin&__err={forged}",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login");
    // The same with the parameter names percent-encoded (the page would decode them).
    let response = no_redirects
        .get(format!(
            "{}/login?%5F%5Fpath=%2Fapi%2Fauth%2Flogin&_%5Ferr={forged}&next=1",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?next=1");

    // A real failed sign-in from a plain HTML form (no JavaScript) comes back signed and shown.
    app.add_user(Role::Rep, "rita@acme.test").await;
    let response = no_redirects
        .post(format!("{}/api/auth/login", app.url))
        .header("Accept", "text/html")
        .header("Referer", format!("{}/login", app.url))
        .form(&[("email", "rita@acme.test"), ("password", "guess guess")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/login?"), "{location}");
    assert!(location.contains("__sig="), "{location}");
    let page = no_redirects
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("That email and password do not match."));

    // A genuine signed link with a second, made-up error after it is not shown either.
    let response = no_redirects
        .get(format!(
            "{}{location}&__path=%2Fapi%2Fauth%2Flogin&__err={forged}",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a doubled error");
    // The redirect that drops a made-up error stays on this site.
    let response = no_redirects
        .get(format!("{}//evil.example/x?__err={forged}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/evil.example/x");

    // A signed error is for that page and only for five minutes.
    let elsewhere = location.replacen("/login?", "/board?", 1);
    let response = no_redirects
        .get(format!("{}{elsewhere}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "another page");
    advance_clock(&app, 6).await;
    let response = no_redirects
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "too late");

    // A forged Referer cannot send the browser to another site.
    let response = no_redirects
        .post(format!("{}/api/auth/login", app.url))
        .header("Accept", "text/html")
        .header("Referer", "https://evil.example/phish")
        .form(&[("email", "rita@acme.test"), ("password", "guess guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/");
    let response = no_redirects
        .post(format!("{}/api/auth/login", app.url))
        .header("Accept", "text/html")
        .header("Referer", format!("{}//evil.example/x", app.url))
        .form(&[("email", "rita@acme.test"), ("password", "guess guess")])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/evil.example/x?"), "{location}");
}

#[tokio::test]
async fn a_signed_error_shown_to_one_person_is_not_shown_to_another() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let (rita, id) = ritas_new_lead(&app, "ann@acme.test").await;
    let response = rita
        .post(format!("{}/api/lead/close", app.url))
        .header("Accept", "text/html")
        .header("Referer", format!("{}/lead/{id}", app.url))
        .form(&[
            ("lead_id", id.as_str()),
            ("close[outcome]", "dead"),
            ("close[reason]", "duplicate"),
            (
                "close[duplicate_of]",
                "Leadline moved: sign in at evil.example",
            ),
        ])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("__sig="), "{location}");
    let response = rita
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{location}");
    let rita_sees = response.text().await.unwrap();
    assert!(
        rita_sees.contains("There is no lead with that id to merge this one into."),
        "her own refusal is shown to her"
    );
    assert!(
        !rita_sees.contains("evil.example"),
        "the refusal does not repeat her words"
    );
    let max = app.signed_in("max@acme.test").await;
    let response = max
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "not for another person"
    );
}

#[tokio::test]
async fn dates_no_sale_or_recontact_can_have_are_refused() {
    let app = spawn_app().await;
    let (rita, id) = ritas_new_lead(&app, "ann@acme.test").await;
    call(&app, &rita, &id, "connected").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/not-ready",
            &[
                ("lead_id", &id),
                ("reason", "later"),
                ("recontact_on", "+10000-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        refused(&body),
        "The recontact date must be within three years."
    );
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/close",
            &[
                ("lead_id", &id),
                ("close[outcome]", "won"),
                ("close[amount]", "500"),
                ("close[sold_on]", "0001-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        refused(&body),
        "The sale date must be within the last ten years."
    );
}

#[tokio::test]
async fn a_bulk_nurture_touch_touches_each_lead_once_and_at_most_a_thousand() {
    let app = spawn_app().await;
    app.add_user(Role::Marketing, "maya@acme.test").await;
    let (rita, id) = ritas_new_lead(&app, "ann@acme.test").await;
    let id = id.as_str();
    call(&app, &rita, id, "voicemail").await;
    let (status, _) = app
        .server_fn(
            &rita,
            "lead/return",
            &[("lead_id", id), ("reason", "brochure first")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let maya = app.signed_in("maya@acme.test").await;
    let same = vec![id; 5_000].join(",");
    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/touch",
            &[("lead_ids", &same), ("kind", "newsletter")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!(1));
    let (touches,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM touches WHERE kind = 'nurture'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(touches, 1, "one touch, not five thousand");
    let many = (0..1001)
        .map(|n| format!("id{n}"))
        .collect::<Vec<_>>()
        .join(",");
    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/touch",
            &[("lead_ids", &many), ("kind", "newsletter")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["fields"][0]["message"],
        "choose at most 1000 leads at a time"
    );
}

#[tokio::test]
async fn signing_out_ends_the_sessions_open_live_stream() {
    use futures_util::StreamExt;
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let max = app.signed_in("max@acme.test").await;
    let stream = max.get(format!("{}/live", app.url)).send().await.unwrap();
    let mut body = stream.bytes_stream();
    let (status, _) = app.server_fn(&max, "auth/logout", &[]).await;
    assert!(status.is_success() || status.is_redirection());
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(Ok(_)) = body.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ended when its session did");
}

#[tokio::test]
async fn a_client_that_trickles_its_request_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let addr = app.url.trim_start_matches("http://").to_string();
    let headers_only = async {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"POST /api/auth/me HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let mut buffer = Vec::new();
        let started = Instant::now();
        let _ = stream.read_to_end(&mut buffer).await;
        started.elapsed()
    };
    let slow_body = async {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(
                b"POST /api/auth/me HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nabc",
            )
            .await
            .unwrap();
        let mut buffer = Vec::new();
        let started = Instant::now();
        let _ = stream.read_to_end(&mut buffer).await;
        (
            started.elapsed(),
            String::from_utf8_lossy(&buffer).to_string(),
        )
    };
    let silent = async {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let mut buffer = Vec::new();
        let started = Instant::now();
        let _ = stream.read_to_end(&mut buffer).await;
        started.elapsed()
    };
    let (headers_took, (body_took, answer), silent_took) =
        tokio::join!(headers_only, slow_body, silent);
    assert!(silent_took < Duration::from_secs(15), "{silent_took:?}");
    assert!(headers_took < Duration::from_secs(15), "{headers_took:?}");
    assert!(body_took < Duration::from_secs(15), "{body_took:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn only_http_1_is_spoken_and_one_address_cannot_hold_every_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(|config, _| config.max_connections_per_address = 20).await;
    let addr = app.url.trim_start_matches("http://").to_string();
    let mut h2 = tokio::net::TcpStream::connect(&addr).await.unwrap();
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let started = Instant::now();
    let _ = tokio::time::timeout(Duration::from_secs(5), h2.read_to_end(&mut answer)).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "an HTTP/2 preface is not kept open"
    );

    let max = 20;
    let mut held = Vec::new();
    for _ in 0..max {
        held.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let mut one_more = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut buffer = Vec::new();
    let closed =
        tokio::time::timeout(Duration::from_secs(3), one_more.read_to_end(&mut buffer)).await;
    assert!(
        closed.is_ok(),
        "a connection beyond the address's share is closed at once"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let response = client()
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the address is served again"
    );
}

#[tokio::test]
async fn sockets_that_never_send_a_request_cannot_fill_an_addresses_share() {
    use tokio::io::AsyncReadExt;
    let app = spawn_app_with(|config, _| config.max_connections_per_address = 100).await;
    let addr = app.url.trim_start_matches("http://").to_string();
    let waiting = leadline::server::connections::MAX_WAITING_PER_ADDRESS;
    let mut silent = Vec::new();
    for _ in 0..waiting + 8 {
        silent.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    // A burst of real requests meanwhile is served: connecting is not waiting.
    let burst = (0..40).map(|_| client().get(format!("{}/healthz", app.url)).send());
    for response in join_all(burst).await {
        assert_eq!(response.unwrap().status(), StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut closed = 0;
    for stream in &mut silent {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(50), stream.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert_eq!(closed, 8, "only the address's few waiting places are kept");
    drop(silent);
}
