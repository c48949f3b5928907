//! `POST /f/{source}`: a website's own HTML form, posted by a browser from another site with
//! JavaScript off, as a person (or a robot) would.

use crate::common::{client, spawn_app, TestApp};
use reqwest::header::{LOCATION, RETRY_AFTER};
use reqwest::{redirect, StatusCode};

async fn form_source(app: &TestApp) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM sources WHERE name = 'Test form'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    id
}

/// A client that shows redirects instead of following them.
fn browser() -> reqwest::Client {
    crate::common::client_builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(app: &TestApp, source: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    browser()
        .post(format!("{}/f/{source}", app.url))
        // A form on the company's own website: another site, as far as Leadline is concerned.
        .header("Origin", "https://www.acme-widgets.example")
        .header("Sec-Fetch-Site", "cross-site")
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn leads_named(app: &TestApp, name: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT id, company FROM leads WHERE name = $1")
        .bind(name)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

async fn inquiries_of(app: &TestApp, lead: &str) -> Vec<String> {
    sqlx::query_as::<_, (String,)>("SELECT message FROM inquiries WHERE lead_id = $1")
        .bind(lead)
        .fetch_all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|(m,)| m)
        .collect()
}

#[tokio::test]
async fn a_plain_website_form_posts_a_lead_and_the_person_is_thanked() {
    let app = spawn_app().await;
    let source = form_source(&app).await;
    let response = post(
        &app,
        &source,
        &[
            ("first_name", "Nadia"),
            ("last_name", "Okafor"),
            ("E-mail", "nadia@okafor-build.example"),
            ("tel", "+1 415 555 0150"),
            ("Organisation", "Okafor Build"),
            ("your-message", "Need a quote for 40 units"),
            ("budget", "20-30k"),
            ("leadline_website", ""),
            ("submit", "Send"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Thank you"), "{page}");
    let leads = leads_named(&app, "Nadia Okafor").await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].1, "Okafor Build");
    let messages = inquiries_of(&app, &leads[0].0).await;
    assert_eq!(messages, ["Need a quote for 40 units\nBudget: 20-30k"]);
}

#[tokio::test]
async fn a_multipart_form_is_read_the_same_and_its_files_are_left_out() {
    let app = spawn_app().await;
    let source = form_source(&app).await;
    let form = reqwest::multipart::Form::new()
        .text("name", "Multi Part")
        .text("email", "multi@part.example")
        .part(
            "attachment",
            reqwest::multipart::Part::bytes(vec![0u8; 1000]).file_name("plan.pdf"),
        );
    let response = browser()
        .post(format!("{}/f/{source}", app.url))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let leads = leads_named(&app, "Multi Part").await;
    assert_eq!(leads.len(), 1);
    assert_eq!(inquiries_of(&app, &leads[0].0).await, [""]);
}

#[tokio::test]
async fn the_person_lands_on_the_sources_own_thank_you_page_and_only_there() {
    let app = spawn_app().await;
    let source = form_source(&app).await;
    sqlx::query("UPDATE sources SET thank_you_url = 'https://www.acme-widgets.example/thanks' WHERE id = $1")
        .bind(&source)
        .execute(&app.db)
        .await
        .unwrap();
    let response = post(
        &app,
        &source,
        &[
            ("name", "Redirected Person"),
            ("email", "r@acme-widgets.example"),
            // A field that tries to choose where the person goes is only kept as text.
            ("redirect", "https://evil.example/phish"),
            ("thank_you_url", "https://evil.example/phish"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers().get(LOCATION).unwrap(),
        "https://www.acme-widgets.example/thanks"
    );
    assert_eq!(leads_named(&app, "Redirected Person").await.len(), 1);
}

#[tokio::test]
async fn a_double_submit_within_a_minute_is_one_inquiry_and_a_later_one_is_a_repeat() {
    let app = spawn_app().await;
    let source = form_source(&app).await;
    let fields = [("name", "Double Click"), ("email", "double@click.example")];
    let (a, b) = tokio::join!(post(&app, &source, &fields), post(&app, &source, &fields));
    assert_eq!(a.status(), StatusCode::OK);
    assert_eq!(b.status(), StatusCode::OK);
    assert_eq!(post(&app, &source, &fields).await.status(), StatusCode::OK);
    let leads = leads_named(&app, "Double Click").await;
    assert_eq!(leads.len(), 1);
    assert_eq!(inquiries_of(&app, &leads[0].0).await.len(), 1);
    // The same person writing again later is a repeat inquiry, on the same lead.
    app.advance_clock(3).await;
    assert_eq!(post(&app, &source, &fields).await.status(), StatusCode::OK);
    assert_eq!(leads_named(&app, "Double Click").await.len(), 1);
    assert_eq!(inquiries_of(&app, &leads[0].0).await.len(), 2);
}

#[tokio::test]
async fn a_robot_that_fills_the_honeypot_is_thanked_and_nothing_is_kept() {
    let app = spawn_app().await;
    let source = form_source(&app).await;
    let before = app.lead_count().await;
    let response = post(
        &app,
        &source,
        &[
            ("name", "Spam Bot"),
            ("email", "bot@spam.example"),
            ("leadline_website", "http://cheap-pills.example"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Thank you"));
    assert_eq!(app.lead_count().await, before);
}

#[tokio::test]
async fn one_address_posting_too_often_waits_and_what_it_sent_then_is_not_kept() {
    let app = spawn_app().await;
    let source = form_source(&app).await;
    for n in 0..10 {
        let email = format!("flood{n}@example.org");
        let response = post(&app, &source, &[("email", email.as_str())]).await;
        assert_eq!(response.status(), StatusCode::OK, "post {n}");
    }
    let before = app.lead_count().await;
    let response = post(&app, &source, &[("email", "flood10@example.org")]).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = response
        .headers()
        .get(RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&wait), "{wait}");
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("wait a few minutes"));
    assert_eq!(app.lead_count().await, before);
    // Once the window has passed, the address may post again.
    app.advance_clock(11).await;
    let response = post(&app, &source, &[("email", "flood11@example.org")]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_form_missing_a_way_to_reach_the_person_is_refused_in_words_and_hostile_text_stays_text()
{
    let app = spawn_app().await;
    let source = form_source(&app).await;
    let before = app.lead_count().await;
    let response = post(
        &app,
        &source,
        &[
            ("name", "<script>alert(1)</script>"),
            ("email", "<img src=x onerror=alert(1)>"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("Please check the form"), "{page}");
    assert!(page.contains("Email"), "{page}");
    assert!(
        !page.contains("<script>") && !page.contains("<img"),
        "{page}"
    );
    assert_eq!(app.lead_count().await, before);
}

#[tokio::test]
async fn unknown_revoked_unreadable_and_oversized_posts_are_refused_plainly() {
    let app = spawn_app().await;
    let source = form_source(&app).await;
    let ok = [("email", "x@example.org")];
    assert_eq!(
        post(&app, "no-such-source", &ok).await.status(),
        StatusCode::NOT_FOUND
    );
    let json = browser()
        .post(format!("{}/f/{source}", app.url))
        .json(&serde_json::json!({"email": "x@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = "x".repeat(70 * 1024);
    let response = post(
        &app,
        &source,
        &[("email", "y@example.org"), ("message", &big)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let many: Vec<(String, String)> = (0..150).map(|i| (format!("f{i}"), "v".into())).collect();
    let response = browser()
        .post(format!("{}/f/{source}", app.url))
        .form(&many)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    sqlx::query("UPDATE sources SET revoked_at = '2026-01-01T00:00:00Z' WHERE id = $1")
        .bind(&source)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        post(&app, &source, &ok).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.lead_count().await, 0);
}

#[tokio::test]
async fn an_admin_copies_a_sources_form_snippet_and_the_website_it_is_pasted_into_posts_leads() {
    let app = spawn_app().await;
    app.add_user(leadline::domain::role::Role::Admin, "admin@example.org")
        .await;
    let admin = app.signed_in("admin@example.org").await;
    let (status, sources) = app.server_fn(&admin, "admin/sources", &[]).await;
    assert_eq!(status, StatusCode::OK, "{sources}");
    let snippet = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Test form")
        .unwrap()["form_snippet"]
        .as_str()
        .unwrap()
        .to_string();
    let action = snippet
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert_eq!(action, format!("{}/f/{}", app.url, form_source(&app).await));
    assert!(snippet.contains("name=\"leadline_website\""));
    let response = browser()
        .post(action)
        .form(&[
            ("name", "Pasted Form"),
            ("email", "pasted@form.example"),
            ("leadline_website", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(leads_named(&app, "Pasted Form").await.len(), 1);
    // Only admins and managers see sources.
    app.add_user(leadline::domain::role::Role::Rep, "rep@example.org")
        .await;
    let rep = app.signed_in("rep@example.org").await;
    let (status, _) = app.server_fn(&rep, "admin/sources", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn what_an_outside_check_found_a_visitor_would_meet_is_in_words_and_kept_whole() {
    let app = spawn_app().await;
    let source = form_source(&app).await;
    let raw_post = |content_type: &'static str, body: Vec<u8>| {
        browser()
            .post(format!("{}/f/{source}", app.url))
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    // A page in Latin-1 sends its own encoding: the name arrives as written.
    let latin1 = raw_post(
        "application/x-www-form-urlencoded",
        b"name=Jos%E9+M%FCller&email=jose%40example.org".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(latin1.status(), StatusCode::OK);
    assert_eq!(leads_named(&app, "José Müller").await.len(), 1);
    // A type that only starts like a form's is not one.
    let odd = raw_post(
        "application/x-www-form-urlencodedXYZ",
        b"email=odd%40example.org".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(odd.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // An empty form: one sentence a person can act on, not one per field.
    let empty = raw_post("application/x-www-form-urlencoded", Vec::new())
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = empty.text().await.unwrap();
    assert_eq!(page.matches("<li>").count(), 1, "{page}");
    assert!(
        page.contains("<li>Give an email address or a phone number"),
        "{page}"
    );
    // Too long: a page, not JSON; and its style is allowed by its own nonce.
    let long = raw_post(
        "application/x-www-form-urlencoded",
        format!("email=l%40example.org&message={}", "%E4%B8%AD".repeat(7300)).into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(long.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let policy = long.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let page = long.text().await.unwrap();
    assert!(page.contains("Message too long"), "{page}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(
        page.contains(&format!("<style nonce=\"{nonce}\">")),
        "{policy}"
    );
    // Many file parts count like any field.
    let mut form = reqwest::multipart::Form::new().text("email", "files@example.org");
    for n in 0..150 {
        form = form.part(
            format!("f{n}"),
            reqwest::multipart::Part::bytes(vec![1u8]).file_name("a.txt"),
        );
    }
    let files = browser()
        .post(format!("{}/f/{source}", app.url))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(files.status(), StatusCode::BAD_REQUEST);
    // Opening the form's address: a page saying what it is.
    let opened = client()
        .get(format!("{}/f/{source}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(opened.headers()["allow"], "POST");
    assert!(opened.text().await.unwrap().contains("contact form"));
}
