//! `/board/compliance`: per-rep follow-up compliance with team totals against the 60–80% band,
//! and the bias watch on the segments reps drop.

use crate::api::auth::current_user;
use crate::api::board::{get_compliance, rep_leads, ComplianceView, WINDOWS};
use crate::api::ApiError;
use crate::domain::bias::RepBias;
use crate::domain::chart::{BarChart, Datum};
use crate::domain::compliance::{rate_text, ComplianceBoard, ComplianceLine, OUTCOME_BAND};
use crate::ui::components::chart::Bars;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::lead_list::{scroll_to, LeadList, ListActions};
use crate::ui::components::live::refresh_on_changes;
use crate::ui::components::load::{load, redraw_on};
use crate::ui::pages::board::BoardTabs;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn pct_text(pct: Option<u32>) -> String {
    pct.map_or_else(|| "–".to_string(), |p| format!("{p}%"))
}

/// Minutes as people say them: "4 min", "1 h 30 min", "2 days 3 h".
fn minutes_text(minutes: Option<f64>) -> String {
    match minutes {
        None => "–".to_string(),
        Some(m) if m < 1.0 => "under 1 min".to_string(),
        Some(m) => {
            let m = m.round() as i64;
            // Past a day, the minutes no longer matter.
            let m = if m >= 24 * 60 { m - m % 60 } else { m };
            crate::domain::policy_form::span_text(chrono::Duration::minutes(m))
        }
    }
}

fn line_row(
    line: &ComplianceLine,
    sla_minutes: i64,
    window: Option<u32>,
    team: bool,
) -> impl IntoView {
    let c = &line.counts;
    let slow = line
        .median_first_attempt_minutes
        .is_some_and(|m| m > sla_minutes as f64);
    let testid = if team {
        "compliance-team".to_string()
    } else {
        format!("compliance-{}", c.name)
    };
    // A rep's row opens their open leads, to reassign or to mark them away.
    let href = window.map(|window| {
        format!(
            "/board/compliance?window={window}&rep={}#rep-leads",
            c.rep_id
        )
    });
    let name = if let (false, Some(href)) = (team, href.clone()) {
        view! { <a href=href data-testid="open-rep">{c.name.clone()}</a> }.into_any()
    } else {
        view! { <span>{c.name.clone()}</span> }.into_any()
    };
    let ghosts = match href {
        Some(href) if !team && c.ghosts_now > 0 => {
            view! { <a href=href class="ghost-count">{c.ghosts_now}</a> }.into_any()
        }
        _ => view! { <span>{c.ghosts_now}</span> }.into_any(),
    };
    view! {
        <tr class=if team { "team" } else { "" } data-testid=testid>
            <th scope="row">{name}</th>
            <td data-testid="assigned">{c.assigned}</td>
            <td data-testid="within-sla">{rate_text(c.within_sla, c.assigned)}</td>
            <td class=if slow { "alarm" } else { "" }>{minutes_text(line.median_first_attempt_minutes)}</td>
            <td>{line.attempts_per_lead.map_or_else(|| "–".to_string(), |a| format!("{a:.1}"))}</td>
            <td data-testid="outcome">{rate_text(c.outcomes, c.assigned)}</td>
            <td class={if c.overdue_now > 0 { "warn" } else { "" }}>{c.overdue_now}</td>
            <td class={if c.ghosts_now > 0 { "alarm" } else { "" }} data-testid="ghosts">{ghosts}</td>
            <td>{c.closures_refused}</td>
            <td class={if c.dead_unspoken > 0 { "warn" } else { "" }}>{c.dead_unspoken}</td>
            <td class={if c.reclaimed > 0 { "warn" } else { "" }} data-testid="reclaimed">{c.reclaimed}</td>
        </tr>
    }
}

/// Each rep's share of leads called inside the SLA, as bars.
pub fn sla_chart(board: &ComplianceBoard, width: f64) -> BarChart {
    let data = board
        .lines
        .iter()
        .map(|line| Datum {
            label: line.counts.name.clone(),
            value: f64::from(line.within_sla_pct.unwrap_or(0)),
            text: format!("{} of {}", line.counts.within_sla, line.counts.assigned),
            alarm: line.within_sla_pct.is_some_and(|p| p < 50),
        })
        .collect();
    BarChart::horizontal(data, width, 100.0, &[(50.0, "50%"), (100.0, "100%")])
}

