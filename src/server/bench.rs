//! `leadline bench`: measures the boards and the rep queue on a large database, and the live
//! fan-out to hundreds of open boards. Prints figures; asserts nothing. Services are called
//! directly (not through the board cache) so each figure is the real cost of a fresh read.

use crate::domain::board::Basis;
use crate::domain::cadence::Policy;
use crate::domain::role::{Role, User};
use crate::server::services::{accounts, boards, sources, work, ServiceError};
use crate::server::snapshot::{Snapshot, KEEP_DAYS};
use crate::server::store::users;
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;
use std::future::Future;
use std::time::{Duration, Instant};

/// Percentiles of a set of timings.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

/// Nearest-rank percentiles of `samples` (sorted here).
pub fn spread(samples: &mut [Duration]) -> Option<Spread> {
    if samples.is_empty() {
        return None;
    }
    samples.sort();
    let rank = |p: f64| {
        let i = ((p / 100.0) * samples.len() as f64).ceil() as usize;
        samples[i.clamp(1, samples.len()) - 1]
    };
    Some(Spread {
        p50: rank(50.0),
        p95: rank(95.0),
        p99: rank(99.0),
        max: samples[samples.len() - 1],
    })
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn report(name: &str, samples: &mut [Duration]) {
    if let Some(s) = spread(samples) {
        println!(
            "{name:<34} n={:<4} p50 {:>10}  p95 {:>10}  p99 {:>10}  max {:>10}",
            samples.len(),
            ms(s.p50),
            ms(s.p95),
            ms(s.p99),
            ms(s.max)
        );
    }
}

async fn time<T, F, Fut>(runs: usize, mut f: F) -> Result<Vec<Duration>, ServiceError>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    // Two warm-up reads fill SQLite's page cache, as on a running server.
    for i in 0..2 {
        f(i).await?;
    }
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let start = Instant::now();
        f(i).await?;
        samples.push(start.elapsed());
    }
    Ok(samples)
}

/// Times every board and the rep queue `runs` times each, as of `now`.
pub async fn boards(
    db: &SqlitePool,
    policy: &Policy,
    now: DateTime<Utc>,
    runs: usize,
) -> Result<(), ServiceError> {
    let counts: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM leads),
                (SELECT COUNT(*) FROM leads WHERE stage NOT IN ('won', 'dead')),
                (SELECT COUNT(*) FROM users WHERE role = 'rep')",
    )
    .fetch_one(db)
    .await?;
    println!(
        "database: {} leads ({} open), {} reps; {runs} timed reads each after 2 warm-up reads",
        counts.0, counts.1, counts.2
    );
    let started = Instant::now();
    let snapshot = Snapshot::load(db, now).await?;
    let (open, assignments) = snapshot.read(|f| {
        (
            f.open.len(),
            f.assignments.values().map(Vec::len).sum::<usize>(),
        )
    });
    println!(
        "board snapshot: {open} open leads and {assignments} assignments of the last {KEEP_DAYS} days loaded in {} (once, at start)",
        ms(started.elapsed())
    );
    report(
        "aging board (since inquiry)",
        &mut time(runs, |_| async {
            Ok(boards::aging(&snapshot, Basis::Inquiry, now))
        })
        .await?,
    );
    report(
        "aging board (since real touch)",
        &mut time(runs, |_| async {
            Ok(boards::aging(&snapshot, Basis::RealTouch, now))
        })
        .await?,
    );
    for days in [7, 30, 90] {
        report(
            &format!("compliance board ({days} days)"),
            &mut time(runs, |_| {
                boards::compliance(db, &snapshot, policy, days, now)
            })
            .await?,
        );
    }
    report(
        "bias watch (30 days)",
        &mut time(runs, |_| boards::bias_watch(db, &snapshot, policy, 30, now)).await?,
    );
    report(
        "capacity & forecast",
        &mut time(runs.min(20), |_| {
            boards::outlook(db, &snapshot, policy, now)
        })
        .await?,
    );
    let lead = snapshot.read(|f| f.open.keys().next().cloned());
    if let Some(lead) = lead {
        report(
            "snapshot: re-read one changed lead",
            &mut time(runs, |_| async {
                Ok(snapshot.refresh_lead(db, &lead, now).await?)
            })
            .await?,
        );
    }
    let mut reps: Vec<User> = Vec::new();
    for id in users::active_ids(db, Role::Rep).await? {
        if let Some(row) = users::find(db, &id).await? {
            reps.push(User {
                id: row.id,
                name: row.name,
                email: row.email,
                role: row.role,
            });
        }
    }
    if !reps.is_empty() {
        let queue_runs = runs * 4;
        let policy = crate::domain::cadence::Policy::default();
        let mut sizes = 0usize;
        let mut samples = time(queue_runs, |i| {
            let rep = &reps[(i * 7919) % reps.len()];
            let policy = &policy;
            async move { work::queue_for(db, rep, chrono::Utc::now(), policy).await }
        })
        .await?;
        for rep in reps.iter().take(10) {
            sizes += work::queue_for(db, rep, chrono::Utc::now(), &policy)
                .await?
                .len();
        }
        report("rep queue (one rep's open leads)", &mut samples);
        println!(
            "  (reps hold about {} open leads each)",
            sizes / reps.len().min(10)
        );
    }
    Ok(())
}

