//! Importing lists (marketing and managers): `POST /import` takes the file (a plain multipart
//! form, so it works without JavaScript) and sends the browser to `/import?id=…`; server
//! functions show the preview and progress, change what a column holds and start the import;
//! `GET /import/{id}/report.csv` downloads what became of every row.

use crate::api::ApiError;
use leptos::server;
use serde::{Deserialize, Serialize};

/// One column: its header, what it is read into, and the choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnView {
    pub header: String,
    pub key: String,
}

/// A preview row: its cells and what keeps it from being imported (none: it would be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRowView {
    pub row_no: usize,
    pub cells: Vec<String>,
    pub problems: Vec<String>,
}

/// One import as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub file_name: String,
    /// "ready", "running" or "done".
    pub status: String,
    /// "UTF-8, separated by semicolons".
    pub read_as: String,
    pub columns: Vec<ColumnView>,
    pub rows: Vec<PreviewRowView>,
    pub problems: Vec<String>,
    pub pace: String,
    pub total_rows: i64,
    pub done_rows: i64,
    pub imported: i64,
    pub repeats: i64,
    pub rejected: i64,
}

/// An earlier import, as the list of them shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLine {
    pub id: String,
    pub file_name: String,
    pub status: String,
    pub total_rows: i64,
    pub done_rows: i64,
    /// When it was uploaded, in the team's time.
    pub when: String,
}

/// The import page: the import `id` (if one is open) and the recent ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportScreen {
    pub open: Option<ImportView>,
    pub recent: Vec<ImportLine>,
    /// The fields a column can be read into: (key, label), then "note" and "skip".
    pub choices: Vec<(String, String)>,
}

/// The import page's data.
#[server(endpoint = "imports/page")]
pub async fn import_page(id: Option<String>) -> Result<ImportScreen, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::csv_list;
    use crate::server::services::imports;
    let Ctx { state, user, now } = Ctx::enter(Action::Nurture).await?;
    let open = match id.filter(|id| !id.is_empty()) {
        Some(id) => {
            let preview = imports::preview(
                &state.db,
                &state.policy.get(),
                &state.config.phone_region,
                now,
                &user,
                &id,
            )
            .await?;
            let delimiter = match preview.import.delimiter.as_str() {
                ";" => "semicolons",
                "\t" => "tabs",
                _ => "commas",
            };
            Some(ImportView {
                read_as: format!("{}, separated by {delimiter}", preview.import.encoding),
                columns: preview
                    .headers
                    .iter()
                    .zip(&preview.mapping)
                    .map(|(header, key)| ColumnView {
                        header: header.clone(),
                        key: key.clone(),
                    })
                    .collect(),
                rows: preview
                    .rows
                    .into_iter()
                    .map(|row| PreviewRowView {
                        row_no: row.row_no,
                        cells: row.cells,
                        problems: row.problems,
                    })
                    .collect(),
                problems: preview.problems,
                pace: preview.pace,
                total_rows: preview.import.total_rows,
                done_rows: preview.import.done_rows,
                imported: preview.counts.0,
                repeats: preview.counts.1,
                rejected: preview.counts.2,
                id: preview.import.id,
                file_name: preview.import.file_name,
                status: preview.import.status,
            })
        }
        None => None,
    };
    let tz = state.policy.get().hours.tz;
    let recent = imports::recent(&state.db, &user)
        .await?
        .into_iter()
        .map(|import| ImportLine {
            when: import
                .created_at
                .with_timezone(&tz)
                .format("%a %-d %b, %H:%M")
                .to_string(),
            id: import.id,
            file_name: import.file_name,
            status: import.status,
            total_rows: import.total_rows,
            done_rows: import.done_rows,
        })
        .collect();
    let mut choices: Vec<(String, String)> = csv_list::FIELDS
        .iter()
        .map(|(key, label)| (key.to_string(), label.to_string()))
        .collect();
    choices.push((
        csv_list::NOTE.to_string(),
        "Note in the message".to_string(),
    ));
    choices.push((csv_list::SKIP.to_string(), "Leave out".to_string()));
    Ok(ImportScreen {
        open,
        recent,
        choices,
    })
}

/// Sets what each column of a previewed list holds.
#[server(endpoint = "imports/mapping")]
pub async fn set_import_mapping(id: String, mapping: Vec<String>) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    let Ctx { state, user, .. } = Ctx::enter(Action::Nurture).await?;
    crate::server::services::imports::set_mapping(&state.db, &user, &id, mapping).await?;
    Ok(())
}

