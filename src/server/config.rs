//! Settings, from defaults overridden by the environment.

use std::env;

/// How this server instance is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite:` URL of the database; `DATABASE_URL`, default `sqlite:leadline.db`.
    pub database_url: String,
    /// Region for phone numbers typed without a country code; `LEADLINE_PHONE_REGION`, default `US`.
    pub phone_region: String,
    /// Mark the session cookie `Secure` (behind HTTPS); `LEADLINE_SECURE_COOKIES=1`.
    pub secure_cookies: bool,
    /// How long a login lasts, in days; `LEADLINE_SESSION_DAYS`, default 14.
    pub session_days: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite:leadline.db".to_string(),
            phone_region: "US".to_string(),
            secure_cookies: false,
            session_days: 14,
        }
    }
}

impl Config {
    /// Defaults, overridden by whatever the environment sets.
    pub fn from_env() -> Self {
        let defaults = Self::default();
        Self {
            database_url: env::var("DATABASE_URL").unwrap_or(defaults.database_url),
            phone_region: env::var("LEADLINE_PHONE_REGION").unwrap_or(defaults.phone_region),
            secure_cookies: env::var("LEADLINE_SECURE_COOKIES").is_ok_and(|v| v == "1"),
            session_days: env::var("LEADLINE_SESSION_DAYS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(defaults.session_days),
        }
    }
}
