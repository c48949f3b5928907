//! Importing a list of people from a CSV file (marketing, managers, admins): upload, preview
//! with each row's problems, choose what each column holds, import in the background with
//! progress, and a report of every row. A row is imported (a new lead), a repeat (linked to
//! the person's lead) or rejected with the reason; one bad row never stops the others. The same
//! file uploaded again is the same import, and an import a stop interrupted resumes where its
//! last committed rows end, so nothing is made twice.

use super::intake::{self as intake_service, Listed};
use super::ServiceError;
use crate::domain::csv_list::{self, List};
use crate::domain::intake::{self, field_label};
use crate::domain::role::{Role, User};
use crate::server::clock::Clock;
use crate::server::live::Live;
use crate::server::services::policy::PolicyCell;
use crate::server::store::{
    self, imports, imports::ImportRow, imports::RowOutcome, sources, users,
};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

/// Rows stored per transaction: progress moves often, a stop loses little work.
const ROWS_PER_COMMIT: usize = 100;
/// Rows a preview shows.
const PREVIEW_ROWS: usize = 10;
/// The largest file taken (100,000 rows of a dozen columns fit well inside it).
pub const MOST_BYTES: usize = 32 * 1024 * 1024;

/// The import `id`; an id that names none is the caller's mistake, said in words.
async fn find(db: &SqlitePool, id: &str) -> Result<ImportRow, ServiceError> {
    imports::get(db, id)
        .await?
        .ok_or_else(|| ServiceError::invalid("id", "names no import; open one from the list"))
}

/// Who may import lists.
fn may_import(user: &User) -> Result<(), ServiceError> {
    match user.role {
        Role::Marketing | Role::Manager | Role::Admin => Ok(()),
        _ => Err(ServiceError::Forbidden(
            "Only marketing, managers and admins import lists.".to_string(),
        )),
    }
}

/// The latest imports, newest first.
pub async fn recent(db: &SqlitePool, user: &User) -> Result<Vec<ImportRow>, ServiceError> {
    may_import(user)?;
    Ok(imports::recent(db, 20).await?)
}

/// What an upload became: the import (an earlier one when the same file came before).
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub import: ImportRow,
    pub again: bool,
}

/// Takes a file in: reads it as a list, guesses its columns and keeps it for the preview.
pub async fn upload(
    db: &SqlitePool,
    now: DateTime<Utc>,
    user: &User,
    file_name: &str,
    bytes: &[u8],
) -> Result<Uploaded, ServiceError> {
    may_import(user)?;
    if bytes.len() > MOST_BYTES {
        return Err(ServiceError::invalid(
            "file",
            "is larger than 32 MB; split the list and import each part",
        ));
    }
    let list = csv_list::read(bytes).map_err(|e| ServiceError::invalid("file", e.to_string()))?;
    // The same list is the same import however it was saved (line endings, a byte-order
    // mark, the encoding, the separator): what is hashed is what was read.
    let hash = super::token_hash_bytes(
        serde_json::to_string(&(&list.headers, &list.rows))
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .as_bytes(),
    );
    if let Some(import) = imports::find_by_hash(db, &hash).await? {
        return Ok(Uploaded {
            import,
            again: true,
        });
    }
    let file_name = clean_file_name(file_name);
    let mut tx = store::begin_write(db).await?;
    // Each list is a source of its own, so its leads can be told apart on the boards.
    let source_name = format!("List: {file_name}");
    let source = match sources::find_by_name(&mut *tx, &source_name).await? {
        Some(source) => source,
        None => {
            let source = sources::SourceRow {
                id: store::new_id(),
                name: source_name,
                phone_country: None,
            };
            // It takes no posts: its key is a random one nobody is ever shown.
            let unusable = super::token_hash(&store::new_id());
            sources::insert(&mut *tx, &source, &unusable, now).await?;
            source
        }
    };
    let import = ImportRow {
        id: store::new_id(),
        file_name,
        source_id: source.id,
        created_by: user.id.clone(),
        created_at: now,
        encoding: list.encoding.to_string(),
        delimiter: list.delimiter.to_string(),
        mapping: serde_json::to_string(&csv_list::guess(&list.headers))
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        total_rows: i64::try_from(list.rows.len()).unwrap_or(i64::MAX),
        done_rows: 0,
        status: "ready".to_string(),
        next_arrival: None,
        started_at: None,
        finished_at: None,
    };
    match imports::insert(&mut *tx, &import, &hash, bytes).await {
        Ok(()) => {}
        // The same file, uploaded at the same moment from another tab.
        Err(e) if store::is_unique_violation(&e) => {
            drop(tx);
            let import = imports::find_by_hash(db, &hash)
                .await?
                .ok_or(ServiceError::NotFound)?;
            return Ok(Uploaded {
                import,
                again: true,
            });
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    tracing::info!(import = %import.id, rows = import.total_rows, "a list was uploaded");
    Ok(Uploaded {
        import,
        again: false,
    })
}

/// A file's name as shown: its last path part, printable, at most 120 characters.
fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.trim().is_empty() {
        "list.csv".to_string()
    } else {
        clean.trim().to_string()
    }
}

/// One row as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRow {
    pub row_no: usize,
    pub cells: Vec<String>,
    /// What keeps it from being imported, in words (none: it would be imported).
    pub problems: Vec<String>,
}

