//! `/admin/territories`: which reps a lead is offered to first. A territory is a set of rules —
//! a country (narrowed to regions or postcode prefixes) or a source — and the reps whose
//! profile names it (set on the people screen). A territory with no active rep sends its leads
//! to the whole team.

use super::{field_message, refusal_text, AdminTabs, Field};
use crate::api::admin::{territories, AddTerritoryRules, RemoveTerritoryRule};
use crate::api::auth::current_user;
use crate::api::ApiError;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;

#[component]
pub fn TerritoriesPage() -> impl IntoView {
    let add = ServerAction::<AddTerritoryRules>::new();
    let remove = ServerAction::<RemoveTerritoryRule>::new();
    let me = load(|| (), |_| current_user());
    let list = load(
        move || add.version().get() + remove.version().get(),
        |_| territories(),
    );
    let error =
        move |field: &'static str| Signal::derive(move || field_message(add.value().get(), field));
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading territories…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let list = match list.await {
                    Ok(list) => list,
                    Err(e) => return refusal(e),
                };
                let empty = list.is_empty();
                let rows = list
                    .into_iter()
                    .map(|t| {
                        let rules = t
                            .rules
                            .into_iter()
                            .map(|(id, what)| view! {
                                <li>
                                    {what}
                                    <ActionForm action=remove attr:class="inline">
                                        <input type="hidden" name="rule_id" value=id/>
                                        <button type="submit" class="link dark">"Remove"</button>
                                    </ActionForm>
                                </li>
                            })
                            .collect_view();
                        let reps = if t.reps.is_empty() {
                            "No active rep: its leads go to the whole team".to_string()
                        } else {
                            t.reps.join(", ")
                        };
                        let testid = format!("territory-{}", t.name);
                        view! {
                            <tr data-testid=testid>
                                <th scope="row">{t.name}</th>
                                <td><ul class="plain">{rules}</ul></td>
                                <td>{reps}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <TopBar user=user.clone() title="Territories"/>
                    <main class="page wide admin">
                        <AdminTabs user current="/admin/territories"/>
                        <details class="card" open=move || matches!(add.value().get(), Some(Err(_)))>
                            <summary data-testid="add-territory">"Add rules to a territory"</summary>
                            <ActionForm action=add attr:class="stack columns">
                                <Field label="Territory" name="name" value="" error=error("territory") testid="territory-name"/>
                                <Field label="Country" name="country" value="" hint="two letters, e.g. US or DE"/>
                                <Field label="Regions" name="regions" value="" hint="comma-separated, e.g. California, Oregon"/>
                                <Field label="Postcode prefixes" name="postcodes" value="" hint="comma-separated, e.g. 80, 81"/>
                                <Field label="Sources" name="sources" value="" hint="source names, comma-separated" error=error("source")/>
                                <button type="submit" class="primary narrow" data-testid="territory-save">"Add"</button>
                                {move || add.value().get().and_then(Result::err).map(|e| view! {
                                    <p class="error" role="alert">{refusal_text(&e)}</p>
                                })}
                            </ActionForm>
                        </details>
                        <div class="scroll">
                            <table class="grid">
                                <caption class="sr-only">"Territories"</caption>
                                <thead><tr><th scope="col">"Territory"</th><th scope="col">"Its leads"</th><th scope="col">"Its reps"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        {empty.then(|| view! { <p class="empty">"No territories: every lead goes round the whole team."</p> })}
                        <p class="muted">"A rep works the territory named on their profile (People)."</p>
                    </main>
                }
                .into_any()
            })}
        </Transition>
    }
}
