//! Webhooks over the wire: an admin subscribes a real HTTP receiver this test starts; leads
//! arrive; the receiver gets each event signed, again after it failed, after the sender was
//! stopped and started again, and the webhook is switched off when a delivery fails every try.

use crate::common::{spawn_app, spawn_app_with, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use hmac::{Hmac, Mac};
use leadline::domain::role::Role;
use leadline::server::services::webhooks;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the receiver was sent, and what it answers next.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    /// The status it answers with (200 unless set).
    answer: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        receiver.answer.store(200, Ordering::SeqCst);
        let app = axum::Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn got(&self) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until the receiver was sent `n` requests.
    async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, String)> {
        for _ in 0..400 {
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} requests, not {n}", self.got().len());
    }
}

/// Answers with the receiver's status; with 0, never answers (the sender gives up waiting).
async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> AxumStatus {
    receiver.got.lock().unwrap().push((headers, body));
    let answer = receiver.answer.load(Ordering::SeqCst);
    if answer == 0 {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    AxumStatus::from_u16(answer.max(200)).unwrap()
}

/// The app (private addresses allowed: the receiver is on this machine) with a rep, signed in
/// as its admin.
async fn app_with_admin() -> (TestApp, reqwest::Client) {
    let app = spawn_app_with(|config, _| config.webhooks_private = true).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Admin, "ada@acme.test").await;
    let admin = app.signed_in("ada@acme.test").await;
    (app, admin)
}

