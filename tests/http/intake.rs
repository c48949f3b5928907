//! The intake API, sign-in and the rep's queue, over the wire.

use crate::common::{spawn_app, PASSWORD};
use leadline::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn ann() -> Value {
    json!({
        "name": "Ann Lee",
        "email": "Ann.Lee@Acme-Industrial.com",
        "phone": "(415) 555-2671",
        "company": "Acme Industrial",
        "message": "Need a quote for 20 seats",
        "timeframe": "this quarter"
    })
}

#[tokio::test]
async fn the_health_check_answers_ok() {
    let app = spawn_app().await;
    let response = crate::common::client()
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_new_inquiry_becomes_a_lead_owned_by_a_rep() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let response = app.post_lead(ann()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(body["owner"]["kind"], "rep");
    assert_eq!(body["owner"]["name"], "rita@acme.test");
    assert_eq!(body["repeat"], false);
    assert_eq!(app.lead_count().await, 1);
}

#[tokio::test]
async fn leads_go_round_robin_between_reps() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "a@acme.test").await;
    app.add_user(Role::Rep, "b@acme.test").await;
    let mut owners = Vec::new();
    for i in 0..4 {
        let body: Value = app
            .post_lead(json!({ "email": format!("p{i}@example.com") }))
            .await
            .json()
            .await
            .unwrap();
        owners.push(body["owner"]["name"].as_str().unwrap().to_string());
    }
    assert_ne!(owners[0], owners[1]);
    assert_eq!(owners[0], owners[2]);
    assert_eq!(owners[1], owners[3]);
}

#[tokio::test]
async fn with_no_rep_the_lead_waits_in_the_qualifier_queue_not_nowhere() {
    let app = spawn_app().await;
    let response = app.post_lead(ann()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["owner"]["kind"], "qualifier");
    assert_eq!(body["stage"], "queued");
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_gets_the_same_answer_and_no_second_lead() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let first = app
        .post_lead_with(ann(), Some(&app.key), Some("form-123"))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_body = first.text().await.unwrap();
    let again = app
        .post_lead_with(ann(), Some(&app.key), Some("form-123"))
        .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.text().await.unwrap(), first_body);
    assert_eq!(app.lead_count().await, 1);
    let (inquiries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM inquiries")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(inquiries, 1, "a retry is not a second inquiry");
}

