//! The access matrix: every registered server function and route (from the server function
//! registry and the router's page list, not a hand list) × every role and no session × a lead of
//! the caller's own and another rep's, each answered as [`leadline::domain::access`] says — and
//! a door with no rule fails the test.

use crate::common::{client_builder, spawn_app, TestApp};
use leadline::api::context::DOORS;
use leadline::domain::access::{may_on_lead, permits, Action, Denied};
use leadline::domain::lead::Owner;
use leadline::domain::role::{Role, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Whose lead the caller acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// One the caller works or sees as theirs: a rep's own, the queue's for a qualifier, a
    /// nurtured one for marketing, any for managers and admins.
    Own,
    /// One held by another rep.
    Other,
}

const TEAM: [(Role, &str); 6] = [
    (Role::Rep, "rita@acme.test"),
    (Role::Rep, "raj@acme.test"),
    (Role::Qualifier, "quinn@acme.test"),
    (Role::Marketing, "maya@acme.test"),
    (Role::Manager, "max@acme.test"),
    (Role::Admin, "ada@acme.test"),
];

fn caller_email(role: Role) -> &'static str {
    TEAM.iter()
        .find(|(r, _)| *r == role)
        .map(|(_, e)| *e)
        .unwrap()
}

async fn id_of(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap();
    id
}

async fn set_away(app: &TestApp, emails: &[&str], away: bool) {
    for email in emails {
        let id = id_of(app, email).await;
        let now = chrono::Utc::now();
        let span = away.then(|| {
            (
                now - chrono::Duration::days(1),
                now + chrono::Duration::days(3650),
            )
        });
        leadline::server::store::users::set_away(
            &app.db,
            &id,
            span.map(|s| s.0),
            span.map(|s| s.1),
        )
        .await
        .unwrap();
    }
}

/// `count` leads held as `relation` says for a caller with `role`; answers their ids and owner.
async fn leads_for(
    app: &TestApp,
    role: Option<Role>,
    relation: Lead,
    count: usize,
) -> (Vec<String>, Owner) {
    let reps = ["rita@acme.test", "raj@acme.test", "zed@acme.test"];
    // Who gets the next leads: Rita (the rep caller's own, and managers'), Raj (another's),
    // nobody (the qualifier queue).
    let (holder, owner) = match (role, relation) {
        (Some(Role::Qualifier), Lead::Own) => (None, Owner::Qualifier),
        (Some(Role::Rep | Role::Manager | Role::Admin | Role::Marketing) | None, Lead::Own) => (
            Some("rita@acme.test"),
            Owner::Rep(id_of(app, "rita@acme.test").await),
        ),
        (_, Lead::Other) => (
            Some("raj@acme.test"),
            Owner::Rep(id_of(app, "raj@acme.test").await),
        ),
    };
    set_away(app, &reps, true).await;
    if let Some(holder) = holder {
        set_away(app, &[holder], false).await;
    }
    let mut ids = Vec::new();
    for n in 0..count {
        let lead: Value = app
            .post_lead(
                json!({ "email": format!("m{n}-{:?}@example.com", relation).to_lowercase() }),
            )
            .await
            .json()
            .await
            .unwrap();
        ids.push(lead["id"].as_str().unwrap().to_string());
    }
    set_away(app, &reps, false).await;
    (ids, owner)
}

