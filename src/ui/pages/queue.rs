//! `/queue`: the rep's open leads in working order (what can still be won fastest first), made
//! for a phone. Each lead has a tap to call and a two-tap "log call" with the outcome. A logged
//! call can be undone for a few seconds before it is sent, and the list never moves under a
//! finger: it re-orders only once it is still ([`Settle`]).

use crate::api::alerts::my_alerts;
use crate::api::auth::current_user;
use crate::api::queue::{log_call, my_queue, LeadCard};
use crate::api::ApiError;
use crate::domain::lead::Stage;
use crate::domain::text::Haystack;
use crate::domain::touch::CallOutcome;
use crate::ui::components::alerts::{AlertActions, AlertList};
use crate::ui::components::flags::flags;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::live::refresh_on_changes;
use crate::ui::components::outbox::{self, Parcel};
use crate::ui::components::settle::Settle;
use crate::ui::components::signal::{new_lead_signal, NewLead, SignalSwitch};
use leptos::prelude::*;
use std::time::Duration;

/// How long a logged call can be undone before it is sent.
const UNDO_WINDOW: Duration = Duration::from_secs(5);
/// A second tap this soon after logging is a slip, not a wish to undo.
const ARMING: Duration = Duration::from_millis(800);
/// How long "Saved" stays on the card before the list moves on.
const SAVED_SHOWN: Duration = Duration::from_millis(1200);
/// How often calls the server has not heard yet are sent again.
#[cfg(feature = "hydrate")]
const RETRY_EVERY: Duration = Duration::from_secs(10);

/// A call logged on the queue, from the tap until the list moves on.
#[derive(Debug, Clone, PartialEq)]
struct Logged {
    lead_id: String,
    lead_name: String,
    outcome: CallOutcome,
    /// What was said, and the agreed callback time (RFC 3339) or empty.
    note: String,
    callback: String,
    /// Sent with the call: a retry of the same call is the same call on the server.
    key: String,
    state: LogState,
    /// Keeps the list still (logged on this page, until sent or taken back).
    holds: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum LogState {
    /// Waiting out the undo window; `armed` once the undo button takes taps.
    Waiting {
        armed: bool,
    },
    Sending,
    /// The server could not be reached: kept on the phone and sent again.
    Unsent,
    Saved,
    Refused(String),
}

/// The calls logged on this page, and what they do to the list.
#[derive(Clone, Copy)]
struct CallLog {
    logged: RwSignal<Vec<Logged>>,
    settle: Settle,
    /// Who is signed in (their calls only go in and out of the outbox).
    user: StoredValue<String>,
    /// The leads whose "Log call" panel is open. A panel belongs to its lead, not to a place on
    /// the screen: when the list re-orders, the card that slides in keeps its own (closed) one.
    open: RwSignal<Vec<String>>,
    /// The last request could not reach the server.
    offline: RwSignal<bool>,
    /// What the rep typed in a card's panel (note, callback time), by lead: kept when the list
    /// re-reads, cleared once the call is saved.
    drafts: RwSignal<std::collections::HashMap<String, Draft>>,
    /// What the rep should read about their calls (a callback time that was not kept).
    notices: RwSignal<Vec<String>>,
}

/// A note and a callback time typed on a card, not yet sent.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    note: String,
    /// As the phone's picker gives it: "2026-11-27T15:00", in the phone's time.
    callback: String,
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