#[tokio::test]
async fn the_same_person_again_is_a_repeat_inquiry_on_the_same_lead() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let first: Value = app.post_lead(ann()).await.json().await.unwrap();
    let by_email = app
        .post_lead(json!({ "email": "ann.lee@acme-industrial.com", "message": "Any news?" }))
        .await;
    assert_eq!(by_email.status(), StatusCode::OK);
    let by_email: Value = by_email.json().await.unwrap();
    assert_eq!(by_email["id"], first["id"]);
    assert_eq!(by_email["repeat"], true);
    assert_eq!(by_email["stage"], "hot");
    let by_phone: Value = app
        .post_lead(json!({ "phone": "+1 415-555-2671" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_phone["id"], first["id"]);
    assert_eq!(app.lead_count().await, 1);
    let (inquiries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM inquiries")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(inquiries, 3);
}

#[tokio::test]
async fn invalid_fields_are_refused_with_an_error_per_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let response = app
        .post_lead(json!({ "name": "Bo", "email": "bo@", "phone": "12" }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let fields: Vec<_> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, vec!["email", "phone"]);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not an email address"));
    assert_eq!(app.lead_count().await, 0);
}

#[tokio::test]
async fn an_inquiry_with_no_contact_at_all_is_refused() {
    let app = spawn_app().await;
    let response = app.post_lead(json!({ "name": "Nobody" })).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "email");
}

#[tokio::test]
async fn a_field_that_is_not_text_is_refused_by_name() {
    let app = spawn_app().await;
    let response = app
        .post_lead(json!({ "email": "a@b.com", "phone": 4155552671u64 }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "phone");
    assert_eq!(body["errors"][0]["message"], "must be a string");
}

#[tokio::test]
async fn malformed_json_gets_400_with_a_json_error() {
    let app = spawn_app().await;
    let response = crate::common::client()
        .post(format!("{}/api/v1/leads", app.url))
        .bearer_auth(&app.key)
        .header("Content-Type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["error"],
        "The body is not valid JSON: it ends before the JSON does (line 1, column 10)."
    );
    assert_eq!(app.lead_count().await, 0);
}

#[tokio::test]
async fn another_method_than_post_on_a_json_door_gets_405_in_words() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/leads",
        "/api/v1/hooks/flat",
        "/api/v1/hooks/google-ads",
    ] {
        for method in [
            reqwest::Method::GET,
            reqwest::Method::PUT,
            reqwest::Method::DELETE,
        ] {
            let response = crate::common::client()
                .request(method.clone(), format!("{}{path}", app.url))
                .bearer_auth(&app.key)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(response.headers()["allow"], "POST", "{method} {path}");
            let body: Value = response.json().await.unwrap();
            assert!(
                body["error"].as_str().unwrap().contains("takes POST only"),
                "{method} {path}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn no_key_or_a_wrong_key_gets_401() {
    let app = spawn_app().await;
    let none = app.post_lead_with(ann(), None, None).await;
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let wrong = app.post_lead_with(ann(), Some("ll_wrong"), None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: Value = wrong.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("API key"));
    assert_eq!(app.lead_count().await, 0);
}

#[tokio::test]
async fn a_body_over_64_kib_gets_413() {
    let app = spawn_app().await;
    let response = app
        .post_lead(json!({ "email": "a@b.com", "message": "x".repeat(70 * 1024) }))
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("64 KiB"));
}

#[tokio::test]
async fn a_rep_sees_their_new_lead_and_logs_a_call_on_it() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let lead: Value = app.post_lead(ann()).await.json().await.unwrap();
    let lead_id = lead["id"].as_str().unwrap();

    let rita = app.signed_in("rita@acme.test").await;
    let (status, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue[0]["name"], "Ann Lee");
    assert_eq!(queue[0]["next_action"], "Call (attempt 1 of 6)");
    assert!(queue[0]["voicemail_suggested"].as_bool().unwrap());

    let (status, body) = app
        .server_fn(
            &rita,
            "queue/log-call",
            &[("lead_id", lead_id), ("outcome", "no_answer")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    assert_eq!(
        queue[0]["last_touch"].as_str().unwrap().split(" · ").next(),
        Some("Call: No answer")
    );
    assert_eq!(queue[0]["next_action"], "Call (attempt 2 of 6)");
    assert_eq!(queue[0]["stage"], "attempting");
}

#[tokio::test]
async fn a_rep_cannot_log_a_call_on_another_reps_lead() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let lead: Value = app.post_lead(ann()).await.json().await.unwrap();
    app.add_user(Role::Rep, "raj@acme.test").await;
    let raj = app.signed_in("raj@acme.test").await;
    let (status, body) = app
        .server_fn(
            &raj,
            "queue/log-call",
            &[
                ("lead_id", lead["id"].as_str().unwrap()),
                ("outcome", "connected"),
            ],
        )
        .await;
    // To Raj, Rita's lead does not exist: the same answer as for a lead id nobody has.
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_found");
    let (touches,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM touches")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(touches, 0, "nothing was logged");
    let (_, queue) = app.server_fn(&raj, "queue/mine", &[]).await;
    assert_eq!(queue, json!([]), "a rep sees only their own leads");
}

#[tokio::test]
async fn a_bad_call_outcome_is_refused_by_name() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let lead: Value = app.post_lead(ann()).await.json().await.unwrap();
    let rita = app.signed_in("rita@acme.test").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "queue/log-call",
            &[
                ("lead_id", lead["id"].as_str().unwrap()),
                ("outcome", "hung_up"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("outcome"), "{body}");
}

#[tokio::test]
async fn strangers_and_wrong_roles_are_turned_away_from_server_functions() {
    let app = spawn_app().await;
    let stranger = crate::common::client();
    let (status, body) = app.server_fn(&stranger, "queue/mine", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], json!("unauthenticated"));
    let (_, body) = app
        .server_fn(&stranger, "board/aging", &[("basis", "inquiry")])
        .await;
    assert_eq!(body["code"], json!("unauthenticated"));

    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let (status, body) = app
        .server_fn(&rita, "board/aging", &[("basis", "inquiry")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden", "{body}");
    let (_, body) = app.server_fn(&rita, "nurture/pool", &[]).await;
    assert_eq!(body["code"], "forbidden", "{body}");
}

#[tokio::test]
async fn a_manager_sees_a_new_lead_counted_on_the_aging_board() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let max = app.signed_in("max@acme.test").await;
    let (_, before) = app
        .server_fn(&max, "board/aging", &[("basis", "inquiry")])
        .await;
    assert_eq!(before["total"]["count"], 0);
    app.post_lead(ann()).await;
    let (_, after) = app
        .server_fn(&max, "board/aging", &[("basis", "inquiry")])
        .await;
    assert_eq!(after["total"]["count"], 1);
    assert_eq!(after["total"]["ghosts"], 1, "never called yet");
    let assigned = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["stage"] == "assigned")
        .unwrap();
    assert_eq!(assigned["cells"][0]["count"], 1, "under five minutes old");
}

#[tokio::test]
async fn a_wrong_password_does_not_sign_in() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let client = crate::common::client_builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let (_, body) = app
        .server_fn(
            &client,
            "auth/login",
            &[("email", "rita@acme.test"), ("password", "nope nope nope")],
        )
        .await;
    assert!(body.to_string().contains("do not match"), "{body}");
    let (_, body) = app.server_fn(&client, "queue/mine", &[]).await;
    assert_eq!(body["code"], json!("unauthenticated"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let response = crate::common::client()
        .post(format!("{}/api/auth/login", app.url))
        .header("Accept", "application/json")
        .form(&[("email", "rita@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("leadline_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn the_rep_queue_page_is_readable_before_any_webassembly_runs() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.post_lead(ann()).await;
    let rita = app.signed_in("rita@acme.test").await;
    let html = rita
        .get(format!("{}/queue", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Ann Lee"),
        "the lead is in the server-rendered HTML"
    );
    assert!(html.contains("tel:+14155552671"));
    assert!(html.contains("Log call"));
}

#[tokio::test]
async fn every_screen_renders_on_the_server_for_its_role() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Manager, "max@acme.test").await;
    app.add_user(Role::Marketing, "maya@acme.test").await;
    let lead: Value = app.post_lead(ann()).await.json().await.unwrap();
    let lead_path = format!("/lead/{}", lead["id"].as_str().unwrap());
    for (who, path, expect) in [
        ("rita@acme.test", lead_path.as_str(), "Attempt 1 of 6"),
        ("max@acme.test", "/board", "Recent closures"),
        ("max@acme.test", lead_path.as_str(), "Ann Lee"),
        ("maya@acme.test", "/nurture", "leads being kept warm"),
        ("maya@acme.test", "/campaigns", "Wasted spend"),
    ] {
        let client = app.signed_in(who).await;
        let response = client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{who} {path}: {e}"));
        assert_eq!(response.status(), StatusCode::OK, "{who} {path}");
        let html = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{who} {path}: the page never finished: {e}"));
        assert!(html.contains(expect), "{who} {path} shows {expect}");
    }
}

/// Closes `lead` as won for `amount` today, as `client`.
async fn win(app: &crate::common::TestApp, client: &reqwest::Client, lead: &str, amount: &str) {
    let today = chrono::Utc::now().date_naive().to_string();
    let (status, body) = app
        .server_fn(
            client,
            "lead/close",
            &[
                ("lead_id", lead),
                ("close[outcome]", "won"),
                ("close[amount]", amount),
                ("close[sold_on]", &today),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_customers_new_inquiry_is_a_new_opportunity_and_their_sale_stays() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let first: Value = app
        .post_lead(json!({ "name": "Ann Lee", "email": "ann@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    let first_id = first["id"].as_str().unwrap().to_string();
    let winner = first["owner"]["name"].as_str().unwrap().to_string();
    let rep = app.signed_in(&winner).await;
    crate::common::call(&app, &rep, &first_id, "connected").await;
    win(&app, &rep, &first_id, "4800").await;

    let again = app
        .post_lead(json!({
            "email": "ANN@acme.test",
            "phone": "+1 415 555 2671",
            "company": "Acme Industrial",
            "message": "We need 10 more seats"
        }))
        .await;
    assert_eq!(again.status(), StatusCode::CREATED, "a new opportunity");
    let again: Value = again.json().await.unwrap();
    let next_id = again["id"].as_str().unwrap().to_string();
    assert_ne!(next_id, first_id);
    assert_eq!(again["repeat"], true);
    assert_eq!(again["follows"], first_id.as_str());
    assert_eq!(again["stage"], "hot");
    assert_eq!(
        again["owner"]["name"],
        winner.as_str(),
        "offered first to the rep who won them"
    );

    let (_, sold) = app
        .server_fn(&rep, "lead/detail", &[("lead_id", &first_id)])
        .await;
    assert_eq!(sold["stage"], "won", "the sale is history and stays");
    assert!(
        sold["step"].as_str().unwrap().contains("4,800.00"),
        "{sold}"
    );
    let (_, next) = app
        .server_fn(&rep, "lead/detail", &[("lead_id", &next_id)])
        .await;
    assert_eq!(next["name"], "Ann Lee");
    assert_eq!(next["phone"], "+14155552671");
    assert_eq!(next["company"], "Acme Industrial");
    assert!(
        next["customer"]
            .as_str()
            .unwrap()
            .ends_with("· bought USD 4,800.00"),
        "{next}"
    );
    assert_eq!(
        next["step"].as_str().unwrap().split(" · ").next(),
        Some("Attempt 1 of 6")
    );

    crate::common::call(&app, &rep, &next_id, "connected").await;
    win(&app, &rep, &next_id, "1200").await;
    let max = app.signed_in("max@acme.test").await;
    let (_, campaigns) = app.server_fn(&max, "nurture/campaigns", &[]).await;
    let row = campaigns
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["name"] == "Test form")
        .unwrap();
    assert_eq!(
        row["revenue"], "USD 6,000.00",
        "both sales count for the source"
    );
}

#[tokio::test]
async fn contact_details_a_repeat_inquiry_brings_are_added_to_the_lead() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let first: Value = app
        .post_lead(json!({ "email": "bo@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    let id = first["id"].as_str().unwrap();
    let again = app
        .post_lead(json!({
            "name": "Bo Berg",
            "email": "bo@acme.test",
            "phone": "+1 415 555 0123",
            "company": "Berg & Co"
        }))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let rita = app.signed_in("rita@acme.test").await;
    let (_, lead) = app
        .server_fn(&rita, "lead/detail", &[("lead_id", id)])
        .await;
    assert_eq!(
        lead["name"], "Bo Berg",
        "a name where it only had the email"
    );
    assert_eq!(lead["phone"], "+14155550123");
    assert_eq!(lead["company"], "Berg & Co");
    // A phone it already knows is not overwritten by another.
    app.post_lead(json!({ "email": "bo@acme.test", "phone": "+1 415 555 0999" }))
        .await;
    let (_, lead) = app
        .server_fn(&rita, "lead/detail", &[("lead_id", id)])
        .await;
    assert_eq!(lead["phone"], "+14155550123");
    assert_eq!(
        lead["other_contacts"],
        json!(["+14155550999"]),
        "the other phone is kept and shown"
    );
}
