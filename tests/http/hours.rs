//! Business hours and calling windows over the wire: the first-contact clock runs only while
//! the team is open and the person may be called.

use crate::common::{call, spawn_app_configured, TestApp};
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use leadline::domain::cadence::default_calling_window;
use leadline::domain::hours::Hours;
use leadline::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

const BERLIN: Tz = chrono_tz::Europe::Berlin;

/// Moves the server's clock to `target` (which must be ahead of it).
async fn advance_to(app: &TestApp, target: DateTime<Utc>) {
    let minutes = (target - server_now(app).await)
        .num_seconds()
        .div_euclid(60)
        + 1;
    assert!(minutes > 0, "the clock only moves forward");
    app.advance_clock(minutes).await;
}

/// The server's time: the lead it last received tells it; before any, the wall clock.
async fn server_now(app: &TestApp) -> DateTime<Utc> {
    let latest: Option<(DateTime<Utc>,)> =
        sqlx::query_as("SELECT MAX(occurred_at) FROM lead_events HAVING COUNT(*) > 0")
            .fetch_optional(&app.db)
            .await
            .unwrap();
    latest.map_or_else(Utc::now, |(at,)| at)
}

/// The next `weekday` at `hour`:`minute` Berlin time, at least a day from now.
fn next(weekday: Weekday, hour: u32, minute: u32) -> DateTime<Utc> {
    let mut day = (Utc::now() + Duration::days(1))
        .with_timezone(&BERLIN)
        .date_naive();
    while day.weekday() != weekday {
        day = day.succ_opt().unwrap();
    }
    let local = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap());
    BERLIN
        .from_local_datetime(&local)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

async fn berlin_office() -> TestApp {
    spawn_app_configured(
        |config, _| config.timezone = BERLIN,
        |policy| {
            policy.hours = Hours::office(BERLIN);
            policy.calling_window = Some(default_calling_window());
        },
    )
    .await
}

async fn next_due(app: &TestApp, lead: &str) -> DateTime<Utc> {
    let (due,): (DateTime<Utc>,) = sqlx::query_as("SELECT next_due_at FROM leads WHERE id = $1")
        .bind(lead)
        .fetch_one(&app.db)
        .await
        .unwrap();
    due
}

#[tokio::test]
async fn a_lead_on_saturday_night_is_due_monday_at_opening_and_nobody_is_warned_over_the_weekend() {
    let app = berlin_office().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let saturday_night = next(Weekday::Sat, 23, 0);
    let monday = |h, m| {
        let local = (saturday_night.with_timezone(&BERLIN) + Duration::days(2))
            .date_naive()
            .and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap());
        BERLIN
            .from_local_datetime(&local)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    };
    advance_to(&app, saturday_night).await;
    let lead: Value = app
        .post_lead(json!({ "email": "weekend@example.com", "name": "Wendy Weekend" }))
        .await
        .json()
        .await
        .unwrap();
    let id = lead["id"].as_str().unwrap().to_string();
    assert_eq!(
        next_due(&app, &id).await,
        monday(8, 5),
        "opening + 5 minutes"
    );

    let rita = app.signed_in("rita@acme.test").await;
    let (_, detail) = app
        .server_fn(&rita, "lead/detail", &[("lead_id", &id)])
        .await;
    let step = detail["step"].as_str().unwrap();
    assert!(
        step.starts_with("Attempt 1 of 6 · due Mon") && step.ends_with("08:05"),
        "the rep sees when it is due: {step}"
    );

    // She writes again that night: the alert says when to call, not "within 5 min".
    let again = app
        .post_lead(json!({ "email": "weekend@example.com", "name": "Wendy Weekend" }))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let (_, alerts) = app.server_fn(&rita, "alerts/mine", &[]).await;
    assert!(
        alerts
            .to_string()
            .contains("Wendy Weekend inquired again and is hot: call due Mon"),
        "{alerts}"
    );
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    let due = queue[0]["due"].as_str().unwrap();
    assert!(
        due.starts_with("due Mon") && due.ends_with("08:05"),
        "the queue says when, not 'in 33 h': {due}"
    );

    // All of Sunday and Monday before opening: no warning, no reassignment.
    let max = app.signed_in("max@acme.test").await;
    advance_to(&app, monday(7, 58)).await;
    let (_, alerts) = app.server_fn(&max, "alerts/mine", &[]).await;
    assert_eq!(alerts, json!([]), "closed time is nobody's delay");
    let (kind,): (String,) = sqlx::query_as("SELECT owner_kind FROM leads WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(kind, "rep");

    // Fifteen working minutes after opening, the manager hears of it.
    advance_to(&app, monday(8, 16)).await;
    let (_, alerts) = app.server_fn(&max, "alerts/mine", &[]).await;
    assert!(
        alerts
            .to_string()
            .contains("Wendy Weekend: no call attempt"),
        "{alerts}"
    );
}

