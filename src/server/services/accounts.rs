//! Accounts and sessions: adding users, signing in and out, and who a session cookie belongs to.

use super::{new_token, token_hash, ServiceError};
use crate::domain::contact::Email;
use crate::domain::role::{Role, User};
use crate::domain::throttle;
use crate::server::passwords::{Busy, Passwords};
use crate::server::store::{self, sessions, sign_ins, users};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;

/// The shortest password Leadline accepts.
pub const MIN_PASSWORD_LEN: usize = 10;

fn to_user(row: users::UserRow) -> User {
    User {
        id: row.id,
        name: row.name,
        email: row.email,
        role: row.role,
    }
}

/// Adds a user who can sign in with `password`.
#[tracing::instrument(skip_all, fields(email = %email, role = %role))]
pub async fn add_user(
    db: &SqlitePool,
    passwords: &Passwords,
    now: DateTime<Utc>,
    role: Role,
    email: &str,
    name: &str,
    password: &str,
) -> Result<User, ServiceError> {
    let mut errors = Vec::new();
    let email = Email::parse(email)
        .map_err(|e| {
            errors.push(crate::domain::intake::FieldError::new(
                "email",
                e.to_string(),
            ))
        })
        .ok();
    let name = crate::domain::text::clean_name(name);
    let name = name.as_str();
    if name.is_empty() {
        errors.push(crate::domain::intake::FieldError::new(
            "name",
            "is required",
        ));
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.push(crate::domain::intake::FieldError::new(
            "password",
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let row = users::UserRow {
        id: store::new_id(),
        email: email.to_string(),
        name: name.to_string(),
        role,
        password_hash: passwords.hash(password).await.map_err(busy)?,
        active: true,
    };
    match users::insert(db, &row, now).await {
        Err(e) if store::is_unique_violation(&e) => Err(ServiceError::invalid(
            "email",
            "is already used by another user",
        )),
        other => other.map(|()| to_user(row)).map_err(Into::into),
    }
}

/// The longest email address there can be (RFC 5321); anything longer is no account's.
const MAX_EMAIL_LEN: usize = 254;
/// Sessions one user may hold at once; signing in again ends the oldest beyond this.
const MAX_SESSIONS: i64 = 20;
/// Browsers remembered per account as ones it signed in from.
const MAX_TRUSTED_DEVICES: i64 = 20;

/// A sign-in as typed, and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The client's address as throttling counts it ([`throttle::address_key`]).
    pub address: &'a str,
    /// The token of the browser's device cookie, if it sent one.
    pub device: Option<&'a str>,
    /// The browser's own description (`User-Agent`), shown in the user's list of sessions.
    pub agent: &'a str,
}

/// A successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub user: User,
    /// The new session's token, for the session cookie.
    pub session: String,
    /// The device cookie's token: this browser is now one the account signed in from.
    pub device: String,
}

/// How a browser stands with the account it signs in to.
struct Device {
    /// The hash of the device cookie it sent, if any.
    hash: Option<String>,
    /// It signed in to this account before.
    trusted: bool,
}

async fn device_of(
    db: &SqlitePool,
    email: &str,
    attempt: &SignIn<'_>,
) -> Result<Device, ServiceError> {
    let hash = attempt.device.map(token_hash);
    let trusted = match &hash {
        Some(hash) => sign_ins::is_trusted_device(db, hash, email).await?,
        None => false,
    };
    Ok(Device { hash, trusted })
}

/// The throttles' answer for an attempt: wait this many seconds, or go ahead. A browser that
/// signed in to the account before answers only for its own failures there; any other answers
/// for the account's failures from all such browsers. Both answer for their address.
async fn throttled(
    db: &SqlitePool,
    now: DateTime<Utc>,
    email: &str,
    address: &str,
    device: &Device,
) -> Result<Option<u64>, ServiceError> {
    let (account, by_address) = (throttle::per_account(), throttle::per_address());
    let since = now - account.window;
    let failures = match (&device.hash, device.trusted) {
        (Some(hash), true) => sign_ins::device_failures(db, email, hash, since).await?,
        _ => sign_ins::account_failures(db, email, since).await?,
    };
    let address_failures = sign_ins::address_failures(db, address, now - by_address.window).await?;
    let waits = [
        account.check(failures, now),
        by_address.check(address_failures, now),
    ];
    Ok(waits.into_iter().filter_map(Result::err).max())
}

/// Every password worker stayed busy for the whole wait.
fn busy(busy: Busy) -> ServiceError {
    ServiceError::TooManyRequests {
        message: "Leadline is busy checking other sign-ins. Try again in a moment.".to_string(),
        retry_after: busy.retry_after,
    }
}

fn too_many(seconds: u64) -> ServiceError {
    ServiceError::TooManyRequests {
        message: throttle::wait_message(seconds),
        retry_after: seconds,
    }
}

/// Checks an email and password; on success opens a session.
///
/// Every check is recorded. Recent failures for the account and from the address make the next
/// attempt wait (see [`throttle`]), the right password included — except that a browser which
/// signed in to the account before (its device cookie) answers only for its own failures, so
/// an attacker cannot lock a person out of their own phone, and the owner signing in does not
/// clear an attacker's count. Unknown
/// emails are throttled and take as long as known ones, so neither the answer nor its timing
/// tells whether an account exists. Checks run on the bounded password pool: when it is
/// saturated the attempt is refused with a short wait, unchecked and unrecorded.
#[tracing::instrument(skip_all, fields(address = %attempt.address))]
pub async fn sign_in(
    db: &SqlitePool,
    passwords: &Passwords,
    now: DateTime<Utc>,
    session_days: i64,
    attempt: SignIn<'_>,
) -> Result<Signed, ServiceError> {
    let wrong = || ServiceError::WrongCredentials;
    let email = attempt.email.trim().to_lowercase();
    if email.len() > MAX_EMAIL_LEN {
        return Err(wrong());
    }
    let device = device_of(db, &email, &attempt).await?;
    if let Some(seconds) = throttled(db, now, &email, attempt.address, &device).await? {
        return Err(too_many(seconds));
    }
    let slot = passwords.slot().await.map_err(busy)?;
    // Asked again while holding the worker: attempts that queued together are counted one
    // after another, so a burst cannot slip past the throttle.
    if let Some(seconds) = throttled(db, now, &email, attempt.address, &device).await? {
        return Err(too_many(seconds));
    }
    let row = users::find_by_email(db, &email).await?;
    // An account whose password was reset (or never chosen) matches nothing, in the time
    // any other check takes.
    let matched = slot
        .matches(
            attempt.password,
            row.as_ref()
                .map(|r| r.password_hash.as_str())
                .filter(|hash| !hash.starts_with(NO_PASSWORD)),
        )
        .await;
    let user = row.filter(|row| matched && row.active);
    sign_ins::insert(
        db,
        &sign_ins::Attempt {
            at: now,
            email: &email,
            address: attempt.address,
            succeeded: user.is_some(),
            user_id: user.as_ref().map(|u| u.id.as_str()),
            device_hash: device.hash.as_deref(),
            via_trusted: device.trusted,
        },
    )
    .await?;
    drop(slot);
    let Some(row) = user else {
        tracing::info!("a sign-in failed");
        return Err(wrong());
    };
    let session = new_token("");
    // A device token is Leadline's own: one it never gave out is replaced, not adopted.
    let known = match &device.hash {
        Some(hash) => sign_ins::is_known_device(db, hash).await?,
        None => false,
    };
    let device = match attempt.device {
        Some(token) if known => token.to_string(),
        _ => new_token(""),
    };
    let mut tx = store::begin_write(db).await?;
    open_session(
        &mut tx,
        &session,
        &row.id,
        now,
        session_days,
        sessions::Origin {
            address: attempt.address,
            agent: attempt.agent,
        },
    )
    .await?;
    sign_ins::trust_device(
        &mut tx,
        &token_hash(&device),
        &email,
        now,
        MAX_TRUSTED_DEVICES,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user = %row.id, "signed in");
    Ok(Signed {
        user: to_user(row),
        session,
        device,
    })
}

/// Opens a session for `user_id` with the token `session`, ending their oldest beyond the
/// most one person may hold.
async fn open_session(
    tx: &mut store::Tx,
    session: &str,
    user_id: &str,
    now: DateTime<Utc>,
    session_days: i64,
    origin: sessions::Origin<'_>,
) -> Result<(), ServiceError> {
    let agent: String = origin.agent.chars().take(MAX_AGENT_CHARS).collect();
    let origin = sessions::Origin {
        agent: &agent,
        ..origin
    };
    sessions::insert(
        &mut **tx,
        &token_hash(session),
        user_id,
        now,
        now + Duration::days(session_days),
        origin,
    )
    .await?;
    sessions::keep_newest(tx, user_id, MAX_SESSIONS, now).await?;
    Ok(())
}

/// The most of a browser's `User-Agent` kept with its session.
const MAX_AGENT_CHARS: usize = 200;

/// A stored password hash that no password matches: a new user who has not chosen one yet, or
/// one whose password an admin reset.
pub const NO_PASSWORD: &str = "!";

/// The active user a session token belongs to, if the session has neither expired nor sat
/// unused since `idle_since`. The session counts as used now.
pub async fn session_user(
    db: &SqlitePool,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
    token: &str,
) -> Result<Option<User>, ServiceError> {
    user_of_session(db, now, idle_since, token, true).await
}

/// Whether a session is still good, without counting this as its use (an open live stream
/// checking on itself does not keep an unattended screen signed in).
pub async fn session_still_good(
    db: &SqlitePool,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
    token: &str,
) -> Result<bool, ServiceError> {
    Ok(user_of_session(db, now, idle_since, token, false)
        .await?
        .is_some())
}

async fn user_of_session(
    db: &SqlitePool,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
    token: &str,
    touch: bool,
) -> Result<Option<User>, ServiceError> {
    let Some(user_id) = sessions::user_of(db, &token_hash(token), now, idle_since, touch).await?
    else {
        return Ok(None);
    };
    Ok(users::find(db, &user_id)
        .await?
        .filter(|row| row.active)
        .map(to_user))
}

/// One of a user's sessions as they see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLine {
    /// Names the session to end it.
    pub key: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub address: String,
    pub agent: String,
    /// The session this request came with.
    pub current: bool,
}

