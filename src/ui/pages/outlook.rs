//! `/board/outlook`: leads per rep against capacity, each territory's leads against its quota,
//! and what the open pool should bring — and what unfollowed leads cost.

use crate::api::auth::current_user;
use crate::api::board::get_outlook;
use crate::api::ApiError;
use crate::domain::chart::{BarChart, Datum};
use crate::domain::forecast::{Outlook, QUALIFIED_PER_SALE, RAW_PER_SALE};
use crate::ui::components::chart::Bars;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::live::refresh_on_changes;
use crate::ui::components::load::load;
use crate::ui::pages::board::BoardTabs;
use leptos::prelude::*;

/// Open leads per rep against capacity.
pub fn load_chart(outlook: &Outlook, width: f64) -> BarChart {
    let data = outlook
        .reps
        .iter()
        .map(|rep| Datum {
            label: rep.name.clone(),
            value: f64::from(rep.open),
            text: format!("{} / {}", rep.open, outlook.capacity),
            alarm: rep.over_capacity(outlook.capacity),
        })
        .collect();
    BarChart::horizontal(
        data,
        width,
        f64::from(outlook.capacity),
        &[(f64::from(outlook.capacity), "capacity")],
    )
}

fn sales(value: f64) -> String {
    format!("{value:.1}")
}

#[component]
pub fn OutlookPage() -> impl IntoView {
    let me = load(|| (), |_| current_user());
    let data = load(|| (), |_| get_outlook());
    refresh_on_changes(move || data.refetch());
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading capacity and forecast…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let outlook = match data.await {
                    Ok(outlook) => outlook,
                    Err(e) => return refusal(e),
                };
                let territories = outlook
                    .territories
                    .iter()
                    .map(|t| view! {
                        <tr class=if t.short_of_leads() { "flagged" } else { "" } data-testid=format!("territory-{}", t.territory)>
                            <th scope="row">{t.territory.clone()}</th>
                            <td>{t.reps}</td>
                            <td>{t.quota}</td>
                            <td>{format!("{} of {}", t.raw, t.raw_needed)}</td>
                            <td>{format!("{} of {}", t.qualified, t.qualified_needed)}</td>
                            <td>{sales(t.supported_sales)}</td>
                            <td>{if t.short_of_leads() { "Short of leads for quota" } else { "Enough leads for quota" }}</td>
                        </tr>
                    })
                    .collect_view();
                let hint = if outlook.reps_to_add > 0 {
                    format!(
                        "Leads exceed what reps can follow up: add {} rep(s), or let the qualifier queue filter for sales-ready leads ({} waiting there now).",
                        outlook.reps_to_add, outlook.overflow
                    )
                } else {
                    format!("Reps have room for their leads ({} waiting in the qualifier queue).", outlook.overflow)
                };
                let forecast = outlook.forecast();
                let basis = outlook.forecast_basis();
                let deal = outlook.average_deal_cents().map_or_else(|| "–".to_string(), |c| outlook.money(c));
                let deal_label = format!("average won deal (from {} sales)", outlook.closed.won);
                let lost_revenue = outlook.lost_revenue_cents().map_or_else(|| "–".to_string(), |c| outlook.money(c));
                let unfollowed = outlook.unfollowed;
                view! {
                    <TopBar user title="Capacity & forecast"/>
                    <main class="page wide">
                        <BoardTabs current="/board/outlook"/>
                        <h2 class="section">"Leads per rep against capacity"</h2>
                        <p class="hint" data-testid="capacity-hint">{hint}</p>
                        <Bars chart=load_chart(&outlook, 720.0) label="Open leads per rep against capacity" testid="load-chart"/>
                        <h2 class="section">"Territories: leads in the last 30 days against quota"</h2>
                        <p class="muted">{format!("A sale takes about {RAW_PER_SALE} raw inquiries or {QUALIFIED_PER_SALE} qualified leads (a lead that reached a conversation).")}</p>
                        <table class="grid">
                            <thead><tr><th>"Territory"</th><th>"Reps"</th><th>"Monthly quota"</th><th>"Raw leads"</th><th>"Qualified"</th><th>"Sales supported"</th><th></th></tr></thead>
                            <tbody>{territories}</tbody>
                        </table>
                        <h2 class="section">"Forecast from the open pool"</h2>
                        <div class="kpis">
                            <div class="kpi">
                                <span class="kpi-value" data-testid="open-pool">{outlook.open_pool}</span>
                                <span class="kpi-label">"open leads"</span>
                            </div>
                            <div class="kpi wide-kpi">
                                <span class="kpi-value" data-testid="expected-sales">{sales(forecast.sales)}</span>
                                <span class="kpi-label" data-testid="forecast-basis">{format!("expected sales, {basis}")}</span>
                            </div>
                            <div class="kpi">
                                <span class="kpi-value">{deal}</span>
                                <span class="kpi-label">{deal_label}</span>
                            </div>
                        </div>
                        <h2 class="section">"What unfollowed leads cost"</h2>
                        <div class="kpis">
                            <div class="kpi alarm">
                                <span class="kpi-value" data-testid="unfollowed">{unfollowed.ghosts + unfollowed.dead_unspoken}</span>
                                <span class="kpi-label">{format!("unfollowed: {} open ghost leads, {} closed dead unspoken (12 months)", unfollowed.ghosts, unfollowed.dead_unspoken)}</span>
                            </div>
                            <div class="kpi alarm">
                                <span class="kpi-value">{sales(outlook.lost_sales())}</span>
                                <span class="kpi-label">{format!("sales lost at 1 in 5, worth {lost_revenue}")}</span>
                            </div>
                            <div class="kpi warn">
                                <span class="kpi-value" data-testid="wasted-spend">{outlook.money(unfollowed.spend_cents)}</span>
                                <span class="kpi-label">"campaign spend wasted on them"</span>
                            </div>
                        </div>
                    </main>
                }
                    .into_any()
            })}
        </Transition>
    }
}
