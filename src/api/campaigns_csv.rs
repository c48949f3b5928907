//! `GET /campaigns.csv`: the campaign table as a spreadsheet, for marketing and managers.

use crate::api::context::Ctx;
use crate::domain::access::Action;
use crate::domain::text::spreadsheet_safe;
use crate::server::services::nurture;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn download(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let ctx = match Ctx::of_request(&state, &headers, Action::Nurture).await {
        Ok(ctx) => ctx,
        Err(refusal) => return (refusal.status(), refusal.to_string()).into_response(),
    };
    let lines = match nurture::campaign_table(&state.db, &state.policy.get()).await {
        Ok(lines) => crate::api::nurture::campaign_rows(lines, None),
        Err(e) => {
            tracing::error!(error = %e, "campaign export failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The export failed; nothing was lost. Try again.",
            )
                .into_response();
        }
    };
    let campaigns = lines.len();
    let currency = crate::server::services::policy::currency(&state.db)
        .await
        .unwrap_or_else(|_| "USD".to_string());
    let money = |what: &str| format!("{what} ({currency})");
    let mut out = csv::Writer::from_writer(Vec::new());
    let header_row = [
        "campaign",
        "leads",
        "followed up within SLA %",
        "reached %",
        "in nurture",
        "handed back",
        "won",
        "recycled then won",
        &money("revenue"),
        &money("cost"),
        &money("cost per lead"),
        "never followed up",
        &money("wasted spend"),
    ];
    let mut rows = vec![header_row.map(str::to_string).to_vec()];
    rows.extend(lines.into_iter().map(|l| {
        // Text cells are made safe to open in a spreadsheet: a campaign called "=HYPERLINK(…)"
        // is shown as text, never run as a formula.
        vec![
            spreadsheet_safe(&l.name),
            l.leads.to_string(),
            l.within_sla_pct.to_string(),
            l.reached_pct.to_string(),
            l.in_nurture.to_string(),
            l.handed_back.to_string(),
            l.won.to_string(),
            l.recycled_then_won.to_string(),
            spreadsheet_safe(&l.revenue),
            spreadsheet_safe(&l.cost),
            spreadsheet_safe(&l.cost_per_lead),
            l.never_followed_up.to_string(),
            spreadsheet_safe(&l.wasted),
        ]
    }));
    for row in rows {
        if let Err(e) = out.write_record(&row) {
            tracing::error!(error = %e, "campaign export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let detail = format!("{campaigns} campaigns");
    let recorded = crate::server::services::audit::record(
        &state.db,
        ctx.now,
        &ctx.user,
        "csv_export",
        "campaigns.csv",
        &detail,
    )
    .await;
    if let Err(e) = recorded {
        // The export is not given out unrecorded.
        tracing::error!(error = %e, "could not record a campaign export");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    match out.into_inner() {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"campaigns.csv\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "campaign export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
