//! `/queue`: the rep's open leads in working order (what can still be won fastest first), made
//! for a phone. Each lead has a tap to call and a two-tap "log call" with the outcome. A logged
//! call can be undone for a few seconds before it is sent, and the list never moves under a
//! finger: it re-orders only once it is still ([`Settle`]).

use crate::api::alerts::my_alerts;
use crate::api::auth::current_user;
use crate::api::queue::{log_call, my_queue, LeadCard};
use crate::api::ApiError;
use crate::domain::lead::Stage;
use crate::domain::touch::CallOutcome;
use crate::ui::components::alerts::{AlertActions, AlertList};
use crate::ui::components::flags::flags;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::live::refresh_on_changes;
use crate::ui::components::settle::Settle;
use crate::ui::components::signal::{new_lead_signal, SignalSwitch};
use leptos::prelude::*;
use std::time::Duration;

/// How long a logged call can be undone before it is sent.
const UNDO_WINDOW: Duration = Duration::from_secs(5);
/// A second tap this soon after logging is a slip, not a wish to undo.
const ARMING: Duration = Duration::from_millis(800);
/// How long "Saved" stays on the card before the list moves on.
const SAVED_SHOWN: Duration = Duration::from_millis(1200);

/// A call logged on the queue, from the tap until the list moves on.
#[derive(Debug, Clone, PartialEq)]
struct Logged {
    lead_id: String,
    outcome: CallOutcome,
    /// Sent with the call: a retry of the same call is the same call on the server.
    key: String,
    state: LogState,
}

#[derive(Debug, Clone, PartialEq)]
enum LogState {
    /// Waiting out the undo window; `armed` once the undo button takes taps.
    Waiting {
        armed: bool,
    },
    Sending,
    Saved,
    Refused(String),
}

/// The calls logged on this page, and what they do to the list.
#[derive(Clone, Copy)]
struct CallLog {
    logged: RwSignal<Vec<Logged>>,
    settle: Settle,
}

impl CallLog {
    fn of(&self, lead_id: &str) -> Option<Logged> {
        self.logged
            .with(|all| all.iter().find(|l| l.lead_id == lead_id).cloned())
    }

    fn set_state(&self, key: &str, state: LogState) -> bool {
        let mut found = false;
        self.logged.try_update(|all| {
            if let Some(entry) = all.iter_mut().find(|l| l.key == key) {
                entry.state = state;
                found = true;
            }
        });
        found
    }

    fn remove(&self, key: &str) -> bool {
        let mut found = false;
        self.logged.try_update(|all| {
            let before = all.len();
            all.retain(|l| l.key != key);
            found = all.len() != before;
        });
        found
    }

    /// Logs `outcome` on a lead: held on the card for the undo window, then sent.
    fn log(self, lead_id: String, outcome: CallOutcome) {
        match self.of(&lead_id) {
            // Refused: the rep may log it again.
            Some(Logged {
                key,
                state: LogState::Refused(_),
                ..
            }) => {
                self.remove(&key);
            }
            // One call at a time per card: a second tap is a slip.
            Some(_) => return,
            None => {}
        }
        let key = new_key();
        self.logged.update(|all| {
            all.push(Logged {
                lead_id,
                outcome,
                key: key.clone(),
                state: LogState::Waiting { armed: false },
            })
        });
        self.settle.hold();
        let arming = key.clone();
        set_timeout(
            move || {
                self.set_state(&arming, LogState::Waiting { armed: true });
            },
            ARMING,
        );
        set_timeout(move || self.send(key), UNDO_WINDOW);
    }

    fn undo(self, key: &str) {
        if self.remove(key) {
            self.settle.release();
        }
    }

    fn send(self, key: String) {
        let Some(entry) = self
            .logged
            .try_with_untracked(|all| all.iter().find(|l| l.key == key).cloned())
            .flatten()
        else {
            return; // undone
        };
        if !matches!(entry.state, LogState::Waiting { .. }) {
            return;
        }
        self.set_state(&key, LogState::Sending);
        leptos::task::spawn_local(async move {
            let sent = log_call(
                entry.lead_id.clone(),
                entry.outcome.as_str().to_string(),
                Some(entry.key.clone()),
            )
            .await;
            match sent {
                Ok(()) => {
                    self.set_state(&key, LogState::Saved);
                    set_timeout(
                        move || {
                            if self.remove(&key) {
                                self.settle.release();
                                self.settle.request();
                            }
                        },
                        SAVED_SHOWN,
                    );
                }
                Err(e) => {
                    self.set_state(&key, LogState::Refused(e.to_string()));
                    self.settle.release();
                }
            }
        });
    }
}

