//! `/lead/:id`: one lead — how to reach them, where the cadence stands, what was logged, and
//! the controls to log a touch, qualify, hand to nurture, close or reopen.

use crate::api::auth::current_user;
use crate::api::lead::{
    get_lead, CloseLead, LeadDetail, LogTouch, MarkNotReady, PassToSales, ReassignLeads,
    ReopenLead, RepChoice, ReturnLead, SaveQualification,
};
use crate::api::nurture::{HandBackLead, LogNurtureTouches};
use crate::api::ApiError;
use crate::domain::closure::DEAD_REASONS;
use crate::domain::lead::Stage;
use crate::domain::touch::{CallOutcome, NurtureKind};
use crate::ui::components::flags::flags;
use crate::ui::components::frame::{field_error, refusal, TopBar};
use crate::ui::components::load::load;
use crate::ui::components::post_form::{FormPost, PostForm};
use crate::ui::components::text_box::TextBox;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
/// Shows an action's refusal, if its last run was refused.
fn failure(
    last: impl Fn() -> Option<Result<String, ApiError>> + Send + Sync + 'static,
    testid: &'static str,
) -> impl IntoView {
    move || match last() {
        Some(Err(e)) => {
            Some(view! { <p class="error" role="alert" data-testid=testid>{e.to_string()}</p> })
        }
        _ => None,
    }
}

#[component]
pub fn LeadPage() -> impl IntoView {
    let params = use_params_map();
    let lead_id = move || params.read().get("id").unwrap_or_default();
    let log = FormPost::to::<LogTouch>();
    let qualify = FormPost::to::<SaveQualification>();
    let not_ready = FormPost::to::<MarkNotReady>();
    let close = FormPost::to::<CloseLead>();
    let reopen = FormPost::to::<ReopenLead>();
    let give_back = FormPost::to::<ReturnLead>();
    let nurture = FormPost::to::<LogNurtureTouches>();
    let hand_back = FormPost::to::<HandBackLead>();
    let reassign = FormPost::to::<ReassignLeads>();
    let pass = FormPost::to::<PassToSales>();
    // A refused pass re-reads the lead (who can take it may have changed); a pass that went
    // through does not: the lead has left the qualifier's sight.
    let pass_refused = RwSignal::new(0_usize);
    Effect::new(move |_| {
        if let Some(Err(_)) = pass.value() {
            pass_refused.update(|n| *n += 1);
        }
    });
    // What was saved changes the lead; a refusal leaves the forms as typed, beside its reason.
    let changes = move || {
        log.saved()
            + qualify.saved()
            + not_ready.saved()
            + close.saved()
            + reopen.saved()
            + give_back.saved()
            + nurture.saved()
            + hand_back.saved()
            + reassign.saved()
            + pass_refused.get()
    };
    let me = load(|| (), |_| current_user());
    let lead = load(move || (lead_id(), changes()), |(id, _)| get_lead(id));
    let actions = Actions {
        log,
        qualify,
        not_ready,
        close,
        reopen,
        give_back,
        nurture,
        hand_back,
        reassign,
        pass,
    };
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading the lead…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let back = user.role.home_path();
                match lead.await {
                    Ok(lead) => view! {
                        <TopBar user title="Lead"/>
                        <main class="page lead-page">
                            <a class="back" href=back>"← Back"</a>
                            {move || match pass.answer::<String>() {
                                // Passed on: the lead is the rep's now, and its controls go.
                                Some(Ok(to)) => view! {
                                    <section class="card">
                                        <p class="saved" role="status" data-testid="passed">
                                            {format!("Passed to {to}, hot: it has left your queue.")}
                                        </p>
                                        <a class="button" href=back>"Back to the queue"</a>
                                    </section>
                                }
                                    .into_any(),
                                _ => view! { <LeadBody lead=lead.clone() actions/> }.into_any(),
                            }}
                        </main>
                    }
                        .into_any(),
                    Err(e) => view! {
                        <TopBar user title="Lead"/>
                        <main class="page">{refusal(e)}<a href=back>"← Back"</a></main>
                    }
                        .into_any(),
                }
            })}
        </Transition>
    }
}

