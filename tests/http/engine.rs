//! The follow-up engine's rules, enforced on the server: hand-made calls to the server
//! functions, the test clock, and the scheduler across a restart.

use crate::common::{call, refused, spawn_app, TestApp};
use chrono::{Duration, Utc};
use leadline::domain::role::Role;
use leadline::server::clock::Clock;
use leadline::server::services::{demo, scheduler};
use leadline::server::store;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn lead_for_rita(app: &TestApp) -> (Client, String) {
    app.add_user(Role::Rep, "rita@acme.test").await;
    let lead: Value = app
        .post_lead(
            json!({ "name": "Ann Lee", "email": "ann@acme.test", "phone": "+1 415 555 2671" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let rita = app.signed_in("rita@acme.test").await;
    (rita, lead["id"].as_str().unwrap().to_string())
}

async fn close_dead(
    app: &TestApp,
    client: &Client,
    lead: &str,
    reason: &str,
) -> (StatusCode, Value) {
    app.server_fn(
        client,
        "lead/close",
        &[
            ("lead_id", lead),
            ("close[outcome]", "dead"),
            ("close[reason]", reason),
        ],
    )
    .await
}

async fn detail(app: &TestApp, client: &Client, lead: &str) -> Value {
    let (status, body) = app
        .server_fn(client, "lead/detail", &[("lead_id", lead)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn advance(app: &TestApp, minutes: i64) -> Value {
    crate::common::client()
        .post(format!("{}/test/clock", app.url))
        .json(&json!({ "minutes": minutes }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn event_kinds(db: &sqlx::SqlitePool, lead: &str) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT kind FROM lead_events WHERE lead_id = $1 ORDER BY occurred_at, id")
            .bind(lead)
            .fetch_all(db)
            .await
            .unwrap();
    rows.into_iter().map(|(k,)| k).collect()
}

#[tokio::test]
async fn a_hand_made_call_cannot_close_a_lead_that_was_never_called() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    let (status, body) = close_dead(&app, &rita, &lead, "not_a_buyer").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        refused(&body),
        "This lead has had no call attempt yet — call it before closing."
    );
    assert_eq!(detail(&app, &rita, &lead).await["stage"], "assigned");
}

#[tokio::test]
async fn not_a_buyer_needs_a_conversation_and_a_manager_can_reverse_the_closure() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    call(&app, &rita, &lead, "no_answer").await;
    let (status, body) = close_dead(&app, &rita, &lead, "not_a_buyer").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(refused(&body).contains("needs a conversation"), "{body}");

    call(&app, &rita, &lead, "connected").await;
    let (status, body) = close_dead(&app, &rita, &lead, "not_a_buyer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    assert_eq!(queue, json!([]), "a closed lead leaves the queue");
    let (status, _) = app
        .server_fn(&rita, "lead/reopen", &[("lead_id", &lead)])
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a rep cannot reverse a closure"
    );

    app.add_user(Role::Manager, "max@acme.test").await;
    let max = app.signed_in("max@acme.test").await;
    let (_, closures) = app.server_fn(&max, "board/closures", &[]).await;
    assert_eq!(closures[0]["name"], "Ann Lee");
    assert_eq!(closures[0]["outcome"], "Dead: Not a buyer");
    let (status, body) = app
        .server_fn(
            &max,
            "lead/reopen",
            &[("lead_id", &lead), ("note", "they are still looking")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    assert_eq!(
        queue[0]["stage"], "qualifying",
        "back with the rep who held it"
    );
}

#[tokio::test]
async fn invalid_contact_needs_a_failed_attempt_on_every_channel() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    call(&app, &rita, &lead, "wrong_number").await;
    let (_, body) = close_dead(&app, &rita, &lead, "invalid_contact").await;
    assert!(refused(&body).contains("email that bounced"), "{body}");
    let (status, _) = app
        .server_fn(
            &rita,
            "lead/log-touch",
            &[
                ("lead_id", &lead),
                ("kind", "email"),
                ("outcome", "bounced"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = close_dead(&app, &rita, &lead, "invalid_contact").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_won_lead_needs_its_amount_and_date() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    call(&app, &rita, &lead, "connected").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/close",
            &[
                ("lead_id", &lead),
                ("close[outcome]", "won"),
                ("close[amount]", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(fields, vec![json!("amount"), json!("sold_on")]);
    let today = Utc::now().date_naive().to_string();
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/close",
            &[
                ("lead_id", &lead),
                ("close[outcome]", "won"),
                ("close[amount]", "4,800"),
                ("close[sold_on]", &today),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lead = detail(&app, &rita, &lead).await;
    assert_eq!(lead["stage"], "won");
    assert_eq!(lead["step"], format!("Closed: won 4,800.00 on {today}"));
}

#[tokio::test]
async fn an_email_is_logged_but_the_first_call_is_still_due() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    let (status, _) = app
        .server_fn(
            &rita,
            "lead/log-touch",
            &[
                ("lead_id", &lead),
                ("kind", "email"),
                ("note", "sent brochure"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let lead = detail(&app, &rita, &lead).await;
    assert_eq!(lead["touches"][0]["what"], "Email");
    assert!(
        lead["step"].as_str().unwrap().starts_with("Attempt 1 of 6"),
        "{lead}"
    );
}

#[tokio::test]
async fn marketing_cannot_close_and_a_not_ready_lead_comes_back_hot_on_its_date() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive().to_string();
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/not-ready",
            &[
                ("lead_id", &lead),
                ("reason", "budget"),
                ("recontact_on", &tomorrow),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "not ready needs a conversation first: {body}"
    );
    assert_eq!(
        refused(&body),
        "Hand a lead to nurture as not ready only after talking to them: log the connected call or meeting first."
    );
    call(&app, &rita, &lead, "connected").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/not-ready",
            &[
                ("lead_id", &lead),
                ("reason", "budget opens in Q3"),
                ("recontact_on", &tomorrow),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    app.add_user(Role::Marketing, "maya@acme.test").await;
    let maya = app.signed_in("maya@acme.test").await;
    let (_, pool) = app.server_fn(&maya, "nurture/pool", &[]).await;
    assert_eq!(pool[0]["name"], "Ann Lee");
    let (status, body) = close_dead(&app, &maya, &lead, "not_a_buyer").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    advance(&app, 3 * 24 * 60).await;
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    assert_eq!(queue[0]["name"], "Ann Lee");
    assert_eq!(queue[0]["stage"], "hot");
    let (_, alerts) = app.server_fn(&rita, "alerts/mine", &[]).await;
    assert!(
        alerts[0]["message"]
            .as_str()
            .unwrap()
            .contains("back from nurture"),
        "{alerts}"
    );
}

#[tokio::test]
async fn a_missed_first_call_warns_the_manager_then_moves_the_lead_and_the_miss_stays_with_the_first_rep(
) {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let (_, lead) = lead_for_rita(&app).await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let max = app.signed_in("max@acme.test").await;

    advance(&app, 16).await;
    let (_, alerts) = app.server_fn(&max, "alerts/mine", &[]).await;
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert!(
        alerts[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Ann Lee: no call attempt 15 working minutes"),
        "{alerts}"
    );

    advance(&app, 45).await;
    let raj = app.signed_in("raj@acme.test").await;
    let (_, queue) = app.server_fn(&raj, "queue/mine", &[]).await;
    assert_eq!(queue[0]["name"], "Ann Lee", "reassigned to the other rep");
    assert_eq!(queue[0]["next_action"], "Call (attempt 1 of 6)");
    let (charged,): (String,) = sqlx::query_as(
        "SELECT u.email FROM lead_events e JOIN users u ON u.id = e.charged_to
         WHERE e.lead_id = $1 AND e.kind = 'sla_missed'",
    )
    .bind(&lead)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(charged, "rita@acme.test");
    assert_eq!(
        event_kinds(&app.db, &lead).await,
        vec!["arrived", "sla_warning", "sla_missed"]
    );
}

#[tokio::test]
async fn six_unanswered_attempts_over_ten_days_move_the_lead_to_nurture() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    // Call each attempt when it falls due: now, +1 h, then days 1, 3, 6 and 10.
    let waits = [0, 60, 23 * 60, 2 * 24 * 60, 3 * 24 * 60, 4 * 24 * 60];
    for (attempt, wait) in waits.into_iter().enumerate() {
        advance(&app, wait).await;
        let (status, body) = call(&app, &rita, &lead, "no_answer").await;
        assert_eq!(status, StatusCode::OK, "attempt {}: {body}", attempt + 1);
    }
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    assert_eq!(queue, json!([]));
    let seen_by_rita = detail(&app, &rita, &lead).await;
    assert_eq!(
        seen_by_rita["stage"], "nurture",
        "the rep can see where it went"
    );
    assert_eq!(seen_by_rita["can_log"], false);
    app.add_user(Role::Marketing, "maya@acme.test").await;
    let maya = app.signed_in("maya@acme.test").await;
    let lead = detail(&app, &maya, &lead).await;
    assert_eq!(lead["stage"], "nurture");
    assert_eq!(lead["nurture"], "Not reached after the cadence");
}

#[tokio::test]
async fn a_repeat_inquiry_reopens_a_dead_lead_as_hot_but_never_a_do_not_contact_one() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    call(&app, &rita, &lead, "connected").await;
    close_dead(&app, &rita, &lead, "bought_elsewhere").await;
    let again: Value = app
        .post_lead(json!({ "email": "ann@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], lead.as_str());
    assert_eq!(again["stage"], "hot");
    let (_, alerts) = app.server_fn(&rita, "alerts/mine", &[]).await;
    assert!(
        alerts[0]["message"]
            .as_str()
            .unwrap()
            .contains("inquired again"),
        "{alerts}"
    );

    call(&app, &rita, &lead, "connected").await;
    let (status, _) = app
        .server_fn(
            &rita,
            "lead/close",
            &[
                ("lead_id", &lead),
                ("close[outcome]", "dead"),
                ("close[reason]", "do_not_contact"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let again: Value = app
        .post_lead(json!({ "phone": "+14155552671" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["stage"], "dead", "do-not-contact is never reopened");
}

#[tokio::test]
async fn ticks_that_fell_due_while_the_server_was_down_are_applied_once_on_start() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let (_, lead) = lead_for_rita(&app).await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let url = format!("sqlite:{}", app.dir.path().join("test.db").display());
    // The server "stops": nothing runs while three hours pass.
    drop(app.db.clone());

    // It starts again on the same database, with the scheduler catching up.
    let db = store::connect(&url).await.unwrap();
    let policy = leadline::server::services::policy::PolicyCell::new(
        store::policy::load(&db, chrono_tz::UTC).await.unwrap(),
    );
    let clock = Clock::default();
    clock.advance(Duration::hours(3));
    scheduler::spawn(
        db.clone(),
        policy.clone(),
        chrono_tz::UTC,
        clock.clone(),
        leadline::server::live::Live::default(),
        std::time::Duration::from_millis(20),
    );
    let mut kinds = Vec::new();
    for _ in 0..100 {
        kinds = event_kinds(&db, &lead).await;
        if kinds.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Several more scheduler passes, and a manual one, change nothing.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        scheduler::run_due(&db, &policy.get(), clock.now(), &Default::default())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        event_kinds(&db, &lead).await,
        vec!["arrived", "sla_warning", "sla_missed"]
    );
    assert_eq!(kinds.len(), 3);
    let (alerts,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM alerts WHERE kind = 'sla_warning'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(alerts, 1);
}

#[tokio::test]
async fn every_lead_in_the_demo_ends_its_history_where_it_is() {
    let app = spawn_app().await;
    let policy = store::policy::load(&app.db, chrono_tz::UTC).await.unwrap();
    demo::load(&app.db, &app.passwords, &policy, "US", Utc::now())
        .await
        .unwrap();
    let mismatched: Vec<(String,)> = sqlx::query_as(
        "SELECT l.id FROM leads l
         JOIN lead_events e ON e.lead_id = l.id
         WHERE e.id = (SELECT id FROM lead_events x WHERE x.lead_id = l.id
                       ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1)
           AND NOT (e.to_stage = l.stage AND e.owner_kind = l.owner_kind
                    AND COALESCE(e.owner_id, '') = COALESCE(l.owner_id, '')
                    AND COALESCE(e.next_action, '') = COALESCE(l.next_action, '')
                    AND COALESCE(e.next_due_at, '') = COALESCE(l.next_due_at, ''))",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(mismatched, vec![]);
    let (leads,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leads")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(leads >= 36);
    let (dead,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM leads WHERE stage IN ('won', 'dead')")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(dead > 0, "the demo shows some closed leads");
}

#[tokio::test]
async fn a_rep_sitting_on_an_overdue_lead_loses_it_and_the_reclaim_counts_against_them() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    call(&app, &rita, &lead, "no_answer").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    // Attempt 2 was due an hour later; two days past that, the lead is reclaimed.
    advance(&app, 60 + 2 * 24 * 60 - 5).await;
    assert_eq!(detail(&app, &rita, &lead).await["owner"], "rita@acme.test");
    advance(&app, 10).await;
    let raj = app.signed_in("raj@acme.test").await;
    let (_, queue) = app.server_fn(&raj, "queue/mine", &[]).await;
    assert_eq!(queue[0]["name"], "Ann Lee");
    let (charged,): (String,) = sqlx::query_as(
        "SELECT u.email FROM lead_events e JOIN users u ON u.id = e.charged_to
         WHERE e.lead_id = $1 AND e.kind = 'reclaimed'",
    )
    .bind(&lead)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(charged, "rita@acme.test");
}

#[tokio::test]
async fn a_duplicate_needs_a_real_other_lead_to_merge_into() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    call(&app, &rita, &lead, "no_answer").await;
    let dup = |of: String| {
        vec![
            ("lead_id", lead.clone()),
            ("close[outcome]", "dead".to_string()),
            ("close[reason]", "duplicate".to_string()),
            ("close[duplicate_of]", of),
        ]
    };
    let form = dup(String::new());
    let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.server_fn(&rita, "lead/close", &borrowed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "duplicate_of");
    for (of, says) in [
        (lead.clone(), "cannot be a duplicate of itself"),
        (
            "no-such-lead".to_string(),
            "There is no lead with that id to merge this one into.",
        ),
    ] {
        let form = dup(of);
        let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = app.server_fn(&rita, "lead/close", &borrowed).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(refused(&body).contains(says), "{body}");
    }
    let other: Value = app
        .post_lead(json!({ "email": "ann.lee@other.test" }))
        .await
        .json()
        .await
        .unwrap();
    let form = dup(other["id"].as_str().unwrap().to_string());
    let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.server_fn(&rita, "lead/close", &borrowed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_no_answer_on_a_lead_handed_back_hot_meets_its_sla_and_it_stays_with_the_rep() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    app.add_user(Role::Marketing, "maya@acme.test").await;
    let (rita, lead) = lead_for_rita(&app).await;
    call(&app, &rita, &lead, "connected").await;
    let later = (Utc::now() + Duration::days(30)).date_naive().to_string();
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/not-ready",
            &[
                ("lead_id", &lead),
                ("reason", "budget in spring"),
                ("recontact_on", &later),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let maya = app.signed_in("maya@acme.test").await;
    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/hand-back",
            &[("lead_id", &lead), ("note", "replied: budget approved")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(detail(&app, &rita, &lead).await["stage"], "hot");

    let (status, _) = call(&app, &rita, &lead, "no_answer").await;
    assert_eq!(status, StatusCode::OK);
    let after = detail(&app, &rita, &lead).await;
    assert!(
        after["step"]
            .as_str()
            .unwrap()
            .starts_with("Attempt 2 of 6"),
        "the call counts in the new cadence: {after}"
    );
    advance(&app, 61).await;
    let after = detail(&app, &rita, &lead).await;
    assert_eq!(
        after["owner"], "rita@acme.test",
        "not taken from the rep who called"
    );
    let max = app.signed_in("max@acme.test").await;
    let (_, alerts) = app.server_fn(&max, "alerts/mine", &[]).await;
    assert_eq!(
        alerts,
        json!([]),
        "the manager is not warned of a call that was made"
    );
    let kinds = event_kinds(&app.db, &lead).await;
    assert!(
        !kinds
            .iter()
            .any(|k| k == "sla_warning" || k == "sla_missed"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn closing_at_their_own_request_needs_a_note_and_shows_in_the_closure_review() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let (rita, lead) = lead_for_rita(&app).await;
    let own_request = |note: &'static str| {
        vec![
            ("lead_id", lead.clone()),
            ("close[outcome]", "dead".to_string()),
            ("close[reason]", "do_not_contact".to_string()),
            ("close[own_request]", "yes".to_string()),
            ("note", note.to_string()),
        ]
    };
    let form = own_request("");
    let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.server_fn(&rita, "lead/close", &borrowed).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        refused(&body),
        "Note how and when they asked us to stop (for example: \"by email on 3 May\"): it is the evidence for closing this way."
    );
    let kinds = event_kinds(&app.db, &lead).await;
    assert_eq!(
        kinds.last().map(String::as_str),
        Some("closure_refused"),
        "the refusal is in the lead's history"
    );

    let form = own_request("replied STOP to our text on 25 Nov");
    let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.server_fn(&rita, "lead/close", &borrowed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let max = app.signed_in("max@acme.test").await;
    let (_, closures) = app.server_fn(&max, "board/closures", &[]).await;
    let line = closures
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["lead_id"] == lead.as_str())
        .expect("the closure is reviewed like any other");
    assert_eq!(line["outcome"], "Dead: Do not contact");
    assert_eq!(line["without_conversation"], true);
    let history = detail(&app, &max, &lead).await["history"].to_string();
    assert!(
        history.contains("replied STOP to our text on 25 Nov"),
        "{history}"
    );
}

#[tokio::test]
async fn saving_qualification_notes_is_in_the_leads_history() {
    let app = spawn_app().await;
    let (rita, lead) = lead_for_rita(&app).await;
    call(&app, &rita, &lead, "connected").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/qualify",
            &[
                ("lead_id", &lead),
                ("budget", "12k approved"),
                ("authority", ""),
                ("need", "20 seats"),
                ("timeline", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let history = detail(&app, &rita, &lead).await["history"].to_string();
    assert!(
        history.contains("qualification notes: budget, need"),
        "{history}"
    );
}