/// Subscribes `url` to `events`; answers the secret.
async fn subscribe(app: &TestApp, admin: &reqwest::Client, url: &str, events: &[&str]) -> String {
    let mut form = vec![("url".to_string(), url.to_string())];
    for (n, event) in events.iter().enumerate() {
        form.push((format!("events[{n}]"), event.to_string()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = app.server_fn(admin, "admin/webhook-add", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    secret
}

async fn post_person(app: &TestApp, n: u32) -> String {
    let response = app
        .post_lead(json!({
            "name": format!("Hook Person {n}"),
            "email": format!("hook{n}@bluebird.test"),
            "company": "Bluebird Dental",
        }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_string()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).unwrap().to_str().unwrap()
}

/// Checks the signature the way a receiver would, with its own HMAC.
fn assert_signed(secret: &str, headers: &HeaderMap, body: &str) {
    let signature = header(headers, "leadline-signature");
    let (t, v1) = signature.split_once(',').unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let v1 = v1.strip_prefix("v1=").unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&hex::decode(v1).unwrap())
        .expect("the signature checks out with the secret");
    let mut wrong = Hmac::<sha2::Sha256>::new_from_slice(b"another secret").unwrap();
    wrong.update(format!("{t}.{body}").as_bytes());
    assert!(wrong.verify_slice(&hex::decode(v1).unwrap()).is_err());
}

async fn delivery_states(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT status, attempts FROM webhook_deliveries ORDER BY created_at, id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

/// Waits until every delivery has had `attempts` tries (or is delivered).
async fn wait_for_attempts(app: &TestApp, attempts: i64) {
    for _ in 0..400 {
        let states = delivery_states(app).await;
        if !states.is_empty()
            && states
                .iter()
                .all(|(status, n)| status != "pending" || *n >= attempts)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "deliveries did not reach {attempts} tries: {:?}",
        delivery_states(app).await
    );
}

/// Waits until every delivery is noted as delivered (a try is counted as it starts, and noted
/// delivered once answered: "tried twice" can still be on its way).
async fn wait_until_all_delivered(app: &TestApp) {
    for _ in 0..400 {
        let states = delivery_states(app).await;
        if !states.is_empty() && states.iter().all(|(status, _)| status == "delivered") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "deliveries were not all delivered: {:?}",
        delivery_states(app).await
    );
}

#[tokio::test]
async fn a_new_lead_is_told_signed_and_told_again_after_the_receiver_failed() {
    let (receiver, url) = Receiver::start().await;
    let (app, admin) = app_with_admin().await;
    let secret = subscribe(&app, &admin, &url, &["lead.created", "lead.assigned"]).await;
    receiver.answer.store(503, Ordering::SeqCst);
    let lead_id = post_person(&app, 1).await;
    // Written with the lead, in the same transaction: there before the 201 was answered.
    assert_eq!(delivery_states(&app).await.len(), 2);
    let sender = webhooks::spawn_sender(app.db.clone(), app.clock.clone(), true);

    let first = receiver.wait_for(2).await;
    wait_for_attempts(&app, 1).await;
    let mut types: Vec<String> = first
        .iter()
        .map(|(headers, _)| header(headers, "leadline-event").to_string())
        .collect();
    types.sort();
    assert_eq!(types, vec!["lead.assigned", "lead.created"]);
    for (headers, body) in &first {
        assert_signed(&secret, headers, body);
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["type"], header(headers, "leadline-event"));
        assert_eq!(event["lead"]["id"], lead_id.as_str());
        assert_eq!(event["lead"]["name"], "Hook Person 1");
        assert_eq!(event["lead"]["email"], "hook1@bluebird.test");
        assert_eq!(event["lead"]["owner"]["kind"], "rep");
        assert_eq!(event["lead"]["owner"]["email"], "rita@acme.test");
    }
    // The log says so, in words, with the next try.
    let (_, view) = app.server_fn(&admin, "admin/webhooks", &[]).await;
    let status = view["log"][0]["status"].as_str().unwrap();
    assert!(
        status.starts_with("try 1 of 8 failed: answered 503; trying again at "),
        "{status}"
    );

    // A minute on, each is tried again, the same delivery with the same body.
    receiver.answer.store(200, Ordering::SeqCst);
    app.advance_clock(2).await;
    let all = receiver.wait_for(4).await;
    wait_for_attempts(&app, 2).await;
    assert!(delivery_states(&app)
        .await
        .iter()
        .all(|(s, _)| s == "delivered"));
    for (headers, body) in &all[2..] {
        let delivery = header(headers, "leadline-delivery");
        let (_, earlier_body) = first
            .iter()
            .find(|(h, _)| header(h, "leadline-delivery") == delivery)
            .expect("a retry is the same delivery");
        assert_eq!(body, earlier_body);
        assert_signed(&secret, headers, body);
    }
    let (_, view) = app.server_fn(&admin, "admin/webhooks", &[]).await;
    assert_eq!(view["log"][0]["status"], "delivered (answered 200)");
    assert_eq!(
        view["webhooks"][0]["counts"],
        "2 delivered · 0 waiting · 0 failed"
    );
    // Nothing more is sent: delivered is delivered.
    app.advance_clock(60).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(receiver.got().len(), 4);
    sender.abort();
}

#[tokio::test]
async fn what_waited_in_the_outbox_is_sent_after_a_restart() {
    let (receiver, url) = Receiver::start().await;
    let (app, admin) = app_with_admin().await;
    subscribe(&app, &admin, &url, &["lead.created"]).await;
    receiver.answer.store(500, Ordering::SeqCst);
    let sender = webhooks::spawn_sender(app.db.clone(), app.clock.clone(), true);
    for n in 0..5 {
        post_person(&app, n).await;
    }
    receiver.wait_for(5).await;
    wait_for_attempts(&app, 1).await;
    // The process stops: the sender with it.
    sender.abort();
    receiver.answer.store(200, Ordering::SeqCst);

    // Started again on the same database file: what waited goes out, once each.
    let url_of_db: String = format!("sqlite:{}", app.dir.path().join("test.db").display());
    let reopened = leadline::server::store::connect(&url_of_db).await.unwrap();
    webhooks::load(&reopened).await.unwrap();
    let restarted = webhooks::spawn_sender(reopened, app.clock.clone(), true);
    app.advance_clock(2).await;
    receiver.wait_for(10).await;
    // The receiver has its answers; the sender notes each as delivered just after.
    wait_until_all_delivered(&app).await;
    let got = receiver.got();
    let mut names: Vec<String> = got[5..]
        .iter()
        .map(|(_, body)| serde_json::from_str::<Value>(body).unwrap()["lead"]["name"].to_string())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 5, "each lead told once after the restart");
    restarted.abort();
}

#[tokio::test]
async fn a_delivery_that_fails_every_try_switches_its_webhook_off_and_warns_the_admins() {
    let (receiver, url) = Receiver::start().await;
    let (app, admin) = app_with_admin().await;
    subscribe(&app, &admin, &url, &["lead.created"]).await;
    receiver.answer.store(500, Ordering::SeqCst);
    let sender = webhooks::spawn_sender(app.db.clone(), app.clock.clone(), true);
    post_person(&app, 1).await;
    // 1, 5, 15, 60 minutes, 3, 6 and 12 hours between the eight tries.
    for (tries, wait) in [
        (1, 1),
        (2, 5),
        (3, 15),
        (4, 60),
        (5, 180),
        (6, 360),
        (7, 720),
    ] {
        wait_for_attempts(&app, tries).await;
        app.advance_clock(wait).await;
    }
    wait_for_attempts(&app, 8).await;
    assert_eq!(receiver.got().len(), 8);
    assert_eq!(delivery_states(&app).await, vec![("failed".to_string(), 8)]);

    let (_, trouble) = app.server_fn(&admin, "admin/webhook-trouble", &[]).await;
    assert_eq!(trouble, json!(1));
    let (_, view) = app.server_fn(&admin, "admin/webhooks", &[]).await;
    let hook = &view["webhooks"][0];
    assert_eq!(hook["on"], false);
    assert_eq!(
        hook["off_why"],
        "failed: a delivery failed all 8 tries (last: answered 500)"
    );
    assert_eq!(
        view["log"][0]["status"],
        "given up after 8 tries: answered 500"
    );
    // While it is off, a new lead is not kept for it.
    post_person(&app, 2).await;
    assert_eq!(delivery_states(&app).await.len(), 1);
    // The failed ones are found however many were delivered since.
    let (_, failed) = app
        .server_fn(&admin, "admin/webhooks", &[("show", "failed")])
        .await;
    assert_eq!(failed["log"].as_array().unwrap().len(), 1);
    let (_, delivered) = app
        .server_fn(&admin, "admin/webhooks", &[("show", "delivered")])
        .await;
    assert_eq!(delivered["log"], json!([]));
    let (status, _) = app
        .server_fn(&admin, "admin/webhooks", &[("show", "<b>")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The receiver is mended: the admin sends the failed one again and switches it back on.
    receiver.answer.store(200, Ordering::SeqCst);
    let delivery = view["log"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .server_fn(
            &admin,
            "admin/delivery-retry",
            &[("delivery_id", &delivery)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let webhook_id = hook["id"].as_str().unwrap().to_string();
    // Only "true" or "false" switches it; a made-up delivery is not found.
    let (status, _) = app
        .server_fn(
            &admin,
            "admin/webhook-switch",
            &[("webhook_id", &webhook_id), ("on", "maybe")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .server_fn(&admin, "admin/delivery-retry", &[("delivery_id", "zzz")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .server_fn(
            &admin,
            "admin/webhook-switch",
            &[("webhook_id", &webhook_id), ("on", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    receiver.wait_for(9).await;
    wait_for_attempts(&app, 1).await;
    assert_eq!(
        delivery_states(&app).await,
        vec![("delivered".to_string(), 1)]
    );
    let (_, trouble) = app.server_fn(&admin, "admin/webhook-trouble", &[]).await;
    assert_eq!(trouble, json!(0));
    // A delivered one is not sent again by hand.
    let (status, body) = app
        .server_fn(
            &admin,
            "admin/delivery-retry",
            &[("delivery_id", &delivery)],
        )
        .await;
    assert_eq!(status.as_u16() / 100, 4, "{body}");
    sender.abort();
}

#[tokio::test]
async fn a_webhook_into_the_servers_own_network_or_with_no_events_is_refused_in_words() {
    let app = spawn_app().await;
    app.add_user(Role::Admin, "ada@acme.test").await;
    let admin = app.signed_in("ada@acme.test").await;
    for (url, words) in [
        ("http://127.0.0.1:9/hook", "must be a public address"),
        (
            "http://169.254.169.254/latest/meta-data",
            "must be a public address",
        ),
        ("http://localhost:3000/", "must be a public address"),
        ("javascript:alert(1)", "must start with https://"),
        ("hooks.example.com/x", "must be a full address"),
        ("http://[64:ff9b::7f00:1]/", "must be a public address"),
        ("http://[2002:7f00:1::]/", "must be a public address"),
        ("https://hooks.example.com:0/", "port 0"),
    ] {
        let (status, body) = app
            .server_fn(
                &admin,
                "admin/webhook-add",
                &[("url", url), ("events[0]", "lead.won")],
            )
            .await;
        assert_eq!(status.as_u16() / 100, 4, "{url}: {body}");
        assert!(body.to_string().contains(words), "{url}: {body}");
    }
    let (status, body) = app
        .server_fn(
            &admin,
            "admin/webhook-add",
            &[("url", "https://hooks.example.com/x")],
        )
        .await;
    assert_eq!(status.as_u16() / 100, 4);
    assert!(
        body.to_string().contains("choose at least one event"),
        "{body}"
    );
    let (status, body) = app
        .server_fn(
            &admin,
            "admin/webhook-add",
            &[
                ("url", "https://hooks.example.com/x"),
                ("events[0]", "<script>"),
            ],
        )
        .await;
    assert_eq!(status.as_u16() / 100, 4);
    assert!(
        body.to_string().contains("not an event Leadline sends"),
        "{body}"
    );
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhooks")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing refused was kept");
    // A sparse set of ticks (the form sends only the ticked boxes) is read whole.
    let (status, body) = app
        .server_fn(
            &admin,
            "admin/webhook-add",
            &[
                ("url", "https://hooks.example.com/x"),
                ("events[2]", "sla.warned"),
                ("events[6]", "lead.won"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, view) = app.server_fn(&admin, "admin/webhooks", &[]).await;
    assert_eq!(
        view["webhooks"][0]["events"],
        json!(["sla.warned", "lead.won"])
    );
}

#[tokio::test]
async fn a_receiver_that_hangs_holds_up_only_its_own_deliveries() {
    let (hanging, hanging_url) = Receiver::start().await;
    let (quick, quick_url) = Receiver::start().await;
    hanging.answer.store(0, Ordering::SeqCst);
    let (app, admin) = app_with_admin().await;
    subscribe(&app, &admin, &hanging_url, &["lead.created"]).await;
    subscribe(&app, &admin, &quick_url, &["lead.created"]).await;
    for n in 0..30 {
        post_person(&app, n).await;
    }
    let sender = webhooks::spawn_sender(app.db.clone(), app.clock.clone(), true);
    // Every one reaches the quick receiver while the other has not answered once.
    let started = std::time::Instant::now();
    quick.wait_for(30).await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        hanging.got().len() <= 4,
        "at most four wait on a hanging receiver"
    );
    sender.abort();
}
