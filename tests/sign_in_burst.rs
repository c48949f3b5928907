//! A burst of concurrent wrong-password sign-ins from many addresses, in a process of its own
//! so its resident memory can be read: every request gets a 4xx, and the server's memory stays
//! bounded by the password pool (a few checks of ~19 MiB each), not by the burst.

#![cfg(feature = "ssr")]
#![expect(
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first surprise"
)]

#[path = "http/common.rs"]
#[expect(
    dead_code,
    reason = "shared with the HTTP tests; this test uses a part of it"
)]
mod common;

use common::spawn_app_with;
use futures_util::future::join_all;
use leadline::domain::role::Role;
use std::time::Instant;

/// Kibibytes of a `/proc/self/status` line (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_128_wrong_passwords_gets_only_4xx_and_leaves_memory_flat() {
    // Each request claims its own address (as a botnet would), so the per-address throttle
    // does not stop the burst and every attempt reaches the password pool.
    let app = spawn_app_with(|config, _| config.trust_proxy = true).await;
    app.add_user(Role::Rep, "rita@acme.test").await;
    let attempt = |n: usize| {
        let url = format!("{}/api/auth/login", app.url);
        async move {
            common::client()
                .post(url)
                .header("Accept", "application/json")
                .header("X-Forwarded-For", format!("10.{}.{}.1", n / 250, n % 250))
                .form(&[
                    ("email", format!("guess{n}@acme.test")),
                    ("password", "wrong wrong".to_string()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // A first round brings the pool's workers and their memory into use.
    for status in join_all((0..8).map(|n| attempt(10_000 + n))).await {
        assert!(status.is_client_error(), "{status}");
    }
    let before = status_kib("VmRSS:");
    let started = Instant::now();
    let statuses = join_all((0..128).map(attempt)).await;
    let took = started.elapsed();
    let after = status_kib("VmRSS:");
    let peak = status_kib("VmHWM:");
    let refused = statuses.iter().filter(|s| s.as_u16() == 401).count();
    let busy = statuses.iter().filter(|s| s.as_u16() == 429).count();
    println!(
        "128 concurrent wrong passwords in {took:?}: {refused} checked and refused, {busy} told to retry; \
         resident {} MiB before, {} MiB after, peak {} MiB",
        before / 1024,
        after / 1024,
        peak / 1024
    );
    assert_eq!(refused + busy, 128, "only 401 and 429: {statuses:?}");
    assert!(refused > 0, "some attempts were checked");
    assert!(
        peak < before + 100 * 1024,
        "peak {peak} KiB is within 100 MiB of {before} KiB"
    );
    assert!(
        after < before + 64 * 1024,
        "{after} KiB after, {before} KiB before"
    );
}
