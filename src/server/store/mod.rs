//! All SQL lives here, one module per aggregate. Queries use `$n` placeholders and ids made in
//! Rust, so a PostgreSQL backend can share them.

pub mod alerts;
pub mod assignments;
pub mod audit;
pub mod boards;
pub mod bulk;
pub mod events;
pub mod group;
pub mod idempotency;
pub mod imports;
pub mod inquiries;
pub mod leads;
pub mod policy;
pub mod sessions;
pub mod settings;
pub mod sign_ins;
pub mod sources;
pub mod territories;
pub mod touches;
pub mod users;
pub mod webhooks;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A write transaction.
pub type Tx = Transaction<'static, Sqlite>;

/// Opens (creating if needed) the database at `url` and brings its schema up to date.
pub async fn connect(url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Every commit is on disk before it is answered: an acknowledged lead, call or change
        // survives a power cut, not only a crash. Intake keeps its speed by committing the
        // leads that arrive together at once (`group`), not by syncing less.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Boards and queues read a large database: keep more of it in memory.
        .pragma("cache_size", "-65536")
        .pragma("mmap_size", "2147418112")
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    // Lets the query planner pick indexes from up-to-date statistics (cheap when fresh).
    sqlx::query("PRAGMA optimize=0x10002")
        .execute(&pool)
        .await?;
    Ok(pool)
}

/// Starts a transaction that takes the write lock at once, so two writers queue instead of
/// failing half-way.
pub async fn begin_write(db: &SqlitePool) -> Result<Tx, sqlx::Error> {
    db.begin_with("BEGIN IMMEDIATE").await
}

/// A fresh id for a new row: time-ordered, so ids sort by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when the error is a unique-constraint violation.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
