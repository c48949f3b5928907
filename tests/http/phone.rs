//! The rep's phone: the queue in working order, a call's note and callback, search, a lead met
//! in person — over the wire, as the phone's pages call them.

use crate::common::{call, spawn_app, spawn_app_with_policy, TestApp};
use leadline::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn lead(app: &TestApp, name: &str, phone: &str) -> String {
    let body: Value = app
        .post_lead(json!({ "name": name, "phone": phone }))
        .await
        .json()
        .await
        .unwrap();
    body["id"].as_str().unwrap().to_string()
}

async fn touches_on(app: &TestApp, lead: &str) -> i64 {
    let (touches,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM touches WHERE lead_id = $1")
        .bind(lead)
        .fetch_one(&app.db)
        .await
        .unwrap();
    touches
}

fn names(queue: &Value) -> Vec<&str> {
    queue
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_new_inquiry_tops_the_queue_above_attempts_overdue_for_a_day() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let old = lead(&app, "Old Olga", "+1 415 555 2671").await;
    let older = lead(&app, "Older Oscar", "+1 415 555 2672").await;
    for id in [&older, &old] {
        let (status, body) = call(&app, &rita, id, "no_answer").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The second attempts fall due an hour later; a day and more passes.
    app.advance_clock(26 * 60).await;
    lead(&app, "New Nadia", "+1 415 555 2673").await;
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    let names = names(&queue);
    assert_eq!(names[0], "New Nadia", "{names:?}");
    assert_eq!(names.len(), 3);
}

#[tokio::test]
async fn a_call_sent_twice_with_its_key_is_logged_once_and_a_bad_key_is_refused() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let id = lead(&app, "Ann Lee", "+1 415 555 2671").await;
    let send = |key: &'static str| {
        let (app, rita, id) = (&app, &rita, id.clone());
        async move {
            app.server_fn(
                rita,
                "queue/log-call",
                &[("lead_id", &id), ("outcome", "busy"), ("key", key)],
            )
            .await
        }
    };
    // The phone sends, loses the answer, and sends again: one call, one attempt.
    for _ in 0..3 {
        let (status, body) = send("7f3c2a9e1b4d6c80").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(touches_on(&app, &id).await, 1);
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    assert_eq!(queue[0]["next_action"], "Call (attempt 2 of 6)", "{queue}");
    // A new key is a new call.
    let (status, _) = send("9d1e5b7a3c2f4e68").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send("<b>x</b>").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(!body.to_string().contains("<b>"), "{body}");
}

#[tokio::test]
async fn concurrent_sends_of_one_call_log_it_once() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let id = lead(&app, "Ann Lee", "+1 415 555 2671").await;
    let form = [
        ("lead_id", id.as_str()),
        ("kind", "call"),
        ("outcome", "no_answer"),
        ("key", "c0ffee00c0ffee00"),
    ];
    let sends = (0..8).map(|_| app.server_fn(&rita, "lead/log-touch", &form));
    for (status, body) in futures_util::future::join_all(sends).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(touches_on(&app, &id).await, 1);
}

async fn next_due(app: &TestApp, lead: &str) -> chrono::DateTime<chrono::Utc> {
    let (due,): (chrono::DateTime<chrono::Utc>,) =
        sqlx::query_as("SELECT next_due_at FROM leads WHERE id = $1")
            .bind(lead)
            .fetch_one(&app.db)
            .await
            .unwrap();
    due
}

