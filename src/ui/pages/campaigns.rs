//! `/campaigns`: the value of leads per campaign — what each brought, how sales followed it
//! up, what it earned, and the spend wasted on leads nobody called.

use crate::api::auth::current_user;
use crate::api::nurture::campaigns;
use crate::api::ApiError;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let me = load(|| (), |_| current_user());
    let table = load(|| (), |_| campaigns());
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading campaigns…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let rows = match table.await {
                    Ok(rows) => rows,
                    Err(e) => return refusal(e),
                };
                let rows = rows
                    .into_iter()
                    .map(|r| {
                        let flagged = if r.never_followed_up > 0 { "alarm" } else { "" };
                        view! {
                        <tr data-testid="campaign-row">
                            <th scope="row">{r.name}</th>
                            <td>{r.leads}</td>
                            <td>{format!("{}%", r.within_sla_pct)}</td>
                            <td>{format!("{}%", r.reached_pct)}</td>
                            <td>{r.in_nurture}</td>
                            <td>{r.handed_back}</td>
                            <td>{r.won}</td>
                            <td>{r.recycled_then_won}</td>
                            <td>{r.revenue}</td>
                            <td>{r.cost}</td>
                            <td>{r.cost_per_lead}</td>
                            <td class=flagged>{r.never_followed_up}</td>
                            <td class=flagged>{r.wasted}</td>
                        </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <TopBar user title="Campaigns"/>
                    <main class="page wide">
                        <p>
                            <a href="/nurture">"← Nurture pool"</a> " · "
                            <a href="/import" data-testid="nav-import">"Import a list"</a> " · "
                            <a href="/campaigns.csv" download="campaigns.csv" rel="external" data-testid="csv">"Download CSV"</a>
                        </p>
                        <div class="scroll">
                            <table class="grid">
                                <thead>
                                    <tr>
                                        <th>"Campaign"</th><th>"Leads"</th><th>"Called within SLA"</th>
                                        <th>"Reached"</th><th>"In nurture"</th><th>"Handed back"</th>
                                        <th>"Won"</th><th>"Recycled then won"</th><th>"Revenue"</th>
                                        <th>"Cost"</th><th>"Cost per lead"</th><th>"Never followed up"</th>
                                        <th>"Wasted spend"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <p class="muted">"Wasted spend: the cost of the leads nobody ever called or met."</p>
                    </main>
                }
                    .into_any()
            })}
        </Transition>
    }
}
