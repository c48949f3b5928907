//! The calls a rep logs on the queue, from the tap until the server has them: the undo
//! window, the phone's outbox (kept through reloads and dead signals), retries, refusals told
//! plainly, and the open panels and typed drafts that keep the list still.

use crate::api::queue::{log_call, LeadCard, PostedCall};
use crate::api::ApiError;
use crate::domain::touch::CallOutcome;
use crate::ui::components::outbox::{self, Parcel};
use crate::ui::components::settle::Settle;
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
pub(super) struct Logged {
    pub(super) lead_id: String,
    pub(super) lead_name: String,
    pub(super) outcome: CallOutcome,
    /// What was said, and the agreed callback time (RFC 3339) or empty.
    pub(super) note: String,
    pub(super) callback: String,
    /// Sent with the call: a retry of the same call is the same call on the server.
    pub(super) key: String,
    pub(super) state: LogState,
    /// Keeps the list still (logged on this page, until sent or taken back).
    pub(super) holds: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum LogState {
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
pub(super) struct CallLog {
    pub(super) logged: RwSignal<Vec<Logged>>,
    pub(super) settle: Settle,
    /// Who is signed in (their calls only go in and out of the outbox).
    pub(super) user: StoredValue<String>,
    /// The leads whose "Log call" panel is open. A panel belongs to its lead, not to a place on
    /// the screen: when the list re-orders, the card that slides in keeps its own (closed) one.
    pub(super) open: RwSignal<Vec<String>>,
    /// The last request could not reach the server.
    pub(super) offline: RwSignal<bool>,
    /// What the rep typed in a card's panel (note, callback time), by lead: kept when the list
    /// re-reads, cleared once the call is saved.
    pub(super) drafts: RwSignal<std::collections::HashMap<String, Draft>>,
    /// What the rep should read about their calls (a callback time that was not kept).
    pub(super) notices: RwSignal<Vec<String>>,
}

/// A note and a callback time typed on a card, not yet sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Draft {
    pub(super) note: String,
    /// As the phone's picker gives it: "2026-11-27T15:00", in the phone's time.
    pub(super) callback: String,
}

impl CallLog {
    pub(super) fn of(&self, lead_id: &str) -> Option<Logged> {
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
    pub(super) fn log(self, lead_id: String, lead_name: String, outcome: CallOutcome) {
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

    pub(super) fn undo(self, key: &str) {
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

    /// Sends at once every call still inside its undo window (the page is going away).
    pub(super) fn send_waiting(self) {
        let waiting = self
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
    pub(super) async fn restore(self) {
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

    pub(super) fn edit_draft(&self, lead_id: &str, edit: impl FnOnce(&mut Draft)) {
        self.drafts
            .update(|drafts| edit(drafts.entry(lead_id.to_string()).or_default()));
    }

    pub(super) fn is_open(&self, lead_id: &str) -> bool {
        self.open.with(|open| open.iter().any(|id| id == lead_id))
    }

    /// [`CallLog::is_open`], without making the caller follow the panels (the list's keys).
    pub(super) fn is_open_now(&self, lead_id: &str) -> bool {
        self.open
            .with_untracked(|open| open.iter().any(|id| id == lead_id))
    }

    pub(super) fn set_open(&self, lead_id: &str, is_open: bool) {
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

    /// Closes every panel but the one the rep is typing in (the list does not move while
    /// they type, and their words and keyboard stay).
    fn close_all(&self) {
        self.open.set(focused_lead().into_iter().collect());
        self.settle
            .deciding(self.open.with_untracked(|open| !open.is_empty()));
    }

    /// Drops what was typed on leads that have left the queue (reassigned or closed elsewhere)
    /// and tells the rep, in their own words: nothing of it was logged. `before` is the queue as
    /// last read (for the lead's name), `now` as just read.
    pub(super) fn let_go_of_gone(&self, before: &[LeadCard], now: &[LeadCard]) {
        let gone: Vec<(String, Draft)> = self.drafts.with_untracked(|drafts| {
            drafts
                .iter()
                .filter(|(id, draft)| {
                    **draft != Draft::default() && !now.iter().any(|card| &card.id == *id)
                })
                .map(|(id, draft)| (id.clone(), draft.clone()))
                .collect()
        });
        for (lead_id, draft) in gone {
            let name = before
                .iter()
                .find(|card| card.id == lead_id)
                .map_or_else(|| "A lead".to_string(), |card| card.name.clone());
            let mut text = format!(
                "{name} is no longer in your queue (reassigned or closed), so nothing was logged."
            );
            if !draft.note.trim().is_empty() {
                text.push_str(&format!(" Your note: “{}”", draft.note.trim()));
            }
            self.tell(text);
            self.drafts.update(|drafts| {
                drafts.remove(&lead_id);
            });
            self.open.update(|open| open.retain(|id| id != &lead_id));
        }
    }

    /// The queue's first drawing. The server says what a card's own form did if the browser
    /// posted it before the app worked (`posted`, from the address; `cards` is the queue as read
    /// now, for the lead's name). The app, taking the page over, keeps what the page shows: the
    /// server's words, the panels the rep opened and what they typed in them, so that a panel
    /// does not shut and a note does not vanish under their fingers.
    pub(super) fn take_over(&self, posted: Option<PostedCall>, cards: &[LeadCard]) {
        #[cfg(feature = "ssr")]
        if let Some(posted) = posted {
            self.tell(posted_text(posted, cards));
        }
        #[cfg(not(feature = "ssr"))]
        {
            let _ = (posted, cards);
            let (notices, started) = before_app::page();
            for text in notices.split('\0').filter(|text| !text.is_empty()) {
                self.tell(text.to_string());
            }
            // Four fields a card: lead id, "1" if its panel is open, note, callback time.
            let fields: Vec<&str> = started.split('\0').collect();
            for card in fields.chunks_exact(4) {
                let lead_id = card[0];
                if !card[2].is_empty() || !card[3].is_empty() {
                    self.edit_draft(lead_id, |draft| {
                        draft.note = card[2].to_string();
                        draft.callback = card[3].to_string();
                    });
                }
                if !card[1].is_empty() {
                    self.set_open(lead_id, true);
                }
            }
            if focused_lead().is_some() {
                self.settle.typing(true);
            }
        }
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

/// Follows the connection: calls kept on the phone go again when it comes back, and every few
/// seconds while any wait.
pub(super) fn watch_connection(calls: CallLog) {
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

/// Calls the server has not heard yet, and calls it refused, told plainly.
#[component]
pub(super) fn OutboxLine(calls: CallLog) -> impl IntoView {
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
                        <span class="notice-text">{text}</span>
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
pub(super) fn call_status(entry: &Logged) -> String {
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

/// The lead whose "Log call" field has the focus, if one has.
fn focused_lead() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let field = document().active_element()?;
        if field.tag_name() != "INPUT" {
            return None;
        }
        let panel = field.closest(".log-call").ok()??;
        panel
            .closest("[data-lead-id]")
            .ok()??
            .get_attribute("data-lead-id")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// What a card's call form did if the browser posted it itself (before the app worked), as the
/// server wrote it into the queue's address (read by the server as it draws the page).
pub(super) fn posted_before() -> Option<PostedCall> {
    #[cfg(feature = "ssr")]
    {
        use leptos::server_fn::ServerFn;
        let refused = use_context::<leptos::server::ServerActionError>()
            .filter(|refusal| refusal.path() == crate::api::queue::LogCall::PATH)
            .map(|refusal| crate::ui::components::post_form::refusal_in_address(refusal.err()));
        let saved = leptos_router::hooks::use_query_map()
            .with_untracked(|query| query.get(crate::api::FORM_SAVED));
        PostedCall::read(saved.as_deref(), refused)
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// "Saved: No answer on Ann Lee." or "The call was not logged: …".
#[cfg(feature = "ssr")]
fn posted_text(posted: PostedCall, cards: &[LeadCard]) -> String {
    match posted {
        PostedCall::Saved { outcome, lead_id } => {
            match cards.iter().find(|card| card.id == lead_id) {
                Some(card) => format!("Saved: {} on {}.", outcome.label(), card.name),
                None => format!("Saved: {}. The lead has left your queue.", outcome.label()),
            }
        }
        PostedCall::Refused(why) => format!("The call was not logged: {why}"),
    }
}

/// What happened on the queue before the app took the page over, as the page's own script reads
/// it (`leadlineBeforeApp` in `public/phone.js`: a few lines there, far more in the download).
#[cfg(not(feature = "ssr"))]
mod before_app {
    #[cfg(feature = "hydrate")]
    mod js {
        use wasm_bindgen::prelude::*;

        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(catch, js_namespace = leadlineBeforeApp)]
            pub fn notices() -> Result<String, JsValue>;
            #[wasm_bindgen(catch, js_namespace = leadlineBeforeApp)]
            pub fn cards() -> Result<String, JsValue>;
        }
    }

    /// The notices the page shows (the server's words for a call posted before the app
    /// worked), and the cards the rep started on, four fields each (lead id, "1" if its panel
    /// is open, the note typed, the callback time picked): each field ends with a NUL (typed
    /// text has none: the page's script takes them out).
    pub fn page() -> (String, String) {
        #[cfg(feature = "hydrate")]
        {
            (
                js::notices().unwrap_or_default(),
                js::cards().unwrap_or_default(),
            )
        }
        #[cfg(not(feature = "hydrate"))]
        (String::new(), String::new())
    }
}
