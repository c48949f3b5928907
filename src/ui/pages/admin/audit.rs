//! `/admin/audit`: who did what, when — sign-ins and failures, people, roles and the policy
//! changed, keys rotated and revoked, leads reassigned, closed and reopened, CSV exports.
//! Filtered by action and person, fifty lines a page.

use super::AdminTabs;
use crate::api::admin::{audit, people, AUDIT_ACTIONS};
use crate::api::auth::current_user;
use crate::api::ApiError;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let me = load(|| (), |_| current_user());
    let team = load(|| (), |_| people());
    let lines = load(
        move || (param("action"), param("who"), param("after")),
        |(action, who, after)| audit(action, who, after),
    );
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let lines = match lines.await {
                    Ok(lines) => lines,
                    Err(e) => return refusal(e),
                };
                let team = team.await.map(|t| t.people).unwrap_or_default();
                let (action, who) = (param("action"), param("who"));
                let actions = AUDIT_ACTIONS
                    .iter()
                    .map(|(code, label)| view! { <option value=*code selected=*code == action>{*label}</option> })
                    .collect_view();
                let persons = team
                    .into_iter()
                    .map(|p| {
                        let selected = p.id == who;
                        view! { <option value=p.id selected=selected>{p.name}</option> }
                    })
                    .collect_view();
                let next = (lines.len() == 50)
                    .then(|| lines.last().map(|l| l.cursor.clone()))
                    .flatten()
                    .map(|cursor| {
                        let href = format!(
                            "/admin/audit?action={}&who={}&after={}",
                            urlencode(&action),
                            urlencode(&who),
                            urlencode(&cursor)
                        );
                        view! { <a class="button" href=href data-testid="audit-older">"Older →"</a> }
                    });
                let empty = lines.is_empty();
                let rows = lines
                    .into_iter()
                    .map(|line| view! {
                        <tr data-testid="audit-line">
                            <td class="when">{line.when}</td>
                            <td>{line.who}</td>
                            <td data-testid="audit-action">{line.action}</td>
                            <td>{line.subject}</td>
                            <td>{line.detail}</td>
                        </tr>
                    })
                    .collect_view();
                view! {
                    <TopBar user=user.clone() title="Audit log"/>
                    <main class="page wide admin">
                        <AdminTabs user current="/admin/audit"/>
                        <form method="get" action="/admin/audit" class="toolbar">
                            <label for="audit-action">"Action"</label>
                            <select id="audit-action" name="action" data-testid="audit-filter">
                                <option value="">"All"</option>
                                {actions}
                            </select>
                            <label for="audit-who">"Person"</label>
                            <select id="audit-who" name="who">
                                <option value="">"Anyone"</option>
                                {persons}
                            </select>
                            <button type="submit" class="button">"Show"</button>
                        </form>
                        <div class="scroll">
                            <table class="grid audit">
                                <caption class="sr-only">"Audit log, newest first"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"When"</th>
                                        <th scope="col">"Who"</th>
                                        <th scope="col">"What"</th>
                                        <th scope="col">"To"</th>
                                        <th scope="col">"Detail"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        {empty.then(|| view! { <p class="empty">"Nothing recorded for this choice."</p> })}
                        <p>{next}</p>
                    </main>
                }
                .into_any()
            })}
        </Transition>
    }
}

/// Percent-encodes a query value.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
