//! The managers' boards: aggregation against hand-computed expectations on a small fixed
//! dataset (including a deliberately biased rep), and the boards kept in step by real use of
//! the app (calls, a refused closure, a missed SLA).

use crate::common::{call, spawn_app, TestApp};
use chrono::{DateTime, Duration, Utc};
use leadline::domain::aging::AgeBucket;
use leadline::domain::board::{AgingBoard, Basis, OpenLead};
use leadline::domain::compliance::Band;
use leadline::domain::lead::Stage;
use leadline::domain::role::Role;
use leadline::domain::segment::{Segment, SegmentFlags};
use leadline::server::services::boards;
use leadline::server::snapshot::Snapshot;
use leadline::server::store::bulk::{self, BulkAssignment, BulkLead};
use leadline::server::store::{self, users};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// One assignment in the fixed dataset, with its lead.
struct Case {
    rep: &'static str,
    no_phone: bool,
    /// Minutes from assignment to the first call attempt; None: never called.
    first_attempt: Option<i64>,
    end: Option<&'static str>,
    /// Hours since the lead arrived.
    age_hours: i64,
}

async fn rep(app: &TestApp, email: &str) -> String {
    app.add_user(Role::Rep, email).await;
    users::find_by_email(&app.db, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Writes one lead and its assignment as the dataset says.
async fn write(app: &TestApp, n: usize, case: &Case, rep_id: &str, source: &str) {
    let received_at = now() - Duration::hours(case.age_hours);
    let first = case
        .first_attempt
        .map(|m| received_at + Duration::minutes(m));
    let open = case.end.is_none();
    let (stage, owner_kind) = match case.end {
        None if first.is_some() => ("attempting", "rep"),
        None => ("assigned", "rep"),
        Some("reclaimed") => ("queued", "qualifier"),
        Some(_) => ("nurture", "marketing"),
    };
    let id = format!("lead-{n:03}");
    let lead = BulkLead {
        id: id.clone(),
        name: format!("Lead {n}"),
        email: Some(format!("lead{n}@example.com")),
        phone: (!case.no_phone).then(|| format!("+1415555{n:04}")),
        company: String::new(),
        timeframe: "now".into(),
        free_mail: false,
        source_id: source.to_string(),
        stage,
        owner_kind,
        owner_id: open.then(|| rep_id.to_string()),
        attempts: i64::from(first.is_some()),
        conversations: 0,
        next_action: Some("call:2".into()),
        // Open leads are due an hour after arriving: overdue once older than that.
        next_due_at: Some(received_at + Duration::hours(1)),
        nurture_reason: (owner_kind == "marketing").then_some("unreached"),
        closed_outcome: None,
        dead_reason: None,
        won_amount_cents: None,
        won_on: None,
        closed_at: None,
        closed_by: None,
        last_rep_id: Some(rep_id.to_string()),
        received_at,
        first_attempt_at: first,
        last_touch_at: first,
    };
    let mut tx = store::begin_write(&app.db).await.unwrap();
    bulk::insert_lead(&mut tx, &lead).await.unwrap();
    bulk::insert_assignment(
        &mut tx,
        &BulkAssignment {
            id: format!("a-{n:03}"),
            lead_id: id,
            rep_id: rep_id.to_string(),
            assigned_at: received_at,
            first_attempt_at: first,
            attempts: i64::from(first.is_some()),
            ended_at: case.end.map(|_| received_at + Duration::hours(1)),
            end_kind: case.end,
            outcome: case.end.map(|_| stage),
            flags: SegmentFlags {
                no_phone: case.no_phone,
                ..SegmentFlags::default()
            },
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Ann drops no-phone leads: 2 of 12 called, against 14 of 15 with a phone. Bob calls
/// everything, late: 9 of 10 (no-phone 4 of 5), each 10 minutes after arrival.
fn dataset() -> Vec<Case> {
    let mut cases = Vec::new();
    for i in 0..12 {
        cases.push(Case {
            rep: "ann",
            no_phone: true,
            first_attempt: (i < 2).then_some(90),
            end: if i < 8 { Some("outcome") } else { None },
            age_hours: 3,
        });
    }
    for i in 0..15 {
        cases.push(Case {
            rep: "ann",
            no_phone: false,
            first_attempt: (i < 14).then_some(2),
            end: match i {
                0..12 => Some("outcome"),
                12 | 13 => Some("reclaimed"),
                _ => None,
            },
            age_hours: 30,
        });
    }
    for i in 0..10 {
        cases.push(Case {
            rep: "bob",
            no_phone: i < 5,
            first_attempt: (i != 0).then_some(10),
            end: (i < 3).then_some("outcome"),
            age_hours: 0,
        });
    }
    cases
}

#[tokio::test]
async fn compliance_and_bias_match_hand_computed_figures() {
    let app = spawn_app().await;
    let ann = rep(&app, "ann@acme.test").await;
    let bob = rep(&app, "bob@acme.test").await;
    let (source,): (String,) = sqlx::query_as("SELECT id FROM sources")
        .fetch_one(&app.db)
        .await
        .unwrap();
    for (n, case) in dataset().iter().enumerate() {
        let rep_id = if case.rep == "ann" { &ann } else { &bob };
        write(&app, n, case, rep_id, &source).await;
    }
    let policy = store::policy::load(&app.db, chrono_tz::UTC).await.unwrap();
    let snapshot = Snapshot::load(&app.db, now()).await.unwrap();

    let board = boards::compliance(&app.db, &snapshot, &policy, 30, now())
        .await
        .unwrap();
    let line = |email: &str| {
        board
            .lines
            .iter()
            .find(|l| l.counts.name == email)
            .unwrap()
            .clone()
    };
    let a = line("ann@acme.test");
    assert_eq!(a.counts.assigned, 27);
    assert_eq!(a.counts.attempted, 16);
    assert_eq!(
        a.counts.within_sla, 14,
        "the 2-minute calls, not the 90-minute ones"
    );
    assert_eq!(a.within_sla_pct, Some(52), "14 of 27");
    assert_eq!(a.median_first_attempt_minutes, Some(2.0));
    assert_eq!(a.counts.outcomes, 20);
    assert_eq!(a.outcome_pct, Some(74), "20 of 27");
    assert_eq!(a.counts.reclaimed, 2);
    // Open now: 4 no-phone and 1 with a phone, none of them called, all past due.
    assert_eq!(a.counts.ghosts_now, 5);
    assert_eq!(a.counts.overdue_now, 5);
    let b = line("bob@acme.test");
    assert_eq!((b.counts.assigned, b.counts.within_sla), (10, 0));
    assert_eq!(b.median_first_attempt_minutes, Some(10.0));
    assert_eq!(b.outcome_pct, Some(30));
    assert_eq!(b.counts.overdue_now, 0, "bob's leads arrived just now");
    assert_eq!(board.team.counts.assigned, 37);
    assert_eq!(board.team.outcome_pct, Some(62), "23 of 37");
    assert_eq!(board.band, Some(Band::Inside));

    let bias = boards::bias_watch(&app.db, &snapshot, &policy, 30, now())
        .await
        .unwrap();
    let ann_bias = bias.iter().find(|r| r.rep_id == ann).unwrap();
    let no_phone = ann_bias
        .gaps
        .iter()
        .find(|g| g.segment == Segment::NoPhone)
        .unwrap();
    assert_eq!((no_phone.inside.followed, no_phone.inside.leads), (2, 12));
    assert_eq!(
        (no_phone.outside.followed, no_phone.outside.leads),
        (14, 15)
    );
    assert!(no_phone.followed_p < 0.001, "p = {}", no_phone.followed_p);
    assert!(no_phone.flagged() && ann_bias.flagged());
    assert_eq!(no_phone.inside_median_minutes, Some(90.0));
    let bob_bias = bias.iter().find(|r| r.rep_id == bob).unwrap();
    assert!(!bob_bias.flagged(), "4 of 5 against 5 of 5 is no evidence");

    // The aging board from SQL agrees with counting the same leads one by one.
    type Row = (String, DateTime<Utc>, Option<DateTime<Utc>>, bool);
    let open: Vec<Row> = sqlx::query_as(
        "SELECT stage, received_at, next_due_at, first_attempt_at IS NULL FROM leads
         WHERE stage NOT IN ('won', 'dead')",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let by_hand = AgingBoard::tally(
        open.into_iter()
            .map(|(stage, received_at, due, ghost)| OpenLead {
                stage: stage.parse().unwrap(),
                received_at,
                overdue: due.is_some_and(|d| d < now()),
                ghost,
            }),
        now(),
    );
    let aging = boards::aging(&snapshot, Basis::Inquiry, now());
    assert_eq!(aging.rows, by_hand.rows);
    assert_eq!(
        aging.total.count, 37,
        "nurtured and queued leads are open too"
    );
    assert_eq!(aging.row(Stage::Nurture).unwrap().total.count, 23);
    let assigned = aging.row(Stage::Assigned).unwrap();
    assert_eq!(
        assigned.cells[AgeBucket::OneToTwentyFourHours as usize].ghosts,
        4,
        "ann's four uncalled no-phone leads, 3 h old"
    );
    let outlook = boards::outlook(&app.db, &snapshot, &policy, now())
        .await
        .unwrap();
    assert_eq!(
        outlook.overflow, 2,
        "the two reclaimed leads wait for a qualifier"
    );
    // Never called: ann's 5 open, ann's 6 nurtured no-phone leads, bob's 1 nurtured.
    assert_eq!(outlook.unfollowed.ghosts, 12);
    assert_eq!(outlook.open_pool, 37);
}

async fn board(app: &TestApp, client: &reqwest::Client) -> Value {
    let (status, body) = app
        .server_fn(client, "board/compliance", &[("window_days", "7")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn rep_line<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["board"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["counts"]["name"] == name)
        .unwrap()
}

#[tokio::test]
async fn calls_refusals_and_a_missed_sla_reach_the_compliance_board() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Manager, "max@acme.test").await;
    let max = app.signed_in("max@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let mut ids = Vec::new();
    for (name, email, phone) in [
        ("Ann Lee", "ann@acme.test", "+1 415 555 2671"),
        ("Bo Kim", "bo@acme.test", "+1 415 555 2672"),
    ] {
        let lead: Value = app
            .post_lead(json!({ "name": name, "email": email, "phone": phone }))
            .await
            .json()
            .await
            .unwrap();
        ids.push(lead["id"].as_str().unwrap().to_string());
    }
    call(&app, &rita, &ids[0], "no_answer").await;
    let (status, body) = app
        .server_fn(
            &rita,
            "lead/close",
            &[
                ("lead_id", ids[0].as_str()),
                ("close[outcome]", "dead"),
                ("close[reason]", "not_a_buyer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no conversation yet");
    assert_eq!(
        crate::common::refused(&body),
        "Closing as 'Not a buyer' needs a conversation: log the connected call or meeting first."
    );

    let body = board(&app, &max).await;
    let line = rep_line(&body, "rita@acme.test");
    assert_eq!(line["counts"]["assigned"], 2);
    assert_eq!(line["counts"]["within_sla"], 1, "one called at once");
    assert_eq!(line["counts"]["closures_refused"], 1);
    assert_eq!(line["counts"]["ghosts_now"], 1);

    // The second lead is never called: at 60 minutes it is taken away and the miss is Rita's.
    crate::common::client()
        .post(format!("{}/test/clock", app.url))
        .json(&json!({ "minutes": 61 }))
        .send()
        .await
        .unwrap();
    let body = board(&app, &max).await;
    let line = rep_line(&body, "rita@acme.test");
    assert_eq!(line["counts"]["reclaimed"], 1);
    assert_eq!(line["counts"]["ghosts_now"], 0);

    let (status, aging) = app
        .server_fn(&max, "board/aging", &[("basis", "inquiry")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(aging["total"]["count"], 2);
    let (status, cell) = app
        .server_fn(
            &max,
            "board/aging-cell",
            &[("basis", "inquiry"), ("stage", "queued"), ("bucket", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cell}");
    assert_eq!(cell["leads"][0]["name"], "Bo Kim");
    assert_eq!(cell["leads"][0]["ghost"], true);

    let (status, body) = app
        .server_fn(&max, "board/compliance", &[("window_days", "12")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string().contains("must be 7, 30 or 90 days"),
        "{body}"
    );
    for path in ["board/compliance", "board/outlook", "board/aging"] {
        let (status, _) = app
            .server_fn(&rita, path, &[("window_days", "7"), ("basis", "inquiry")])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} is for managers");
    }
}
