//! `leadline bench-intake`: how fast leads come in over HTTP, beside what the disk allows.
//!
//! Starts the real server on a scratch database, posts `leads` new people through
//! `POST /api/v1/leads` from `connections` kept-alive connections at once, and prints leads a
//! second with the 50th and 99th percentile of the time each post took. Then, on another
//! scratch database with the same settings, a plain loop stores the same rows (the lead, its
//! place, its inquiry, its event), one transaction per lead: the most a one-transaction-per-lead
//! intake could reach. Prints figures; asserts nothing.

use crate::domain::intake::{self, RawInquiry};
use crate::domain::lead::{self, Owner, Reach};
use crate::domain::role::Role;
use crate::server::bench::spread;
use crate::server::services::{accounts, lifecycle, sources};
use crate::server::state::AppState;
use crate::server::store::{self, inquiries, leads, territories};
use chrono::Utc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The posted person number `n` (a new person every time).
fn person(run: &str, n: usize) -> String {
    format!(
        r#"{{"name":"Intake Bench {n}","email":"intake{n}.{run}@bench-company.example","company":"Bench Co {n}","message":"A quote please"}}"#
    )
}

/// Posts on one kept-alive connection; answers the status of each reply.
struct Poster {
    stream: BufReader<TcpStream>,
    host: String,
    key: String,
}

impl Poster {
    async fn open(addr: std::net::SocketAddr, key: &str) -> Result<Self, String> {
        let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Self {
            stream: BufReader::new(stream),
            host: addr.to_string(),
            key: key.to_string(),
        })
    }

    async fn post(&mut self, body: &str) -> Result<u16, String> {
        let request = format!(
            "POST /api/v1/leads HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            self.key,
            body.len()
        );
        let fail = |e: std::io::Error| e.to_string();
        self.stream
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .map_err(fail)?;
        let mut status_line = String::new();
        self.stream
            .read_line(&mut status_line)
            .await
            .map_err(fail)?;
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no HTTP reply: {status_line:?}"))?;
        let mut length = 0_usize;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.map_err(fail)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.map_err(fail)?;
        Ok(status)
    }
}

/// Runs the benchmark against `state` (a server on a scratch database).
pub async fn run(state: AppState, leads: usize, connections: usize) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    let now = Utc::now();
    let (_, key) = sources::add_source(&state.db, now, "Intake bench")
        .await
        .map_err(|e| fail(&e))?;
    for n in 0..10 {
        accounts::add_user(
            &state.db,
            &state.passwords,
            now,
            Role::Rep,
            &format!("rep{n}@bench.leadline"),
            &format!("Bench Rep {n}"),
            "intake-bench-pass",
        )
        .await
        .map_err(|e| fail(&e))?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| fail(&e))?;
    let addr = listener.local_addr().map_err(|e| fail(&e))?;
    tokio::spawn(crate::server::connections::serve(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    let run_tag = format!("{}", std::process::id());

    // Warm up: connections, caches, the first pages of the tables.
    let mut warm = Poster::open(addr, &key).await?;
    for n in 0..50 {
        warm.post(&person(&format!("warm{run_tag}"), n)).await?;
    }

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let next = next.clone();
        let key = key.clone();
        let run_tag = run_tag.clone();
        tasks.push(tokio::spawn(async move {
            let mut poster = Poster::open(addr, &key).await?;
            let mut timings = Vec::new();
            let mut refused = 0_usize;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= leads {
                    return Ok::<_, String>((timings, refused));
                }
                let body = person(&run_tag, n);
                let start = Instant::now();
                let status = poster.post(&body).await?;
                timings.push(start.elapsed());
                if status != 201 {
                    refused += 1;
                }
            }
        }));
    }
    let mut timings: Vec<Duration> = Vec::new();
    let mut refused = 0;
    for task in tasks {
        let (mut t, r) = task.await.map_err(|e| fail(&e))??;
        timings.append(&mut t);
        refused += r;
    }
    let took = started.elapsed();
    let rate = timings.len() as f64 / took.as_secs_f64();
    let spread = spread(&mut timings).ok_or("no post was timed")?;
    println!(
        "intake over HTTP: {} leads from {connections} connections in {:.2} s: {rate:.0} leads/s; \
         each post p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms{}",
        timings.len(),
        took.as_secs_f64(),
        spread.p50.as_secs_f64() * 1000.0,
        spread.p99.as_secs_f64() * 1000.0,
        spread.max.as_secs_f64() * 1000.0,
        if refused > 0 {
            format!(" ({refused} not answered 201)")
        } else {
            String::new()
        }
    );

    let raw = raw_loop(leads, &state).await?;
    println!(
        "raw loop, same database settings: {leads} leads, one transaction each (lead, place, \
         inquiry, event), in {:.2} s: {:.0} leads/s — intake reaches {:.0}% of it",
        raw.as_secs_f64(),
        leads as f64 / raw.as_secs_f64(),
        100.0 * rate / (leads as f64 / raw.as_secs_f64())
    );
    Ok(())
}