#[tokio::test]
async fn a_call_keeps_its_note_and_the_agreed_callback_sets_the_next_call() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let id = lead(&app, "Ann Lee", "+1 415 555 2671").await;
    let back = (chrono::Utc::now() + chrono::Duration::hours(3))
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:00.000Z")
        .to_string();
    let (status, body) = app
        .server_fn(
            &rita,
            "queue/log-call",
            &[
                ("lead_id", &id),
                ("outcome", "busy"),
                ("note", "Receptionist: <b>call</b> after 3"),
                ("callback", &back),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        next_due(&app, &id)
            .await
            .format("%Y-%m-%dT%H:%M:00.000Z")
            .to_string(),
        back
    );
    let (note,): (String,) = sqlx::query_as("SELECT note FROM touches WHERE lead_id = $1")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(note, "Receptionist: <b>call</b> after 3");
    // The lead page's history shows the note as the rep wrote it.
    let (_, detail) = app
        .server_fn(&rita, "lead/detail", &[("lead_id", &id)])
        .await;
    assert!(
        detail
            .to_string()
            .contains("Receptionist: <b>call</b> after 3"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_callback_in_the_past_beyond_the_cadence_or_unreadable_is_refused_and_nothing_is_logged()
{
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let id = lead(&app, "Ann Lee", "+1 415 555 2671").await;
    let at = |hours: i64| {
        (chrono::Utc::now() + chrono::Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    for (callback, status, says) in [
        (
            at(-2),
            StatusCode::CONFLICT,
            "That callback time has passed",
        ),
        (at(24 * 60), StatusCode::CONFLICT, "within the cadence"),
        (
            "next tuesday".to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Callback time must be a date and time",
        ),
    ] {
        let (got, body) = app
            .server_fn(
                &rita,
                "queue/log-call",
                &[
                    ("lead_id", &id),
                    ("outcome", "no_answer"),
                    ("callback", &callback),
                ],
            )
            .await;
        assert_eq!(got, status, "{callback}: {body}");
        assert!(body["message"].as_str().unwrap().contains(says), "{body}");
    }
    let long = "x".repeat(2_001);
    let (got, body) = app
        .server_fn(
            &rita,
            "queue/log-call",
            &[("lead_id", &id), ("outcome", "no_answer"), ("note", &long)],
        )
        .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Note is too long"),
        "{body}"
    );
    assert_eq!(touches_on(&app, &id).await, 0);
}

#[tokio::test]
async fn a_rep_adds_a_person_they_met_and_the_meeting_is_logged_on_their_new_lead() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let (status, met) = app
        .server_fn(
            &rita,
            "queue/met",
            &[
                ("name", "Mia Wong"),
                ("phone", "(415) 555-2690"),
                ("company", "Wong Bakery"),
                ("note", "Met at the trade fair; wants a quote for two ovens"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{met}");
    assert_eq!(met["mine"], true, "{met}");
    assert_eq!(met["repeat"], false);
    let id = met["id"].as_str().unwrap();
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    let card = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .expect("the lead is in Rita's queue");
    assert_eq!(card["stage"], "qualifying", "{card}");
    assert_eq!(card["source"], "In person");
    assert_eq!(card["phone_text"], "+1 415-555-2690");
    assert_eq!(touches_on(&app, id).await, 1);
    let (_, detail) = app
        .server_fn(&rita, "lead/detail", &[("lead_id", id)])
        .await;
    assert!(detail.to_string().contains("wants a quote for two ovens"));
    // A second person, met the same day, goes to Rita too.
    let (_, again) = app
        .server_fn(
            &rita,
            "queue/met",
            &[("name", "Ola Berg"), ("email", "ola@berg.test")],
        )
        .await;
    assert_eq!(again["mine"], true, "{again}");
}

#[tokio::test]
async fn a_person_met_goes_through_the_intake_rules_and_a_known_one_stays_with_their_rep() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Marketing, "maya@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    // Nobody to reach: refused in words, nothing stored.
    let (status, body) = app
        .server_fn(&rita, "queue/met", &[("name", "No Way")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .server_fn(
            &rita,
            "queue/met",
            &[("name", "Bad Phone"), ("phone", "12")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().starts_with("Phone"),
        "{body}"
    );
    // Someone who inquired before: their lead, not a second one.
    let first = lead(&app, "Ann Lee", "+1 415 555 2671").await;
    let (status, met) = app
        .server_fn(
            &rita,
            "queue/met",
            &[("name", "Ann Lee"), ("phone", "+14155552671")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{met}");
    assert_eq!(met["repeat"], true);
    assert_eq!(met["id"], first.as_str());
    let (leads,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leads")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(leads, 1);
    // Marketing does not add leads this way.
    let maya = app.signed_in("maya@acme.test").await;
    let (status, _) = app
        .server_fn(
            &maya,
            "queue/met",
            &[("name", "Zed"), ("phone", "+14155552672")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_lead_page_shows_its_history_newest_first() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let id = lead(&app, "Ann Lee", "+1 415 555 2671").await;
    let (status, body) = call(&app, &rita, &id, "no_answer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.advance_clock(90).await;
    let (status, body) = call(&app, &rita, &id, "busy").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, detail) = app
        .server_fn(&rita, "lead/detail", &[("lead_id", &id)])
        .await;
    let lines: Vec<String> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.to_string())
        .collect();
    let busy = lines.iter().position(|l| l.contains("Busy")).expect("busy");
    let no_answer = lines
        .iter()
        .position(|l| l.contains("No answer"))
        .expect("no answer");
    assert!(busy < no_answer, "newest first: {lines:#?}");
}

#[tokio::test]
async fn a_person_met_by_a_full_rep_goes_to_the_queue_with_what_was_said() {
    let app = spawn_app_with_policy(|policy| policy.rep_capacity = 0).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let (status, met) = app
        .server_fn(
            &rita,
            "queue/met",
            &[
                ("name", "Mia Wong"),
                ("phone", "+14155552690"),
                ("note", "Wants <b>two</b> ovens"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{met}");
    assert_eq!(met["mine"], false, "{met}");
    assert_eq!(met["owner"], "Qualifier queue");
    let id = met["id"].as_str().unwrap();
    let (message,): (String,) = sqlx::query_as("SELECT message FROM inquiries WHERE lead_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(message, "Wants <b>two</b> ovens");
    // Twenty adds of the same person at once: one lead.
    let adds = (0..20).map(|_| {
        app.server_fn(
            &rita,
            "queue/met",
            &[("name", "Mia Wong"), ("phone", "+14155552690")],
        )
    });
    for (status, body) in futures_util::future::join_all(adds).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (leads,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leads")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(leads, 1);
}

/// Posts a card's call form the way a browser does before the page's app works, from the
/// queue at `page` (its address, answer and all).
async fn post_card_form(
    app: &TestApp,
    client: &reqwest::Client,
    page: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(format!("{}/api/queue/log-call", app.url))
        .header("Accept", "text/html")
        .header("Origin", app.url.as_str())
        .header("Referer", format!("{}{page}", app.url))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_call_the_card_form_posts_before_the_app_works_comes_back_saved_and_counts_once() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let id = lead(&app, "Ann <b>Lee</b>", "+1 415 555 2671").await;
    let form = [
        ("lead_id", id.as_str()),
        ("key", "0191f3a2b4c5d6e7f8091a2b3c4d5e6f"),
        ("note", "Out till Friday"),
        ("outcome", "no_answer"),
    ];
    // A second tap while the first post is on its way: the same form, the same key.
    let first = post_card_form(&app, &rita, "/queue", &form).await;
    let second = post_card_form(&app, &rita, "/queue", &form).await;
    assert_eq!(touches_on(&app, &id).await, 1, "logged once");
    for response in [&first, &second] {
        assert_eq!(response.status(), StatusCode::FOUND);
    }
    let location = first.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/queue?"), "{location}");
    assert!(location.contains("__sig="), "{location}");
    let page = rita
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK, "{location}");
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Saved: No answer on Ann &lt;b&gt;Lee&lt;/b&gt;."),
        "the queue says what was saved, the name as text"
    );
    // The next call, posted from that page, is refused (a callback time long past): the queue
    // says so, not the earlier "Saved".
    let other = lead(&app, "Bo Chan", "+1 415 555 2672").await;
    let refused = post_card_form(
        &app,
        &rita,
        &location,
        &[
            ("lead_id", other.as_str()),
            ("key", "0191f3a2b4c5d6e7f8091a2b3c4d5e71"),
            ("outcome", "connected"),
            ("callback", "2020-01-01T10:00"),
        ],
    )
    .await;
    assert!(refused.status().is_redirection());
    let refused_at = refused.headers()["location"].to_str().unwrap().to_string();
    let page_after = rita
        .get(format!("{}{refused_at}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page_after.status(), StatusCode::OK, "{refused_at}");
    let page_after = page_after.text().await.unwrap();
    assert!(
        page_after.contains("The call was not logged: "),
        "{refused_at}"
    );
    assert!(!page_after.contains("Saved: "), "{refused_at}");
    assert_eq!(touches_on(&app, &other).await, 0);
    // The same words in a link someone made are not shown: the queue opens without them.
    let forged = rita
        .get(format!(
            "{}/queue?__path=%2Fapi%2Fqueue%2Flog-call&__saved=connected%3A{id}",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    assert_eq!(forged.headers()["location"], "/queue");
    // Nor does a genuine one show to anyone else.
    app.add_user(Role::Rep, "raj@acme.test").await;
    let raj = app.signed_in("raj@acme.test").await;
    let borrowed = raj
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(borrowed.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_call_the_card_form_posts_that_is_refused_is_told_on_the_queue() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let id = lead(&app, "Ann Lee", "+1 415 555 2671").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let raj = app.signed_in("raj@acme.test").await;
    // Raj's phone posts a call on a lead that is not his.
    let response = post_card_form(
        &app,
        &raj,
        "/queue",
        &[
            ("lead_id", id.as_str()),
            ("key", "0191f3a2b4c5d6e7f8091a2b3c4d5e70"),
            ("outcome", "busy"),
        ],
    )
    .await;
    assert!(response.status().is_redirection());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let page = raj
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK, "{location}");
    let page = page.text().await.unwrap();
    assert!(page.contains("The call was not logged: "), "{location}");
    assert!(!page.contains("Saved:"));
    assert_eq!(touches_on(&app, &id).await, 0);
}
