//! `/board`: the manager's aging board — open leads by stage × age (since inquiry or since the
//! last real touch), with overdue and ghost counts; a cell opens the leads behind it.

use crate::api::alerts::my_alerts;
use crate::api::auth::current_user;
use crate::api::board::{aging_cell, get_aging_board, recent_closures};
use crate::api::ApiError;
use crate::domain::aging::AgeBucket;
use crate::domain::board::{AgingBoard, Basis, Cell};
use crate::domain::chart::{BarChart, Datum};
use crate::ui::components::alerts::{AlertActions, AlertList};
use crate::ui::components::chart::Bars;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::lead_list::{scroll_to, LeadList, ListActions};
use crate::ui::components::live::refresh_on_changes;
use crate::ui::components::load::{load, redraw_on};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The tabs across the managers' boards.
#[component]
pub fn BoardTabs(current: &'static str) -> impl IntoView {
    let tabs = [
        ("/board", "Aging"),
        ("/board/compliance", "Compliance & bias"),
        ("/board/outlook", "Capacity & forecast"),
        ("/wall", "Wall screen"),
    ];
    view! {
        <nav class="tabs">
            {tabs
                .into_iter()
                .map(|(href, label)| {
                    view! {
                        <a href=href class=if href == current { "tab current" } else { "tab" }>{label}</a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

fn cell_view(cell: Cell, testid: String, href: Option<String>) -> impl IntoView {
    let class = match (cell.count, cell.ghosts, cell.overdue) {
        (0, _, _) => "cell empty",
        (_, g, _) if g > 0 => "cell ghosts",
        (_, _, o) if o > 0 => "cell overdue",
        _ => "cell",
    };
    let title = format!(
        "{} leads, {} overdue, {} never called",
        cell.count, cell.overdue, cell.ghosts
    );
    let count = match (href, cell.count) {
        (Some(href), n) if n > 0 => view! { <a class="count" href=href>{n}</a> }.into_any(),
        (_, n) => view! { <span class="count">{n}</span> }.into_any(),
    };
    view! {
        <td class=class title=title data-testid=testid>
            {count}
            {(cell.overdue > 0).then(|| view! { <span class="sub overdue-count">{format!("{} late", cell.overdue)}</span> })}
            {(cell.ghosts > 0).then(|| view! { <span class="sub ghost-count">{format!("{} ghost", cell.ghosts)}</span> })}
        </td>
    }
}

/// Open leads per age bucket as bars; buckets holding ghost leads are drawn in alarm colour.
pub fn age_chart(board: &AgingBoard, width: f64) -> BarChart {
    let data = AgeBucket::ALL
        .into_iter()
        .zip(&board.columns)
        .map(|(bucket, cell)| Datum {
            label: bucket.label().to_string(),
            value: f64::from(cell.count),
            text: if cell.ghosts > 0 {
                format!("{} ({} ghost)", cell.count, cell.ghosts)
            } else {
                cell.count.to_string()
            },
            alarm: cell.ghosts > 0,
        })
        .collect();
    BarChart::horizontal(data, width, 0.0, &[])
}

/// The stage × age table.
pub fn aging_table(board: &AgingBoard, links: bool) -> impl IntoView {
    let basis = board.basis.as_str();
    let header = AgeBucket::ALL
        .into_iter()
        .map(|bucket| view! { <th>{bucket.label()}</th> })
        .collect_view();
    let rows = board
        .rows
        .iter()
        .map(|row| {
            let stage = row.stage.as_str();
            let cells = row
                .cells
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let href = links
                        .then(|| format!("/board?basis={basis}&stage={stage}&bucket={i}#cell"));
                    cell_view(*cell, format!("cell-{stage}-{i}"), href)
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{row.stage.label()}</th>
                    {cells}
                    {cell_view(row.total, format!("total-{stage}"), None)}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="scroll">
            <table class="grid board">
                <thead>
                    <tr>
                        <th>"Stage \\ age"</th>
                        {header}
                        <th>"Total"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The three headline numbers.
pub fn aging_kpis(total: Cell) -> impl IntoView {
    view! {
        <div class="kpis">
            <div class="kpi">
                <span class="kpi-value" data-testid="board-total">{total.count}</span>
                <span class="kpi-label">"open leads"</span>
            </div>
            <div class="kpi warn">
                <span class="kpi-value" data-testid="board-overdue">{total.overdue}</span>
                <span class="kpi-label">"overdue"</span>
            </div>
            <div class="kpi alarm">
                <span class="kpi-value" data-testid="board-ghosts">{total.ghosts}</span>
                <span class="kpi-label">"ghost leads (never called)"</span>
            </div>
        </div>
    }
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let query = use_query_map();
    let basis = move || query.with(|q| q.get("basis").unwrap_or_default());
    let drill = move || {
        query.with(|q| {
            let stage = q.get("stage")?;
            let bucket = q.get("bucket")?.parse::<u8>().ok()?;
            Some((stage, bucket))
        })
    };
    let me = load(|| (), |_| current_user());
    let list_actions = ListActions::new();
    let board = load(
        move || (basis(), list_actions.version()),
        |(basis, _)| get_aging_board(basis),
    );
    let cell = load(
        move || (basis(), drill(), list_actions.version()),
        |(basis, drill, _)| async move {
            match drill {
                Some((stage, bucket)) => aging_cell(basis, stage, bucket).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // An opened count brings its leads into view once they are drawn (not after a re-read).
    let scrolled = StoredValue::new(None::<(String, u8)>);
    Effect::new(move |_| {
        if let Some(Ok(Some(_))) = cell.get() {
            let opened = drill();
            if opened.is_some() && scrolled.get_value() != opened {
                scrolled.set_value(opened);
                scroll_to("cell");
            }
        }
    });
    let closures = load(|| (), |_| recent_closures());
    let alert_actions = AlertActions::new();
    let alerts = load(move || alert_actions.version(), |_| my_alerts());
    refresh_on_changes(move || {
        board.refetch();
        cell.refetch();
        closures.refetch();
        alerts.refetch();
    });
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading the board…"</p> }>
            {move || {
            redraw_on(&[&board, &cell, &closures, &alerts]);
            Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let board = match board.await {
                    Ok(board) => board,
                    Err(e) => return refusal(e),
                };
                let drilled = match cell.await {
                    Ok(view_) => view_
                        .map(|list| view! { <LeadList list actions=list_actions id="cell"/> })
                        .into_any(),
                    Err(e) => refusal(e),
                };
                let closures = closures.await.unwrap_or_default();
                let alert_list = alerts.await.unwrap_or_default();
                let closure_rows = closures
                    .into_iter()
                    .map(|c| {
                        view! {
                            <tr data-testid="closure-row" class=if c.without_conversation { "flagged" } else { "" }>
                                <td><a href=format!("/lead/{}", c.lead_id)>{c.name}</a></td>
                                <td>{c.outcome}</td>
                                <td>{c.by}</td>
                                <td>{format!("{} ago", c.ago)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let toggle = [Basis::Inquiry, Basis::RealTouch]
                    .into_iter()
                    .map(|b| {
                        view! {
                            <a
                                href=format!("/board?basis={}", b.as_str())
                                class=if b == board.basis { "tab current" } else { "tab" }
                                data-testid=format!("basis-{}", b.as_str())
                            >
                                {format!("Age {}", b.label())}
                            </a>
                        }
                    })
                    .collect_view();
                view! {
                    <TopBar user title="Aging board"/>
                    <main class="page wide">
                        <BoardTabs current="/board"/>
                        <AlertList alerts=alert_list actions=alert_actions/>
                        {aging_kpis(board.total)}
                        <nav class="tabs small">{toggle}</nav>
                        {aging_table(&board, true)}
                        <p class="muted">
                            {format!("Age {}. Red cells hold ghost leads (never called); amber cells hold overdue ones. Open a count to see its leads.", board.basis.label())}
                        </p>
                        {drilled}
                        <h2 class="section">"Open leads by age"</h2>
                        <Bars chart=age_chart(&board, 720.0) label="Open leads by age" testid="age-chart"/>
                        <h2 class="section">"Recent closures"</h2>
                        <p class="muted">"Open one to review it; a manager can reverse a closure from the lead page."</p>
                        <table class="grid">
                            <thead><tr><th>"Lead"</th><th>"Outcome"</th><th>"By"</th><th>"When"</th></tr></thead>
                            <tbody>{closure_rows}</tbody>
                        </table>
                    </main>
                }
                    .into_any()
            })
            }}
        </Transition>
    }
}
