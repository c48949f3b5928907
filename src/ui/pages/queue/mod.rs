//! `/queue`: the rep's open leads in working order (what can still be won fastest first), made
//! for a phone. Each lead has a tap to call and a two-tap "log call" with the outcome. A logged
//! call can be undone for a few seconds before it is sent, and the list never moves under a
//! finger: it re-orders only once it is still ([`Settle`]).

use crate::api::alerts::my_alerts;
use crate::api::auth::current_user;
use crate::api::queue::{my_queue, LeadCard};
use crate::api::ApiError;
use crate::domain::lead::Stage;
use crate::domain::text::Haystack;
use crate::domain::touch::CallOutcome;
use crate::ui::components::alerts::{AlertActions, AlertList};
use crate::ui::components::flags::flags;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::live::refresh_on_changes;
use crate::ui::components::load::{load, redraw_on};
use crate::ui::components::outbox;
use crate::ui::components::settle::Settle;
use crate::ui::components::signal::{new_lead_signal, NewLead, SignalSwitch};
use leptos::prelude::*;
use leptos::tachys::reactive_graph::OwnedView;
use leptos::tachys::view::keyed::keyed;

mod calls;

use calls::{call_status, posted_before, watch_connection, CallLog, LogState, Logged, OutboxLine};

#[component]
pub fn QueuePage() -> impl IntoView {
    let me = load(|| (), |_| current_user());
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
    let queue = load(move || settle.tick(), |_| my_queue());
    let alert_actions = AlertActions::new();
    let alerts = load(
        move || (settle.tick(), alert_actions.version()),
        |_| my_alerts(),
    );
    refresh_on_changes(move || settle.request());
    // Leaving the page inside an undo window sends the call now rather than dropping it (it is
    // also in the outbox, so a failed send goes again on the next visit).
    on_cleanup(move || calls.send_waiting());
    watch_connection(calls);
    // The lead page's code loads on its own: fetch it while the rep reads the queue.
    Effect::new(|_| {
        leptos::task::spawn_local(async {
            <super::RepRoute as leptos_router::LazyRoute>::preload().await;
        });
    });
    // What the rep typed to find a lead in their queue.
    let find = RwSignal::new(String::new());
    // How many cards the list shows while nothing is searched (see `FIRST_CARDS`).
    let show_up_to = RwSignal::new(FIRST_CARDS);
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
    // Each card as the list last keyed it.
    let shown = StoredValue::new(Vec::<LeadCard>::new());
    // The cards live as long as the page, not as one reading of the queue: a refresh redraws
    // the page's parts, and a `<For>` in them would be built afresh, every card with it. The
    // keyed list below is compared with the last one instead, so a refresh rebuilds only the
    // cards that changed.
    let cards_owner = Owner::new();
    // The queue as last read, shown (marked offline) when the server cannot be reached.
    let last_read = StoredValue::new(None::<Vec<LeadCard>>);
    // Until the queue is first drawn: what a card's form posted before the app worked (told
    // by the server as it draws the page, and kept as the app takes the page over).
    let first_draw = StoredValue::new(Some(posted_before()));
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading your queue…"</p> }>
            {move || {
            redraw_on(&[&queue, &alerts]);
            // Which cards show depends on the search and on how far the rep has asked to see:
            // the list is redrawn for each (a keyed list: only cards that come or go are built).
            let typed = find.with(|typed| typed.trim().to_string());
            let up_to = show_up_to.get();
            let cards_owner = cards_owner.clone();
            Suspend::new(async move {
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
                    (Ok(cards), before) => {
                        calls.let_go_of_gone(&before.unwrap_or_default(), &cards);
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
                // Nothing waits between this and the cards taking over the page.
                if let Some(posted) = first_draw.try_update_value(Option::take).flatten() {
                    calls.take_over(posted, &cards);
                }
                let overdue = cards.iter().filter(|c| c.overdue).count();
                let open = cards.len();
                let searching = !typed.is_empty();
                let (shown_cards, not_shown) = if searching {
                    let wanted = lower(&typed);
                    let found: Vec<LeadCard> = cards
                        .iter()
                        .filter(|card| haystack(card).finds_lowered(&wanted))
                        .cloned()
                        .collect();
                    (found, 0)
                } else {
                    first_cards(&cards, up_to, |card| calls.is_open_now(&card.id))
                };
                let nothing_found = searching && shown_cards.is_empty();
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
                                // Its own value, not bound: the list is redrawn on each
                                // keystroke, and setting the value again would put the caret
                                // at the end. (An attribute only sets a fresh box's text.)
                                value=find.get_untracked()
                                on:input=move |ev| find.set(event_target_value(&ev))/>
                        </label>
                        <a class="button add-met" href="/met" data-testid="add-met">"Add a lead you met"</a>
                        {nothing_found.then(|| view! {
                            <p class="empty" role="status" data-testid="no-match">
                                {format!("No lead in your queue matches “{typed}”.")}
                            </p>
                        })}
                        {if cards.is_empty() {
                            view! { <p class="empty">"Nothing to follow up right now."</p> }.into_any()
                        } else {
                            view! {
                                // Keyed by what a card shows: a refresh builds a changed card
                                // afresh, never one lead's card from another's. A card whose
                                // "Log call" panel is open keeps its key while only its times
                                // moved, so it stays as it is (the note being typed, the
                                // keyboard up); it catches up once closed.
                                <ol class="cards">
                                    {keyed(
                                        shown_cards,
                                        move |card| shown_as(shown, calls, card),
                                        move |_, card| {
                                            let owner = cards_owner.with(Owner::new);
                                            let view = owner.with(|| view! { <LeadCardView card calls/> });
                                            (drop::<usize>, OwnedView::new_with_owner(view, owner))
                                        },
                                    )}
                                </ol>
                                {(not_shown > 0).then(|| {
                                    let next = not_shown.min(FIRST_CARDS);
                                    view! {
                                        <button type="button" class="button more" data-testid="show-more"
                                            on:click=move |_| show_up_to.update(|n| *n += FIRST_CARDS)>
                                            {format!("Show {next} more ({not_shown} not shown)")}
                                        </button>
                                    }
                                })}
                            }
                                .into_any()
                        }}
                    </main>
                }
                    .into_any()
            })
            }}
        </Transition>
    }
}

