//! `/nurture`: marketing's pool of leads kept warm until they turn hot.

use crate::api::auth::current_user;
use crate::api::nurture::nurture_pool;
use crate::api::ApiError;
use crate::ui::components::frame::{refusal, TopBar};
use leptos::prelude::*;

#[component]
pub fn NurturePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let pool = Resource::new(|| (), |_| nurture_pool());
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading the nurture pool…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let leads = match pool.await {
                    Ok(leads) => leads,
                    Err(e) => return refusal(e),
                };
                let count = leads.len();
                let rows = leads
                    .into_iter()
                    .map(|lead| {
                        view! {
                            <tr data-testid="nurture-row" class=if lead.overdue { "overdue" } else { "" }>
                                <td>
                                    <strong>{lead.name}</strong>
                                    <div class="muted">{lead.company}</div>
                                </td>
                                <td>{lead.age}</td>
                                <td>{lead.last_touch.unwrap_or_else(|| "—".to_string())}</td>
                                <td>{lead.next_action} " · " {lead.due}</td>
                                <td>{lead.timeframe}</td>
                                <td>{lead.source}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <TopBar user title="Nurture pool"/>
                    <main class="page wide">
                        <p class="summary" data-testid="nurture-count">
                            {format!("{count} leads being kept warm")}
                        </p>
                        <table class="grid">
                            <thead>
                                <tr>
                                    <th>"Lead"</th>
                                    <th>"Age"</th>
                                    <th>"Last touch"</th>
                                    <th>"Next"</th>
                                    <th>"Timeframe"</th>
                                    <th>"Source"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </main>
                }
                    .into_any()
            })}
        </Transition>
    }
}