/// Every field any door reads, filled so that input checks pass where they can: the gate's
/// answer, not a parse error, decides what comes back.
fn form(lead: &str, n: usize, zed: &str, rep: &str, source: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(&str, String)> = vec![
        ("lead_id", lead.into()),
        ("lead_ids", lead.into()),
        ("kind", "call".into()),
        ("outcome", "no_answer".into()),
        ("note", "matrix note".into()),
        ("budget", "b".into()),
        ("authority", "a".into()),
        ("need", "n".into()),
        ("timeline", "t".into()),
        ("reason", "the matrix asks".into()),
        ("recontact_on", "2099-01-01".into()),
        ("close[outcome]", "dead".into()),
        ("close[reason]", "no_response".into()),
        ("to", String::new()),
        ("alert_id", "none".into()),
        ("basis", "received".into()),
        ("stage", "new".into()),
        ("bucket", "0".into()),
        ("window_days", "30".into()),
        ("user_id", zed.into()),
        ("name", "Matrix Person".into()),
        ("email", format!("matrix{n}@acme.test")),
        ("role", "rep".into()),
        ("territory", "Main".into()),
        ("monthly_quota", "4".into()),
        ("capacity", String::new()),
        ("from", String::new()),
        ("until", "2099-01-01".into()),
        ("source_id", source.into()),
        ("webhook_id", "none".into()),
        ("delivery_id", "none".into()),
        ("on", "false".into()),
        ("url", "https://hooks.example.com/matrix".into()),
        ("events[0]", "lead.won".into()),
        ("cost", String::new()),
        ("phone_country", String::new()),
        ("thank_you_url", String::new()),
        ("grace_hours", "1".into()),
        ("rep_id", rep.into()),
        ("currency", "EUR".into()),
        ("country", "US".into()),
        ("regions", String::new()),
        ("postcodes", String::new()),
        ("sources", String::new()),
        ("rule_id", "none".into()),
        ("action", String::new()),
        ("who", String::new()),
        ("after", String::new()),
        ("key", "none".into()),
        ("id", String::new()),
        ("mapping[0]", "email".into()),
        ("token", "none".into()),
        ("password", "not the password".into()),
        ("again", "not the password".into()),
    ];
    let policy = [
        ("first_contact", "5 min"),
        ("warn_after", "15 min"),
        ("reassign_after", "1 h"),
        ("later_attempts", "1 h, 1 day"),
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
    let mut out: Vec<(String, String)> =
        fields.drain(..).map(|(k, v)| (k.to_string(), v)).collect();
    out.extend(
        policy
            .iter()
            .map(|(k, v)| (format!("policy[{k}]"), (*v).to_string())),
    );
    out
}

/// What the rules say a call should meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Past the gate to a lead: anything but 401, 403 or 404 (and never a 5xx).
    Through,
    /// Past the gate to what is the caller's own (their sessions, alerts) or the team's:
    /// anything but 401 or 403 (a session or alert id they do not have is not found).
    Past,
    /// Not signed in.
    SignIn,
    /// Not their role's.
    Forbidden,
    /// A lead they may not see: it does not exist to them.
    Hidden,
    /// Anyone may ask; the answer depends on what they sent (never 403, never 5xx).
    Open,
}

fn expect(user: Option<&User>, action: Action, owner: &Owner) -> Expect {
    if action == Action::SignIn {
        return Expect::Open;
    }
    let Some(user) = user else {
        return Expect::SignIn;
    };
    if !permits(Some(user.role), action) {
        return Expect::Forbidden;
    }
    if !action.is_on_a_lead() {
        return Expect::Past;
    }
    match may_on_lead(user, action, owner) {
        Ok(()) => Expect::Through,
        Err(Denied::NotVisible) => Expect::Hidden,
        Err(Denied::NotTheirs(_)) => Expect::Forbidden,
    }
}

fn met(expected: Expect, status: StatusCode) -> bool {
    if status.is_server_error() {
        return false;
    }
    match expected {
        Expect::Through => !matches!(status.as_u16(), 401 | 403 | 404),
        Expect::Past => !matches!(status.as_u16(), 401 | 403),
        Expect::SignIn => status == StatusCode::UNAUTHORIZED,
        Expect::Forbidden => status == StatusCode::FORBIDDEN,
        Expect::Hidden => status == StatusCode::NOT_FOUND,
        Expect::Open => status != StatusCode::FORBIDDEN,
    }
}