/// How many cards the queue shows before "Show more". A phone builds every card it shows, and a
/// full rep holds up to 150 open leads (the default capacity): at about 25 ms a card on a
/// slow phone, 150 cards would keep the queue dead for seconds. The first twenty are what can
/// be worked next; the search looks through all of them.
const FIRST_CARDS: usize = 20;

/// The first `up_to` cards in working order, and how many are left out. A card whose "Log
/// call" panel is open stays, wherever a refresh moved it: it never vanishes from under the
/// rep's finger.
fn first_cards<Card: Clone>(
    cards: &[Card],
    up_to: usize,
    is_open: impl Fn(&Card) -> bool,
) -> (Vec<Card>, usize) {
    let shown: Vec<Card> = cards
        .iter()
        .enumerate()
        .filter(|(at, card)| *at < up_to || is_open(card))
        .map(|(_, card)| card.clone())
        .collect();
    let not_shown = cards.len() - shown.len();
    (shown, not_shown)
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

/// Folded for a search, by the browser's own rules in the browser (Rust's would bring Unicode's
/// case and normalisation tables, tens of KB, into every page's download): accents taken off
/// ("Élodie" is found by "elodie") and case folded through capitals ("Großmann" by
/// "grossmann").
fn lower(text: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let decomposed = String::from(js_sys::JsString::from(text).normalize("NFD"));
        let bare: String = decomposed
            .chars()
            .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
            .collect();
        String::from(js_sys::JsString::from(bare).to_upper_case().to_lower_case())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        text.to_lowercase()
    }
}

