//! The team's own settings, one row.

use sqlx::SqliteExecutor;

/// The currency the team's amounts are in ("USD").
pub async fn currency(db: impl SqliteExecutor<'_>) -> Result<String, sqlx::Error> {
    let (code,): (String,) = sqlx::query_as("SELECT currency FROM team_settings WHERE id = 1")
        .fetch_one(db)
        .await?;
    Ok(code)
}

pub async fn set_currency(db: impl SqliteExecutor<'_>, code: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE team_settings SET currency = $1 WHERE id = 1")
        .bind(code)
        .execute(db)
        .await?;
    Ok(())
}
