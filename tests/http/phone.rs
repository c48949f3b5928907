//! The rep's phone: the queue in working order, a call's note and callback, search, a lead met
//! in person — over the wire, as the phone's pages call them.

use crate::common::{call, spawn_app, TestApp};
use leadline::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn lead(app: &TestApp, name: &str, phone: &str) -> String {
    let body: Value = app
        .post_lead(json!({ "name": name, "phone": phone }))
        .await
        .json()
        .await
        .unwrap();
    body["id"].as_str().unwrap().to_string()
}

fn names(queue: &Value) -> Vec<&str> {
    queue
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_new_inquiry_tops_the_queue_above_attempts_overdue_for_a_day() {
    let app = spawn_app().await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let rita = app.signed_in("rita@acme.test").await;
    let old = lead(&app, "Old Olga", "+1 415 555 2671").await;
    let older = lead(&app, "Older Oscar", "+1 415 555 2672").await;
    for id in [&older, &old] {
        let (status, body) = call(&app, &rita, id, "no_answer").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The second attempts fall due an hour later; a day and more passes.
    app.advance_clock(26 * 60).await;
    lead(&app, "New Nadia", "+1 415 555 2673").await;
    let (_, queue) = app.server_fn(&rita, "queue/mine", &[]).await;
    let names = names(&queue);
    assert_eq!(names[0], "New Nadia", "{names:?}");
    assert_eq!(names.len(), 3);
}
