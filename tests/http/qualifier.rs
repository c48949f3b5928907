//! The qualifier desk over the wire: leads that wait in the queue are worked there (calls, notes,
//! not ready, closures) and passed to a rep hot, and the queue never waits unseen.

use crate::common::{call, refused, spawn_app, spawn_app_with_policy, TestApp};
use leadline::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Posts a new person (`n` tells them apart) who must land in the qualifier queue.
async fn post(app: &TestApp, n: u8) -> String {
    let lead: Value = app
        .post_lead(json!({
            "email": format!("person{n}@example.com"),
            "name": "Queue Person",
            "phone": format!("+1 415 555 01{n:02}"),
        }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lead["owner"]["name"], "Qualifier queue", "{lead}");
    lead["id"].as_str().unwrap().to_string()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap();
    id
}

async fn detail(app: &TestApp, client: &reqwest::Client, lead: &str) -> Value {
    let (status, body) = app
        .server_fn(client, "lead/detail", &[("lead_id", lead)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_qualifier_calls_a_queued_lead_and_passes_it_to_a_rep_who_gets_it_hot_with_the_note() {
    let app = spawn_app_with_policy(|policy| policy.rep_capacity = 2).await;
    app.add_user(Role::Qualifier, "quinn@acme.test").await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    // Rita is full, so the next lead waits in the queue.
    for n in 0..2 {
        let busy: Value = app
            .post_lead(json!({ "email": format!("first{n}@example.com") }))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(busy["owner"]["name"], "rita@acme.test");
    }
    let lead = post(&app, 1).await;

    let quinn = app.signed_in("quinn@acme.test").await;
    let (status, queue) = app.server_fn(&quinn, "queue/mine", &[]).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue[0]["id"], lead.as_str());

    // The qualifier's attempts count like a rep's and the lead stays in the queue.
    let (status, body) = call(&app, &quinn, &lead, "no_answer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen = detail(&app, &quinn, &lead).await;
    assert_eq!(seen["stage"], "queued", "{seen}");
    assert!(seen["can_pass"].as_bool().unwrap(), "{seen}");
    assert!(
        seen["step"].as_str().unwrap().starts_with("Attempt 2 of 6"),
        "{seen}"
    );
    let (status, body) = call(&app, &quinn, &lead, "connected").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/qualify",
            &[
                ("lead_id", &lead),
                ("budget", "$40k approved"),
                ("authority", "Head of ops signs"),
                ("need", "Replacing spreadsheets"),
                ("timeline", "This quarter"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Rita is still full: passing to her by name is refused, and so is passing to whoever.
    let rita_id = user_id(&app, "rita@acme.test").await;
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/pass",
            &[("lead_id", &lead), ("to", &rita_id), ("note", "Ready")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        refused(&body),
        "rita@acme.test is at capacity and cannot take leads now; choose another rep."
    );
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/pass",
            &[("lead_id", &lead), ("to", ""), ("note", "Ready")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Raj joins and gets a new lead; a pass needs a note.
    app.add_user(Role::Rep, "raj@acme.test").await;
    let (status, _) = app
        .post_lead(json!({ "email": "fresh@example.com" }))
        .await
        .json::<Value>()
        .await
        .map(|lead| (lead["owner"]["name"].clone(), ()))
        .unwrap();
    assert_eq!(status, "raj@acme.test");
    let raj_id = user_id(&app, "raj@acme.test").await;
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/pass",
            &[("lead_id", &lead), ("to", &raj_id), ("note", "  ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["fields"][0],
        json!({ "field": "note", "message": "add a note for the rep: what makes this lead ready now" })
    );
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/pass",
            &[
                ("lead_id", &lead),
                ("to", &raj_id),
                ("note", "Budget approved, wants a demo this week"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!("raj@acme.test"),
        "the qualifier is told who has it"
    );

    let raj = app.signed_in("raj@acme.test").await;
    let theirs = detail(&app, &raj, &lead).await;
    assert_eq!(theirs["stage"], "hot", "{theirs}");
    assert_eq!(theirs["owner"], "raj@acme.test");
    assert_eq!(
        theirs["hot_note"], "Budget approved, wants a demo this week",
        "the note is shown first"
    );
    assert_eq!(theirs["hot_note_from"], "the qualifier");
    assert!(
        theirs["step"].as_str().unwrap().contains("due today"),
        "a fresh first-contact clock: {theirs}"
    );
    assert_eq!(
        theirs["qualification"]["budget"], "$40k approved",
        "the qualifier's notes go with it"
    );
    assert_eq!(theirs["touches"].as_array().unwrap().len(), 2, "{theirs}");
    let (_, alerts) = app.server_fn(&raj, "alerts/mine", &[]).await;
    assert!(
        alerts
            .to_string()
            .contains("sales-ready (from the qualifier): Budget approved"),
        "{alerts}"
    );
    let (_, queue) = app.server_fn(&quinn, "queue/mine", &[]).await;
    assert_eq!(queue, json!([]), "it left the queue");
    let (_, queue) = app.server_fn(&raj, "queue/mine", &[]).await;
    assert_eq!(
        queue[0]["id"],
        lead.as_str(),
        "the hot lead comes first: {queue}"
    );

    // Passed once, it cannot be passed again, and the qualifier no longer works it.
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/pass",
            &[("lead_id", &lead), ("to", ""), ("note", "again")],
        )
        .await;
    assert!(
        status == StatusCode::CONFLICT || status == StatusCode::NOT_FOUND,
        "{status} {body}"
    );
    let (status, _) = call(&app, &quinn, &lead, "busy").await;
    assert!(status.is_client_error(), "{status}");
}

#[tokio::test]
async fn only_a_qualifier_or_a_manager_passes_and_only_leads_in_the_queue() {
    let app = spawn_app().await;
    app.add_user(Role::Qualifier, "quinn@acme.test").await;
    let queued = post(&app, 2).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let (status, body) = app
        .server_fn(
            &app.signed_in("rita@acme.test").await,
            "lead/pass",
            &[("lead_id", &queued), ("to", ""), ("note", "mine now")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A lead a rep holds is not the qualifier's to pass (nor to see).
    let held: Value = app
        .post_lead(json!({ "email": "held@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    let quinn = app.signed_in("quinn@acme.test").await;
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/pass",
            &[
                ("lead_id", held["id"].as_str().unwrap()),
                ("to", ""),
                ("note", "Ready"),
            ],
        )
        .await;
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(
        app.server_fn(
            &quinn,
            "lead/detail",
            &[("lead_id", held["id"].as_str().unwrap())]
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    // To someone who is not a rep: refused, the lead stays queued.
    let quinn_id = user_id(&app, "quinn@acme.test").await;
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/pass",
            &[("lead_id", &queued), ("to", &quinn_id), ("note", "Ready")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["message"], "is not a rep on this team");
    assert_eq!(detail(&app, &quinn, &queued).await["stage"], "queued");

    // To the next rep with room: Rita.
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/pass",
            &[("lead_id", &queued), ("to", ""), ("note", "Ready")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (owner,): (Option<String>,) = sqlx::query_as(
        "SELECT u.email FROM leads l JOIN users u ON u.id = l.owner_id WHERE l.id = $1",
    )
    .bind(&queued)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(owner.as_deref(), Some("rita@acme.test"));
}

#[tokio::test]
async fn a_qualifier_can_close_a_queued_lead_with_evidence_or_hand_it_to_nurture() {
    let app = spawn_app().await;
    app.add_user(Role::Qualifier, "quinn@acme.test").await;
    let student = post(&app, 3).await;
    let later = post(&app, 4).await;
    let quinn = app.signed_in("quinn@acme.test").await;

    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/close",
            &[
                ("lead_id", &student),
                ("close[outcome]", "dead"),
                ("close[reason]", "not_a_buyer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "never called: {body}");
    let (status, body) = call(&app, &quinn, &student, "connected").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/close",
            &[
                ("lead_id", &student),
                ("close[outcome]", "dead"),
                ("close[reason]", "not_a_buyer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(detail(&app, &quinn, &student).await["stage"], "dead");

    let (status, body) = call(&app, &quinn, &later, "connected").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let recontact = (chrono::Utc::now() + chrono::Duration::days(90))
        .format("%Y-%m-%d")
        .to_string();
    let (status, body) = app
        .server_fn(
            &quinn,
            "lead/not-ready",
            &[
                ("lead_id", &later),
                ("reason", "Budget next year"),
                ("recontact_on", &recontact),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (stage,): (String,) = sqlx::query_as("SELECT stage FROM leads WHERE id = $1")
        .bind(&later)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stage, "nurture");
}

#[tokio::test]
async fn a_queue_with_no_qualifier_alerts_the_managers_and_an_untouched_queue_lead_warns_them() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let lead = post(&app, 5).await;
    let max = app.signed_in("max@acme.test").await;
    let (_, alerts) = app.server_fn(&max, "alerts/mine", &[]).await;
    assert!(
        alerts
            .to_string()
            .contains("Queue Person waits in the qualifier queue and no qualifier is active"),
        "{alerts}"
    );

    // Fifteen minutes untouched: the managers hear it, and the lead stays in the queue.
    app.advance_clock(16).await;
    let (_, alerts) = app.server_fn(&max, "alerts/mine", &[]).await;
    assert!(
        alerts.to_string().contains(
            "no call attempt 15 working minutes after arriving (held by the qualifier queue, \
             and no qualifier is active)"
        ),
        "{alerts}"
    );
    app.advance_clock(120).await;
    let (kind,): (String,) = sqlx::query_as("SELECT owner_kind FROM leads WHERE id = $1")
        .bind(&lead)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(kind, "qualifier", "nothing takes it from the queue");
    let (status, board) = app
        .server_fn(&max, "board/compliance", &[("window_days", "7")])
        .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(
        board["board"]["queue"],
        json!({ "waiting": 1, "never_called": 1, "oldest_minutes": 136, "qualifiers": 0 }),
        "the queue is its own row on the compliance board"
    );

    // A manager can pass it on by hand.
    app.add_user(Role::Rep, "rita@acme.test").await;
    let (status, body) = app
        .server_fn(
            &max,
            "lead/pass",
            &[
                ("lead_id", &lead),
                ("to", ""),
                ("note", "Called back, keen"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn with_a_qualifier_on_the_desk_nobody_is_alerted_at_arrival() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    app.add_user(Role::Qualifier, "quinn@acme.test").await;
    post(&app, 6).await;
    let (_, alerts) = app
        .server_fn(&app.signed_in("max@acme.test").await, "alerts/mine", &[])
        .await;
    assert_eq!(alerts, json!([]));
}

#[tokio::test]
async fn switching_off_the_last_qualifier_while_leads_wait_alerts_the_managers() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    app.add_user(Role::Qualifier, "quinn@acme.test").await;
    post(&app, 7).await;
    let max = app.signed_in("max@acme.test").await;
    let (_, alerts) = app.server_fn(&max, "alerts/mine", &[]).await;
    assert_eq!(alerts, json!([]), "Quinn is on the desk");
    let policy = leadline::server::store::policy::load(&app.db, chrono_tz::UTC)
        .await
        .unwrap();
    leadline::server::services::team::deactivate(
        &app.db,
        &policy,
        chrono::Utc::now(),
        "quinn@acme.test",
        &Default::default(),
    )
    .await
    .unwrap();
    let (_, alerts) = app.server_fn(&max, "alerts/mine", &[]).await;
    assert!(
        alerts
            .to_string()
            .contains("waits in the qualifier queue and no qualifier is active"),
        "{alerts}"
    );
}

#[tokio::test]
async fn with_no_qualifier_on_the_desk_waiting_leads_go_to_a_rep_as_soon_as_one_has_room() {
    let app = spawn_app_with_policy(|policy| policy.rep_capacity = 1).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let first: Value = app
        .post_lead(json!({ "email": "first@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["owner"]["name"], "rita@acme.test");
    let waiting = post(&app, 8).await;
    // A rep joins with room: at the next tick the lead leaves the unstaffed queue.
    app.add_user(Role::Rep, "raj@acme.test").await;
    app.advance_clock(1).await;
    let (owner,): (Option<String>,) = sqlx::query_as(
        "SELECT u.email FROM leads l LEFT JOIN users u ON u.id = l.owner_id WHERE l.id = $1",
    )
    .bind(&waiting)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(owner.as_deref(), Some("raj@acme.test"));
    let raj = app.signed_in("raj@acme.test").await;
    let lead = detail(&app, &raj, &waiting).await;
    assert!(
        lead["history"]
            .to_string()
            .contains("no qualifier is on the desk and a rep has room"),
        "{lead}"
    );
    assert!(lead["step"].as_str().unwrap().starts_with("Attempt 1 of 6"));
}
