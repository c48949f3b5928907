//! `leadline bench-sign-in`: what the sign-in costs and withstands on this machine. Starts the
//! real server on a scratch database, then measures over HTTP how long a wrong password takes
//! for a known and an unknown email, and what a burst of concurrent wrong passwords from many
//! addresses does to the answers and to the server's resident memory; prints how many guesses
//! per hour the throttles let one address and one account make. Prints figures; the test
//! suite's `sign_in_burst` test asserts the memory bound.

use crate::domain::role::Role;
use crate::domain::throttle;
use crate::server::services::accounts;
use crate::server::state::AppState;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Kibibytes of a `/proc/self/status` line (`VmRSS:`, `VmHWM:`); 0 where there is none.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A sign-in over a fresh connection, from `address` (sent as `X-Forwarded-For`); the status.
async fn attempt(addr: SocketAddr, email: &str, address: &str) -> Result<u16, String> {
    let body = format!("email={email}&password=wrong+wrong+wrong");
    let request = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nX-Forwarded-For: {address}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&response);
    text.split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .ok_or_else(|| format!("no HTTP status in: {text}"))
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Runs the measurements against `state` (a scratch database; the server trusts
/// `X-Forwarded-For` so each attempt can come from an address of its own).
pub async fn run(state: AppState, burst: usize) -> Result<(), String> {
    let now = state.clock.now();
    for n in 0..5 {
        accounts::add_user(
            &state.db,
            &state.passwords,
            now,
            Role::Rep,
            &format!("rep{n}@bench.leadline"),
            "Bench Rep",
            "the right password",
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(crate::server::connections::serve(
        listener,
        state,
        std::future::pending(),
    ));

    // One wrong password each for known and unknown emails, from fresh addresses.
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for n in 0..5 {
        for (email, times) in [
            (format!("rep{n}@bench.leadline"), &mut known),
            (format!("nobody{n}@bench.leadline"), &mut unknown),
        ] {
            let started = Instant::now();
            let status = attempt(addr, &email, &format!("10.9.{n}.{}", times.len())).await?;
            times.push(started.elapsed());
            if status != 401 {
                return Err(format!("a wrong password was answered {status}, not 401"));
            }
        }
    }
    println!(
        "wrong password, median of 5: known email {:.1} ms, unknown email {:.1} ms",
        median(&mut known).as_secs_f64() * 1000.0,
        median(&mut unknown).as_secs_f64() * 1000.0
    );

    // The burst: every attempt from an address and for an email of its own, so no throttle
    // stops it and every one asks the password pool.
    let before = status_kib("VmRSS:");
    // Resets the peak ("high water mark") so it measures the burst only.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let started = Instant::now();
    let attempts = (0..burst).map(|n| {
        let email = format!("guess{n}@bench.leadline");
        let address = format!("10.{}.{}.7", n / 250, n % 250);
        async move { attempt(addr, &email, &address).await }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let took = started.elapsed();
    let peak = status_kib("VmHWM:");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = status_kib("VmRSS:");
    let count = |code: u16| statuses.iter().filter(|s| **s == Ok(code)).count();
    let other = burst - count(401) - count(429);
    println!(
        "{burst} concurrent wrong passwords from {burst} addresses in {:.2} s: {} checked and \
         refused (401), {} told to retry (429), {other} other",
        took.as_secs_f64(),
        count(401),
        count(429),
    );
    println!(
        "server resident memory: {} MiB before, peak {} MiB during, {} MiB after",
        before / 1024,
        peak / 1024,
        after / 1024
    );

    let per_hour = |limits| {
        let hours = throttle::fastest_guesses_per_hour(limits, 24);
        let first = hours.first().copied().unwrap_or(0);
        let most_later = hours.iter().skip(1).copied().max().unwrap_or(0);
        (first, most_later, hours.iter().sum::<usize>())
    };
    let (first, later, day) = per_hour(throttle::per_address());
    println!(
        "one address, guessing as fast as allowed: {first} guesses in the first hour, at most \
         {later} in any later hour, {day} a day"
    );
    let (first, later, day) = per_hour(throttle::per_account());
    println!(
        "one account, guessed as fast as allowed: {first} guesses in the first hour, at most \
         {later} in any later hour, {day} a day"
    );
    if other > 0 {
        return Err(format!(
            "{other} attempts were answered with neither 401 nor 429"
        ));
    }
    Ok(())
}
