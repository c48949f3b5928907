//! Marketing's nurture pool and the hand-back to sales, over the wire.

use crate::common::{call, refused, spawn_app, TestApp};
use leadline::domain::cadence::Policy;
use leadline::domain::lead::Owner;
use leadline::domain::role::{Role, User};
use leadline::server::services::nurture;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// Rita's lead, called once and returned to marketing; Maya (marketing) signed in.
async fn nurtured_lead(app: &TestApp) -> (Client, Client, String) {
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Marketing, "maya@acme.test").await;
    let lead: Value = app
        .post_lead(
            json!({ "name": "Ann Lee", "email": "ann@acme.test", "phone": "+1 415 555 2671" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let lead = lead["id"].as_str().unwrap().to_string();
    let rita = app.signed_in("rita@acme.test").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/return",
            &[("lead_id", &lead), ("reason", "wants a brochure first")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "never called: {body}");
    assert_eq!(
        refused(&body),
        "This lead has had no call attempt yet — call it before handing it to marketing."
    );
    call(app, &rita, &lead, "voicemail").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/return",
            &[("lead_id", &lead), ("reason", "wants a brochure first")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let maya = app.signed_in("maya@acme.test").await;
    (rita, maya, lead)
}

#[tokio::test]
async fn a_returned_lead_shows_in_the_pool_with_why_it_came() {
    let app = spawn_app().await;
    let (_, maya, _) = nurtured_lead(&app).await;
    let (status, pool) = app.server_fn(&maya, "nurture/pool", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pool[0]["name"], "Ann Lee");
    assert_eq!(pool[0]["nurture_why"], "Returned by a rep");
    assert_eq!(pool[0]["next_action"], "Nurture touch");
}

#[tokio::test]
async fn the_pool_shows_when_marketing_last_touched_a_lead_not_when_sales_did() {
    let app = spawn_app().await;
    let (_, _, lead) = nurtured_lead(&app).await;
    // Thirteen months in the pool, then marketing sends a newsletter.
    app.advance_clock(400 * 24 * 60).await;
    let maya = app.signed_in("maya@acme.test").await;
    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/touch",
            &[("lead_ids", &lead), ("kind", "newsletter")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, pool) = app.server_fn(&maya, "nurture/pool", &[]).await;
    let card = pool
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == lead.as_str())
        .unwrap();
    let last = card["last_touch"].as_str().unwrap();
    assert!(
        last.ends_with("· 0 min ago"),
        "the newsletter just sent: {last}"
    );
}

#[tokio::test]
async fn marketing_touches_many_leads_at_once_or_none_if_one_is_not_in_the_pool() {
    let app = spawn_app().await;
    let (_, maya, lead) = nurtured_lead(&app).await;
    let other: Value = app
        .post_lead(json!({ "email": "bo@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    let both = format!("{lead},{}", other["id"].as_str().unwrap());
    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/touch",
            &[("lead_ids", &both), ("kind", "newsletter")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        refused(&body).starts_with("bo@acme.test: Only a lead in the nurture pool"),
        "{body}"
    );
    let (touches,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM touches WHERE kind = 'nurture'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(touches, 0, "nothing of a refused batch is stored");

    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/touch",
            &[
                ("lead_ids", &lead),
                ("kind", "event_invite"),
                ("note", "spring webinar"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!(1));
    let (_, pool) = app.server_fn(&maya, "nurture/pool", &[]).await;
    assert!(
        pool[0]["last_touch"]
            .as_str()
            .unwrap()
            .starts_with("Nurture: Event invite"),
        "{pool}"
    );
    assert!(
        pool[0]["due"]
            .as_str()
            .unwrap()
            .starts_with("due in 29 days")
            || pool[0]["due"]
                .as_str()
                .unwrap()
                .starts_with("due in 30 days"),
        "{pool}"
    );
}

#[tokio::test]
async fn a_hand_back_needs_a_why_now_note_and_goes_hot_to_the_previous_rep_with_the_note() {
    let app = spawn_app().await;
    let (rita, maya, lead) = nurtured_lead(&app).await;
    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/hand-back",
            &[("lead_id", &lead), ("note", " ")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        refused(&body),
        "Say why now: a short note tells the rep what changed."
    );
    let (status, _) = app
        .server_fn(
            &rita,
            "nurture/hand-back",
            &[("lead_id", &lead), ("note", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "reps do not hand back");

    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/hand-back",
            &[("lead_id", &lead), ("note", "replied: budget approved")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    assert_eq!(queue[0]["stage"], "hot");
    assert_eq!(queue[0]["hot_note"], "replied: budget approved");
    assert_eq!(queue[0]["next_action"], "Call (attempt 1 of 6)");
    assert!(
        queue[0]["due"].as_str().unwrap().starts_with("due in"),
        "a fresh first-contact SLA"
    );
    let (_, alerts) = app.server_fn(&rita, "alerts/mine", &[]).await;
    assert!(alerts[0]["message"]
        .as_str()
        .unwrap()
        .contains("replied: budget approved"));
    let (status, body) = app
        .server_fn(
            &maya,
            "nurture/hand-back",
            &[("lead_id", &lead), ("note", "again")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "only a nurtured lead is handed back: {body}"
    );
    assert_eq!(
        refused(&body),
        "Only a lead in the nurture pool can be handed back."
    );
}

#[tokio::test]
async fn a_hand_back_skips_a_previous_rep_at_capacity_and_waits_in_the_queue_when_all_are_full() {
    let app = spawn_app().await;
    let (_, _, lead) = nurtured_lead(&app).await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let id_of = |email: &'static str| {
        let db = app.db.clone();
        async move {
            let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&db)
                .await
                .unwrap();
            id
        }
    };
    let maya = User {
        id: id_of("maya@acme.test").await,
        name: "Maya".into(),
        email: "maya@acme.test".into(),
        role: Role::Marketing,
    };
    let hand_back = |capacity: u32| {
        let (db, maya, lead) = (app.db.clone(), maya.clone(), lead.clone());
        async move {
            let policy = Policy {
                rep_capacity: capacity,
                ..Policy::default()
            };
            nurture::hand_back(
                &db,
                &policy,
                chrono::Utc::now(),
                &maya,
                &lead,
                "asked for a demo",
                &Default::default(),
            )
            .await
        }
    };
    // With nobody able to take it, it waits in the qualifier queue — never with a full rep.
    assert_eq!(hand_back(0).await.unwrap(), Owner::Qualifier);
    let (stage,): (String,) = sqlx::query_as("SELECT stage FROM leads WHERE id = $1")
        .bind(&lead)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stage, "queued");
}

#[tokio::test]
async fn a_hand_back_goes_to_another_rep_when_the_previous_one_is_full() {
    let app = spawn_app().await;
    let (_, _, lead) = nurtured_lead(&app).await;
    // Rita, the previous rep, holds one open lead: at a capacity of one she is full.
    let other: Value = app
        .post_lead(json!({ "email": "other@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["owner"]["name"], "rita@acme.test");
    app.add_user(Role::Rep, "raj@acme.test").await;
    let (maya_id,): (String,) =
        sqlx::query_as("SELECT id FROM users WHERE email = 'maya@acme.test'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let maya = User {
        id: maya_id,
        name: "Maya".into(),
        email: "maya@acme.test".into(),
        role: Role::Marketing,
    };
    let one_each = Policy {
        rep_capacity: 1,
        ..Policy::default()
    };
    let owner = nurture::hand_back(
        &app.db,
        &one_each,
        chrono::Utc::now(),
        &maya,
        &lead,
        "asked for a demo",
        &Default::default(),
    )
    .await
    .unwrap();
    let (raj,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = 'raj@acme.test'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        owner,
        Owner::Rep(raj),
        "the previous rep is full; Raj is not"
    );
}

#[tokio::test]
async fn the_campaign_table_counts_recycled_leads_that_bought_and_exports_as_csv() {
    let app = spawn_app().await;
    let (rita, maya, lead) = nurtured_lead(&app).await;
    app.server_fn(
        &maya,
        "nurture/hand-back",
        &[("lead_id", &lead), ("note", "asked for pricing")],
    )
    .await;
    call(&app, &rita, &lead, "connected").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/close",
            &[
                ("lead_id", &lead),
                ("close[outcome]", "won"),
                ("close[amount]", "9,000"),
                ("close[sold_on]", &today),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.post_lead(json!({ "email": "ghost@acme.test" })).await;

    let (status, table) = app.server_fn(&maya, "nurture/campaigns", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let line = &table[0];
    assert_eq!(line["name"], "Test form");
    assert_eq!(line["leads"], 2);
    assert_eq!(line["handed_back"], 1);
    assert_eq!(line["won"], 1);
    assert_eq!(line["recycled_then_won"], 1);
    assert_eq!(line["revenue"], "USD 9,000.00");
    assert_eq!(line["never_followed_up"], 1);

    let csv = maya
        .get(format!("{}/campaigns.csv", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("campaign,leads,followed up within SLA %"));
    assert!(lines.next().unwrap().starts_with("Test form,2,"));
    let stranger = crate::common::client()
        .get(format!("{}/campaigns.csv", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);
    let (_, _) = (rita, ());
}