/// Stores `leads` leads with a plain loop on a scratch database: how long it took.
async fn raw_loop(leads: usize, state: &AppState) -> Result<Duration, String> {
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    let path = std::env::temp_dir().join(format!("leadline-raw-loop-{}.db", std::process::id()));
    let url = format!("sqlite:{}", path.display());
    let result = async {
        let db = store::connect(&url).await.map_err(|e| fail(&e))?;
        let now = Utc::now();
        let (source, _) = sources::add_source(&db, now, "Raw loop")
            .await
            .map_err(|e| fail(&e))?;
        let rep = accounts::add_user(
            &db,
            &state.passwords,
            now,
            Role::Rep,
            "raw@bench.leadline",
            "Raw Rep",
            "intake-bench-pass",
        )
        .await
        .map_err(|e| fail(&e))?;
        let policy = state.policy.get();
        // The same people as posted, checked once before the clock starts.
        let checked: Vec<_> = (0..leads)
            .map(|n| {
                let raw: RawInquiry =
                    serde_json::from_str(&person("raw", n)).map_err(|e| fail(&e))?;
                intake::check(raw, "US").map_err(|_| "a bench person does not pass".to_string())
            })
            .collect::<Result<_, _>>()?;
        let started = Instant::now();
        for inquiry in &checked {
            let now = Utc::now();
            let mut tx = store::begin_write(&db).await.map_err(|e| fail(&e))?;
            let email = inquiry.email_text();
            let reach = Reach::of(None, email.is_some(), &inquiry.place);
            let transition = lead::arrive(Owner::Rep(rep.id.clone()), reach, now, &policy);
            let contact = leads::LeadContact {
                id: store::new_id(),
                name: inquiry.display_name(),
                email: email.map(str::to_string),
                phone: None,
                company: inquiry.company.clone(),
                timeframe: inquiry.timeframe.clone(),
                free_mail: inquiry.free_mail(),
                source_id: source.id.clone(),
                received_at: now,
                follows: None,
            };
            leads::insert(&mut tx, &contact, &transition.state)
                .await
                .map_err(|e| fail(&e))?;
            territories::add_place(&mut tx, &contact.id, &inquiry.place)
                .await
                .map_err(|e| fail(&e))?;
            inquiries::insert(
                &mut *tx,
                &store::new_id(),
                &contact.id,
                &source.id,
                inquiry,
                now,
            )
            .await
            .map_err(|e| fail(&e))?;
            lifecycle::record_event(
                &mut tx,
                &contact.id,
                now,
                None,
                &transition.event,
                &transition.state,
                None,
            )
            .await
            .map_err(|e| fail(&e))?;
            tx.commit().await.map_err(|e| fail(&e))?;
        }
        Ok(started.elapsed())
    }
    .await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    result
}
