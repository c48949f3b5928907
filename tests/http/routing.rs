//! Routing for a real team, over the wire: capacity at every point a lead changes hands,
//! reps away or switched off, and a manager's reassignment by hand.

use crate::common::{call, refused, spawn_app, spawn_app_with_policy, TestApp};
use leadline::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post(app: &TestApp, email: &str) -> Value {
    app.post_lead(json!({ "email": email }))
        .await
        .json()
        .await
        .unwrap()
}

async fn owner_of(app: &TestApp, lead: &str) -> (String, Option<String>) {
    sqlx::query_as(
        "SELECT l.owner_kind, u.email FROM leads l LEFT JOIN users u ON u.id = l.owner_id
         WHERE l.id = $1",
    )
    .bind(lead)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_full_rep_gets_nothing_new_and_when_every_rep_is_full_leads_wait_in_the_queue() {
    let app = spawn_app_with_policy(|policy| policy.rep_capacity = 2).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let mut owners = Vec::new();
    for n in 0..5 {
        let lead = post(&app, &format!("p{n}@example.com")).await;
        owners.push(lead["owner"]["name"].as_str().unwrap().to_string());
    }
    assert_eq!(owners.iter().filter(|o| *o == "rita@acme.test").count(), 2);
    assert_eq!(owners.iter().filter(|o| *o == "raj@acme.test").count(), 2);
    assert_eq!(owners[4], "Qualifier queue", "both reps are full");
}

#[tokio::test]
async fn a_missed_first_call_goes_to_a_rep_with_room_and_else_to_the_queue() {
    let app = spawn_app_with_policy(|policy| policy.rep_capacity = 1).await;
    // A qualifier works the queue (else it would drain to whoever has room).
    app.add_user(Role::Qualifier, "quinn@acme.test").await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let first = post(&app, "first@example.com").await;
    let first_id = first["id"].as_str().unwrap().to_string();
    assert_eq!(first["owner"]["name"], "rita@acme.test");
    app.add_user(Role::Rep, "raj@acme.test").await;
    let second = post(&app, "second@example.com").await;
    assert_eq!(second["owner"]["name"], "raj@acme.test");
    // Nobody calls Rita's lead: at 60 minutes it must leave her, but Raj is full.
    app.advance_clock(61).await;
    assert_eq!(
        owner_of(&app, &first_id).await,
        ("qualifier".to_string(), None),
        "not to a full rep"
    );
}

#[tokio::test]
async fn a_rep_away_gets_nothing_new_and_on_return_takes_turns_again() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let (rita_id,): (String,) =
        sqlx::query_as("SELECT id FROM users WHERE email = 'rita@acme.test'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let now = chrono::Utc::now();
    leadline::server::store::users::set_away(
        &app.db,
        &rita_id,
        Some(now - chrono::Duration::minutes(1)),
        Some(now + chrono::Duration::days(2)),
    )
    .await
    .unwrap();
    for n in 0..3 {
        let lead = post(&app, &format!("away{n}@example.com")).await;
        assert_eq!(lead["owner"]["name"], "raj@acme.test", "Rita is away");
    }
    app.advance_clock(2 * 24 * 60 + 1).await;
    let mut owners = Vec::new();
    for n in 0..4 {
        let lead = post(&app, &format!("back{n}@example.com")).await;
        owners.push(lead["owner"]["name"].as_str().unwrap().to_string());
    }
    assert_eq!(
        owners.iter().filter(|o| *o == "rita@acme.test").count(),
        2,
        "back in turn, not flooded: {owners:?}"
    );
}

#[tokio::test]
async fn a_manager_reassigns_leads_by_hand_with_a_reason_and_the_new_rep_gets_a_fresh_sla() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let a = post(&app, "a@example.com").await;
    let b = post(&app, "b@example.com").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let (raj_id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = 'raj@acme.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let ids = format!(
        "{},{}",
        a["id"].as_str().unwrap(),
        b["id"].as_str().unwrap()
    );
    let rita = app.signed_in("rita@acme.test").await;
    call(&app, &rita, a["id"].as_str().unwrap(), "no_answer").await;

    let (status, body) = app
        .server_fn(
            &rita,
            "lead/reassign",
            &[
                ("lead_ids", &ids),
                ("to", &raj_id),
                ("reason", "Rita is swamped"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a rep cannot: {body}");

    let max = app.signed_in("max@acme.test").await;
    let (status, body) = app
        .server_fn(
            &max,
            "lead/reassign",
            &[("lead_ids", &ids), ("to", &raj_id), ("reason", " ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["fields"][0]["message"],
        "say why, so the record shows it"
    );

    let (status, body) = app
        .server_fn(
            &max,
            "lead/reassign",
            &[
                ("lead_ids", &ids),
                ("to", &raj_id),
                ("reason", "Rita is swamped"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!(2));
    for lead in [&a, &b] {
        let id = lead["id"].as_str().unwrap();
        assert_eq!(owner_of(&app, id).await.1.as_deref(), Some("raj@acme.test"));
    }
    let raj = app.signed_in("raj@acme.test").await;
    let (_, detail) = app
        .server_fn(
            &raj,
            "lead/detail",
            &[("lead_id", a["id"].as_str().unwrap())],
        )
        .await;
    assert!(
        detail["step"]
            .as_str()
            .unwrap()
            .starts_with("Attempt 1 of 6 · due today"),
        "a fresh first-contact clock: {detail}"
    );
    assert!(
        detail["history"].to_string().contains("Rita is swamped"),
        "{detail}"
    );
    let (_, alerts) = app.server_fn(&raj, "alerts/mine", &[]).await;
    assert_eq!(alerts.as_array().unwrap().len(), 2, "{alerts}");

    // A rep who cannot take leads is refused by name.
    leadline::server::store::users::deactivate(&app.db, &raj_id)
        .await
        .unwrap();
    let (status, body) = app
        .server_fn(
            &max,
            "lead/reassign",
            &[
                ("lead_ids", &ids),
                ("to", &raj_id),
                ("reason", "back to Raj"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        refused(&body),
        "raj@acme.test is switched off and cannot take leads now; choose another rep."
    );
}

#[tokio::test]
async fn switching_a_rep_off_routes_each_of_their_leads_to_someone_who_can_work_it() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let leads = [
        post(&app, "a@example.com").await,
        post(&app, "b@example.com").await,
    ];
    app.add_user(Role::Rep, "raj@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let policy = leadline::server::store::policy::load(&app.db, chrono_tz::UTC)
        .await
        .unwrap();
    let moved = leadline::server::services::team::deactivate(
        &app.db,
        &policy,
        chrono::Utc::now(),
        "rita@acme.test",
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(moved, 2);
    for lead in &leads {
        let id = lead["id"].as_str().unwrap();
        assert_eq!(owner_of(&app, id).await.1.as_deref(), Some("raj@acme.test"));
        let (detail,): (String,) = sqlx::query_as(
            "SELECT detail FROM lead_events WHERE lead_id = $1 AND kind = 'reassigned'",
        )
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(detail, "rita@acme.test was switched off");
    }
    let (_, me) = app.server_fn(&rita, "auth/me", &[]).await;
    assert_eq!(me, Value::Null, "her session ended");
    let (status, _) = app
        .server_fn(
            &crate::common::client_builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            "auth/login",
            &[
                ("email", "rita@acme.test"),
                ("password", crate::common::PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "and she cannot sign in");
    let next = post(&app, "c@example.com").await;
    assert_eq!(
        next["owner"]["name"], "raj@acme.test",
        "she gets nothing new"
    );
}