/// Calls every door as `role` on leads of `relation`; answers the cells checked and failures.
async fn run(role: Option<Role>, relation: Lead) -> (usize, Vec<String>) {
    let app = spawn_app().await;
    for (r, email) in TEAM {
        app.add_user(r, email).await;
    }
    app.add_user(Role::Rep, "zed@acme.test").await;
    let zed = id_of(&app, "zed@acme.test").await;
    let raj = id_of(&app, "raj@acme.test").await;
    let (source,): (String,) = sqlx::query_as("SELECT id FROM sources LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (leads, owner) = leads_for(&app, role, relation, DOORS.len()).await;
    let (client, user) = match role {
        Some(role) => {
            let email = caller_email(role);
            let user = User {
                id: id_of(&app, email).await,
                name: email.into(),
                email: email.into(),
                role,
            };
            (app.signed_in(email).await, Some(user))
        }
        None => (
            client_builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            None,
        ),
    };
    let mut failures = Vec::new();
    for (n, (path, action)) in DOORS.iter().enumerate() {
        let expected = expect(user.as_ref(), *action, &owner);
        let status = if path.starts_with("/api/") {
            let fields = form(&leads[n], n, &zed, &raj, &source);
            client
                .post(format!("{}{path}", app.url))
                .header("Accept", "application/json")
                .form(&fields)
                .send()
                .await
                .unwrap()
                .status()
        } else {
            // A route read with GET: its headers are enough (the live feed never ends).
            client
                .get(format!("{}{path}", app.url))
                .send()
                .await
                .unwrap()
                .status()
        };
        if !met(expected, status) {
            failures.push(format!(
                "{path} as {role:?} on {relation:?} lead: expected {expected:?}, got {status}"
            ));
        }
    }
    (DOORS.len(), failures)
}

#[tokio::test]
async fn every_door_answers_every_role_as_the_access_rules_say() {
    // Every door has a rule, and every rule a door: the registry is the truth.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let ruled: BTreeSet<String> = DOORS
        .iter()
        .map(|(path, _)| path.to_string())
        .filter(|path| path.starts_with("/api/"))
        .collect();
    let unruled: Vec<_> = registered.difference(&ruled).collect();
    assert!(
        unruled.is_empty(),
        "server functions with no access rule: {unruled:?}"
    );
    let stale: Vec<_> = ruled.difference(&registered).collect();
    assert!(stale.is_empty(), "rules for no server function: {stale:?}");

    let mut cells = 0;
    let mut failures = Vec::new();
    let callers = std::iter::once(None).chain(Role::ALL.into_iter().map(Some));
    for role in callers {
        for relation in [Lead::Own, Lead::Other] {
            let (checked, failed) = run(role, relation).await;
            cells += checked;
            failures.extend(failed);
        }
    }
    println!(
        "access matrix: {} doors × {} callers × 2 leads = {cells} cells",
        DOORS.len(),
        Role::ALL.len() + 1
    );
    assert_eq!(cells, DOORS.len() * (Role::ALL.len() + 1) * 2);
    assert!(
        failures.is_empty(),
        "{} cells disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_page_renders_for_every_caller_without_a_server_fault() {
    let app = spawn_app().await;
    for (r, email) in TEAM {
        app.add_user(r, email).await;
    }
    app.add_user(Role::Rep, "zed@acme.test").await;
    let (leads, _) = leads_for(&app, Some(Role::Rep), Lead::Own, 1).await;
    let pages: Vec<String> = leadline::server::http::page_routes()
        .iter()
        .map(|route| route.path().to_string())
        .collect();
    assert!(pages.len() >= 16, "{pages:?}");
    let mut callers = vec![(None, client_builder().build().unwrap())];
    for role in Role::ALL {
        callers.push((Some(role), app.signed_in(caller_email(role)).await));
    }
    for (role, client) in &callers {
        for page in &pages {
            let path = page.replace(":id", &leads[0]);
            let response = client
                .get(format!("{}{path}", app.url))
                .send()
                .await
                .unwrap();
            let status = response.status();
            assert!(!status.is_server_error(), "{path} as {role:?}: {status}");
            let started = std::time::Instant::now();
            if let Err(e) = response.text().await {
                panic!(
                    "{path} as {role:?} did not finish in {:?}: {e}",
                    started.elapsed()
                );
            }
        }
    }
}
