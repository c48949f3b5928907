//! The webhooks other tools post to: a flat JSON object from an automation tool, and Google
//! Ads lead forms. Both end in the same intake rules as the API and the website forms.

use crate::common::{client, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post(app: &TestApp, path: &str, key: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut request = client()
        .post(format!("{}/api/v1/hooks/{path}", app.url))
        .json(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn lead_named(app: &TestApp, name: &str) -> Option<(String, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT id, email, phone FROM leads WHERE name = $1")
        .bind(name)
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_automation_tool_posts_a_flat_object_with_its_own_field_names() {
    let app = spawn_app().await;
    // As the tool writes it (its own order, which the message keeps).
    let response = client()
        .post(format!("{}/api/v1/hooks/flat", app.url))
        .bearer_auth(&app.key)
        .header("Content-Type", "application/json")
        .body(
            r#"{"First Name": "Zap", "Last Name": "Ier", "E-mail": "zap@ier.example",
                "Phone Number": "+1 415 555 0177", "Seats": 12, "Newsletter": true, "Fax": null,
                "Order": 123456789012345678901234567890, "Email": "zap.other@ier.example"}"#,
        )
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (id, email, phone) = lead_named(&app, "Zap Ier").await.unwrap();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(email.as_deref(), Some("zap@ier.example"));
    assert_eq!(phone.as_deref(), Some("+14155550177"));
    let (message,): (String,) = sqlx::query_as("SELECT message FROM inquiries WHERE lead_id = $1")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    // Nothing sent is lost: a second address, and a long number with every digit.
    assert_eq!(
        message,
        "Seats: 12\nNewsletter: true\nOrder: 123456789012345678901234567890\nEmail: zap.other@ier.example"
    );
}

#[tokio::test]
async fn the_flat_hook_refuses_what_it_cannot_take_and_keeps_nothing() {
    let app = spawn_app().await;
    let person = json!({"name": "No Key", "email": "nokey@example.org"});
    assert_eq!(
        post(&app, "flat", None, &person).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&app, "flat", Some("wrong"), &person).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = post(
        &app,
        "flat",
        Some(&app.key),
        &json!(["not", "an", "object"]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = post(
        &app,
        "flat",
        Some(&app.key),
        &json!({"name": "Nested", "email": {"work": "n@example.org"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "email");
    let (status, body) = post(&app, "flat", Some(&app.key), &json!({"name": "Nobody"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.lead_count().await, 0);
    // The scheme's name in any case is the same scheme.
    let lower = client()
        .post(format!("{}/api/v1/hooks/flat", app.url))
        .header("Authorization", format!("bearer {}", app.key))
        .json(&json!({"name": "Lower Case", "email": "lower@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), StatusCode::CREATED);
}

fn google_body(key: &str, lead_id: &str, name: &str, email: &str) -> Value {
    json!({
        "lead_id": lead_id,
        "api_version": "1.0",
        "form_id": 40000000001_i64,
        "campaign_id": 12345678901_i64,
        "google_key": key,
        "is_test": false,
        "gcl_id": "TeSter-123",
        "adgroup_id": 20000000001_i64,
        "creative_id": 30000000001_i64,
        "user_column_data": [
            {"column_name": "Full Name", "string_value": name, "column_id": "FULL_NAME"},
            {"column_name": "User Email", "string_value": email, "column_id": "EMAIL"},
            {"column_name": "User Phone", "string_value": "+1 415 555 0178", "column_id": "PHONE_NUMBER"},
            {"column_name": "Company Name", "string_value": "Ads Co", "column_id": "COMPANY_NAME"},
            {"column_name": "Postal Code", "string_value": "94110", "column_id": "POSTAL_CODE"},
            {"column_name": "How many seats?", "string_value": "40", "column_id": "q1"}
        ]
    })
}

#[tokio::test]
async fn a_google_ads_lead_form_becomes_a_lead_once_however_often_google_sends_it() {
    let app = spawn_app().await;
    let body = google_body(&app.key, "TeSter-lead-1", "Ada Ads", "ada@ads.example");
    let (status, first) = post(&app, "google-ads", None, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = post(&app, "google-ads", None, &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(app.lead_count().await, 1);
    let (id, email, phone) = lead_named(&app, "Ada Ads").await.unwrap();
    assert_eq!(first["id"], id.as_str());
    assert_eq!(email.as_deref(), Some("ada@ads.example"));
    assert_eq!(phone.as_deref(), Some("+14155550178"));
    let (company, message): (String, String) = sqlx::query_as(
        "SELECT l.company, i.message FROM leads l JOIN inquiries i ON i.lead_id = l.id WHERE l.id = $1",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(company, "Ads Co");
    assert_eq!(message, "How many seats: 40");
}

#[tokio::test]
async fn google_ads_without_the_sources_key_or_in_another_shape_is_refused() {
    let app = spawn_app().await;
    let mut body = google_body("not-the-key", "L2", "Bad Key", "bad@key.example");
    assert_eq!(
        post(&app, "google-ads", None, &body).await.0,
        StatusCode::UNAUTHORIZED
    );
    body.as_object_mut().unwrap().remove("google_key");
    assert_eq!(
        post(&app, "google-ads", None, &body).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = post(&app, "google-ads", None, &json!({"hello": "world"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Google's "send test data": the set-up is seen to work, and no rep is given a fake lead.
    let mut test = google_body(&app.key, "TeSter-2", "Test Lead", "test@ads.example");
    test["is_test"] = json!(true);
    let (status, body) = post(&app, "google-ads", None, &test).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"test": true, "stored": false, "readable": true})
    );
    assert_eq!(app.lead_count().await, 0);
    // A lead sent again with other answers is refused in Google's terms.
    let first = google_body(&app.key, "L3", "Changed Mind", "changed@ads.example");
    assert_eq!(
        post(&app, "google-ads", None, &first).await.0,
        StatusCode::CREATED
    );
    let changed = google_body(&app.key, "L3", "Changed Mind", "other@ads.example");
    let (status, body) = post(&app, "google-ads", None, &changed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "lead_id", "{body}");
    assert_eq!(app.lead_count().await, 1);
}

#[tokio::test]
async fn a_source_over_its_leads_a_minute_waits_by_every_door_and_loses_nothing_it_was_told_about()
{
    let app = crate::common::spawn_app_with(|config, _| config.source_posts_per_minute = 3).await;
    let person =
        |n: u32| json!({"name": format!("Burst {n}"), "email": format!("burst{n}@example.org")});
    assert_eq!(app.post_lead(person(1)).await.status(), StatusCode::CREATED);
    assert_eq!(app.post_lead(person(2)).await.status(), StatusCode::CREATED);
    assert_eq!(
        post(&app, "flat", Some(&app.key), &person(3)).await.0,
        StatusCode::CREATED
    );
    // The fourth this minute: refused, with when to come back, by the API and the hooks alike.
    let refused = app.post_lead(person(4)).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("more than 3 leads"),
        "{body}"
    );
    let (status, _) = post(&app, "flat", Some(&app.key), &person(5)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = post(
        &app,
        "google-ads",
        None,
        &google_body(&app.key, "burst-6", "Burst 6", "burst6@example.org"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.lead_count().await, 3);
    // Another source is not held up by this one's burst.
    let (_, other_key) =
        leadline::server::services::sources::add_source(&app.db, chrono::Utc::now(), "Other")
            .await
            .unwrap();
    assert_eq!(
        post(&app, "flat", Some(&other_key), &person(7)).await.0,
        StatusCode::CREATED
    );
    // A minute on, the refused lead is sent again and taken.
    app.advance_clock(1).await;
    assert_eq!(app.post_lead(person(4)).await.status(), StatusCode::CREATED);
    assert_eq!(app.lead_count().await, 5);
}

#[tokio::test]
async fn the_openapi_document_describes_every_intake_door_from_the_types_it_reads() {
    let app = spawn_app().await;
    let response = client()
        .get(format!("{}/api/v1/openapi.json", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/leads",
        "/api/v1/hooks/flat",
        "/api/v1/hooks/google-ads",
        "/f/{source}",
    ] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} missing");
    }
    // The body the API reads, field for field (the schema is made from the type it parses).
    let fields: Vec<&str> = doc["components"]["schemas"]["RawInquiry"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for field in [
        "name",
        "email",
        "phone",
        "company",
        "message",
        "timeframe",
        "country",
        "region",
        "postcode",
    ] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }
    let leads = &doc["paths"]["/api/v1/leads"]["post"];
    for status in ["200", "201", "400", "401", "413", "422", "429"] {
        assert!(
            leads["responses"][status].is_object(),
            "{status} not documented"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["source_key"]["scheme"],
        "bearer"
    );
    // A page to read, from the same document.
    let page = client()
        .get(format!("{}/api/v1/docs", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("POST /api/v1/hooks/google-ads"), "{html}");
    assert!(html.contains("<code>email</code>"), "{html}");
}
