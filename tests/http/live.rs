//! The live stream: an open screen hears of a change at once, and a rep only of their own.

use crate::common::{spawn_app, TestApp};
use futures_util::StreamExt;
use leadline::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// Reads the stream until `wanted` appears, or gives up after `within`. Returns all text read.
async fn read_until(response: reqwest::Response, wanted: &str, within: Duration) -> String {
    let mut body = response.bytes_stream();
    let mut text = String::new();
    let _ = tokio::time::timeout(within, async {
        while let Some(Ok(chunk)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains(wanted) {
                break;
            }
        }
    })
    .await;
    text
}

async fn open_stream(app: &TestApp, who: &str) -> reqwest::Response {
    let client = app.signed_in(who).await;
    let response = client
        .get(format!("{}/live", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
}

#[tokio::test]
async fn a_manager_hears_of_a_new_lead_at_once_and_a_rep_only_of_their_own() {
    let app = spawn_app().await;
    app.add_user(Role::Manager, "max@acme.test").await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    app.add_user(Role::Rep, "raj@acme.test").await;
    let manager = open_stream(&app, "max@acme.test").await;
    let rita = open_stream(&app, "rita@acme.test").await;
    let raj = open_stream(&app, "raj@acme.test").await;

    let lead: Value = app
        .post_lead(json!({ "email": "ann@acme.test" }))
        .await
        .json()
        .await
        .unwrap();
    let id = lead["id"].as_str().unwrap();
    let owner = lead["owner"]["name"].as_str().unwrap();
    let (holder, other) = if owner == "rita@acme.test" {
        (rita, raj)
    } else {
        (raj, rita)
    };

    let heard = read_until(manager, id, Duration::from_secs(1)).await;
    assert!(heard.starts_with("event: ready"), "{heard}");
    assert!(
        heard.contains(&format!("event: change\ndata: {id}")),
        "{heard}"
    );
    assert!(read_until(holder, id, Duration::from_secs(1))
        .await
        .contains(id));
    assert!(
        !read_until(other, id, Duration::from_millis(300))
            .await
            .contains(id),
        "another rep hears nothing of this lead"
    );
}

#[tokio::test]
async fn a_stranger_cannot_listen() {
    let app = spawn_app().await;
    let response = crate::common::client()
        .get(format!("{}/live", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