/// Starts importing a previewed list.
#[server(endpoint = "imports/start")]
pub async fn start_import(id: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::imports;
    let Ctx { state, user, .. } = Ctx::enter(Action::Nurture).await?;
    imports::start(&state.importer(), &user, &id).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
pub use routes::{report, upload};

#[cfg(feature = "ssr")]
mod routes {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::{imports, ServiceError};
    use crate::server::state::AppState;
    use axum::extract::{Multipart, Path, State};
    use axum::http::{header, HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Redirect, Response};

    /// `POST /import`: a multipart form with the list as `file`. Sends the browser to the
    /// import's page (an earlier one when the same file came before); a problem is a page in
    /// words with a way back.
    pub async fn upload(
        State(state): State<AppState>,
        headers: HeaderMap,
        multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    ) -> Response {
        let ctx = match Ctx::of_request(&state, &headers, Action::Nurture).await {
            Ok(ctx) => ctx,
            Err(refusal) => return problem(refusal.status(), &refusal.to_string()),
        };
        // A file declared larger than the limit is refused before a byte of it is read.
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > (imports::MOST_BYTES + 64 * 1024) as u64) {
            return problem(StatusCode::PAYLOAD_TOO_LARGE, TOO_BIG);
        }
        let Ok(mut multipart) = multipart else {
            return problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the list from the import page's form (a file upload).",
            );
        };
        // A slow upload is given two minutes, not the ten seconds a screen's call gets.
        let file =
            match tokio::time::timeout(UPLOAD_TIME, read_file(&mut multipart)).await {
                Ok(Ok(file)) => file,
                Ok(Err(response)) => return response,
                Err(_) => return problem(
                    StatusCode::REQUEST_TIMEOUT,
                    "The upload took longer than two minutes; try again on a faster connection.",
                ),
            };
        let Some((name, bytes)) = file else {
            return problem(StatusCode::BAD_REQUEST, "Choose a CSV file to import.");
        };
        match imports::upload(&state.db, ctx.now, &ctx.user, &name, &bytes).await {
            Ok(uploaded) => {
                let again = if uploaded.again { "&again=1" } else { "" };
                Redirect::to(&format!("/import?id={}{again}", uploaded.import.id)).into_response()
            }
            Err(ServiceError::Invalid(errors)) => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Err(ServiceError::Forbidden(why)) => problem(StatusCode::FORBIDDEN, &why),
            Err(e) => {
                tracing::error!(error = %e, "an upload failed");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The list could not be stored; nothing was imported. Try again.",
                )
            }
        }
    }

    const UPLOAD_TIME: std::time::Duration = std::time::Duration::from_secs(120);

    /// The form's `file` field: its name and bytes (none when the form had no file).
    async fn read_file(
        multipart: &mut Multipart,
    ) -> Result<Option<(String, axum::body::Bytes)>, Response> {
        let mut file = None;
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) if field.name() == Some("file") => {
                    let name = field.file_name().unwrap_or("list.csv").to_string();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes)),
                        Err(e) => return Err(problem(e.status(), &too_big_or(e.status()))),
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => return Ok(file),
                Err(e) => return Err(problem(e.status(), &too_big_or(e.status()))),
            }
        }
    }

    const TOO_BIG: &str = "The file is larger than 32 MB; split the list and import each part.";

    fn too_big_or(status: StatusCode) -> String {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            TOO_BIG.to_string()
        } else {
            "The upload was cut off; choose the file and send it again.".to_string()
        }
    }

    /// A plain page saying what went wrong, with a way back to the import page.
    fn problem(status: StatusCode, message: &str) -> Response {
        let message = html_escape::encode_text(message);
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>The list was not imported · Leadline</title></head><body>\
             <h1>The list was not imported</h1><p role=\"alert\">{message}</p>\
             <p><a href=\"/import\">Back to importing lists</a></p></body></html>"
        );
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response()
    }

    /// `GET /import/{id}/report.csv`.
    pub async fn report(
        State(state): State<AppState>,
        headers: HeaderMap,
        Path(id): Path<String>,
    ) -> Response {
        let ctx = match Ctx::of_request(&state, &headers, Action::Nurture).await {
            Ok(ctx) => ctx,
            Err(refusal) => return (refusal.status(), refusal.to_string()).into_response(),
        };
        match imports::report_csv(&state.db, &ctx.user, &id).await {
            Ok((name, csv)) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                csv,
            )
                .into_response(),
            Err(ServiceError::NotFound | ServiceError::Invalid(_)) => {
                (StatusCode::NOT_FOUND, "No such import.").into_response()
            }
            Err(ServiceError::Forbidden(why)) => (StatusCode::FORBIDDEN, why).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "an import report failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The report could not be made; try again.",
                )
                    .into_response()
            }
        }
    }
}
