//! Running the team from the screens, over the wire: people added with a one-time link,
//! switched off with every open lead routed on, unlocked and reset; source keys rotated with a
//! grace period and revoked; the follow-up policy changed live and checked; sessions that end
//! when idle, listed and ended; and the audit log that records it all.

use crate::common::{client_builder, refused, spawn_app, spawn_app_with, TestApp, PASSWORD};
use leadline::domain::role::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// A browser-like client with no session yet.
fn browser() -> Client {
    client_builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap();
    id
}

async fn admin(app: &TestApp) -> Client {
    app.add_user(Role::Admin, "ada@acme.test").await;
    app.signed_in("ada@acme.test").await
}

/// Whether `client`'s session is still good.
async fn signed_in_as(app: &TestApp, client: &Client) -> Option<String> {
    let (status, body) = app.server_fn(client, "auth/me", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["email"].as_str().map(str::to_string)
}

async fn audit_actions(app: &TestApp, admin: &Client) -> Vec<(String, String, String)> {
    let (status, body) = app
        .server_fn(
            admin,
            "admin/audit",
            &[("action", ""), ("who", ""), ("after", "")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line["action"].as_str().unwrap().to_string(),
                line["subject"].as_str().unwrap().to_string(),
                line["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn token_of(link: &Value) -> String {
    let link = link.as_str().unwrap();
    link.split_once("token=").unwrap().1.to_string()
}

#[tokio::test]
async fn an_admin_adds_a_rep_who_chooses_a_password_through_the_link_and_gets_the_next_lead() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    let (status, invite) = app
        .server_fn(
            &ada,
            "admin/person-add",
            &[
                ("name", "Nina New"),
                ("email", "Nina@Acme.test"),
                ("role", "rep"),
                ("territory", ""),
                ("monthly_quota", "6"),
                ("capacity", "20"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{invite}");
    assert_eq!(invite["name"], "Nina New");
    assert!(invite["link"].as_str().unwrap().contains("/welcome?token="));
    let token = token_of(&invite["link"]);

    // Before she chooses, no password signs her in.
    let (status, _) = app
        .server_fn(
            &browser(),
            "auth/login",
            &[("email", "nina@acme.test"), ("password", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let nina = browser();
    let (status, name) = app
        .server_fn(&nina, "account/link", &[("token", &token)])
        .await;
    assert_eq!((status, name), (StatusCode::OK, json!("Nina New")));
    let (status, body) = app
        .server_fn(
            &nina,
            "account/choose-password",
            &[("token", &token), ("password", "short"), ("again", "short")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "password");
    let (status, body) = app
        .server_fn(
            &nina,
            "account/choose-password",
            &[
                ("token", &token),
                ("password", "nina's own secret"),
                ("again", "nina's own secret"),
            ],
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    assert_eq!(
        signed_in_as(&app, &nina).await.as_deref(),
        Some("nina@acme.test")
    );

    // The link is good once.
    let (status, body) = app
        .server_fn(
            &browser(),
            "account/choose-password",
            &[
                ("token", &token),
                ("password", "an attacker's pick"),
                ("again", "an attacker's pick"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(refused(&body).contains("already used or has expired"));

    // She is the team's only rep: the next lead is hers.
    let lead: Value = app
        .post_lead(json!({ "email": "buyer@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lead["owner"]["name"], "Nina New");
    let (capacity, quota): (Option<i64>, i64) =
        sqlx::query_as("SELECT capacity, monthly_quota FROM users WHERE email = 'nina@acme.test'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((capacity, quota), (Some(20), 6));
    let log = audit_actions(&app, &ada).await;
    assert!(
        log.contains(&(
            "Person added".into(),
            "nina@acme.test".into(),
            "as rep".into()
        )),
        "{log:?}"
    );
    assert!(log
        .iter()
        .any(|(action, subject, _)| action == "Chose a password" && subject == "nina@acme.test"));
}

#[tokio::test]
async fn only_an_admin_changes_the_team_and_a_manager_may_mark_people_away() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let max = app.signed_in("max@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let rita_id = user_id(&app, "rita@acme.test").await;
    for (client, path) in [
        (&max, "admin/person-reset"),
        (&max, "admin/person-deactivate"),
        (&rita, "admin/person-reset"),
        (&rita, "admin/person-away"),
        (&rita, "admin/people"),
    ] {
        let (status, body) = app
            .server_fn(
                client,
                path,
                &[("user_id", &rita_id), ("from", ""), ("until", "")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (status, body) = app
        .server_fn(
            &max,
            "admin/person-away",
            &[("user_id", &rita_id), ("from", ""), ("until", "2099-01-31")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lead: Value = app
        .post_lead(json!({ "email": "while-away@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lead["owner"]["name"], "Qualifier queue", "Rita is away");
    let (status, body) = app
        .server_fn(
            &max,
            "admin/person-away",
            &[
                ("user_id", &rita_id),
                ("from", "2099-02-01"),
                ("until", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app.server_fn(&browser(), "admin/people", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn switching_a_rep_off_routes_every_open_lead_to_others_and_ends_their_sessions() {
    let app = spawn_app_with(|_, _| {}).await;
    let ada = admin(&app).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let mut leads = Vec::new();
    for n in 0..4 {
        let lead: Value = app
            .post_lead(json!({ "email": format!("p{n}@example.com") }))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(lead["owner"]["name"], "rita@acme.test");
        leads.push(lead["id"].as_str().unwrap().to_string());
    }
    app.add_user(Role::Rep, "raj@acme.test").await;
    app.add_user(Role::Rep, "rosa@acme.test").await;
    let rita_id = user_id(&app, "rita@acme.test").await;
    let (status, moved) = app
        .server_fn(&ada, "admin/person-deactivate", &[("user_id", &rita_id)])
        .await;
    assert_eq!((status, moved), (StatusCode::OK, json!(4)));
    let owners: Vec<(String,)> = sqlx::query_as(
        "SELECT u.email FROM leads l JOIN users u ON u.id = l.owner_id ORDER BY u.email",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let owners: Vec<&str> = owners.iter().map(|(e,)| e.as_str()).collect();
    assert_eq!(
        owners,
        [
            "raj@acme.test",
            "raj@acme.test",
            "rosa@acme.test",
            "rosa@acme.test"
        ]
    );
    assert_eq!(signed_in_as(&app, &rita).await, None, "her session ended");
    let (status, body) = app
        .server_fn(&ada, "admin/person-deactivate", &[("user_id", &rita_id)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let ada_id = user_id(&app, "ada@acme.test").await;
    let (status, body) = app
        .server_fn(&ada, "admin/person-deactivate", &[("user_id", &ada_id)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused(&body), "You cannot switch yourself off.");
    let log = audit_actions(&app, &ada).await;
    assert!(log.contains(&(
        "Switched off".into(),
        "rita@acme.test".into(),
        "4 open leads went to others".into()
    )));
}

async fn edit_role(
    app: &TestApp,
    client: &Client,
    user_id: &str,
    role: &str,
) -> (StatusCode, Value) {
    app.server_fn(
        client,
        "admin/person-edit",
        &[
            ("user_id", user_id),
            ("name", "Someone"),
            ("role", role),
            ("territory", "Main"),
            ("monthly_quota", "4"),
            ("capacity", ""),
        ],
    )
    .await
}

#[tokio::test]
async fn the_only_admin_stays_one_and_a_new_role_means_signing_in_again() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    let ada_id = user_id(&app, "ada@acme.test").await;
    let (status, body) = edit_role(&app, &ada, &ada_id, "manager").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(refused(&body).contains("only admin"));

    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let rita_id = user_id(&app, "rita@acme.test").await;
    let (status, body) = edit_role(&app, &ada, &rita_id, "manager").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        signed_in_as(&app, &rita).await,
        None,
        "a new role signs her out"
    );
    let log = audit_actions(&app, &ada).await;
    assert!(
        log.contains(&(
            "Role changed".into(),
            "rita@acme.test".into(),
            "rep → manager".into()
        )),
        "{log:?}"
    );

    let (status, body) = edit_role(&app, &ada, &rita_id, "overlord").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "role");
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> StatusCode {
    let (status, _) = app
        .server_fn(
            &browser(),
            "auth/login",
            &[("email", email), ("password", password)],
        )
        .await;
    status
}

#[tokio::test]
async fn an_admin_unlocks_a_locked_out_account_and_a_reset_ends_every_session() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita_phone = app.signed_in("rita@acme.test").await;
    // Someone guesses at Rita's account until it is locked for a quarter of an hour.
    for _ in 0..12 {
        let status = sign_in(&app, "rita@acme.test", "a wrong guess").await;
        assert!(
            matches!(
                status,
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
            ),
            "{status}"
        );
        app.advance_clock(1).await;
    }
    assert_eq!(
        sign_in(&app, "rita@acme.test", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "locked out"
    );
    let rita_id = user_id(&app, "rita@acme.test").await;
    let (status, body) = app
        .server_fn(&ada, "admin/person-unlock", &[("user_id", &rita_id)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.as_u64().unwrap() >= 5, "{body}");
    let status = sign_in(&app, "rita@acme.test", PASSWORD).await;
    assert!(
        status.is_redirection() || status.is_success(),
        "unlocked: {status}"
    );

    // A reset: her old password stops working and every session of hers ends.
    let (status, invite) = app
        .server_fn(&ada, "admin/person-reset", &[("user_id", &rita_id)])
        .await;
    assert_eq!(status, StatusCode::OK, "{invite}");
    assert_eq!(signed_in_as(&app, &rita_phone).await, None);
    assert_eq!(
        sign_in(&app, "rita@acme.test", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let token = token_of(&invite["link"]);
    let rita = browser();
    let (status, _) = app
        .server_fn(
            &rita,
            "account/choose-password",
            &[
                ("token", &token),
                ("password", "rita's new secret"),
                ("again", "rita's new secret"),
            ],
        )
        .await;
    assert!(status.is_redirection() || status.is_success());
    assert_eq!(
        signed_in_as(&app, &rita).await.as_deref(),
        Some("rita@acme.test")
    );
    let actions: Vec<String> = audit_actions(&app, &ada)
        .await
        .into_iter()
        .map(|(a, _, _)| a)
        .collect();
    for expected in [
        "Sign-in unlocked",
        "Password reset",
        "Failed sign-in",
        "Signed in",
        "Chose a password",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_rotated_key_works_through_its_grace_then_stops_and_a_revoked_source_takes_nothing() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let (status, added) = app
        .server_fn(
            &ada,
            "admin/source-add",
            &[
                ("name", "Trade show"),
                ("cost", "1,200"),
                ("phone_country", "de"),
                ("thank_you_url", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let old_key = added["key"].as_str().unwrap().to_string();
    let post = |key: String, n: u32| {
        let app = &app;
        async move {
            app.post_lead_with(
                json!({ "phone": format!("030 1234 56{n:02}") }),
                Some(&key),
                None,
            )
            .await
            .status()
        }
    };
    assert_eq!(post(old_key.clone(), 1).await, StatusCode::CREATED);
    let (phone,): (String,) =
        sqlx::query_as("SELECT phone FROM leads ORDER BY received_at DESC LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        phone.starts_with("+4930"),
        "the source's phone country applies: {phone}"
    );

    let (source_id,): (String,) =
        sqlx::query_as("SELECT id FROM sources WHERE name = 'Trade show'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (status, body) = app
        .server_fn(
            &ada,
            "admin/source-rotate",
            &[("source_id", &source_id), ("grace_hours", "-1")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, rotated) = app
        .server_fn(
            &ada,
            "admin/source-rotate",
            &[("source_id", &source_id), ("grace_hours", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_key = rotated["key"].as_str().unwrap().to_string();
    assert_ne!(new_key, old_key);
    assert_eq!(post(new_key.clone(), 2).await, StatusCode::CREATED);
    assert_eq!(
        post(old_key.clone(), 3).await,
        StatusCode::CREATED,
        "within its grace"
    );
    app.advance_clock(121).await;
    assert_eq!(
        post(old_key.clone(), 4).await,
        StatusCode::UNAUTHORIZED,
        "grace over"
    );
    assert_eq!(post(new_key.clone(), 5).await, StatusCode::CREATED);

    let (status, body) = app
        .server_fn(&ada, "admin/source-revoke", &[("source_id", &source_id)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        post(new_key.clone(), 6).await,
        StatusCode::UNAUTHORIZED,
        "revoked"
    );
    let (status, body) = app
        .server_fn(
            &ada,
            "admin/source-rotate",
            &[("source_id", &source_id), ("grace_hours", "0")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a revoked source gets no new key: {body}"
    );
    let (status, list) = app.server_fn(&ada, "admin/sources", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let trade = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Trade show")
        .unwrap();
    assert_eq!(trade["leads"], 4, "its leads stay");
    assert!(trade["key_state"].as_str().unwrap().starts_with("Revoked"));
    let log = audit_actions(&app, &ada).await;
    assert!(log.contains(&(
        "Key rotated".into(),
        "Trade show".into(),
        "the old key works for 2 more hours".into()
    )));
    assert!(log.contains(&(
        "Key revoked".into(),
        "Trade show".into(),
        "every key stopped".into()
    )));
    let stored: Vec<(String,)> = sqlx::query_as("SELECT api_key_hash FROM sources")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|(hash,)| *hash != new_key && *hash != old_key),
        "keys are kept only hashed"
    );
}

fn policy_form(overrides: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("first_contact", "5 min"),
        ("warn_after", "15 min"),
        ("reassign_after", "1 h"),
        ("later_attempts", "1 h, 1 day, 3 days, 6 days, 10 days"),
        ("voicemail_attempts", "2"),
        ("after_conversation", "1 day"),
        ("nurture_every", "30 days"),
        ("hoard_after", "2 days"),
        ("rep_capacity", "150"),
        ("work_days", "Mon-Sun"),
        ("opens", "00:00"),
        ("closes", "24:00"),
        ("timezone", "UTC"),
        ("calling_opens", ""),
        ("calling_closes", ""),
    ];
    for (field, value) in overrides {
        if let Some(slot) = fields.iter_mut().find(|(f, _)| f == field) {
            slot.1 = value;
        }
    }
    fields
        .into_iter()
        .map(|(f, v)| (format!("policy[{f}]"), v.to_string()))
        .collect()
}

async fn save_policy(
    app: &TestApp,
    client: &Client,
    overrides: &[(&'static str, &'static str)],
) -> (StatusCode, Value) {
    let fields = policy_form(overrides);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.server_fn(client, "admin/policy-save", &pairs).await
}

async fn due_minutes_after_arrival(app: &TestApp, lead: &str) -> i64 {
    let (received, due): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT received_at, next_due_at FROM leads WHERE id = $1")
            .bind(lead)
            .fetch_one(&app.db)
            .await
            .unwrap();
    (due - received).num_minutes()
}

#[tokio::test]
async fn a_policy_change_applies_to_the_next_lead_without_a_restart_and_is_audited() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let before: Value = app
        .post_lead(json!({ "email": "a@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        due_minutes_after_arrival(&app, before["id"].as_str().unwrap()).await,
        5
    );

    let (status, body) = save_policy(
        &app,
        &ada,
        &[
            ("first_contact", "30 min"),
            ("warn_after", "45 min"),
            ("reassign_after", "2 h"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after: Value = app
        .post_lead(json!({ "email": "b@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        due_minutes_after_arrival(&app, after["id"].as_str().unwrap()).await,
        30
    );
    // The scheduler uses it too: at 61 minutes the old rule would have taken the lead away.
    app.add_user(Role::Rep, "raj@acme.test").await;
    app.advance_clock(61).await;
    let (owner,): (String,) = sqlx::query_as(
        "SELECT u.email FROM leads l JOIN users u ON u.id = l.owner_id WHERE l.id = $1",
    )
    .bind(after["id"].as_str().unwrap())
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(owner, "rita@acme.test", "reassignment now waits two hours");

    let (status, view) = app.server_fn(&ada, "admin/policy", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["form"]["first_contact"], "30 min");
    let log = audit_actions(&app, &ada).await;
    assert!(
        log.contains(&(
            "Policy changed".into(),
            "follow-up policy".into(),
            "first call due 5 min → 30 min; manager warned 15 min → 45 min; reassigned 1 h → 2 h"
                .into()
        )),
        "{log:?}"
    );
    // Saving the same again records nothing new.
    let (status, _) = save_policy(
        &app,
        &ada,
        &[
            ("first_contact", "30 min"),
            ("warn_after", "45 min"),
            ("reassign_after", "2 h"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let changes = audit_actions(&app, &ada)
        .await
        .into_iter()
        .filter(|(a, _, _)| a == "Policy changed")
        .count();
    assert_eq!(changes, 1);
}

#[tokio::test]
async fn a_policy_that_makes_no_sense_is_refused_field_by_field_and_nothing_changes() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let max = app.signed_in("max@acme.test").await;
    let (status, body) = save_policy(
        &app,
        &ada,
        &[
            ("first_contact", "0"),
            ("warn_after", "2 h"),
            ("reassign_after", "1 h"),
            ("rep_capacity", "-4"),
            ("timezone", "<script>"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "first_contact",
            "reassign_after",
            "rep_capacity",
            "timezone"
        ]
    );
    let (status, view) = app.server_fn(&ada, "admin/policy", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["form"]["first_contact"], "5 min", "nothing changed");
    let (status, _) = save_policy(&app, &max, &[("first_contact", "10 min")]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a manager reads the policy, an admin changes it"
    );
    let (status, view) = app.server_fn(&max, "admin/policy", &[]).await;
    assert_eq!(
        (status, view["can_edit"].clone()),
        (StatusCode::OK, json!(false))
    );
}

#[tokio::test]
async fn an_idle_session_ends_while_a_used_one_lasts() {
    let app = spawn_app_with(|config, _| config.session_idle_minutes = 30).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let raj = app.signed_in("raj@acme.test").await;
    for _ in 0..3 {
        app.advance_clock(20).await;
        assert_eq!(
            signed_in_as(&app, &rita).await.as_deref(),
            Some("rita@acme.test"),
            "in use"
        );
    }
    assert_eq!(signed_in_as(&app, &raj).await, None, "an hour untouched");
    let (status, _) = app.server_fn(&raj, "queue/mine", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_person_sees_their_sessions_and_ends_one_and_an_admin_ends_them_all() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let phone = app.signed_in("rita@acme.test").await;
    let laptop = app.signed_in("rita@acme.test").await;
    let (status, sessions) = app.server_fn(&laptop, "account/sessions", &[]).await;
    assert_eq!(status, StatusCode::OK, "{sessions}");
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    let (status, _) = app
        .server_fn(
            &laptop,
            "account/end-session",
            &[("key", other["key"].as_str().unwrap())],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(signed_in_as(&app, &phone).await, None);
    assert!(signed_in_as(&app, &laptop).await.is_some());
    // Nobody ends another person's session by its key.
    let (_, mine) = app.server_fn(&laptop, "account/sessions", &[]).await;
    let key = mine[0]["key"].as_str().unwrap().to_string();
    let (status, _) = app
        .server_fn(&ada, "account/end-session", &[("key", &key)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(signed_in_as(&app, &laptop).await.is_some());

    let rita_id = user_id(&app, "rita@acme.test").await;
    let (status, ended) = app
        .server_fn(&ada, "admin/person-end-sessions", &[("user_id", &rita_id)])
        .await;
    assert_eq!((status, ended), (StatusCode::OK, json!(1)));
    assert_eq!(signed_in_as(&app, &laptop).await, None);
}

#[tokio::test]
async fn hostile_names_on_the_admin_screens_are_text() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    let hostile = "<img src=x onerror=alert(1)>Eve";
    let (status, body) = app
        .server_fn(
            &ada,
            "admin/person-add",
            &[
                ("name", hostile),
                ("email", "eve@acme.test"),
                ("role", "rep"),
                ("territory", "<b>North</b>"),
                ("monthly_quota", ""),
                ("capacity", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .server_fn(
            &ada,
            "admin/source-add",
            &[
                ("name", "<script>x()</script>Fair"),
                ("cost", ""),
                ("phone_country", ""),
                ("thank_you_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "thank_you_url");
    for page in ["/admin/people", "/admin/audit", "/admin/sources"] {
        let html = ada
            .get(format!("{}{page}", app.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains("<img src=x"),
            "{page} writes the name as text"
        );
        assert!(!html.contains("<b>North</b>"), "{page}");
    }
    let html = ada
        .get(format!("{}/admin/people", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;Eve"),
        "the name is shown as typed"
    );
}

#[tokio::test]
async fn an_admin_draws_a_territory_on_screen_and_its_rep_gets_its_leads() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Rep, "wes@acme.test").await;
    let (status, body) = app
        .server_fn(
            &ada,
            "admin/territory-add",
            &[
                ("name", "West"),
                ("country", "us"),
                ("regions", "California, Oregon"),
                ("postcodes", ""),
                ("sources", ""),
            ],
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!(2)));
    let (status, body) = app
        .server_fn(
            &ada,
            "admin/territory-add",
            &[
                ("name", "Nowhere"),
                ("country", "XX"),
                ("regions", ""),
                ("postcodes", ""),
                ("sources", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let wes = user_id(&app, "wes@acme.test").await;
    let (status, body) = app
        .server_fn(
            &ada,
            "admin/person-edit",
            &[
                ("user_id", &wes),
                ("name", "Wes"),
                ("role", "rep"),
                ("territory", "West"),
                ("monthly_quota", "4"),
                ("capacity", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for n in 0..3 {
        let lead: Value = app
            .post_lead(json!({ "email": format!("ca{n}@example.com"), "country": "US", "region": "California" }))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            lead["owner"]["name"], "Wes",
            "a Californian lead goes to West's rep"
        );
    }
    let (status, list) = app.server_fn(&ada, "admin/territories", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let west = &list[0];
    assert_eq!(west["name"], "West");
    assert_eq!(west["reps"], json!(["Wes"]));
    assert_eq!(west["rules"][0][1], "US · California");
    for rule in west["rules"].as_array().unwrap() {
        let (status, _) = app
            .server_fn(
                &ada,
                "admin/territory-remove",
                &[("rule_id", rule[0].as_str().unwrap())],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, list) = app.server_fn(&ada, "admin/territories", &[]).await;
    assert_eq!(list, json!([]));
    let log = audit_actions(&app, &ada).await;
    assert!(
        log.contains(&(
            "Territory changed".into(),
            "West".into(),
            "2 rule(s) added".into()
        )),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_rep_who_cannot_sign_in_yet_gets_no_leads_until_they_choose_a_password() {
    let app = spawn_app().await;
    let ada = admin(&app).await;
    let (status, invite) = app
        .server_fn(
            &ada,
            "admin/person-add",
            &[
                ("name", "Pat"),
                ("email", "pat@acme.test"),
                ("role", "rep"),
                ("territory", ""),
                ("monthly_quota", ""),
                ("capacity", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{invite}");
    let lead: Value = app
        .post_lead(json!({ "email": "early@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        lead["owner"]["name"], "Qualifier queue",
        "Pat could not work it"
    );
    let token = token_of(&invite["link"]);
    let (status, _) = app
        .server_fn(
            &browser(),
            "account/choose-password",
            &[
                ("token", &token),
                ("password", "pat's own secret"),
                ("again", "pat's own secret"),
            ],
        )
        .await;
    assert!(status.is_success() || status.is_redirection());
    let lead: Value = app
        .post_lead(json!({ "email": "later@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lead["owner"]["name"], "Pat");
    // A reset password takes her out of the rotation again until she chooses a new one.
    let pat = user_id(&app, "pat@acme.test").await;
    let (status, _) = app
        .server_fn(&ada, "admin/person-reset", &[("user_id", &pat)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let lead: Value = app
        .post_lead(json!({ "email": "after-reset@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(lead["owner"]["name"], "Pat");
}