/// The team's followed-to-outcome share against the 60–80% band, as one bar.
pub fn band_chart(board: &ComplianceBoard, width: f64) -> BarChart {
    let pct = board.team.outcome_pct.unwrap_or(0);
    BarChart::horizontal(
        vec![Datum {
            label: "Followed to outcome".to_string(),
            value: f64::from(pct),
            text: format!("{pct}%"),
            alarm: board.band != Some(crate::domain::compliance::Band::Inside),
        }],
        width,
        100.0,
        &[
            (f64::from(OUTCOME_BAND.0), "60%"),
            (f64::from(OUTCOME_BAND.1), "80%"),
        ],
    )
}

/// The compliance table; with `links`, each rep's row opens their leads.
pub fn compliance_table(board: &ComplianceBoard, sla_minutes: i64, links: bool) -> impl IntoView {
    let window = links.then_some(board.window_days);
    let rows = board
        .lines
        .iter()
        .map(|line| line_row(line, sla_minutes, window, false))
        .collect_view();
    view! {
        <div class="scroll">
            <table class="grid compliance">
                <thead>
                    <tr>
                        <th>"Rep"</th>
                        <th>"Assigned"</th>
                        <th>{format!("1st attempt ≤ {sla_minutes} min")}</th>
                        <th>"Median to 1st attempt"</th>
                        <th>"Attempts / lead"</th>
                        <th>"Followed to outcome"</th>
                        <th>"Overdue now"</th>
                        <th>"Ghost leads"</th>
                        <th>"Closures refused"</th>
                        <th>"Closed dead unspoken"</th>
                        <th>"Reclaimed"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows}
                    {line_row(&board.team, sla_minutes, window, true)}
                    <tr class=if board.queue.unworked() { "queue alarm" } else { "queue" } data-testid="compliance-queue">
                        <th scope="row">"Qualifier queue"</th>
                        <td colspan="10">{board.queue.describe()}</td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

fn bias_rows(rep: RepBias) -> impl IntoView {
    let name = rep.name.clone();
    let gaps = rep
        .gaps
        .into_iter()
        .filter(|gap| gap.inside.leads > 0 && gap.outside.leads > 0)
        .map(|gap| {
            let flagged = gap.flagged();
            let verdict = gap.verdict();
            view! {
                <tr class=if flagged { "flagged" } else { "" } data-testid=format!("bias-{}-{:?}", name, gap.segment)>
                    <th scope="row">{name.clone()}</th>
                    <td>{gap.segment.label()}</td>
                    <td>{format!("{} of {} ({})", gap.inside.followed, gap.inside.leads, pct_text(gap.inside.followed_pct()))}</td>
                    <td>{format!("{} of {} ({})", gap.outside.followed, gap.outside.leads, pct_text(gap.outside.followed_pct()))}</td>
                    <td>{format!("{} vs {}", minutes_text(gap.inside_median_minutes), minutes_text(gap.outside_median_minutes))}</td>
                    <td>{format!("{} vs {}", pct_text(gap.inside.within_sla_pct()), pct_text(gap.outside.within_sla_pct()))}</td>
                    <td data-testid="verdict">{if flagged { format!("⚑ {verdict}") } else { verdict }}</td>
                </tr>
            }
        })
        .collect_view();
    gaps
}

#[component]
pub fn CompliancePage() -> impl IntoView {
    let query = use_query_map();
    let window = move || {
        query.with(|q| {
            q.get("window")
                .and_then(|w| w.parse::<u32>().ok())
                .unwrap_or(30)
        })
    };
    let rep = move || query.with(|q| q.get("rep").filter(|r| !r.is_empty()));
    let me = load(|| (), |_| current_user());
    let list_actions = ListActions::new();
    let data = load(
        move || (window(), list_actions.version()),
        |(window, _)| get_compliance(window),
    );
    let leads = load(
        move || (rep(), list_actions.version()),
        |(rep, _)| async move {
            match rep {
                Some(rep) => rep_leads(rep).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let scrolled = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(Some(_))) = leads.get() {
            let opened = rep();
            if opened.is_some() && scrolled.get_value() != opened {
                scrolled.set_value(opened);
                scroll_to("rep-leads");
            }
        }
    });
    refresh_on_changes(move || {
        data.refetch();
        leads.refetch();
    });
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading compliance…"</p> }>
            {move || {
            redraw_on(&[&data, &leads]);
            Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let ComplianceView { board, bias, sla_minutes, .. } = match data.await {
                    Ok(view_) => view_,
                    Err(e) => return refusal(e),
                };
                let rep_list = match leads.await {
                    Ok(list) => list
                        .map(|list| view! { <LeadList list actions=list_actions id="rep-leads"/> })
                        .into_any(),
                    Err(e) => refusal(e),
                };
                let windows = WINDOWS
                    .into_iter()
                    .map(|days| view! {
                        <a href=format!("/board/compliance?window={days}") class=if days == board.window_days { "tab current" } else { "tab" }>
                            {format!("Last {days} days")}
                        </a>
                    })
                    .collect_view();
                let band = board.band.map(|b| b.verdict()).unwrap_or("no leads assigned yet");
                let flagged = bias.iter().filter(|r| r.flagged()).count();
                let bias_table = bias.into_iter().map(bias_rows).collect_view();
                view! {
                    <TopBar user title="Compliance"/>
                    <main class="page wide">
                        <BoardTabs current="/board/compliance"/>
                        <nav class="tabs small">{windows}</nav>
                        <div class="kpis">
                            <div class="kpi">
                                <span class="kpi-value" data-testid="team-within-sla">{pct_text(board.team.within_sla_pct)}</span>
                                <span class="kpi-label">{format!("first attempt inside {sla_minutes} min ({})", rate_text(board.team.counts.within_sla, board.team.counts.assigned))}</span>
                            </div>
                            <div class=if board.band == Some(crate::domain::compliance::Band::Inside) { "kpi" } else { "kpi warn" }>
                                <span class="kpi-value" data-testid="team-outcome">{pct_text(board.team.outcome_pct)}</span>
                                <span class="kpi-label">{format!("followed to an outcome ({}): {band}", rate_text(board.team.counts.outcomes, board.team.counts.assigned))}</span>
                            </div>
                            <div class="kpi alarm">
                                <span class="kpi-value">{board.team.counts.ghosts_now}</span>
                                <span class="kpi-label">"ghost leads held by reps"</span>
                            </div>
                        </div>
                        {compliance_table(&board, sla_minutes, true)}
                        {rep_list}
                        <p class="muted">
                            {format!("Leads given to each rep in the last {} days (each fresh first-contact clock counts once). Reclaimed: taken away for a missed SLA or for sitting on the lead; the miss stays on the rep's record.", board.window_days)}
                        </p>
                        <h2 class="section">"Followed to an outcome, against the healthy 60–80% band"</h2>
                        <Bars chart=band_chart(&board, 720.0) label="Team followed to outcome" testid="band-chart"/>
                        <h2 class="section">"First attempt inside the SLA, by rep"</h2>
                        <Bars chart=sla_chart(&board, 720.0) label="First attempt inside SLA by rep" testid="sla-chart"/>
                        <h2 class="section">"Bias watch"</h2>
                        <p class="muted" data-testid="bias-summary">
                            {format!("{flagged} rep(s) flagged. Each segment reps tend to drop is compared with the same rep's other leads; ⚑ marks a gap Fisher's exact test finds significant (p < 0.05). Counts are shown so small numbers can be judged.")}
                        </p>
                        <div class="scroll">
                            <table class="grid bias">
                                <thead>
                                    <tr>
                                        <th>"Rep"</th><th>"Segment"</th><th>"Followed up: segment"</th><th>"Followed up: other leads"</th>
                                        <th>"Median to 1st attempt"</th><th>"Inside SLA"</th><th>"Verdict"</th>
                                    </tr>
                                </thead>
                                <tbody>{bias_table}</tbody>
                            </table>
                        </div>
                    </main>
                }
                    .into_any()
            })
            }}
        </Transition>
    }
}