/// The user's sessions still good at `now`, most recently used first.
pub async fn sessions_of(
    db: &SqlitePool,
    user_id: &str,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
    current_token: Option<&str>,
) -> Result<Vec<SessionLine>, ServiceError> {
    let current = current_token.map(token_hash);
    Ok(sessions::of_user(db, user_id, now, idle_since)
        .await?
        .into_iter()
        .map(|row| SessionLine {
            current: current.as_deref() == Some(row.token_hash.as_str()),
            key: row.key,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at.unwrap_or(row.created_at),
            address: row.address,
            agent: row.agent,
        })
        .collect())
}

/// Ends the session of `user_id` named `key`; answers its token hash (to end its live
/// streams) or `NotFound`.
pub async fn end_session(
    db: &SqlitePool,
    user_id: &str,
    key: &str,
) -> Result<String, ServiceError> {
    sessions::delete_by_key(db, user_id, key.trim())
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A password chosen through a one-time link.
#[derive(Debug, Clone, Copy)]
pub struct ChosenPassword<'a> {
    /// The link's token.
    pub token: &'a str,
    pub password: &'a str,
    pub address: &'a str,
    pub agent: &'a str,
}

/// The person a one-time link is for, while it is still good.
pub async fn link_holder(
    db: &SqlitePool,
    now: DateTime<Utc>,
    token: &str,
) -> Result<Option<User>, ServiceError> {
    let Some(user_id) = users::password_link_user(db, &token_hash(token), now).await? else {
        return Ok(None);
    };
    Ok(users::find(db, &user_id)
        .await?
        .filter(|row| row.active)
        .map(to_user))
}