/// What a search looks through on a card.
fn haystack(card: &LeadCard) -> Haystack {
    Haystack::lowered_by(
        &[
            &card.name,
            &card.company,
            card.email.as_deref().unwrap_or(""),
            card.phone.as_deref().unwrap_or(""),
        ],
        lower,
    )
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

/// The key of `card` in the list: the card as read, or — while its "Log call" panel is open and
/// only its times moved — the card as it was keyed before, so the list keeps it as it is.
fn shown_as(shown: StoredValue<Vec<LeadCard>>, calls: CallLog, card: &LeadCard) -> LeadCard {
    let before = shown.with_value(|all| all.iter().find(|c| c.id == card.id).cloned());
    if let Some(before) = before {
        if calls.is_open_now(&card.id) && steady(&before) == steady(card) {
            return before;
        }
    }
    shown.update_value(|all| match all.iter_mut().find(|c| c.id == card.id) {
        Some(kept) => *kept = card.clone(),
        None => all.push(card.clone()),
    });
    card.clone()
}

/// A card without what moves with the clock (its age, when it is due, the latest touch's age).
fn steady(card: &LeadCard) -> LeadCard {
    LeadCard {
        age: String::new(),
        due: String::new(),
        overdue: false,
        last_touch: None,
        ..card.clone()
    }
}

#[component]
fn LeadCardView(card: LeadCard, calls: CallLog) -> impl IntoView {
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
        <li class=class data-testid="lead-card" data-lead-id=card.id.clone()>
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
                // Until the app works (a slow signal) the browser posts the call straight away,
                // with a key of the page's own: a second tap while the first is on its way
                // logs it once.
                <form method="post" action="/api/queue/log-call" class="outcomes">
                    <input type="hidden" name="lead_id" value=lead_id.clone()/>
                    <input type="hidden" name="key" value=form_key()/>
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

/// The key a card's form posts its call with when the browser sends it itself: made by the
/// server for the page it draws. (A card the app draws has none: the app sends its calls.)
fn form_key() -> String {
    #[cfg(feature = "ssr")]
    {
        uuid::Uuid::now_v7().simple().to_string()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}

/// When the queue was last read from the server, kept on the phone for the offline line
/// (`leadlineFreshness` in `public/phone.js`: reading the phone's clock and writing a time are a
/// few lines of script, and far more in the app's download).
mod freshness {
    #[cfg(feature = "hydrate")]
    mod js {
        use wasm_bindgen::prelude::*;

        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(catch, js_namespace = leadlineFreshness, js_name = readNow)]
            pub fn read_now() -> Result<(), JsValue>;
            #[wasm_bindgen(catch, js_namespace = leadlineFreshness, js_name = lastRead)]
            pub fn last_read() -> Result<String, JsValue>;
        }
    }

    /// The queue was just read: note the time (unless it came from the phone's own copy).
    pub fn read_now(offline: leptos::prelude::RwSignal<bool>) {
        #[cfg(feature = "hydrate")]
        {
            use leptos::prelude::*;
            if offline.get_untracked() || !window().navigator().on_line() {
                return;
            }
            let _ = js::read_now();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = offline;
    }

    /// "14:05" (or "24/11/2026, 14:05" on another day), in the phone's time.
    pub fn last_read() -> Option<String> {
        #[cfg(feature = "hydrate")]
        {
            js::last_read().ok().filter(|time| !time.is_empty())
        }
        #[cfg(not(feature = "hydrate"))]
        None
    }
}

#[cfg(test)]
mod tests {
    use super::first_cards;

    #[test]
    fn a_long_queue_shows_its_first_cards_and_counts_the_rest() {
        let cards: Vec<u32> = (1..=25).collect();
        let (shown, left) = first_cards(&cards, 20, |_| false);
        assert_eq!(shown, (1..=20).collect::<Vec<_>>());
        assert_eq!(left, 5);
        let (shown, left) = first_cards(&cards[..7], 20, |_| false);
        assert_eq!((shown.len(), left), (7, 0));
    }

    #[test]
    fn a_card_with_its_panel_open_stays_wherever_a_refresh_moved_it() {
        let cards: Vec<u32> = (1..=25).collect();
        let (shown, left) = first_cards(&cards, 20, |card| *card == 23);
        assert_eq!(shown.len(), 21);
        assert_eq!(shown.last(), Some(&23));
        assert_eq!(left, 4);
    }
}