/// The page's actions, shared by its parts.
#[derive(Clone, Copy)]
struct Actions {
    log: FormPost,
    qualify: FormPost,
    not_ready: FormPost,
    close: FormPost,
    reopen: FormPost,
    give_back: FormPost,
    nurture: FormPost,
    hand_back: FormPost,
    reassign: FormPost,
    pass: FormPost,
}

#[component]
fn LeadBody(lead: LeadDetail, actions: Actions) -> impl IntoView {
    let id = lead.id.clone();
    let flags = flags(
        lead.stage == Stage::Hot,
        lead.repeat_inquirer,
        lead.phone.is_none(),
        lead.free_mail,
    );
    let reach = view! {
        <div class="actions">
            {lead.phone.clone().map(|p| {
                let shown = lead.phone_text.clone().unwrap_or_else(|| p.clone());
                view! {
                    <a class="button call" href=format!("tel:{p}") data-testid="call-link">{format!("Call {shown}")}</a>
                    <a class="button" href=format!("sms:{p}")>"Text"</a>
                }
            })}
            {lead.email.clone().map(|e| {
                // With no phone, email is the way to reach them: a full button.
                let class = if lead.phone.is_none() { "button email-only" } else { "email" };
                view! { <a class=class href=format!("mailto:{e}") data-testid="email-link">{format!("Email {e}")}</a> }
            })}
        </div>
        {(!lead.other_contacts.is_empty()).then(|| view! {
            <p class="muted" data-testid="other-contacts">{format!("Also gave: {}", lead.other_contacts.join(", "))}</p>
        })}
    };
    let touches = history_list(lead.touches.clone(), "No touches logged yet.", "touch-line");
    let history = history_list(lead.history.clone(), "", "event-line");
    let messages = lead
        .messages
        .iter()
        .map(|m| view! { <blockquote class="message">{m.clone()}</blockquote> })
        .collect_view();
    let from = lead.hot_note_from.clone();
    let hot_note = lead
        .hot_note
        .clone()
        .filter(|_| lead.stage == Stage::Hot)
        .map(|note| {
            view! {
                <section class="card hot-note" data-testid="hot-note">
                    <strong>{format!("Why now (from {from}): ")}</strong>
                    {note}
                </section>
            }
        });
    view! {
        {hot_note}
        <section class="card">
            <div class="lead-head">
                <h2 class="name" data-testid="lead-name">{lead.name.clone()}</h2>
                <span class="age">{lead.age.clone()}</span>
            </div>
            <div class="company">{lead.company.clone()}</div>
            {lead.customer.clone().map(|c| view! { <p class="customer" data-testid="customer">{c}</p> })}
            <div class="flags">{flags}</div>
            <p class="stage">
                <span class="badge" data-testid="lead-stage">{lead.stage_label.clone()}</span>
                {(lead.owner != lead.stage_label).then(|| format!(" · {}", lead.owner))}
            </p>
            <p class=if lead.overdue { "next overdue" } else { "next" } data-testid="lead-step">{lead.step.clone()}</p>
            {lead.voicemail_suggested.then_some(view! { <p class="muted">"Leave a voicemail if nobody answers."</p> })}
            {lead.nurture.clone().map(|n| view! { <p class="muted" data-testid="nurture-why">{n}</p> })}
            {reach}
            <p class="muted">{format!("Source: {} · Timeframe: {}", lead.source, if lead.timeframe.is_empty() { "not given" } else { &lead.timeframe })}</p>
            {messages}
        </section>
        {lead.can_log.then(|| view! { <LogControls id=id.clone() actions/> })}
        {lead.can_work.then(|| view! { <Qualify lead=lead.clone() actions/> })}
        {(lead.can_work && lead.conversations > 0).then(|| view! { <NotReady id=id.clone() actions/> })}
        {lead.can_work.then(|| view! { <ReturnToMarketing id=id.clone() actions/> })}
        {lead.can_nurture.then(|| view! { <NurtureControls id=id.clone() actions/> })}
        {lead.can_work.then(|| view! { <CloseDialog id=id.clone() actions/> })}
        {lead.can_reopen.then(|| view! { <Reopen id=id.clone() actions/> })}
        {lead.can_pass.then(|| view! { <PassToSales id=id.clone() reps=lead.reps.clone() actions/> })}
        {lead.can_reassign.then(|| view! { <Reassign id=id.clone() reps=lead.reps.clone() actions/> })}
        <section class="card">
            <h3>"Touches"</h3>
            {touches}
        </section>
        <section class="card">
            <h3>"History"</h3>
            {history}
        </section>
    }
}

