//! Imported lists: the file, how its columns are read, how far the import got, and what became
//! of each row.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// An import as stored (without the file).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRow {
    pub id: String,
    pub file_name: String,
    pub source_id: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub encoding: String,
    pub delimiter: String,
    /// JSON array of column keys.
    pub mapping: String,
    pub total_rows: i64,
    pub done_rows: i64,
    pub status: String,
    pub next_arrival: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, file_name, source_id, created_by, created_at, encoding, delimiter,
    mapping, total_rows, done_rows, status, next_arrival, started_at, finished_at";

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    import: &ImportRow,
    file_hash: &str,
    content: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO imports (id, file_hash, file_name, source_id, created_by, created_at, content,
             encoding, delimiter, mapping, total_rows, done_rows, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12)",
    )
    .bind(&import.id)
    .bind(file_hash)
    .bind(&import.file_name)
    .bind(&import.source_id)
    .bind(&import.created_by)
    .bind(import.created_at)
    .bind(content)
    .bind(&import.encoding)
    .bind(&import.delimiter)
    .bind(&import.mapping)
    .bind(import.total_rows)
    .bind(&import.status)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(db: impl SqliteExecutor<'_>, id: &str) -> Result<Option<ImportRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM imports WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The import of the file whose SHA-256 is `file_hash`, if it was uploaded before.
pub async fn find_by_hash(
    db: impl SqliteExecutor<'_>,
    file_hash: &str,
) -> Result<Option<ImportRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM imports WHERE file_hash = $1"
    ))
    .bind(file_hash)
    .fetch_optional(db)
    .await
}

/// The most recent imports, newest first.
pub async fn recent(
    db: impl SqliteExecutor<'_>,
    limit: i64,
) -> Result<Vec<ImportRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM imports ORDER BY created_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Imports a stop interrupted: started, not finished.
pub async fn running(db: impl SqliteExecutor<'_>) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM imports WHERE status = 'running' ORDER BY created_at")
        .fetch_all(db)
        .await
}

/// The file, while the import needs it.
pub async fn content(
    db: impl SqliteExecutor<'_>,
    id: &str,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar::<_, Option<Vec<u8>>>("SELECT content FROM imports WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

pub async fn set_mapping(
    db: impl SqliteExecutor<'_>,
    id: &str,
    mapping: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE imports SET mapping = $2 WHERE id = $1 AND status = 'ready'")
        .bind(id)
        .bind(mapping)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a previewed import as running from `now`, its first person arriving at `first`.
/// False when it was started already (a second click, another tab).
pub async fn start(
    db: impl SqliteExecutor<'_>,
    id: &str,
    now: DateTime<Utc>,
    first: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE imports SET status = 'running', started_at = $2, next_arrival = $3
         WHERE id = $1 AND status = 'ready'",
    )
    .bind(id)
    .bind(now)
    .bind(first)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records how far the import got, in the transaction that stored those rows.
pub async fn advance(
    db: impl SqliteExecutor<'_>,
    id: &str,
    done_rows: i64,
    next_arrival: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE imports SET done_rows = $2, next_arrival = $3 WHERE id = $1")
        .bind(id)
        .bind(done_rows)
        .bind(next_arrival)
        .execute(db)
        .await?;
    Ok(())
}

/// Done (the file is kept: the report shows each row as it was).
pub async fn finish(
    db: impl SqliteExecutor<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE imports SET status = 'done', finished_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RowOutcome {
    pub row_no: i64,
    pub outcome: String,
    pub lead_id: Option<String>,
    pub reason: String,
}

pub async fn add_row(
    db: impl SqliteExecutor<'_>,
    import_id: &str,
    row: &RowOutcome,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO import_rows (import_id, row_no, outcome, lead_id, reason)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(import_id)
    .bind(row.row_no)
    .bind(&row.outcome)
    .bind(&row.lead_id)
    .bind(&row.reason)
    .execute(db)
    .await?;
    Ok(())
}

/// Every row's outcome, in the file's order.
pub async fn rows(
    db: impl SqliteExecutor<'_>,
    import_id: &str,
) -> Result<Vec<RowOutcome>, sqlx::Error> {
    sqlx::query_as(
        "SELECT row_no, outcome, lead_id, reason FROM import_rows
         WHERE import_id = $1 ORDER BY row_no",
    )
    .bind(import_id)
    .fetch_all(db)
    .await
}

/// How many rows ended each way: (imported, repeat, rejected).
pub async fn counts(
    db: impl SqliteExecutor<'_>,
    import_id: &str,
) -> Result<(i64, i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT COALESCE(SUM(outcome = 'imported'), 0), COALESCE(SUM(outcome = 'repeat'), 0),
                COALESCE(SUM(outcome = 'rejected'), 0)
         FROM import_rows WHERE import_id = $1",
    )
    .bind(import_id)
    .fetch_one(db)
    .await
}