/// A fresh random key for one logged call (browsers give random bytes on plain HTTP too).
fn new_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut bytes = [0u8; 16];
        if let Ok(crypto) = window().crypto() {
            let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let settle = Settle::new();
    let calls = CallLog {
        logged: RwSignal::new(Vec::new()),
        settle,
    };
    let queue = Resource::new(move || settle.tick(), |_| my_queue());
    let alert_actions = AlertActions::new();
    let alerts = Resource::new(
        move || (settle.tick(), alert_actions.version()),
        |_| my_alerts(),
    );
    refresh_on_changes(move || settle.request());
    // Leaving the page inside an undo window sends the call now rather than dropping it.
    on_cleanup(move || {
        let waiting = calls
            .logged
            .try_with_untracked(|all| {
                all.iter()
                    .filter(|l| matches!(l.state, LogState::Waiting { .. }))
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for entry in waiting {
            leptos::task::spawn_local(async move {
                let _ = log_call(
                    entry.lead_id,
                    entry.outcome.as_str().to_string(),
                    Some(entry.key),
                )
                .await;
            });
        }
    });
    // The lead page's code loads on its own: fetch it while the rep reads the queue.
    Effect::new(|_| {
        leptos::task::spawn_local(async {
            <super::RepRoute as leptos_router::LazyRoute>::preload().await;
        });
    });
    // What the rep typed to find a lead in their queue.
    let find = RwSignal::new(String::new());
    let (signal_on, signalled) = new_lead_signal(move || {
        queue
            .get()
            .and_then(Result::ok)
            .map(|cards| cards.into_iter().map(|card| card.id).collect())
    });
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading your queue…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let cards = match queue.await {
                    Ok(cards) => cards,
                    Err(e) => return refusal(e),
                };
                let alert_list = alerts.await.unwrap_or_default();
                let overdue = cards.iter().filter(|c| c.overdue).count();
                let open = cards.len();
                view! {
                    <TopBar user title="My queue"/>
                    <main class="page queue" on:pointerdown=move |_| settle.touched()>
                        <p class="summary" data-testid="queue-summary">
                            {format!("{open} open · {overdue} overdue")}
                        </p>
                        <SignalSwitch enabled=signal_on signalled/>
                        <AlertList alerts=alert_list actions=alert_actions/>
                        <label class="find">
                            <span class="visually-hidden">"Find in my queue"</span>
                            <input type="search" placeholder="Find by name, company, phone or email"
                                data-testid="queue-search" autocomplete="off"
                                prop:value=move || find.get()
                                on:input=move |ev| find.set(event_target_value(&ev))/>
                        </label>
                        {if cards.is_empty() {
                            view! { <p class="empty">"Nothing to follow up right now."</p> }.into_any()
                        } else {
                            view! {
                                <ol class="cards">
                                    {cards
                                        .into_iter()
                                        .map(|card| view! { <LeadCardView card calls find/> })
                                        .collect_view()}
                                </ol>
                            }
                                .into_any()
                        }}
                    </main>
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// What the "Log call" line says once a call is logged on the card.
fn call_status(entry: &Logged) -> String {
    match &entry.state {
        LogState::Waiting { .. } => {
            format!("Logged: {} · sending in a moment", entry.outcome.label())
        }
        LogState::Sending => format!("Logged: {} · saving…", entry.outcome.label()),
        LogState::Saved => format!("Saved: {}", entry.outcome.label()),
        LogState::Refused(_) => "Not saved".to_string(),
    }
}

#[component]
fn LeadCardView(card: LeadCard, calls: CallLog, find: RwSignal<String>) -> impl IntoView {
    let haystack = crate::domain::text::Haystack::new(&[
        &card.name,
        &card.company,
        card.email.as_deref().unwrap_or(""),
        card.phone.as_deref().unwrap_or(""),
    ]);
    let shown = move || find.with(|typed| haystack.finds(typed));
    let hot = card.stage == Stage::Hot;
    let class = match (hot, card.overdue) {
        // Hot first: a hot lead is also the most urgent.
        (true, _) => "card lead hot",
        (false, true) => "card lead overdue",
        _ => "card lead",
    };
    let tel = card.phone.clone().map(|phone| {
        let shown = card.phone_text.clone().unwrap_or_else(|| phone.clone());
        view! {
            <a class="button call" href=format!("tel:{phone}") data-testid="call-link">
                {format!("Call {shown}")}
            </a>
        }
    });
    // With no phone, email is the way to reach them: a full button, not a small link.
    let mail_class = if card.phone.is_none() {
        "button email-only"
    } else {
        "email"
    };
    let mail = card.email.clone().map(|email| {
        view! {
            <a class=mail_class href=format!("mailto:{email}") data-testid="email-link">
                {format!("Email {email}")}
            </a>
        }
    });
    let lead_id = card.id.clone();
    let mine = {
        let lead_id = lead_id.clone();
        move || calls.of(&lead_id)
    };
    let outcomes = CallOutcome::ALL
        .into_iter()
        .map(|outcome| {
            let lead_id = lead_id.clone();
            let mine = mine.clone();
            let undo_here = {
                let mine = mine.clone();
                move || {
                    mine().filter(|l| {
                        l.outcome == outcome && matches!(l.state, LogState::Waiting { .. })
                    })
                }
            };
            let label = {
                let undo_here = undo_here.clone();
                move || match undo_here() {
                    Some(_) => format!("Undo {}", outcome.label()),
                    None => outcome.label().to_string(),
                }
            };
            let testid = {
                let undo_here = undo_here.clone();
                move || match undo_here() {
                    Some(_) => "undo".to_string(),
                    None => format!("outcome-{}", outcome.as_str()),
                }
            };
            let disabled = {
                let mine = mine.clone();
                move || match mine() {
                    None
                    | Some(Logged {
                        state: LogState::Refused(_),
                        ..
                    }) => false,
                    Some(l) => {
                        !(l.outcome == outcome && l.state == LogState::Waiting { armed: true })
                    }
                }
            };
            view! {
                <button type="submit" name="outcome" value=outcome.as_str() class="outcome"
                    data-testid=testid disabled=disabled
                    on:click=move |ev| {
                        ev.prevent_default();
                        match undo_here() {
                            Some(logged) => calls.undo(&logged.key),
                            None => calls.log(lead_id.clone(), outcome),
                        }
                    }>
                    {label}
                </button>
            }
        })
        .collect_view();
    let status = {
        let mine = mine.clone();
        move || mine().map(|entry| call_status(&entry))
    };
    let refused = move || match mine() {
        Some(Logged {
            state: LogState::Refused(message),
            ..
        }) => Some(view! {
            <p class="error" role="alert" data-testid="log-error">{message}</p>
        }),
        _ => None,
    };
    let flags = flags(
        hot,
        card.repeat_inquirer,
        card.phone.is_none(),
        card.free_mail,
    );
    view! {
        <li class=class data-testid="lead-card" data-lead-id=card.id.clone()
            hidden=move || !shown()>
            <div class="lead-head">
                <a class="name" href=format!("/lead/{}", card.id) data-testid="lead-link">{card.name.clone()}</a>
                <span class="age" title="since inquiry">{card.age.clone()}</span>
            </div>
            <div class="company">{card.company.clone()}</div>
            <div class="flags">{flags}</div>
            <div class="next" data-testid="next-action">
                {card.next_action.clone()} " · "
                <span class=if card.overdue { "due overdue" } else { "due" }>{card.due.clone()}</span>
                {card.voicemail_suggested.then_some(" · leave a voicemail if no answer")}
            </div>
            {card.hot_note.clone().filter(|_| hot).map(|note| view! {
                <p class="hot-note" data-testid="card-hot-note">{format!("Why now: {note}")}</p>
            })}
            <div class="last" data-testid="last-touch">
                {card.last_touch.clone().unwrap_or_else(|| "Not contacted yet".to_string())}
            </div>
            {(!card.message.is_empty()).then(|| view! { <p class="message">{card.message.clone()}</p> })}
            <div class="actions">
                {tel}
                {mail}
            </div>
            <details class="log-call">
                <summary class="button" data-testid="log-call">
                    {
                        let status = status.clone();
                        move || if status().is_none() { Some("Log call") } else { None }
                    }
                    <span role="status" data-testid="call-status">{status}</span>
                </summary>
                // Without JavaScript the form posts the call straight away.
                <form method="post" action="/api/queue/log-call" class="outcomes">
                    <input type="hidden" name="lead_id" value=lead_id.clone()/>
                    {outcomes}
                </form>
                {refused}
            </details>
        </li>
    }
}