/// An import as its page shows it.
#[derive(Debug, Clone)]
pub struct Preview {
    pub import: ImportRow,
    pub headers: Vec<String>,
    pub mapping: Vec<String>,
    pub rows: Vec<PreviewRow>,
    /// What is wrong with the mapping as a whole.
    pub problems: Vec<String>,
    /// How the first calls will be spread, in words.
    pub pace: String,
    /// (imported, repeat, rejected) so far.
    pub counts: (i64, i64, i64),
}

/// The import `id`: its columns and first rows with their problems while it is being
/// prepared, its progress and counts once it runs.
pub async fn preview(
    db: &SqlitePool,
    policy: &crate::domain::cadence::Policy,
    phone_region: &str,
    now: DateTime<Utc>,
    user: &User,
    id: &str,
) -> Result<Preview, ServiceError> {
    may_import(user)?;
    let import = find(db, id).await?;
    let mapping: Vec<String> = serde_json::from_str(&import.mapping).unwrap_or_default();
    let (headers, rows) = match imports::content(db, id).await? {
        Some(bytes) => {
            // The file was read whole when it was uploaded: a preview (asked for again and again
            // while an import runs) parses only its head.
            let list = csv_list::read_head(&bytes, PREVIEW_ROWS)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let rows = list
                .rows
                .iter()
                .take(PREVIEW_ROWS)
                .enumerate()
                .map(|(n, cells)| PreviewRow {
                    row_no: n + 1,
                    cells: cells.clone(),
                    problems: row_problems(&list, &mapping, cells, phone_region),
                })
                .collect();
            (list.headers, rows)
        }
        None => (Vec::new(), Vec::new()),
    };
    let problems = if import.status == "ready" {
        csv_list::mapping_problems(&headers, &mapping)
    } else {
        Vec::new()
    };
    let reps = users::active_ids(db, Role::Rep).await?.len();
    let pace = pace(policy, now, reps, import.total_rows);
    let counts = imports::counts(db, id).await?;
    Ok(Preview {
        import,
        headers,
        mapping,
        rows,
        problems,
        pace,
        counts,
    })
}

/// Why a row would be rejected, in words.
fn row_problems(list: &List, mapping: &[String], cells: &[String], region: &str) -> Vec<String> {
    let raw = csv_list::inquiry(&list.headers, mapping, cells);
    match intake::check(raw, region) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", field_label(&e.field), e.message))
            .collect(),
    }
}

/// "Spread over working hours: 18 first calls an hour (6 for each of 3 reps); the last is due
/// around Tue 3 Dec."
fn pace(
    policy: &crate::domain::cadence::Policy,
    now: DateTime<Utc>,
    reps: usize,
    rows: i64,
) -> String {
    let per_hour = csv_list::FIRST_CALLS_PER_REP_HOUR * i64::try_from(reps.max(1)).unwrap_or(1);
    let clock = policy.clock(None);
    let gap = csv_list::arrival_gap(reps);
    let last = clock.add(
        now,
        gap * i32::try_from(rows.max(1) - 1).unwrap_or(i32::MAX),
    );
    let team_time = last.with_timezone(&policy.hours.tz);
    let reps_text = match reps {
        0 => "as for one rep: no rep is active now".to_string(),
        1 => "one rep".to_string(),
        n => format!("6 for each of {n} reps"),
    };
    format!(
        "First calls are spread over working hours, {per_hour} an hour ({reps_text}), not all due \
         at once: the last of these {rows} people is due around {}.",
        team_time.format("%a %-d %b, %H:%M")
    )
}

