//! Settings, from defaults overridden by the environment.

use std::env;

/// How this server instance is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite:` URL of the database; `DATABASE_URL`, default `sqlite:leadline.db`.
    pub database_url: String,
    /// Region for phone numbers typed without a country code; `LEADLINE_PHONE_REGION`, default `US`.
    pub phone_region: String,
    /// Served over HTTPS (directly or behind a proxy): the session cookie is `Secure` and
    /// responses carry HSTS. `LEADLINE_HTTPS=1` (or the older `LEADLINE_SECURE_COOKIES=1`).
    pub https: bool,
    /// The address people open, e.g. `https://crm.acme.com`, when it differs from the `Host`
    /// the server sees (behind a proxy): posts must come from pages of this origin.
    /// `LEADLINE_PUBLIC_URL`; by default the request's own `Host`.
    pub public_origin: Option<String>,
    /// Take the client's address from the last `X-Forwarded-For` entry (set it only behind a
    /// proxy that writes that header); `LEADLINE_TRUST_PROXY=1`. Sign-in throttling counts
    /// failures per address.
    pub trust_proxy: bool,
    /// Connections served at once; `LEADLINE_MAX_CONNECTIONS`, default 4096 (open live
    /// screens count too; keep it under the process's file-descriptor limit).
    pub max_connections: usize,
    /// Connections one client address may hold at once, when the server faces its clients
    /// directly (not behind a trusted proxy); `LEADLINE_MAX_CONNECTIONS_PER_ADDRESS`, default
    /// 512 (an office behind one address shares it).
    pub max_connections_per_address: usize,
    /// How long a login lasts, in days; `LEADLINE_SESSION_DAYS`, default 14.
    pub session_days: i64,
    /// A login unused this long ends, in minutes; `LEADLINE_SESSION_IDLE_MINUTES`, default 480
    /// (a working day's gap: a phone left signed in overnight asks again in the morning).
    pub session_idle_minutes: i64,
    /// The team's time zone, for due times people read; `LEADLINE_TIMEZONE`, default `UTC`.
    pub timezone: chrono_tz::Tz,
    /// How often the scheduler applies due clock ticks, in seconds; `LEADLINE_TICK_SECONDS`,
    /// default 15.
    pub tick_seconds: u64,
    /// Leads one source may send a minute, by any door (the API, its hooks, its website
    /// form); more are answered `429` with `Retry-After`. `LEADLINE_SOURCE_POSTS_PER_MINUTE`,
    /// default 60,000 (1,000 a second: a runaway integration is stopped, a busy one is not).
    pub source_posts_per_minute: u32,
    /// Test-only: lets `POST /test/clock` move the server's clock. `LEADLINE_TEST_CLOCK=1`;
    /// never set it in production.
    pub test_clock: bool,
    /// Lets webhooks be sent to this machine and private networks (a receiver on the same
    /// host or office network); `LEADLINE_WEBHOOKS_PRIVATE=1`. Off by default: an admin's
    /// webhook cannot make the server post into its own network.
    pub webhooks_private: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite:leadline.db".to_string(),
            phone_region: "US".to_string(),
            https: false,
            public_origin: None,
            trust_proxy: false,
            max_connections: 4096,
            max_connections_per_address: 512,
            session_days: 14,
            session_idle_minutes: 480,
            timezone: chrono_tz::UTC,
            tick_seconds: 15,
            source_posts_per_minute: 60_000,
            test_clock: false,
            webhooks_private: false,
        }
    }
}

impl Config {
    /// Sessions last used before this are idle and end.
    pub fn idle_since(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        now - chrono::Duration::minutes(self.session_idle_minutes)
    }

    /// Defaults, overridden by whatever the environment sets.
    pub fn from_env() -> Self {
        let defaults = Self::default();
        Self {
            database_url: env::var("DATABASE_URL").unwrap_or(defaults.database_url),
            phone_region: env::var("LEADLINE_PHONE_REGION").unwrap_or(defaults.phone_region),
            https: ["LEADLINE_HTTPS", "LEADLINE_SECURE_COOKIES"]
                .iter()
                .any(|name| env::var(name).is_ok_and(|v| v == "1")),
            public_origin: env::var("LEADLINE_PUBLIC_URL")
                .ok()
                .map(|url| url.trim().trim_end_matches('/').to_string())
                .filter(|url| !url.is_empty()),
            trust_proxy: env::var("LEADLINE_TRUST_PROXY").is_ok_and(|v| v == "1"),
            max_connections: env::var("LEADLINE_MAX_CONNECTIONS")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(defaults.max_connections),
            max_connections_per_address: env::var("LEADLINE_MAX_CONNECTIONS_PER_ADDRESS")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(defaults.max_connections_per_address),
            session_days: env::var("LEADLINE_SESSION_DAYS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(defaults.session_days),
            session_idle_minutes: env::var("LEADLINE_SESSION_IDLE_MINUTES")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|m| *m > 0)
                .unwrap_or(defaults.session_idle_minutes),
            timezone: env::var("LEADLINE_TIMEZONE")
                .ok()
                .and_then(|tz| tz.parse().ok())
                .unwrap_or(defaults.timezone),
            tick_seconds: env::var("LEADLINE_TICK_SECONDS")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|s| *s > 0)
                .unwrap_or(defaults.tick_seconds),
            source_posts_per_minute: env::var("LEADLINE_SOURCE_POSTS_PER_MINUTE")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(defaults.source_posts_per_minute),
            test_clock: env::var("LEADLINE_TEST_CLOCK").is_ok_and(|v| v == "1"),
            webhooks_private: env::var("LEADLINE_WEBHOOKS_PRIVATE").is_ok_and(|v| v == "1"),
        }
    }
}
