//! What the HTTP tests share: the real app on port 0 with a temporary database, and clients
//! that call it like a web form, an integration or a signed-in browser would.

use leadline::domain::cadence::Policy;
use leadline::domain::role::Role;
use leadline::server::clock::Clock;
use leadline::server::config::Config;
use leadline::server::services::{accounts, sources};
use leadline::server::state::AppState;
use leadline::server::{connections, store};
use leptos::config::LeptosOptions;
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// How long any one request may take before the test fails instead of hanging.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A client builder whose requests time out rather than hang.
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().timeout(REQUEST_TIMEOUT)
}

/// A plain client (no cookies) whose requests time out rather than hang.
pub fn client() -> reqwest::Client {
    client_builder().build().unwrap()
}

pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub url: String,
    pub db: sqlx::SqlitePool,
    pub key: String,
    pub dir: tempfile::TempDir,
    /// The app's password workers (users are added through them, as the app adds them).
    pub passwords: leadline::server::passwords::Passwords,
    /// The app's clock (`/test/clock` moves it).
    pub clock: Clock,
}

impl TestApp {
    pub async fn post_lead(&self, body: Value) -> reqwest::Response {
        self.post_lead_with(body, Some(&self.key), None).await
    }

    pub async fn post_lead_with(
        &self,
        body: Value,
        key: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> reqwest::Response {
        let mut request = crate::common::client()
            .post(format!("{}/api/v1/leads", self.url))
            .json(&body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(idem) = idempotency_key {
            request = request.header("Idempotency-Key", idem);
        }
        request.send().await.expect("request reaches the server")
    }

    /// Moves the server's clock forward `minutes` and applies what fell due.
    pub async fn advance_clock(&self, minutes: i64) {
        let response = crate::common::client()
            .post(format!("{}/test/clock", self.url))
            .json(&serde_json::json!({ "minutes": minutes }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    pub async fn lead_count(&self) -> i64 {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leads")
            .fetch_one(&self.db)
            .await
            .unwrap();
        count
    }

    pub async fn add_user(&self, role: Role, email: &str) {
        accounts::add_user(
            &self.db,
            &self.passwords,
            chrono::Utc::now(),
            role,
            email,
            email,
            PASSWORD,
        )
        .await
        .unwrap();
    }

    /// A browser-like client signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = crate::common::client_builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .post(format!("{}/api/auth/login", self.url))
            .header("Accept", "application/json")
            .form(&[("email", email), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "sign-in failed: {}",
            response.status()
        );
        client
    }

    pub async fn server_fn(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let response = client
            .post(format!("{}/api/{path}", self.url))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_, _| {}).await
}

/// The app with settings of the test's own. Its static files are served from `site/` in the
/// test's directory.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config, &mut LeptosOptions)) -> TestApp {
    build_app(configure, |_| {}).await
}

/// The app with a follow-up policy of the test's own (as an admin would set it).
pub async fn spawn_app_with_policy(change: impl FnOnce(&mut Policy)) -> TestApp {
    build_app(|_, _| {}, change).await
}

/// The app with settings and a follow-up policy of the test's own.
pub async fn spawn_app_configured(
    configure: impl FnOnce(&mut Config, &mut LeptosOptions),
    change_policy: impl FnOnce(&mut Policy),
) -> TestApp {
    build_app(configure, change_policy).await
}

async fn build_app(
    configure: impl FnOnce(&mut Config, &mut LeptosOptions),
    change_policy: impl FnOnce(&mut Policy),
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let db = store::connect(&url).await.unwrap();
    let (_, key) = sources::add_source(&db, chrono::Utc::now(), "Test form")
        .await
        .unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let mut leptos_options = LeptosOptions::builder()
        .output_name("leadline")
        .site_root(site.display().to_string())
        .build();
    let mut config = Config {
        database_url: url,
        test_clock: true,
        // Tests move the clock by days with people signed in; the idle timeout has its own.
        session_idle_minutes: 60 * 24 * 365,
        ..Config::default()
    };
    configure(&mut config, &mut leptos_options);
    // Tests run at any hour: unless a test sets hours of its own, the team works around the
    // clock and calls at any hour.
    let mut policy = store::policy::load(&db, chrono_tz::UTC).await.unwrap();
    policy.hours = leadline::domain::hours::Hours::around_the_clock(chrono_tz::UTC);
    policy.calling_window = None;
    change_policy(&mut policy);
    store::policy::save(&db, &policy).await.unwrap();
    let state = AppState::build(db.clone(), config, policy, Clock::default(), leptos_options)
        .await
        .unwrap();
    let passwords = state.passwords.clone();
    let clock = state.clock.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(connections::serve(listener, state, std::future::pending()));
    TestApp {
        url: format!("http://{addr}"),
        db,
        key,
        dir,
        passwords,
        clock,
    }
}

/// Logs a call with `outcome` on `lead`, as the signed-in `client`.
pub async fn call(
    app: &TestApp,
    client: &Client,
    lead: &str,
    outcome: &str,
) -> (StatusCode, Value) {
    app.server_fn(
        client,
        "lead/log-touch",
        &[("lead_id", lead), ("kind", "call"), ("outcome", outcome)],
    )
    .await
}

/// The message of a rule's refusal; fails the test if the answer is anything else.
pub fn refused(body: &Value) -> &str {
    assert_eq!(body["code"], "refused", "a rule's refusal: {body}");
    body["message"].as_str().unwrap_or_default()
}