/// Sets what each column holds, while the import is being prepared.
pub async fn set_mapping(
    db: &SqlitePool,
    user: &User,
    id: &str,
    mapping: Vec<String>,
) -> Result<(), ServiceError> {
    may_import(user)?;
    if !mapping.iter().all(|key| csv_list::is_column_key(key)) {
        return Err(ServiceError::invalid(
            "mapping",
            "names something a column cannot hold",
        ));
    }
    let import = find(db, id).await?;
    let columns: Vec<String> = serde_json::from_str(&import.mapping).unwrap_or_default();
    if columns.len() != mapping.len() {
        return Err(ServiceError::invalid(
            "mapping",
            "must say what each column holds",
        ));
    }
    let json =
        serde_json::to_string(&mapping).map_err(|e| ServiceError::Internal(e.to_string()))?;
    if !imports::set_mapping(db, id, &json).await? {
        return Err(ServiceError::Refused(
            "This list is already being imported: its columns can no longer change.".to_string(),
        ));
    }
    Ok(())
}

/// What a running import needs: the database, the rules in force, and the fan-out that keeps
/// boards and queues in step.
#[derive(Clone)]
pub struct Importer {
    pub db: SqlitePool,
    pub policy: PolicyCell,
    pub clock: Clock,
    pub live: Live,
    pub phone_region: String,
}

