//! Territories over the wire: a lead is offered to its territory's reps in turn (by where the
//! person is, or the source it came through), then to the whole team, then to the queue.

use crate::common::{spawn_app, TestApp};
use leadline::domain::role::Role;
use leadline::server::services::territories::{self, Definition};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn territory(app: &TestApp, name: &str, definition: Definition<'_>, reps: &[&str]) {
    territories::add(&app.db, chrono::Utc::now(), name, definition)
        .await
        .unwrap();
    for rep in reps {
        app.add_user(Role::Rep, rep).await;
        territories::join(&app.db, name, rep).await.unwrap();
    }
}

async fn owner(app: &TestApp, body: Value, key: &str) -> String {
    let response = app.post_lead_with(body, Some(key), None).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let lead: Value = response.json().await.unwrap();
    lead["owner"]["name"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn leads_go_round_robin_inside_their_territory_then_to_the_whole_team() {
    let app = spawn_app().await;
    let (_, show_key) =
        leadline::server::services::sources::add_source(&app.db, chrono::Utc::now(), "Trade show")
            .await
            .unwrap();
    territory(
        &app,
        "DACH",
        Definition {
            country: Some("DE"),
            ..Definition::default()
        },
        &["dana@acme.test", "dirk@acme.test"],
    )
    .await;
    territory(
        &app,
        "Bay Area",
        Definition {
            country: Some("US"),
            postcodes: &["94".to_string()],
            ..Definition::default()
        },
        &["ben@acme.test"],
    )
    .await;
    territory(
        &app,
        "Events",
        Definition {
            sources: &["Trade show".to_string()],
            ..Definition::default()
        },
        &["eve@acme.test"],
    )
    .await;
    app.add_user(Role::Rep, "olga@acme.test").await;
    let key = app.key.clone();

    // The phone tells the country: German numbers go to the DACH reps, in turn.
    let mut dach = Vec::new();
    for n in 0..4 {
        dach.push(
            owner(
                &app,
                json!({ "email": format!("de{n}@example.de"), "phone": format!("+49 30 9018{n:02}") }),
                &key,
            )
            .await,
        );
    }
    assert_eq!(
        dach,
        [
            "dana@acme.test",
            "dirk@acme.test",
            "dana@acme.test",
            "dirk@acme.test"
        ],
        "round robin inside the territory"
    );

    // A postcode prefix; a country given as typed.
    assert_eq!(
        owner(
            &app,
            json!({ "email": "sf@example.com", "country": "us", "postcode": "94107" }),
            &key
        )
        .await,
        "ben@acme.test"
    );
    // The source's territory, wherever the person is.
    assert_eq!(
        owner(
            &app,
            json!({ "email": "booth@example.de", "phone": "+49 30 901899" }),
            &show_key
        )
        .await,
        "eve@acme.test"
    );
    // Nowhere in particular: the whole team's round robin (Olga has had nothing yet).
    assert_eq!(
        owner(
            &app,
            json!({ "email": "fr@example.fr", "country": "FR" }),
            &key
        )
        .await,
        "olga@acme.test"
    );

    // Both DACH reps away: a German lead goes to the whole team rather than wait.
    for rep in ["dana@acme.test", "dirk@acme.test"] {
        let now = chrono::Utc::now();
        leadline::server::services::team::set_away(
            &app.db,
            rep,
            now - chrono::Duration::minutes(1),
            now + chrono::Duration::days(3),
        )
        .await
        .unwrap();
    }
    let fallback = owner(
        &app,
        json!({ "email": "de9@example.de", "phone": "+49 30 901877" }),
        &key,
    )
    .await;
    assert!(
        !fallback.starts_with('d') && fallback != "Qualifier queue",
        "{fallback}"
    );
}

#[tokio::test]
async fn a_bad_country_or_postcode_is_reported_and_nothing_is_stored() {
    let app = spawn_app().await;
    let response = app
        .post_lead(
            json!({ "email": "x@example.com", "country": "Germany", "postcode": "<b>1</b>" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["country", "postcode"], "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "is not a country code like US or DE"
    );
    assert_eq!(app.lead_count().await, 0);
}