/// Sets the password of the person a one-time link is for, uses the link up, ends their other
/// sessions and signs them in. A used, expired or unknown link is `NotFound`.
#[tracing::instrument(skip_all)]
pub async fn choose_password(
    db: &SqlitePool,
    passwords: &Passwords,
    now: DateTime<Utc>,
    session_days: i64,
    chosen: ChosenPassword<'_>,
) -> Result<Signed, ServiceError> {
    let user = link_holder(db, now, chosen.token)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if chosen.password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ServiceError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if chosen.password.chars().count() > MAX_PASSWORD_LEN {
        return Err(ServiceError::invalid(
            "password",
            format!("must be at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    let hash = passwords.hash(chosen.password).await.map_err(busy)?;
    let session = new_token("");
    let mut tx = store::begin_write(db).await?;
    if !users::use_password_link(&mut *tx, &token_hash(chosen.token), now).await? {
        return Err(ServiceError::NotFound);
    }
    users::set_password_hash(&mut *tx, &user.id, &hash).await?;
    sessions::delete_for_user(&mut *tx, &user.id).await?;
    sign_ins::forgive(&mut *tx, &user.email).await?;
    open_session(
        &mut tx,
        &session,
        &user.id,
        now,
        session_days,
        sessions::Origin {
            address: chosen.address,
            agent: chosen.agent,
        },
    )
    .await?;
    store::audit::record(
        &mut *tx,
        store::audit::Entry {
            at: now,
            actor_id: Some(&user.id),
            action: "password_set",
            subject: &user.email,
            detail: "through a one-time link",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Signed {
        user,
        session,
        device: new_token(""),
    })
}

/// The longest password Leadline hashes (a longer one is someone testing the server).
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Ends a session.
pub async fn sign_out(db: &SqlitePool, token: &str) -> Result<(), ServiceError> {
    sessions::delete(db, &token_hash(token)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt<'a>(email: &'a str, password: &'a str) -> SignIn<'a> {
        SignIn {
            email,
            password,
            address: "192.0.2.1",
            device: None,
            agent: "test",
        }
    }

    #[sqlx::test]
    async fn a_user_signs_in_with_the_right_password_only(db: SqlitePool) {
        let now = Utc::now();
        let passwords = Passwords::start(1, std::time::Duration::from_secs(5), 8);
        add_user(
            &db,
            &passwords,
            now,
            Role::Rep,
            "Rita@Acme.com",
            "Rita",
            "correct horse",
        )
        .await
        .unwrap();
        let Signed {
            user,
            session: token,
            ..
        } = sign_in(
            &db,
            &passwords,
            now,
            14,
            attempt("rita@acme.com", "correct horse"),
        )
        .await
        .unwrap();
        assert_eq!(user.role, Role::Rep);
        assert_eq!(
            session_user(&db, now, now - Duration::hours(8), &token)
                .await
                .unwrap()
                .map(|u| u.name),
            Some("Rita".to_string())
        );
        let err = sign_in(
            &db,
            &passwords,
            now,
            14,
            attempt("rita@acme.com", "wrong horse"),
        )
        .await
        .unwrap_err();
        assert_eq!(err.to_string(), "That email and password do not match.");
    }

    #[sqlx::test]
    async fn a_session_ends_at_sign_out_and_at_expiry(db: SqlitePool) {
        let now = Utc::now();
        let passwords = Passwords::start(1, std::time::Duration::from_secs(5), 8);
        add_user(
            &db,
            &passwords,
            now,
            Role::Manager,
            "m@acme.com",
            "Mo",
            "long enough pw",
        )
        .await
        .unwrap();
        let Signed { session: token, .. } = sign_in(
            &db,
            &passwords,
            now,
            1,
            attempt("m@acme.com", "long enough pw"),
        )
        .await
        .unwrap();
        let later = now + Duration::days(2);
        assert_eq!(
            session_user(&db, later, now - Duration::hours(8), &token)
                .await
                .unwrap(),
            None
        );
        sign_out(&db, &token).await.unwrap();
        assert_eq!(
            session_user(&db, now, now - Duration::hours(8), &token)
                .await
                .unwrap(),
            None
        );
    }

    #[sqlx::test]
    async fn a_short_password_and_a_bad_email_are_both_reported(db: SqlitePool) {
        let passwords = Passwords::start(1, std::time::Duration::from_secs(5), 8);
        let err = add_user(&db, &passwords, Utc::now(), Role::Rep, "nope", "N", "short")
            .await
            .unwrap_err();
        let ServiceError::Invalid(errors) = err else {
            panic!("expected field errors, got {err}");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["email", "password"]);
    }
}