/// Starts importing `id` in the background. A second start (a double click) changes nothing.
pub async fn start(importer: &Importer, user: &User, id: &str) -> Result<(), ServiceError> {
    may_import(user)?;
    let db = &importer.db;
    let import = find(db, id).await?;
    if import.status != "ready" {
        return Ok(());
    }
    let bytes = imports::content(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    // Only the header is checked here (the file was read whole at upload); the run reads it all.
    let list = csv_list::read_head(&bytes, 0).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mapping: Vec<String> = serde_json::from_str(&import.mapping).unwrap_or_default();
    let problems = csv_list::mapping_problems(&list.headers, &mapping);
    if !problems.is_empty() {
        return Err(ServiceError::Refused(problems.join(" ")));
    }
    let now = importer.clock.now();
    let first = importer.policy.get().clock(None).next_open(now);
    if imports::start(db, id, now, first).await? {
        tracing::info!(import = %id, "an import started");
        spawn(importer.clone(), id.to_string());
    }
    Ok(())
}

/// Resumes every import a stop interrupted (at start-up).
pub async fn resume_all(importer: &Importer) -> Result<(), sqlx::Error> {
    for id in imports::running(&importer.db).await? {
        tracing::info!(import = %id, "resuming an import");
        spawn(importer.clone(), id);
    }
    Ok(())
}

fn spawn(importer: Importer, id: String) {
    tokio::spawn(async move {
        if let Err(e) = run(&importer, &id).await {
            tracing::error!(import = %id, error = %e, "an import stopped; it resumes at the next start");
        }
    });
}

/// Imports the rows not done yet, `ROWS_PER_COMMIT` per transaction; each transaction also
/// records how far the import got, so a stop between them loses nothing and repeats nothing.
pub async fn run(importer: &Importer, id: &str) -> Result<(), ServiceError> {
    let db = &importer.db;
    let import = find(db, id).await?;
    let bytes = imports::content(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let list = csv_list::read(&bytes).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mapping: Vec<String> = serde_json::from_str(&import.mapping).unwrap_or_default();
    let reps = users::active_ids(db, Role::Rep).await?.len();
    let gap = csv_list::arrival_gap(reps);
    let mut done = usize::try_from(import.done_rows).unwrap_or(0);
    let mut arrival = import.next_arrival.unwrap_or_else(|| importer.clock.now());
    while done < list.rows.len() {
        let policy = importer.policy.get();
        let clock = policy.clock(None);
        let now = importer.clock.now();
        let end = (done + ROWS_PER_COMMIT).min(list.rows.len());
        let mut announced = Vec::new();
        let mut tx = store::begin_write(db).await?;
        for (index, cells) in list.rows[done..end].iter().enumerate() {
            let row_no = i64::try_from(done + index + 1).unwrap_or(i64::MAX);
            let raw = csv_list::inquiry(&list.headers, &mapping, cells);
            let outcome = match intake::check(raw, &importer.phone_region) {
                Err(errors) => rejected(row_no, &errors),
                Ok(inquiry) => {
                    let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
                    let listed = intake_service::admit_listed(
                        &mut savepoint,
                        &policy,
                        now,
                        arrival,
                        &import.source_id,
                        &inquiry,
                    )
                    .await;
                    match listed {
                        Ok(listed) => {
                            savepoint.commit().await?;
                            match listed {
                                Listed::New(lead_id, owner) => {
                                    arrival = clock.add(arrival, gap);
                                    announced.push((lead_id.clone(), owner));
                                    outcome(row_no, "imported", Some(lead_id), "")
                                }
                                Listed::Known(lead_id) => outcome(
                                    row_no,
                                    "repeat",
                                    Some(lead_id),
                                    "This person is already a lead: the row is linked to it.",
                                ),
                            }
                        }
                        Err(ServiceError::Invalid(errors)) => {
                            savepoint.rollback().await?;
                            rejected(row_no, &errors)
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            imports::add_row(&mut *tx, id, &outcome).await?;
        }
        imports::advance(
            &mut *tx,
            id,
            i64::try_from(end).unwrap_or(i64::MAX),
            arrival,
        )
        .await?;
        if end == list.rows.len() {
            imports::finish(&mut *tx, id, now).await?;
        }
        tx.commit().await?;
        for (lead_id, owner) in announced {
            importer.live.publish(&lead_id, [owner]);
        }
        done = end;
    }
    tracing::info!(import = %id, "an import finished");
    Ok(())
}

fn outcome(row_no: i64, outcome: &str, lead_id: Option<String>, reason: &str) -> RowOutcome {
    RowOutcome {
        row_no,
        outcome: outcome.to_string(),
        lead_id,
        reason: reason.to_string(),
    }
}

fn rejected(row_no: i64, errors: &[intake::FieldError]) -> RowOutcome {
    let reason = errors
        .iter()
        .map(|e| format!("{}: {}", field_label(&e.field), e.message))
        .collect::<Vec<_>>()
        .join("; ");
    outcome(row_no, "rejected", None, &reason)
}

/// The report as CSV: every row of the file with what became of it, then the row as it was.
pub async fn report_csv(
    db: &SqlitePool,
    user: &User,
    id: &str,
) -> Result<(String, String), ServiceError> {
    may_import(user)?;
    let import = find(db, id).await?;
    let list = match imports::content(db, id).await? {
        Some(bytes) => csv_list::read(&bytes).ok(),
        None => None,
    };
    let rows = imports::rows(db, id).await?;
    // Rows longer than the header keep their extra cells.
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Internal(e.to_string());
    let safe =
        |cell: &str| crate::domain::text::spreadsheet_safe(&crate::domain::text::clean(cell));
    let mut header = vec![
        "row".to_string(),
        "outcome".into(),
        "lead".into(),
        "reason".into(),
    ];
    if let Some(list) = &list {
        header.extend(list.headers.iter().map(|h| safe(h)));
    }
    out.write_record(&header).map_err(fail)?;
    for row in rows {
        let mut record = vec![
            row.row_no.to_string(),
            row.outcome,
            row.lead_id.unwrap_or_default(),
            safe(&row.reason),
        ];
        let cells = usize::try_from(row.row_no - 1)
            .ok()
            .and_then(|n| list.as_ref()?.rows.get(n));
        if let Some(cells) = cells {
            record.extend(cells.iter().map(|c| safe(c)));
        }
        out.write_record(&record).map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let name = format!(
        "import-report-{}.csv",
        import.created_at.format("%Y-%m-%d-%H%M")
    );
    Ok((name, String::from_utf8_lossy(&bytes).into_owned()))
}