/// Holds `connections` live streams open on a real server and posts a lead through the
/// intake API every `every` for `posts` times; reports how long each stream took to hear of
/// each lead, and whether every stream heard of every lead.
pub async fn live(
    db: SqlitePool,
    state: crate::server::state::AppState,
    connections: usize,
    posts: usize,
    every: Duration,
) -> Result<(), String> {
    use std::collections::HashMap;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    let now = Utc::now();
    let (source, key) = sources::add_source(&db, now, "Bench form")
        .await
        .map_err(|e| fail(&e))?;
    let _ = source;
    accounts::add_user(
        &db,
        &state.passwords,
        now,
        Role::Manager,
        "live@bench.leadline",
        "Live Bench",
        "live-bench-pass",
    )
    .await
    .map_err(|e| fail(&e))?;
    accounts::add_user(
        &db,
        &state.passwords,
        now,
        Role::Rep,
        "rep@bench.leadline",
        "Bench Rep",
        "live-bench-pass",
    )
    .await
    .map_err(|e| fail(&e))?;
    let attempt = accounts::SignIn {
        email: "live@bench.leadline",
        password: "live-bench-pass",
        address: "bench",
        device: None,
        agent: "bench",
    };
    let token = accounts::sign_in(&db, &state.passwords, now, 1, attempt)
        .await
        .map_err(|e| fail(&e))?
        .session;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| fail(&e))?;
    let addr = listener.local_addr().map_err(|e| fail(&e))?;
    tokio::spawn(async move {
        let _ = crate::server::connections::serve(listener, state, std::future::pending()).await;
    });

    let (heard_tx, mut heard_rx) =
        tokio::sync::mpsc::unbounded_channel::<(usize, String, Instant)>();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<usize>();
    for n in 0..connections {
        let heard = heard_tx.clone();
        let ready = ready_tx.clone();
        let token = token.clone();
        tokio::spawn(async move {
            let Ok(mut stream) = TcpStream::connect(addr).await else {
                return;
            };
            let request = format!(
                "GET /live HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {}={token}\r\n\r\n",
                crate::server::request::SESSION_COOKIE
            );
            if stream.write_all(request.as_bytes()).await.is_err() {
                return;
            }
            let mut buffer = String::new();
            let mut chunk = vec![0u8; 8192];
            loop {
                let Ok(read) = stream.read(&mut chunk).await else {
                    return;
                };
                if read == 0 {
                    return;
                }
                let at = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk[..read]));
                // Events end with a blank line; handle each complete one.
                while let Some(end) = buffer.find("\n\n") {
                    let event: String = buffer.drain(..end + 2).collect();
                    if event.contains("event: ready") {
                        let _ = ready.send(n);
                    } else if event.contains("event: change") {
                        if let Some(id) = event.lines().find_map(|line| line.strip_prefix("data: "))
                        {
                            let _ = heard.send((n, id.trim().to_string(), at));
                        }
                    }
                }
            }
        });
    }
    drop(heard_tx);
    let mut ready = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while ready < connections && Instant::now() < deadline {
        if tokio::time::timeout(Duration::from_secs(1), ready_rx.recv())
            .await
            .ok()
            .flatten()
            .is_some()
        {
            ready += 1;
        }
    }
    println!("{ready} of {connections} board streams open on http://{addr}/live");

    let mut posted: HashMap<String, Instant> = HashMap::new();
    let mut ticker = tokio::time::interval(every);
    for i in 0..posts {
        ticker.tick().await;
        let body = format!(
            r#"{{"name":"Live Bench {i}","email":"live{i}@bench-company.example","company":"Bench Co"}}"#
        );
        let request = format!(
            "POST /api/v1/leads HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let start = Instant::now();
        let mut stream = TcpStream::connect(addr).await.map_err(|e| fail(&e))?;
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| fail(&e))?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .await
            .map_err(|e| fail(&e))?;
        let id = response
            .split("\"id\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| format!("the intake API did not accept lead {i}: {response}"))?;
        posted.insert(id.to_string(), start);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut delays = Vec::new();
    let mut heard_by: HashMap<String, usize> = HashMap::new();
    while let Ok((_, id, at)) = heard_rx.try_recv() {
        if let Some(start) = posted.get(&id) {
            delays.push(at.saturating_duration_since(*start));
            *heard_by.entry(id).or_default() += 1;
        }
    }
    let expected = posts * connections;
    let complete = posted
        .keys()
        .filter(|id| heard_by.get(*id).copied() == Some(connections))
        .count();
    println!(
        "{} leads posted, one every {:?}; {} of {expected} deliveries arrived; {complete} of {} leads reached every stream",
        posted.len(),
        every,
        delays.len(),
        posted.len()
    );
    report("post → delivery on each stream", &mut delays);
    Ok(())
}