fn history_list(
    lines: Vec<crate::api::lead::HistoryLine>,
    empty: &'static str,
    testid: &'static str,
) -> AnyView {
    if lines.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let items = lines
        .into_iter()
        .map(|line| {
            view! {
                <li data-testid=testid>
                    <strong>{line.what}</strong>
                    {(!line.detail.is_empty()).then(|| format!(" — {}", line.detail))}
                    <div class="muted">{format!("{} · {}", line.when, line.by)}</div>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="history">{items}</ul> }.into_any()
}

#[component]
fn LogControls(id: String, actions: Actions) -> impl IntoView {
    let log = actions.log;
    let calls = CallOutcome::ALL
        .into_iter()
        .map(|outcome| {
            let id = id.clone();
            view! {
                <PostForm post=log>
                    <input type="hidden" name="lead_id" value=id/>
                    <input type="hidden" name="kind" value="call"/>
                    <input type="hidden" name="outcome" value=outcome.as_str()/>
                    <button type="submit" class="outcome" data-testid=format!("outcome-{}", outcome.as_str())
                        disabled=move || log.pending().get()>
                        {outcome.label()}
                    </button>
                </PostForm>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h3>"Log a call"</h3>
            <div class="outcomes">{calls}</div>
            <details class="other-touch">
                <summary class="button">"Log a meeting, text or email"</summary>
                <PostForm post=log class="stack">
                    <input type="hidden" name="lead_id" value=id/>
                    <label>"What"
                        <select name="kind" data-testid="touch-kind">
                            <option value="meeting">"Meeting"</option>
                            <option value="sms">"Text message"</option>
                            <option value="email">"Email"</option>
                        </select>
                    </label>
                    <label class="check"><input type="checkbox" name="outcome" value="bounced"/>" The email bounced"</label>
                    <label>"Note" <textarea name="note" rows="2"></textarea></label>
                    <p class="hint" data-testid="follow-up-hint">
                        "Emails and texts are recorded, but they are not follow-up: only a call or a meeting counts toward the first-contact SLA and the cadence."
                    </p>
                    <button type="submit" class="primary" data-testid="log-other">"Log it"</button>
                </PostForm>
            </details>
            {failure(move || log.value(), "log-error")}
        </section>
    }
}

#[component]
fn Qualify(lead: LeadDetail, actions: Actions) -> impl IntoView {
    let q = lead.qualification;
    view! {
        <section class="card">
            <details open=move || matches!(actions.qualify.value(), Some(Err(_)))>
                <summary><h3 class="inline">"Qualification (BANT)"</h3></summary>
                <PostForm post=actions.qualify class="stack">
                    <input type="hidden" name="lead_id" value=lead.id/>
                    <label>"Budget" <TextBox name="budget" value=q.budget testid="bant-budget"/></label>
                    <label>"Authority" <TextBox name="authority" value=q.authority testid="bant-authority"/></label>
                    <label>"Need" <TextBox name="need" value=q.need testid="bant-need"/></label>
                    <label>"Timeline" <TextBox name="timeline" value=q.timeline testid="bant-timeline"/></label>
                    <button type="submit" class="primary">"Save notes"</button>
                </PostForm>
                {failure(move || actions.qualify.value(), "qualify-error")}
            </details>
        </section>
    }
}

#[component]
fn NotReady(id: String, actions: Actions) -> impl IntoView {
    view! {
        <section class="card">
            <details open=move || matches!(actions.not_ready.value(), Some(Err(_)))>
                <summary><h3 class="inline">"Not ready yet? Hand to nurture"</h3></summary>
                <PostForm post=actions.not_ready class="stack">
                    <input type="hidden" name="lead_id" value=id/>
                    <label>"Why not now" <input type="text" name="reason" required placeholder="Budget opens in Q3"/></label>
                    <label>"Back to sales on" <input type="date" name="recontact_on" required/></label>
                    <button type="submit" class="primary">"Hand to marketing"</button>
                </PostForm>
                {failure(move || actions.not_ready.value(), "not-ready-error")}
            </details>
        </section>
    }
}

#[component]
fn CloseDialog(id: String, actions: Actions) -> impl IntoView {
    let close = actions.close;
    let won_id = id.clone();
    let reasons = DEAD_REASONS
        .into_iter()
        .map(|(value, label)| view! { <option value=value>{label}</option> })
        .collect_view();
    view! {
        <section class="card">
            <details data-testid="close-dialog" open=move || matches!(close.value(), Some(Err(_)))>
                <summary class="button">"Close this lead"</summary>
                <div class="close-forms">
                    <PostForm post=close class="stack">
                        <h4>"Won"</h4>
                        <input type="hidden" name="lead_id" value=won_id/>
                        <input type="hidden" name="close[outcome]" value="won"/>
                        <label>"Amount" <input type="text" inputmode="decimal" name="close[amount]" placeholder="4,800"/>
                            {field_error(move || close.value(), "amount")}</label>
                        <label>"Sale date" <input type="date" name="close[sold_on]"/>
                            {field_error(move || close.value(), "sold_on")}</label>
                        <button type="submit" class="primary" data-testid="close-won">"Close as won"</button>
                    </PostForm>
                    <PostForm post=close class="stack">
                        <h4>"Dead"</h4>
                        <input type="hidden" name="lead_id" value=id/>
                        <input type="hidden" name="close[outcome]" value="dead"/>
                        <label>"Reason" <select name="close[reason]" data-testid="dead-reason">{reasons}</select></label>
                        <label class="check"><input type="checkbox" name="close[own_request]" value="yes"/>" They asked us to stop (do not contact)"</label>
                        <label>"Duplicate of (lead id)" <input type="text" name="close[duplicate_of]"/>
                            {field_error(move || close.value(), "duplicate_of")}</label>
                        <label>"Note" <textarea name="note" rows="2" data-testid="close-note"></textarea></label>
                        <p class="hint">"If they asked us to stop, note how and when they asked."</p>
                        <button type="submit" class="danger" data-testid="close-dead">"Close as dead"</button>
                    </PostForm>
                </div>
                {failure(move || close.value(), "close-error")}
            </details>
        </section>
    }
}

/// The reps to choose from, those who cannot take a lead now greyed out.
fn rep_options(reps: Vec<RepChoice>) -> impl IntoView {
    reps.into_iter()
        .map(|rep| view! { <option value=rep.id disabled=!rep.available>{rep.label}</option> })
        .collect_view()
}

/// The qualifier's pass. Once passed the lead leaves their queue (and their sight), so the
/// page is not reloaded: it says who has it now and leads back to the queue.
#[component]
fn PassToSales(id: String, reps: Vec<RepChoice>, actions: Actions) -> impl IntoView {
    let pass = actions.pass;
    if !reps.iter().any(|rep| rep.available) {
        // No button that can only fail: say why it cannot be passed now.
        return view! {
            <section class="card">
                <h3>"Sales-ready?"</h3>
                <p class="muted" data-testid="pass-blocked">
                    "No rep can take a lead now (all are away, switched off or full): it waits here, worked from the queue, until one has room."
                </p>
            </section>
        }
        .into_any();
    }
    let form = move || {
        let id = id.clone();
        let options = rep_options(reps.clone());
        view! {
                <PostForm post=pass class="stack">
                    <input type="hidden" name="lead_id" value=id/>
                    <label>"To" <select name="to" data-testid="pass-to">
                        <option value="">"The next rep with room"</option>
                        {options}
                    </select></label>
                    <label>"Note for the rep" <input type="text" name="note" required data-testid="pass-note" placeholder="Budget approved, wants a demo this week"/></label>
                    <button type="submit" class="primary hot" data-testid="pass">"Pass to sales (hot)"</button>
                </PostForm>
        }
    };
    view! {
        <section class="card">
            <h3>"Sales-ready? Pass it to a rep"</h3>
            {form()}
            {move || match pass.value() {
                Some(Err(e)) => Some(view! { <p class="error" role="alert" data-testid="pass-error">{e.to_string()}</p> }),
                _ => None,
            }}
        </section>
    }
    .into_any()
}

#[component]
fn Reassign(id: String, reps: Vec<RepChoice>, actions: Actions) -> impl IntoView {
    if !reps.iter().any(|rep| rep.available) {
        return view! {
            <section class="card">
                <h3>"Reassign"</h3>
                <p class="muted" data-testid="reassign-blocked">
                    "No other rep can take a lead now (all are away, switched off or full)."
                </p>
            </section>
        }
        .into_any();
    }
    let options = rep_options(reps);
    view! {
        <section class="card">
            <details>
                <summary><h3 class="inline">"Reassign"</h3></summary>
                <PostForm post=actions.reassign class="stack">
                    <input type="hidden" name="lead_ids" value=id/>
                    <label>"To" <select name="to" data-testid="reassign-to">
                        <option value="">"The next rep with room"</option>
                        {options}
                    </select></label>
                    <label>"Why" <input type="text" name="reason" required data-testid="reassign-reason" placeholder="Rita is on a course this week"/></label>
                    <button type="submit" class="primary" data-testid="reassign">"Reassign"</button>
                </PostForm>
            </details>
            // Outside the fold: the page re-reads the lead, and the fold starts closed again.
            {move || match actions.reassign.value() {
                Some(Err(e)) => Some(view! { <p class="error" role="alert" data-testid="reassign-error">{e.to_string()}</p> }.into_any()),
                Some(Ok(_)) => Some(view! { <p class="saved" role="status" data-testid="reassigned">"Reassigned."</p> }.into_any()),
                None => None,
            }}
        </section>
    }
    .into_any()
}

#[component]
fn Reopen(id: String, actions: Actions) -> impl IntoView {
    view! {
        <section class="card">
            <PostForm post=actions.reopen class="stack">
                <input type="hidden" name="lead_id" value=id/>
                <label>"Why reopen" <input type="text" name="note"/></label>
                <button type="submit" class="primary" data-testid="reopen">"Reverse the closure"</button>
            </PostForm>
            {failure(move || actions.reopen.value(), "reopen-error")}
        </section>
    }
}

#[component]
fn ReturnToMarketing(id: String, actions: Actions) -> impl IntoView {
    view! {
        <section class="card">
            <details open=move || matches!(actions.give_back.value(), Some(Err(_)))>
                <summary><h3 class="inline">"Return to marketing"</h3></summary>
                <PostForm post=actions.give_back class="stack">
                    <input type="hidden" name="lead_id" value=id/>
                    <label>"Reason" <input type="text" name="reason" required placeholder="Only wants information by email"/></label>
                    <button type="submit" class="primary">"Return to marketing"</button>
                </PostForm>
                {failure(move || actions.give_back.value(), "return-error")}
            </details>
        </section>
    }
}

#[component]
fn NurtureControls(id: String, actions: Actions) -> impl IntoView {
    let kinds = NurtureKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.as_str()>{k.label()}</option> })
        .collect_view();
    let touch_id = id.clone();
    view! {
        <section class="card">
            <h3>"Nurture"</h3>
            <PostForm post=actions.nurture class="stack">
                <input type="hidden" name="lead_ids" value=touch_id/>
                <label>"Touch" <select name="kind">{kinds}</select></label>
                <label>"What was sent" <input type="text" name="note"/></label>
                <button type="submit" class="primary" data-testid="log-nurture-one">"Log nurture touch"</button>
            </PostForm>
            {move || actions.nurture.value().and_then(Result::err).map(|e| view! {
                <p class="error" role="alert">{e.to_string()}</p>
            })}
            <PostForm post=actions.hand_back class="stack">
                <input type="hidden" name="lead_id" value=id/>
                <label>"Why now" <input type="text" name="note" data-testid="hand-back-note" placeholder="Replied: budget approved for Q3"/></label>
                <button type="submit" class="primary hot" data-testid="hand-back">"Hand back to sales (hot)"</button>
            </PostForm>
            {failure(move || actions.hand_back.value(), "hand-back-error")}
        </section>
    }
}
