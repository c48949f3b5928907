//! An acknowledged lead is never lost: the real server binary takes leads from eight
//! connections at once and is killed with SIGKILL mid-stream, again and again; after each
//! restart every lead it ever answered `201` for is there, once.

#![cfg(feature = "ssr")]
#![expect(
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first surprise"
)]

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Kill-and-restart cycles.
const CYCLES: usize = 6;
/// Connections posting leads at once.
const CONNECTIONS: usize = 8;

struct Server {
    dir: tempfile::TempDir,
    port: u16,
}

impl Server {
    fn database_url(&self) -> String {
        format!("sqlite:{}", self.dir.path().join("kill.db").display())
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_leadline"));
        command
            .env("DATABASE_URL", self.database_url())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("LEPTOS_SITE_ROOT", self.dir.path().join("site"))
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("LEPTOS_OUTPUT_NAME", "leadline")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// Starts `leadline serve` and waits until it answers.
    #[expect(
        clippy::zombie_processes,
        reason = "the server is handed to the caller, who kills it and waits for it"
    )]
    async fn start(&self) -> Child {
        let mut command = self.command();
        command.arg("serve");
        let mut child = command.spawn().unwrap();
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let up = client
                .get(format!("http://127.0.0.1:{}/healthz", self.port))
                .timeout(Duration::from_secs(1))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                return child;
            }
            if Instant::now() >= deadline {
                child.kill().unwrap();
                child.wait().unwrap();
                panic!("the server did not start");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_lead_survives_the_server_being_killed_again_and_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site/pkg")).unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let server = Server { dir, port };
    // A source to post as: its key is the last line `leadline source add` prints.
    let added = server
        .command()
        .args(["source", "add", "--name", "Kill test"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(added.status.success());
    let key = String::from_utf8(added.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();

    // email → the lead id the server acknowledged for it.
    let acknowledged = Arc::new(Mutex::new(HashMap::<String, String>::new()));
    // Posts made, the last one of each connection in each cycle cut by the kill.
    let mut sent = 0_usize;
    for cycle in 0..CYCLES {
        let mut child = server.start().await;
        let posters: Vec<_> = (0..CONNECTIONS)
            .map(|connection| {
                let acknowledged = acknowledged.clone();
                let key = key.clone();
                let url = format!("http://127.0.0.1:{port}/api/v1/leads");
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    for n in 0.. {
                        let email = format!("k{cycle}-{connection}-{n}@kill.example");
                        let reply = client
                            .post(&url)
                            .bearer_auth(&key)
                            .timeout(Duration::from_secs(10))
                            .json(&serde_json::json!({ "name": format!("Killed {n}"), "email": email }))
                            .send()
                            .await;
                        // A connection the kill cut is no acknowledgement: the lead may or may
                        // not be there, and the sender would send it again.
                        let Ok(reply) = reply else { return n + 1 };
                        if reply.status() != reqwest::StatusCode::CREATED {
                            return n + 1;
                        }
                        let Ok(body) = reply.json::<serde_json::Value>().await else {
                            return n + 1;
                        };
                        let id = body["id"].as_str().unwrap().to_string();
                        acknowledged.lock().unwrap().insert(email, id);
                    }
                    unreachable!()
                })
            })
            .collect();
        // Kill it somewhere in the middle of the stream, at a different moment each cycle.
        tokio::time::sleep(Duration::from_millis(300 + 137 * cycle as u64)).await;
        child.kill().unwrap();
        child.wait().unwrap();
        for poster in posters {
            sent += poster.await.unwrap();
        }
    }

    // Every acknowledged lead is there, once, with the id it was acknowledged with.
    let db = leadline::server::store::connect(&server.database_url())
        .await
        .unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 50,
        "too few leads acknowledged ({}) for the test to mean anything",
        acknowledged.len()
    );
    let mut lost = Vec::new();
    for (email, id) in &acknowledged {
        let found: Vec<(String,)> = sqlx::query_as("SELECT id FROM leads WHERE email = $1")
            .bind(email)
            .fetch_all(&db)
            .await
            .unwrap();
        if found != [(id.clone(),)] {
            lost.push(format!("{email}: acknowledged as {id}, found {found:?}"));
        }
    }
    assert!(lost.is_empty(), "lost or doubled: {lost:?}");
    // And nothing appeared that was never posted.
    let (stored,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leads")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(stored as usize >= acknowledged.len() && stored as usize <= sent);
    println!(
        "{CYCLES} SIGKILLs under intake from {CONNECTIONS} connections: {} leads acknowledged, {stored} stored (of {sent} posted), 0 lost, none twice",
        acknowledged.len()
    );
}
