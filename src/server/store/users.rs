//! People who sign in: reps, marketing, managers, qualifiers and admins.

use crate::domain::role::Role;
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
}

type Raw = (String, String, String, String, String, bool);

fn from_raw((id, email, name, role, password_hash, active): Raw) -> Result<UserRow, sqlx::Error> {
    let role = role.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(UserRow {
        id,
        email,
        name,
        role,
        password_hash,
        active,
    })
}

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, email, name, role, password_hash, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.name)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .bind(user.active)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find_by_email(
    db: impl SqliteExecutor<'_>,
    email: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, Raw>(
        "SELECT id, email, name, role, password_hash, active FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(db)
    .await?
    .map(from_raw)
    .transpose()
}

pub async fn find(db: impl SqliteExecutor<'_>, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, Raw>(
        "SELECT id, email, name, role, password_hash, active FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    .map(from_raw)
    .transpose()
}

/// Every user, by role then name.
pub async fn list(db: impl SqliteExecutor<'_>) -> Result<Vec<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, Raw>(
        "SELECT id, email, name, role, password_hash, active FROM users ORDER BY role, name",
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(from_raw)
    .collect()
}

/// Round robin: the active rep who was given a lead longest ago (or never) takes the next one,
/// and is marked as just assigned. `except` is left out (the rep a lead is taken from).
/// `None` when there is no such rep.
pub async fn take_next_rep(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let rep: Option<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM users WHERE role = 'rep' AND active AND ($1 IS NULL OR id <> $1)
         ORDER BY last_assigned_at IS NOT NULL, last_assigned_at, id LIMIT 1",
    )
    .bind(except)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id, _)) = &rep {
        sqlx::query("UPDATE users SET last_assigned_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(rep)
}

/// Ids of the active users with `role`.
pub async fn active_ids(
    db: impl SqliteExecutor<'_>,
    role: Role,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE role = $1 AND active ORDER BY id")
            .bind(role.as_str())
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Whether `id` is an active rep who can take a lead.
pub async fn is_active_rep(db: impl SqliteExecutor<'_>, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE id = $1 AND role = 'rep' AND active")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// Sets a rep's territory and monthly quota.
pub async fn set_territory(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
    territory: &str,
    monthly_quota: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET territory = $2, monthly_quota = $3 WHERE id = $1")
        .bind(user_id)
        .bind(territory)
        .bind(monthly_quota)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::new_id;
    use sqlx::SqlitePool;

    fn user(email: &str, role: Role) -> UserRow {
        UserRow {
            id: new_id(),
            email: email.to_string(),
            name: email.to_string(),
            role,
            password_hash: "x".to_string(),
            active: true,
        }
    }

    #[sqlx::test]
    async fn round_robin_gives_each_active_rep_a_turn_and_skips_others(db: SqlitePool) {
        let now = Utc::now();
        for (email, role) in [
            ("a@x.com", Role::Rep),
            ("b@x.com", Role::Rep),
            ("m@x.com", Role::Manager),
        ] {
            insert(&db, &user(email, role), now).await.unwrap();
        }
        let mut conn = db.acquire().await.unwrap();
        let mut names = Vec::new();
        for i in 0..4 {
            let at = now + chrono::Duration::seconds(i);
            names.push(take_next_rep(&mut conn, at, None).await.unwrap().unwrap().1);
        }
        names.sort();
        assert_eq!(names, vec!["a@x.com", "a@x.com", "b@x.com", "b@x.com"]);
    }

    #[sqlx::test]
    async fn with_no_active_rep_nobody_is_taken(db: SqlitePool) {
        insert(&db, &user("m@x.com", Role::Manager), Utc::now())
            .await
            .unwrap();
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(
            take_next_rep(&mut conn, Utc::now(), None).await.unwrap(),
            None
        );
    }

    #[sqlx::test]
    async fn the_rep_a_lead_is_taken_from_is_never_given_it_back(db: SqlitePool) {
        let now = Utc::now();
        let a = user("a@x.com", Role::Rep);
        insert(&db, &a, now).await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(
            take_next_rep(&mut conn, now, Some(&a.id)).await.unwrap(),
            None
        );
        insert(&db, &user("b@x.com", Role::Rep), now).await.unwrap();
        let taken = take_next_rep(&mut conn, now, Some(&a.id)).await.unwrap();
        assert_eq!(taken.map(|(_, name)| name), Some("b@x.com".to_string()));
    }

    #[sqlx::test]
    async fn two_users_cannot_share_an_email(db: SqlitePool) {
        insert(&db, &user("a@x.com", Role::Rep), Utc::now())
            .await
            .unwrap();
        let err = insert(&db, &user("a@x.com", Role::Manager), Utc::now())
            .await
            .unwrap_err();
        assert!(crate::server::store::is_unique_violation(&err));
    }
}
