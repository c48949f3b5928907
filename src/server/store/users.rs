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

/// Whether a rep can take a lead at `now`: active, able to sign in (a rep who has not chosen
/// a password yet, or whose password was reset, could not work it), not away, under
/// `capacity` open leads.
const AVAILABLE: &str = "u.role = 'rep' AND u.active AND substr(u.password_hash, 1, 1) <> '!'
    AND NOT (u.away_from IS NOT NULL AND u.away_from <= $2
             AND (u.away_until IS NULL OR u.away_until > $2))
    AND (SELECT COUNT(*) FROM leads l WHERE l.owner_kind = 'rep' AND l.owner_id = u.id
           AND l.stage NOT IN ('won', 'dead')) < COALESCE(u.capacity, $3)";

/// Round robin: of the reps who can take a lead at `now` (active, not away, under
/// `capacity`), the one given a lead longest ago (or never) takes the next one, and is marked
/// as just assigned — so a rep back from leave gets one lead and goes to the back of the line,
/// not a flood. `except` is left out (the rep a lead is taken from). `None` when nobody can.
pub async fn take_next_rep(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    except: Option<&str>,
    capacity: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    take_next_rep_in(conn, now, except, capacity, None).await
}

/// Round robin among the reps of `territory` (every rep when `None`).
pub async fn take_next_rep_in(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    except: Option<&str>,
    capacity: i64,
    territory: Option<&str>,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let rep: Option<(String, String)> = sqlx::query_as(&format!(
        "SELECT u.id, u.name FROM users u
         WHERE {AVAILABLE} AND ($1 IS NULL OR u.id <> $1) AND ($4 IS NULL OR u.territory = $4)
         ORDER BY u.assigned_seq, u.id LIMIT 1"
    ))
    .bind(except)
    .bind(now)
    .bind(capacity)
    .bind(territory)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id, _)) = &rep {
        mark_assigned(&mut *conn, id, now).await?;
    }
    Ok(rep)
}

/// Whether the rep `id` can take a lead at `now` (active, not away, under `capacity`).
pub async fn can_take_lead(
    db: impl SqliteExecutor<'_>,
    id: &str,
    now: DateTime<Utc>,
    capacity: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT u.id FROM users u WHERE u.id = $1 AND {AVAILABLE}"
    ))
    .bind(id)
    .bind(now)
    .bind(capacity)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Whether any rep can take a lead at `now`.
pub async fn anyone_can_take_lead(
    db: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
    capacity: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT u.id FROM users u WHERE $1 IS NULL AND {AVAILABLE} LIMIT 1"
    ))
    // AVAILABLE numbers its parameters from $2 (now, capacity); $1 is an unused slot.
    .bind(Option::<&str>::None)
    .bind(now)
    .bind(capacity)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Whether the user is marked away at `now`.
pub async fn is_away(
    db: impl SqliteExecutor<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM users WHERE id = $1 AND away_from IS NOT NULL AND away_from <= $2
           AND (away_until IS NULL OR away_until > $2)",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Notes that the rep was just given a lead (round robin's order).
pub async fn mark_assigned(
    db: impl SqliteExecutor<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET last_assigned_at = $1,
            assigned_seq = (SELECT COALESCE(MAX(assigned_seq), 0) + 1 FROM users)
         WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// A rep as a manager chooses whom to give a lead: open leads held, and whether they can take
/// one more at `now` (active, not away, under `capacity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepLoad {
    pub id: String,
    pub name: String,
    pub open: i64,
    pub available: bool,
}

/// Every active rep with their load, by name.
pub async fn reps_with_load(
    db: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
    capacity: i64,
) -> Result<Vec<RepLoad>, sqlx::Error> {
    type Row = (
        String,
        String,
        i64,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.name,
                (SELECT COUNT(*) FROM leads l WHERE l.owner_kind = 'rep' AND l.owner_id = u.id
                   AND l.stage NOT IN ('won', 'dead')),
                u.away_from, u.away_until, u.capacity
         FROM users u WHERE u.role = 'rep' AND u.active AND substr(u.password_hash, 1, 1) <> '!'
         ORDER BY u.name",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, open, from, until, own_capacity)| {
            let away =
                from.is_some_and(|from| from <= now) && until.is_none_or(|until| until > now);
            RepLoad {
                id,
                name,
                open,
                available: !away && open < own_capacity.unwrap_or(capacity),
            }
        })
        .collect())
}

/// Marks a user away from `from` until `until` (no new leads meanwhile); `None`s clear it.
pub async fn set_away(
    db: impl SqliteExecutor<'_>,
    id: &str,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET away_from = $2, away_until = $3 WHERE id = $1")
        .bind(id)
        .bind(from)
        .bind(until)
        .execute(db)
        .await?;
    Ok(())
}

