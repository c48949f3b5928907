//! Use cases. Each one owns its transaction, reads the time from the clock once, and applies
//! the domain's rules; none of them knows about HTTP.

pub mod accounts;
pub mod alerts;
pub mod audit;
pub mod boards;
pub mod demo;
pub mod generate;
pub mod housekeeping;
pub mod imports;
pub mod intake;
pub mod lifecycle;
pub mod nurture;
pub mod policy;
pub mod routing;
pub mod scheduler;
pub mod sources;
pub mod team;
pub mod territories;
pub mod touches;
pub mod webhooks;
pub mod work;

use crate::domain::intake::FieldError;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A rule of follow-up said no; the text is for the user.
    #[error("{0}")]
    Refused(String),
    /// A sign-in whose email and password do not match.
    #[error("That email and password do not match.")]
    WrongCredentials,
    /// Too many attempts; the text says how long to wait.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<crate::domain::access::Denied> for ServiceError {
    fn from(denied: crate::domain::access::Denied) -> Self {
        match denied {
            crate::domain::access::Denied::NotVisible => Self::NotFound,
            crate::domain::access::Denied::NotTheirs(why) => Self::Forbidden(why.to_string()),
        }
    }
}

/// SHA-256 of a secret token, as stored in place of the token.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// SHA-256 of some bytes (a file), hex-encoded.
pub fn token_hash_bytes(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A new random secret of 32 bytes, hex-encoded, with a readable prefix.
pub fn new_token(prefix: &str) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}
