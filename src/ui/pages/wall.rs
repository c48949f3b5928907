//! `/wall`: the boards for a wall screen — large type, no controls, live.

use crate::api::auth::current_user;
use crate::api::board::{get_aging_board, get_compliance};
use crate::api::ApiError;
use crate::ui::components::chart::Bars;
use crate::ui::components::frame::refusal;
use crate::ui::components::live::refresh_on_changes;
use crate::ui::components::load::{load, redraw_on};
use crate::ui::pages::board::{age_chart, aging_kpis, aging_table};
use crate::ui::pages::compliance::{band_chart, compliance_table};
use leptos::prelude::*;

#[component]
pub fn WallPage() -> impl IntoView {
    let me = load(|| (), |_| current_user());
    let board = load(|| (), |_| get_aging_board("inquiry".to_string()));
    let compliance = load(|| (), |_| get_compliance(7));
    refresh_on_changes(move || {
        board.refetch();
        compliance.refetch();
    });
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || {
            redraw_on(&[&board, &compliance]);
            Suspend::new(async move {
                match me.await {
                    Ok(Some(_)) => {}
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                }
                let board = match board.await {
                    Ok(board) => board,
                    Err(e) => return refusal(e),
                };
                let compliance = match compliance.await {
                    Ok(c) => c,
                    Err(e) => return refusal(e),
                };
                view! {
                    <main class="wall" data-testid="wall">
                        <header class="wall-head">
                            <h1>"Leadline — follow-up now"</h1>
                            <p class="updated" data-testid="wall-updated">{format!("Updated {}", compliance.updated)}</p>
                        </header>
                        <div class="wall-grid">
                            <section>
                                {aging_kpis(board.total)}
                                <h2>"Open leads by age since inquiry"</h2>
                                {aging_table(&board, false)}
                                <Bars chart=age_chart(&board, 640.0) label="Open leads by age" testid="wall-age-chart"/>
                            </section>
                            <section>
                                <h2>"Reps, last 7 days"</h2>
                                {compliance_table(&compliance.board, compliance.sla_minutes, false)}
                                <Bars chart=band_chart(&compliance.board, 640.0) label="Team followed to outcome" testid="wall-band-chart"/>
                            </section>
                        </div>
                    </main>
                }
                    .into_any()
            })
            }}
        </Transition>
    }
}