/// Switches a user off: they can no longer sign in or be given leads.
pub async fn deactivate(db: impl SqliteExecutor<'_>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET active = FALSE WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
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

/// Moves a rep to another territory, keeping their quota.
pub async fn set_territory_only(
    db: impl SqliteExecutor<'_>,
    user_id: &str,
    territory: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET territory = $2 WHERE id = $1")
        .bind(user_id)
        .bind(territory)
        .execute(db)
        .await?;
    Ok(())
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

/// A user as the people screen lists them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub territory: String,
    pub monthly_quota: i64,
    pub capacity: Option<i64>,
    pub away_from: Option<DateTime<Utc>>,
    pub away_until: Option<DateTime<Utc>>,
    /// Open leads they hold.
    pub open: i64,
    /// Their most recent sign-in.
    pub last_sign_in: Option<DateTime<Utc>>,
    /// Whether they have yet to choose a password (an unused, unexpired link is out).
    pub link_pending: bool,
}

/// Everyone, active first, by role then name.
pub async fn people(
    db: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Person>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.role, u.active, u.territory, u.monthly_quota,
                u.capacity, u.away_from, u.away_until,
                (SELECT COUNT(*) FROM leads l WHERE l.owner_kind = 'rep' AND l.owner_id = u.id
                   AND l.stage NOT IN ('won', 'dead')) AS open,
                (SELECT MAX(a.at) FROM sign_in_attempts a WHERE a.user_id = u.id AND a.succeeded)
                   AS last_sign_in,
                EXISTS (SELECT 1 FROM password_links p WHERE p.user_id = u.id
                   AND p.used_at IS NULL AND p.expires_at > $1) AS link_pending
         FROM users u ORDER BY u.active DESC, u.role, u.name",
    )
    .bind(now)
    .fetch_all(db)
    .await
}

/// What an admin may change about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile<'a> {
    pub name: &'a str,
    pub role: Role,
    pub territory: &'a str,
    pub monthly_quota: i64,
    pub capacity: Option<i64>,
}

pub async fn set_profile(
    db: impl SqliteExecutor<'_>,
    id: &str,
    profile: &Profile<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET name = $2, role = $3, territory = $4, monthly_quota = $5, capacity = $6
         WHERE id = $1",
    )
    .bind(id)
    .bind(profile.name)
    .bind(profile.role.as_str())
    .bind(profile.territory)
    .bind(profile.monthly_quota)
    .bind(profile.capacity)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_password_hash(
    db: impl SqliteExecutor<'_>,
    id: &str,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Switches a user back on.
pub async fn reactivate(db: impl SqliteExecutor<'_>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET active = TRUE WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Stores a one-time link to set a password, ending the user's earlier unused ones.
pub async fn insert_password_link(
    conn: &mut SqliteConnection,
    token_hash: &str,
    user_id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE password_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO password_links (token_hash, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user an unused, unexpired link is for.
pub async fn password_link_user(
    db: impl SqliteExecutor<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT user_id FROM password_links
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Uses up a link: true when it was still good (only one of two racing uses wins).
pub async fn use_password_link(
    db: impl SqliteExecutor<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE password_links SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
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
        // All in one instant, as a batch of missed first calls at opening is.
        for _ in 0..4 {
            let at = now;
            names.push(
                take_next_rep(&mut conn, at, None, 40)
                    .await
                    .unwrap()
                    .unwrap()
                    .1,
            );
        }
        assert_eq!(names, vec!["a@x.com", "b@x.com", "a@x.com", "b@x.com"]);
    }

    #[sqlx::test]
    async fn with_no_active_rep_nobody_is_taken(db: SqlitePool) {
        insert(&db, &user("m@x.com", Role::Manager), Utc::now())
            .await
            .unwrap();
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(
            take_next_rep(&mut conn, Utc::now(), None, 40)
                .await
                .unwrap(),
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
            take_next_rep(&mut conn, now, Some(&a.id), 40)
                .await
                .unwrap(),
            None
        );
        insert(&db, &user("b@x.com", Role::Rep), now).await.unwrap();
        let taken = take_next_rep(&mut conn, now, Some(&a.id), 40)
            .await
            .unwrap();
        assert_eq!(taken.map(|(_, name)| name), Some("b@x.com".to_string()));
    }

    #[sqlx::test]
    async fn a_rep_away_or_switched_off_is_given_nothing_and_is_back_on_return(db: SqlitePool) {
        let now = Utc::now();
        let (a, b) = (user("a@x.com", Role::Rep), user("b@x.com", Role::Rep));
        insert(&db, &a, now).await.unwrap();
        insert(&db, &b, now).await.unwrap();
        let back = now + chrono::Duration::days(7);
        set_away(&db, &a.id, Some(now), Some(back)).await.unwrap();
        deactivate(&db, &b.id).await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(take_next_rep(&mut conn, now, None, 40).await.unwrap(), None);
        assert!(!can_take_lead(&mut *conn, &a.id, now, 40).await.unwrap());
        let taken = take_next_rep(&mut conn, back, None, 40).await.unwrap();
        assert_eq!(taken.map(|(_, name)| name), Some("a@x.com".to_string()));
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
