//! A manager's list of leads to act on: each opens its lead; any number can be ticked and
//! reassigned at once (to a chosen rep, or to whoever routing picks); and a rep's own list
//! marks the rep away. Used by the aging board's drill-down and a compliance row's leads.

use crate::api::admin::MarkAway;
use crate::api::board::CellView;
use crate::api::lead::ReassignLeads;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The actions a list can take; a page re-reads its data when their version moves.
#[derive(Clone, Copy)]
pub struct ListActions {
    pub reassign: ServerAction<ReassignLeads>,
    pub away: ServerAction<MarkAway>,
}

impl ListActions {
    pub fn new() -> Self {
        Self {
            reassign: ServerAction::<ReassignLeads>::new(),
            away: ServerAction::<MarkAway>::new(),
        }
    }

    pub fn version(&self) -> usize {
        self.reassign.version().get() + self.away.version().get()
    }
}

impl Default for ListActions {
    fn default() -> Self {
        Self::new()
    }
}

/// The list, under `id` (the page scrolls it into view when it opens).
#[component]
pub fn LeadList(list: CellView, actions: ListActions, id: &'static str) -> impl IntoView {
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let all_ids: Vec<String> = list.leads.iter().map(|l| l.id.clone()).collect();
    let count = list.leads.len();
    let rows = list
        .leads
        .into_iter()
        .map(|lead| {
            let class = match (lead.ghost, lead.overdue) {
                (true, _) => "flagged",
                (_, true) => "overdue",
                _ => "",
            };
            let id = lead.id.clone();
            let toggle_id = lead.id.clone();
            let label = format!("Select {}", lead.name);
            view! {
                <tr class=class data-testid="cell-lead">
                    <td class="pick">
                        <input type="checkbox" aria-label=label data-testid="pick-lead"
                            prop:checked=move || selected.with(|s| s.contains(&id))
                            on:change=move |_| selected.update(|s| {
                                if !s.remove(&toggle_id) {
                                    s.insert(toggle_id.clone());
                                }
                            })/>
                    </td>
                    <td><a href=format!("/lead/{}", lead.id)>{lead.name}</a></td>
                    <td>{lead.company}</td>
                    <td>{lead.owner}</td>
                    <td>{lead.age}</td>
                    <td>{if lead.ghost { "never".to_string() } else { lead.since_touch }}</td>
                    <td>{lead.overdue.then_some("overdue")}</td>
                </tr>
            }
        })
        .collect_view();
    let reps = list
        .reps
        .into_iter()
        .map(|rep| view! { <option value=rep.id>{rep.label}</option> })
        .collect_view();
    let chosen = move || selected.with(|s| s.iter().cloned().collect::<Vec<_>>().join(","));
    let picked = move || selected.with(BTreeSet::len);
    let reassign = actions.reassign;
    let select_all = move |_| {
        selected.update(|s| {
            if s.len() == all_ids.len() {
                s.clear();
            } else {
                s.extend(all_ids.iter().cloned());
            }
        });
    };
    let away = list.rep_id.map(|rep_id| {
        view! {
            <ActionForm action=actions.away attr:class="toolbar away-rep">
                <input type="hidden" name="user_id" value=rep_id/>
                <input type="hidden" name="from" value=""/>
                <label for="away-until">"Mark this rep away, back after"</label>
                <input type="date" id="away-until" name="until" required data-testid="away-until"/>
                <button type="submit" class="button" data-testid="mark-away">"Mark away"</button>
                {move || match actions.away.value().get() {
                    Some(Ok(())) => Some(view! { <span class="saved" role="status">"Marked away: no new leads meanwhile."</span> }.into_any()),
                    Some(Err(e)) => Some(view! { <span class="error" role="alert">{e.to_string()}</span> }.into_any()),
                    None => None,
                }}
            </ActionForm>
        }
    });
    view! {
        <section id=id class="drill" data-testid="cell-leads" tabindex="-1">
            <h2 class="section">{list.title}</h2>
            {list.truncated.then(|| view! { <p class="muted">"The oldest 200 are listed."</p> })}
            {away}
            <ActionForm action=reassign attr:class="toolbar bulk">
                <input type="hidden" name="lead_ids" prop:value=chosen/>
                <span data-testid="picked">{move || format!("{} of {count} selected", picked())}</span>
                <label for=format!("{id}-to")>"Give to"</label>
                <select id=format!("{id}-to") name="to" data-testid="reassign-to">
                    <option value="">"Whoever routing picks"</option>
                    {reps}
                </select>
                <label for=format!("{id}-reason")>"Why"</label>
                <input type="text" id=format!("{id}-reason") name="reason" value="Rebalanced from the board"
                    data-testid="reassign-reason"/>
                <button type="submit" class="primary narrow" data-testid="reassign-selected"
                    disabled=move || picked() == 0 || reassign.pending().get()>
                    "Reassign selected"
                </button>
                <span role="status">
                    {move || match reassign.value().get() {
                        Some(Ok(moved)) => Some(view! { <span class="saved" data-testid="reassigned">{format!("Reassigned {moved}.")}</span> }.into_any()),
                        Some(Err(e)) => Some(view! { <span class="error" data-testid="reassign-error">{e.to_string()}</span> }.into_any()),
                        None => None,
                    }}
                </span>
            </ActionForm>
            <div class="scroll">
                <table class="grid">
                    <thead><tr>
                        <th><button type="button" class="link dark" on:click=select_all>"All"</button></th>
                        <th>"Lead"</th><th>"Company"</th><th>"Held by"</th><th>"Age"</th><th>"Last real touch"</th><th></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Brings the element `id` into view once the page has drawn it (a count or a row was opened),
/// looking again for up to three seconds while its data is still on the way.
pub fn scroll_to(id: &'static str) {
    scroll_when_drawn(id, 30);
}

fn scroll_when_drawn(id: &'static str, tries: u32) {
    request_animation_frame(move || match document().get_element_by_id(id) {
        Some(element) => element.scroll_into_view(),
        None if tries > 0 => set_timeout(
            move || scroll_when_drawn(id, tries - 1),
            std::time::Duration::from_millis(100),
        ),
        None => {}
    });
}