#[tokio::test]
async fn a_call_at_opening_on_monday_counts_as_inside_the_sla_on_the_compliance_board() {
    let app = berlin_office().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let saturday_night = next(Weekday::Sat, 23, 0);
    advance_to(&app, saturday_night).await;
    let lead: Value = app
        .post_lead(json!({ "email": "weekend@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    let id = lead["id"].as_str().unwrap().to_string();
    // Monday 08:03: three working minutes, thirty-three hours on the wall clock.
    advance_to(
        &app,
        saturday_night + Duration::hours(32) + Duration::minutes(2),
    )
    .await;
    let rita = app.signed_in("rita@acme.test").await;
    let (status, body) = call(&app, &rita, &id, "no_answer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (seconds,): (i64,) =
        sqlx::query_as("SELECT first_attempt_seconds FROM assignments WHERE lead_id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(seconds <= 5 * 60, "judged on working time: {seconds} s");
    let (status, board) = app
        .server_fn(
            &app.signed_in("max@acme.test").await,
            "board/compliance",
            &[("window_days", "7")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert!(
        board.to_string().contains("\"within_sla_pct\":100"),
        "{board}"
    );
}

#[tokio::test]
async fn calls_are_scheduled_inside_the_persons_own_calling_hours() {
    // A team that works around the clock in UTC; a person in Tokyo and one whose phone does
    // not tell their zone (the US spans six).
    let app = spawn_app_configured(
        |_, _| {},
        |policy| {
            policy.hours = Hours::around_the_clock(chrono_tz::UTC);
            policy.calling_window = Some(default_calling_window());
        },
    )
    .await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    // 11:30 UTC is 20:30 in Tokyo.
    let day = (Utc::now() + Duration::days(1)).date_naive();
    let at = Utc.from_utc_datetime(&day.and_time(NaiveTime::from_hms_opt(11, 30, 0).unwrap()));
    advance_to(&app, at).await;
    let tokyo: Value = app
        .post_lead(json!({ "email": "kenji@example.jp", "phone": "+81 3-3224-9999" }))
        .await
        .json()
        .await
        .unwrap();
    let local: Value = app
        .post_lead(json!({ "email": "sam@example.com", "phone": "+1 415 555 0199" }))
        .await
        .json()
        .await
        .unwrap();
    // A Californian (the US spans six zones; the state tells which): 03:30 there, so the
    // first call waits for 08:00 in Los Angeles, plus the five minutes.
    let california: Value = app
        .post_lead(
            json!({ "email": "cal@example.com", "phone": "+1 415 555 0198",
                           "country": "US", "region": "CA" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let la = chrono_tz::America::Los_Angeles;
    let la_morning = la
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(8, 5, 0).unwrap()))
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        next_due(&app, california["id"].as_str().unwrap()).await,
        la_morning
    );
    let rita = app.signed_in("rita@acme.test").await;
    for lead in [&tokyo, &local] {
        let (status, body) = call(&app, &rita, lead["id"].as_str().unwrap(), "no_answer").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Attempt 2 is due about an hour later: 21:30 in Tokyo is too late, so 08:00 there.
    let tokyo_due = next_due(&app, tokyo["id"].as_str().unwrap()).await;
    let tokyo_morning =
        Utc.from_utc_datetime(&day.and_time(NaiveTime::from_hms_opt(23, 0, 0).unwrap()));
    assert_eq!(tokyo_due, tokyo_morning);
    let local_due = next_due(&app, local["id"].as_str().unwrap()).await;
    assert!(
        local_due > at + Duration::minutes(55) && local_due < at + Duration::minutes(65),
        "the team's own zone: an hour later, {local_due}"
    );
}

#[tokio::test]
async fn a_lead_waiting_in_the_queue_overnight_is_due_at_opening_not_overdue_all_night() {
    let app = berlin_office().await;
    app.add_user(Role::Qualifier, "quinn@acme.test").await;
    let saturday_night = next(Weekday::Sat, 23, 0);
    advance_to(&app, saturday_night).await;
    let lead: Value = app
        .post_lead(json!({ "email": "queued@example.com" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lead["owner"]["name"], "Qualifier queue");
    let monday_0805 = next_due(&app, lead["id"].as_str().unwrap()).await;
    assert_eq!(
        monday_0805
            .with_timezone(&BERLIN)
            .format("%a %H:%M")
            .to_string(),
        "Mon 08:05"
    );
    let quinn = app.signed_in("quinn@acme.test").await;
    let (_, queue) = app.server_fn(&quinn, "queue/mine", &[]).await;
    assert!(
        !queue[0]["overdue"].as_bool().unwrap(),
        "not overdue the moment it arrives: {queue}"
    );
}
