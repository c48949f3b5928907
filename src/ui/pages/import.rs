//! `/import`: marketing and managers import a list of people from a CSV file. Upload (a plain
//! form: it works without JavaScript), see the columns as guessed and the first rows with what
//! keeps any of them out, change what a column holds, import with a progress bar, download the
//! report. `?id=` opens one import.

use crate::api::auth::current_user;
use crate::api::imports::{import_page, set_import_mapping, start_import, ImportView};
use crate::api::ApiError;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ImportPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let me = load(|| (), |_| current_user());
    // Moves while an import runs, so its progress is read again each second.
    let tick = RwSignal::new(0_u32);
    let changed = RwSignal::new(0_u32);
    let page = load(
        move || (param("id"), tick.get(), changed.get()),
        |(id, _, _)| import_page(Some(id)),
    );
    let running = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                if running.get_untracked() {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    }
    let problem = RwSignal::new(None::<String>);
    let remap = Action::new(|(id, mapping): &(String, Vec<String>)| {
        set_import_mapping(id.clone(), mapping.clone())
    });
    let start = Action::new(|id: &String| start_import(id.clone()));
    Effect::new(move |_| {
        let outcome = remap.value().get().or_else(|| start.value().get());
        if let Some(outcome) = outcome {
            problem.set(outcome.err().map(|e: ApiError| e.to_string()));
            changed.update(|c| *c += 1);
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let screen = match page.await {
                    Ok(screen) => screen,
                    Err(e) => return refusal(e),
                };
                running.set(screen.open.as_ref().is_some_and(|o| o.status == "running"));
                let again = param("again") == "1";
                let open = screen.open.map(|open| {
                    view! { <OpenImport open again choices=screen.choices.clone() remap start problem/> }
                });
                let recent = screen
                    .recent
                    .into_iter()
                    .map(|line| {
                        let state = match line.status.as_str() {
                            "done" => format!("{} rows imported", line.total_rows),
                            "running" => format!("importing: {} of {}", line.done_rows, line.total_rows),
                            _ => format!("{} rows, not started", line.total_rows),
                        };
                        view! {
                            <li data-testid="import-line">
                                <a href=format!("/import?id={}", line.id)>{line.file_name}</a>
                                {format!(" · {} · {state}", line.when)}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <TopBar user title="Import a list"/>
                    <main class="page wide import">
                        <form method="post" action="/import/upload" enctype="multipart/form-data" class="upload">
                            <label>
                                "A CSV file of people (from a spreadsheet, a fair's badge scanner…): up to 100,000 rows"
                                <input type="file" name="file" accept=".csv,.txt,text/csv" required data-testid="import-file"/>
                            </label>
                            <button type="submit" class="button" data-testid="import-upload">"Upload and preview"</button>
                        </form>
                        {open}
                        <h2>"Recent lists"</h2>
                        <ul class="imports">{recent}</ul>
                    </main>
                }
                    .into_any()
            })}
        </Transition>
    }
}

#[component]
fn OpenImport(
    open: ImportView,
    again: bool,
    choices: Vec<(String, String)>,
    remap: Action<(String, Vec<String>), Result<(), ApiError>>,
    start: Action<String, Result<(), ApiError>>,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let ready = open.status == "ready";
    let id = open.id.clone();
    let mapping: Vec<String> = open.columns.iter().map(|c| c.key.clone()).collect();
    let columns = open
        .columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let options = choices
                .iter()
                .map(|(key, label)| {
                    view! { <option value=key.clone() selected=*key == column.key>{label.clone()}</option> }
                })
                .collect_view();
            let id = id.clone();
            let mapping = mapping.clone();
            view! {
                <th scope="col">
                    <span class="header">{column.header.clone()}</span>
                    <select data-testid="import-column" disabled=!ready aria-label=format!("What “{}” holds", column.header)
                        on:change=move |ev| {
                            let mut mapping = mapping.clone();
                            mapping[index] = event_target_value(&ev);
                            remap.dispatch((id.clone(), mapping));
                        }>
                        {options}
                    </select>
                </th>
            }
        })
        .collect_view();
    let rows = open
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .cells
                .iter()
                .map(|cell| view! { <td>{cell.clone()}</td> })
                .collect_view();
            let verdict = if row.problems.is_empty() {
                "ok".to_string()
            } else {
                row.problems.join("; ")
            };
            let class = if row.problems.is_empty() { "" } else { "alarm" };
            view! {
                <tr data-testid="import-row">
                    <th scope="row">{row.row_no}</th>
                    {cells}
                    <td class=class data-testid="import-row-verdict">{verdict}</td>
                </tr>
            }
        })
        .collect_view();
    let problems = open
        .problems
        .iter()
        .map(|p| view! { <li>{p.clone()}</li> })
        .collect_view();
    let can_start = ready && open.problems.is_empty();
    let progress = (!ready).then(|| {
        let label = if open.status == "done" {
            format!(
                "Done: {} imported, {} already leads (linked), {} rejected.",
                open.imported, open.repeats, open.rejected
            )
        } else {
            format!("Importing: {} of {} rows…", open.done_rows, open.total_rows)
        };
        view! {
            <p>
                <progress max=open.total_rows.max(1) value=open.done_rows data-testid="import-progress"></progress>
                <span role="status" data-testid="import-status">{label}</span>
            </p>
        }
    });
    let report = (open.status == "done").then(|| {
        view! {
            <p><a class="button" href=format!("/import/{}/report.csv", open.id) download="import-report.csv" rel="external" data-testid="import-report">"Download the report (CSV)"</a></p>
        }
    });
    let start_id = open.id.clone();
    view! {
        <section class="open-import" data-testid="open-import">
            <h2>{open.file_name.clone()}</h2>
            {again.then(|| view! {
                <p class="notice" role="status" data-testid="import-again">"This file was uploaded before: this is that import. Nothing new is made from it."</p>
            })}
            <p class="muted">{format!("{} rows · read as {}", open.total_rows, open.read_as)}</p>
            <ul class="problems" data-testid="import-problems">{problems}</ul>
            {move || problem.get().map(|p| view! { <p class="error" role="alert" data-testid="error">{p}</p> })}
            {ready.then(|| view! { <p data-testid="import-pace">{open.pace.clone()}</p> })}
            {(!open.columns.is_empty()).then(|| view! {
                <div class="scroll">
                    <table class="grid">
                        <thead><tr><th>"Row"</th>{columns}<th>"Would be"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
            {ready.then(|| view! {
                <button type="button" class="button primary" data-testid="import-start" disabled=!can_start
                    on:click=move |_| { start.dispatch(start_id.clone()); }>
                    {format!("Import {} rows", open.total_rows)}
                </button>
            })}
            {progress}
            {report}
        </section>
    }
}