    /// Logs `outcome` on a lead: kept on the phone at once, held on the card for the undo
    /// window, then sent.
    fn log(self, lead_id: String, lead_name: String, outcome: CallOutcome) {
        let draft = self.draft(&lead_id);
        let note = draft.note.trim().to_string();
        let callback = phone_time_to_utc(&draft.callback);
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
        outbox::keep(&Parcel {
            key: key.clone(),
            user: self.user.get_value(),
            lead_id: lead_id.clone(),
            lead_name: lead_name.clone(),
            outcome: outcome.as_str().to_string(),
            note: note.clone(),
            callback: callback.clone(),
        });
        self.logged.update(|all| {
            all.push(Logged {
                lead_id,
                lead_name,
                outcome,
                note,
                callback,
                key: key.clone(),
                state: LogState::Waiting { armed: false },
                holds: true,
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
        outbox::forget(key);
        if self.remove(key) {
            self.settle.release();
        }
    }

    /// Lets the list move again, if this call was keeping it still.
    fn let_go(self, key: &str) {
        let mut held = false;
        self.logged.try_update(|all| {
            if let Some(entry) = all.iter_mut().find(|l| l.key == key) {
                held = std::mem::take(&mut entry.holds);
            }
        });
        if held {
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
        if !matches!(entry.state, LogState::Waiting { .. } | LogState::Unsent) {
            return;
        }
        self.set_state(&key, LogState::Sending);
        leptos::task::spawn_local(async move {
            let mut sent = deliver(&entry).await;
            // The call happened whatever becomes of the callback time (it may have passed
            // while the phone had no signal): a refused callback does not lose the call.
            if let (Err(ApiError::Refused(why)), false) = (&sent, entry.callback.is_empty()) {
                let why = why.clone();
                let without = Logged {
                    callback: String::new(),
                    ..entry.clone()
                };
                if deliver(&without).await.is_ok() {
                    sent = Ok(());
                    self.tell(format!(
                        "{} for {} is saved, but not its callback time: {why} The next call is due by the cadence.",
                        entry.outcome.label(),
                        entry.lead_name
                    ));
                }
            }
            match sent {
                Ok(()) => {
                    outbox::forget(&key);
                    self.offline.try_set(false);
                    self.set_state(&key, LogState::Saved);
                    set_timeout(
                        move || {
                            self.let_go(&key);
                            if self.remove(&key) {
                                // The list is about to re-order: no open panel may arrive
                                // under the finger.
                                self.close_all();
                                self.drafts.update(|drafts| {
                                    drafts.remove(&entry.lead_id);
                                });
                                self.settle.request();
                            }
                        },
                        SAVED_SHOWN,
                    );
                }
                // Not heard, or not now: it stays on the phone and goes again.
                Err(e) if worth_retrying(&e) => {
                    if matches!(e, ApiError::Transport(_)) {
                        self.offline.try_set(true);
                    }
                    self.set_state(&key, LogState::Unsent);
                    self.let_go(&key);
                }
                Err(e) => {
                    outbox::forget(&key);
                    self.set_state(&key, LogState::Refused(e.to_string()));
                    self.let_go(&key);
                }
            }
        });
    }

    /// Sends again every call the server has not heard yet.
    #[cfg_attr(
        not(feature = "hydrate"),
        expect(dead_code, reason = "the browser retries")
    )]
    fn retry(self) {
        let unsent = self
            .logged
            .try_with_untracked(|all| {
                all.iter()
                    .filter(|l| l.state == LogState::Unsent)
                    .map(|l| l.key.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for key in unsent {
            self.send(key);
        }
    }

    /// Sends what an earlier visit left on the phone (a reload or a closed tab inside the undo
    /// window, or no signal): each goes once, under the key it was logged with.
    #[cfg_attr(
        not(feature = "hydrate"),
        expect(dead_code, reason = "only a browser has it")
    )]
    async fn restore(self) {
        let user = self.user.get_value();
        for parcel in outbox::kept(&user).await {
            let Ok(outcome) = parcel.outcome.parse::<CallOutcome>() else {
                outbox::forget(&parcel.key);
                continue;
            };
            let known = self
                .logged
                .try_with_untracked(|all| all.iter().any(|l| l.key == parcel.key))
                .unwrap_or(true);
            if known {
                continue;
            }
            self.logged.try_update(|all| {
                all.push(Logged {
                    lead_id: parcel.lead_id,
                    lead_name: parcel.lead_name,
                    outcome,
                    note: parcel.note,
                    callback: parcel.callback,
                    key: parcel.key.clone(),
                    state: LogState::Unsent,
                    holds: false,
                })
            });
            self.send(parcel.key);
        }
    }

    fn draft(&self, lead_id: &str) -> Draft {
        self.drafts
            .with_untracked(|drafts| drafts.get(lead_id).cloned())
            .unwrap_or_default()
    }

    fn edit_draft(&self, lead_id: &str, edit: impl FnOnce(&mut Draft)) {
        self.drafts
            .update(|drafts| edit(drafts.entry(lead_id.to_string()).or_default()));
    }

    fn is_open(&self, lead_id: &str) -> bool {
        self.open.with(|open| open.iter().any(|id| id == lead_id))
    }

    fn set_open(&self, lead_id: &str, is_open: bool) {
        if self
            .open
            .with_untracked(|open| open.iter().any(|id| id == lead_id))
            == is_open
        {
            return;
        }
        self.open.update(|open| {
            open.retain(|id| id != lead_id);
            if is_open {
                open.push(lead_id.to_string());
            }
        });
        self.settle
            .deciding(self.open.with_untracked(|open| !open.is_empty()));
    }

    fn close_all(&self) {
        self.open.set(Vec::new());
        self.settle.deciding(false);
    }

    /// Something the rep should read about a call (shown until they dismiss it).
    fn tell(&self, text: String) {
        self.notices.try_update(|notices| notices.push(text));
    }

    /// Calls the server has not heard yet that no longer wait on their card: kept on the
    /// phone and being sent again.
    fn unsent(&self) -> usize {
        self.logged.with(|all| {
            all.iter()
                .filter(|l| !l.holds && matches!(l.state, LogState::Unsent | LogState::Sending))
                .count()
        })
    }
}

/// Sends one logged call, with its key, note and callback time.
async fn deliver(entry: &Logged) -> Result<(), ApiError> {
    let given = |text: &str| (!text.is_empty()).then(|| text.to_string());
    log_call(
        entry.lead_id.clone(),
        entry.outcome.as_str().to_string(),
        Some(entry.key.clone()),
        given(&entry.note),
        given(&entry.callback),
    )
    .await
}

/// The phone's picker gives a time without a zone ("2026-11-27T15:00", meant in the phone's
/// time): the same moment in UTC for the server. Anything the browser cannot read goes as
/// typed, for the server to refuse in words.
fn phone_time_to_utc(local: &str) -> String {
    let local = local.trim();
    #[cfg(feature = "hydrate")]
    if !local.is_empty() {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(local));
        if !date.get_time().is_nan() {
            return String::from(date.to_iso_string());
        }
    }
    local.to_string()
}

/// A failure that may pass: no connection, a server fault, a queue at the door, or a session
/// to renew. Anything else is the server saying no.
fn worth_retrying(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::Transport(_)
            | ApiError::Internal
            | ApiError::TooSlow
            | ApiError::TooManyRequests { .. }
            | ApiError::Unauthenticated
    )
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
        user: StoredValue::new(String::new()),
        open: RwSignal::new(Vec::new()),
        offline: RwSignal::new(false),
        drafts: RwSignal::new(Default::default()),
        notices: RwSignal::new(Vec::new()),
    };
    let queue = Resource::new(move || settle.tick(), |_| my_queue());
    let alert_actions = AlertActions::new();
    let alerts = Resource::new(
        move || (settle.tick(), alert_actions.version()),
        |_| my_alerts(),
    );
    refresh_on_changes(move || settle.request());
    // Leaving the page inside an undo window sends the call now rather than dropping it (it is
    // also in the outbox, so a failed send goes again on the next visit).
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
                if deliver(&entry).await.is_ok() {
                    outbox::forget(&entry.key);
                }
            });
        }
    });
    watch_connection(calls);
    // The lead page's code loads on its own: fetch it while the rep reads the queue.
    Effect::new(|_| {
        leptos::task::spawn_local(async {
            <super::RepRoute as leptos_router::LazyRoute>::preload().await;
        });
    });
    // What the rep typed to find a lead in their queue.
    let find = RwSignal::new(String::new());
    let (signal_on, signalled) = new_lead_signal(move || {
        queue.get().and_then(Result::ok).map(|cards| {
            cards
                .into_iter()
                .map(|card| NewLead {
                    id: card.id,
                    name: card.name,
                })
                .collect()
        })
    });
    // The queue as last read, shown (marked offline) when the server cannot be reached.
    let last_read = StoredValue::new(None::<Vec<LeadCard>>);
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading your queue…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                if calls.user.get_value() != user.id {
                    calls.user.set_value(user.id.clone());
                    outbox::owner(&user.id);
                    // What an earlier visit left on the phone goes now (only a browser has it).
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(calls.restore());
                }
                let cards = match (queue.await, last_read.get_value()) {
                    (Ok(cards), _) => {
                        last_read.set_value(Some(cards.clone()));
                        freshness::read_now(calls.offline);
                        cards
                    }
                    (Err(ApiError::Transport(_)), Some(cards)) => {
                        calls.offline.set(true);
                        cards
                    }
                    (Err(e), _) => return refusal(e),
                };
                let alert_list = alerts.await.unwrap_or_default();
                let overdue = cards.iter().filter(|c| c.overdue).count();
                let open = cards.len();
                let haystacks: Vec<Haystack> = cards.iter().map(haystack).collect();
                let nothing_found = move || {
                    find.with(|typed| {
                        !typed.trim().is_empty() && !haystacks.iter().any(|h| h.finds(typed))
                    })
                };
                view! {
                    <TopBar user title="My queue"/>
                    <main class="page queue" on:pointerdown=move |_| settle.touched()
                        on:focusin=move |ev| settle.typing(is_field(&ev))
                        on:focusout=move |_| settle.typing(false)>
                        <p class="summary" data-testid="queue-summary">
                            {format!("{open} open · {overdue} overdue")}
                        </p>
                        <OfflineLine offline=calls.offline/>
                        <OutboxLine calls/>
                        <SignalSwitch enabled=signal_on signalled/>
                        <AlertList alerts=alert_list actions=alert_actions/>
                        <label class="find">
                            <span class="visually-hidden">"Find in my queue"</span>
                            <input type="search" placeholder="Name, company or phone"
                                data-testid="queue-search" autocomplete="off"
                                prop:value=move || find.get()
                                on:input=move |ev| find.set(event_target_value(&ev))/>
                        </label>
                        <a class="button add-met" href="/met" data-testid="add-met">"Add a lead you met"</a>
                        {move || nothing_found().then(|| view! {
                            <p class="empty" role="status" data-testid="no-match">
                                {format!("No lead in your queue matches “{}”.", find.get().trim())}
                            </p>
                        })}
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

/// Enter in a card's field: not a tap on the first outcome.
fn no_enter(ev: leptos::ev::KeyboardEvent) {
    if ev.key() == "Enter" {
        ev.prevent_default();
    }
}

/// Whether the focus went to a field of a card's "Log call" panel (its note or callback time).
fn is_field(ev: &leptos::ev::FocusEvent) -> bool {
    let field = event_target::<leptos::web_sys::Element>(ev);
    field.tag_name() == "INPUT" && field.closest(".log-call").ok().flatten().is_some()
}

/// Scrolls just enough for an opened panel to show whole: its outcomes sit below the note and
/// callback fields, and may start below the screen.
fn show_whole(panel: &leptos::web_sys::Element) {
    #[cfg(feature = "hydrate")]
    {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        panel.scroll_into_view_with_scroll_into_view_options(&options);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = panel;
}

/// What a search looks through on a card.
fn haystack(card: &LeadCard) -> Haystack {
    Haystack::new(&[
        &card.name,
        &card.company,
        card.email.as_deref().unwrap_or(""),
        card.phone.as_deref().unwrap_or(""),
    ])
}

/// Follows the connection: calls kept on the phone go again when it comes back, and every few
/// seconds while any wait.
fn watch_connection(calls: CallLog) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        calls.offline.set(!window().navigator().on_line());
        let online = window_event_listener(leptos::ev::online, move |_| {
            calls.offline.set(false);
            calls.retry();
            calls.settle.request();
        });
        let offline = window_event_listener(leptos::ev::offline, move |_| calls.offline.set(true));
        let again = set_interval_with_handle(move || calls.retry(), RETRY_EVERY).ok();
        on_cleanup(move || {
            online.remove();
            offline.remove();
            if let Some(again) = again {
                again.clear();
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = calls;
}

/// "Offline · your queue as of 14:05", while the server cannot be reached.
#[component]
fn OfflineLine(offline: RwSignal<bool>) -> impl IntoView {
    move || {
        offline.get().then(|| {
            let since = freshness::last_read()
                .map(|time| format!(" · your queue as of {time}"))
                .unwrap_or_default();
            view! {
                <p class="offline" role="status" data-testid="offline">
                    {format!("Offline{since}")}
                </p>
            }
        })
    }
}

/// Calls the server has not heard yet, and calls it refused, told plainly.
#[component]
fn OutboxLine(calls: CallLog) -> impl IntoView {
    let waiting = move || {
        let n = calls.unsent();
        (n > 0).then(|| {
            let what = if n == 1 {
                "1 call".to_string()
            } else {
                format!("{n} calls")
            };
            view! {
                <p class="outbox" role="status" data-testid="outbox">
                    {format!("{what} waiting to send · they go when the connection is back")}
                </p>
            }
        })
    };
    let refused = move || {
        calls
            .logged
            .get()
            .into_iter()
            .filter_map(|entry| match &entry.state {
                LogState::Refused(why) => Some((refusal_text(&entry, why), entry.key)),
                _ => None,
            })
            .map(|(text, key)| {
                view! {
                    <li class="error" role="alert" data-testid="refusal">
                        {text}
                        " "
                        <button type="button" class="link dark" on:click=move |_| {
                            calls.remove(&key);
                        }>
                            "OK"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let notices = move || {
        calls
            .notices
            .get()
            .into_iter()
            .enumerate()
            .map(|(at, text)| {
                view! {
                    <li class="notice" role="status" data-testid="call-notice">
                        {text}
                        " "
                        <button type="button" class="link dark" on:click=move |_| {
                            calls.notices.update(|all| {
                                if at < all.len() {
                                    all.remove(at);
                                }
                            });
                        }>
                            "OK"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        {waiting}
        <ul class="refusals">{refused}{notices}</ul>
    }
}

/// A refused call, told plainly, with the note the rep wrote (so nothing they typed is lost).
fn refusal_text(entry: &Logged, why: &str) -> String {
    let note = if entry.note.is_empty() {
        String::new()
    } else {
        format!(" Your note: “{}”", entry.note)
    };
    format!(
        "Not saved: {} for {}. {why}{note}",
        entry.outcome.label(),
        entry.lead_name
    )
}

/// What the "Log call" line says once a call is logged on the card.
fn call_status(entry: &Logged) -> String {
    match &entry.state {
        LogState::Waiting { .. } => {
            format!("Logged: {} · sending in a moment", entry.outcome.label())
        }
        LogState::Sending => format!("Logged: {} · saving…", entry.outcome.label()),
        LogState::Unsent => format!("Logged: {} · waiting to send", entry.outcome.label()),
        LogState::Saved => format!("Saved: {}", entry.outcome.label()),
        LogState::Refused(_) => "Not saved".to_string(),
    }
}

#[component]
fn LeadCardView(card: LeadCard, calls: CallLog, find: RwSignal<String>) -> impl IntoView {
    let haystack = haystack(&card);
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
            let lead_name = card.name.clone();
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
                            None => calls.log(lead_id.clone(), lead_name.clone(), outcome),
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
    // Why a call was refused, on the card the rep is looking at (and in the list's top line).
    let refused = {
        let mine = mine.clone();
        move || match mine() {
            Some(Logged {
                state: LogState::Refused(why),
                ..
            }) => Some(view! { <p class="error" role="alert" data-testid="log-error">{why}</p> }),
            _ => None,
        }
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
            // A long message is cut to a few lines here; the lead page shows it whole.
            {(!card.message.is_empty()).then(|| view! { <p class="message" data-testid="card-message">{card.message.clone()}</p> })}
            <div class="actions">
                {tel}
                {mail}
            </div>
            <details class="log-call"
                prop:open={
                    let lead_id = lead_id.clone();
                    move || calls.is_open(&lead_id)
                }
                on:toggle={
                    let lead_id = lead_id.clone();
                    move |ev| {
                        let panel = event_target::<leptos::web_sys::Element>(&ev);
                        let now_open = panel.has_attribute("open");
                        calls.set_open(&lead_id, now_open);
                        if now_open {
                            show_whole(&panel);
                        }
                    }
                }>
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
                    <label class="call-field">
                        "Note (optional)"
                        // Enter would tap the form's first outcome: it does nothing here.
                        <input type="text" name="note" maxlength="2000" autocomplete="off"
                            on:keydown=no_enter
                            data-testid="call-note" placeholder="What was said or agreed"
                            prop:value={
                                let lead_id = lead_id.clone();
                                move || calls.drafts.with(|d| d.get(&lead_id).map(|d| d.note.clone()).unwrap_or_default())
                            }
                            on:input={
                                let lead_id = lead_id.clone();
                                move |ev| {
                                    let typed = event_target_value(&ev);
                                    calls.edit_draft(&lead_id, |d| d.note = typed);
                                }
                            }/>
                    </label>
                    <label class="call-field">
                        "Call back at (optional)"
                        <input type="datetime-local" name="callback" data-testid="call-back-at"
                            on:keydown=no_enter
                            prop:value={
                                let lead_id = lead_id.clone();
                                move || calls.drafts.with(|d| d.get(&lead_id).map(|d| d.callback.clone()).unwrap_or_default())
                            }
                            on:input={
                                let lead_id = lead_id.clone();
                                move |ev| {
                                    let chosen = event_target_value(&ev);
                                    calls.edit_draft(&lead_id, |d| d.callback = chosen);
                                }
                            }/>
                    </label>
                    {outcomes}
                </form>
                {refused}
            </details>
        </li>
    }
}

/// When the queue was last read from the server, kept on the phone for the offline line.
mod freshness {
    #[cfg(feature = "hydrate")]
    const KEY: &str = "leadline.queue.read-at";

    /// The queue was just read: note the time (unless it came from the phone's own copy).
    pub fn read_now(offline: leptos::prelude::RwSignal<bool>) {
        #[cfg(feature = "hydrate")]
        {
            use leptos::prelude::*;
            if offline.get_untracked() || !window().navigator().on_line() {
                return;
            }
            if let Some(storage) = window().local_storage().ok().flatten() {
                let _ = storage.set_item(KEY, &js_sys::Date::now().to_string());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = offline;
    }

    /// "14:05" (or "24/11/2026, 14:05" on another day), in the phone's time.
    pub fn last_read() -> Option<String> {
        #[cfg(feature = "hydrate")]
        {
            use leptos::prelude::*;
            let storage = window().local_storage().ok().flatten()?;
            let at: f64 = storage.get_item(KEY).ok().flatten()?.parse().ok()?;
            let then = js_sys::Date::new(&at.into());
            let today = js_sys::Date::new_0();
            let time = format!("{:02}:{:02}", then.get_hours(), then.get_minutes());
            let same_day = then.to_date_string() == today.to_date_string();
            Some(if same_day {
                time
            } else {
                format!(
                    "{}/{}/{}, {time}",
                    then.get_date(),
                    then.get_month() + 1,
                    then.get_full_year()
                )
            })
        }
        #[cfg(not(feature = "hydrate"))]
        None
    }
}
