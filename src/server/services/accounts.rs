//! Accounts and sessions: adding users, signing in and out, and who a session cookie belongs to.

use super::{new_token, token_hash, ServiceError};
use crate::domain::contact::Email;
use crate::domain::role::{Role, User};
use crate::server::store::{self, sessions, users};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
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

async fn hash_password(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
    .map_err(|e| ServiceError::Internal(e.to_string()))
}

async fn password_matches(password: String, stored: String) -> Result<bool, ServiceError> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Adds a user who can sign in with `password`.
#[tracing::instrument(skip_all, fields(email = %email, role = %role))]
pub async fn add_user(
    db: &SqlitePool,
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
    let name = name.trim();
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
        password_hash: hash_password(password.to_string()).await?,
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

/// Checks an email and password; on success opens a session and returns its token.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    db: &SqlitePool,
    now: DateTime<Utc>,
    session_days: i64,
    email: &str,
    password: &str,
) -> Result<(User, String), ServiceError> {
    let wrong = || ServiceError::Refused("That email and password do not match.".to_string());
    let normalised = email.trim().to_lowercase();
    let Some(row) = users::find_by_email(db, &normalised).await? else {
        return Err(wrong());
    };
    if !row.active || !password_matches(password.to_string(), row.password_hash.clone()).await? {
        return Err(wrong());
    }
    let token = new_token("");
    sessions::insert(
        db,
        &token_hash(&token),
        &row.id,
        now,
        now + Duration::days(session_days),
    )
    .await?;
    Ok((to_user(row), token))
}

/// The active user a session token belongs to, if the session is still valid.
pub async fn session_user(
    db: &SqlitePool,
    now: DateTime<Utc>,
    token: &str,
) -> Result<Option<User>, ServiceError> {
    let Some(user_id) = sessions::user_of(db, &token_hash(token), now).await? else {
        return Ok(None);
    };
    Ok(users::find(db, &user_id)
        .await?
        .filter(|row| row.active)
        .map(to_user))
}

/// Ends a session.
pub async fn sign_out(db: &SqlitePool, token: &str) -> Result<(), ServiceError> {
    sessions::delete(db, &token_hash(token)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test]
    async fn a_user_signs_in_with_the_right_password_only(db: SqlitePool) {
        let now = Utc::now();
        add_user(
            &db,
            now,
            Role::Rep,
            "Rita@Acme.com",
            "Rita",
            "correct horse",
        )
        .await
        .unwrap();
        let (user, token) = sign_in(&db, now, 14, "rita@acme.com", "correct horse")
            .await
            .unwrap();
        assert_eq!(user.role, Role::Rep);
        assert_eq!(
            session_user(&db, now, &token)
                .await
                .unwrap()
                .map(|u| u.name),
            Some("Rita".to_string())
        );
        let err = sign_in(&db, now, 14, "rita@acme.com", "wrong horse")
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "That email and password do not match.");
    }

    #[sqlx::test]
    async fn a_session_ends_at_sign_out_and_at_expiry(db: SqlitePool) {
        let now = Utc::now();
        add_user(
            &db,
            now,
            Role::Manager,
            "m@acme.com",
            "Mo",
            "long enough pw",
        )
        .await
        .unwrap();
        let (_, token) = sign_in(&db, now, 1, "m@acme.com", "long enough pw")
            .await
            .unwrap();
        let later = now + Duration::days(2);
        assert_eq!(session_user(&db, later, &token).await.unwrap(), None);
        sign_out(&db, &token).await.unwrap();
        assert_eq!(session_user(&db, now, &token).await.unwrap(), None);
    }

    #[sqlx::test]
    async fn a_short_password_and_a_bad_email_are_both_reported(db: SqlitePool) {
        let err = add_user(&db, Utc::now(), Role::Rep, "nope", "N", "short")
            .await
            .unwrap_err();
        let ServiceError::Invalid(errors) = err else {
            panic!("expected field errors, got {err}");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["email", "password"]);
    }
}
