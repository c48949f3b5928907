//! `/board`: the manager's aging board — open leads by stage × age since inquiry, with overdue
//! and ghost counts.

use crate::api::auth::current_user;
use crate::api::board::get_aging_board;
use crate::api::ApiError;
use crate::domain::aging::AgeBucket;
use crate::domain::board::Cell;
use crate::ui::components::frame::{refusal, TopBar};
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
                view! {
                    <TopBar user title="Aging board"/>
                    <main class="page wide">
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
                    </main>
                }
                    .into_any()
            })}
        </Transition>
    }
}
