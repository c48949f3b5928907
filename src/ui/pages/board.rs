//! `/board`: the manager's aging board — open leads by stage × age since inquiry, with overdue
//! and ghost counts.

use crate::api::alerts::{my_alerts, DismissAlert};
use crate::api::auth::current_user;
use crate::api::board::{get_aging_board, recent_closures};
use crate::api::ApiError;
use crate::domain::aging::AgeBucket;
use crate::domain::board::Cell;
use crate::ui::components::alerts::AlertList;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::live::refresh_on_changes;
use leptos::prelude::*;

fn cell_view(cell: Cell, testid: String) -> impl IntoView {
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
    view! {
        <td class=class title=title data-testid=testid>
            <span class="count">{cell.count}</span>
            {(cell.overdue > 0).then(|| view! { <span class="sub overdue-count">{format!("{} late", cell.overdue)}</span> })}
        </td>
    }
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let board = Resource::new(|| (), |_| get_aging_board());
    let closures = Resource::new(|| (), |_| recent_closures());
    let dismiss = ServerAction::<DismissAlert>::new();
    let alerts = Resource::new(move || dismiss.version().get(), |_| my_alerts());
    refresh_on_changes(move || {
        board.refetch();
        closures.refetch();
        alerts.refetch();
    });
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let board = match board.await {
                    Ok(board) => board,
                    Err(e) => return refusal(e),
                };
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
                            .map(|(i, cell)| cell_view(*cell, format!("cell-{stage}-{i}")))
                            .collect_view();
                        view! {
                            <tr>
                                <th scope="row">{row.stage.label()}</th>
                                {cells}
                                {cell_view(row.total, format!("total-{stage}"))}
                            </tr>
                        }
                    })
                    .collect_view();
                let total = board.total;
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
                view! {
                    <TopBar user title="Aging board"/>
                    <main class="page wide">
                        <AlertList alerts=alert_list dismiss/>
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
                        <p class="muted">
                            "Age since inquiry. Red cells hold ghost leads; amber cells hold overdue ones."
                        </p>
                        <h2 class="section">"Recent closures"</h2>
                        <p class="muted">"Open one to review it; a manager can reverse a closure from the lead page."</p>
                        <table class="grid">
                            <thead><tr><th>"Lead"</th><th>"Outcome"</th><th>"By"</th><th>"When"</th></tr></thead>
                            <tbody>{closure_rows}</tbody>
                        </table>
                    </main>
                }
                    .into_any()
            })}
        </Transition>
    }
}
