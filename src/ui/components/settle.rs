//! Keeps a list still under a finger. A page asks for fresh data through [`Settle::request`];
//! the list is re-read (and re-ordered) only once nothing holds it — no logged call waiting out
//! its undo window — and nobody has touched it for a moment. A tap never lands on a card that
//! slid into place after the finger went down.

use leptos::prelude::*;
use std::time::Duration;

/// How long the list stays still after the last touch on it.
const QUIET: Duration = Duration::from_millis(1500);
/// How long it stays still after the last touch while a panel of choices is open: the rep is
/// deciding which to tap.
const DECIDING: Duration = Duration::from_secs(15);

#[derive(Clone, Copy)]
pub struct Settle {
    tick: RwSignal<u32>,
    holds: RwSignal<u32>,
    touched_at: RwSignal<f64>,
    wanted: RwSignal<bool>,
    /// Someone is typing in the list (a field inside it has the focus).
    typing: RwSignal<bool>,
    /// A panel of choices is open on the list.
    deciding: RwSignal<bool>,
}

impl Settle {
    pub fn new() -> Self {
        Self {
            tick: RwSignal::new(0),
            holds: RwSignal::new(0),
            touched_at: RwSignal::new(f64::NEG_INFINITY),
            wanted: RwSignal::new(false),
            typing: RwSignal::new(false),
            deciding: RwSignal::new(false),
        }
    }

    /// Moves each time the list may be re-read: use it as the list's resource source.
    pub fn tick(&self) -> u32 {
        self.tick.get()
    }

    /// A finger went down on the list.
    pub fn touched(&self) {
        self.touched_at.set(now_ms());
    }

    /// A field in the list took the focus (`true`) or lost it: while someone types, the list
    /// stays where it is.
    pub fn typing(&self, typing: bool) {
        self.typing.set(typing);
        self.touched();
        if !typing {
            self.flush();
        }
    }

    /// A panel of choices opened (`true`) or every one closed: while one is open the list
    /// waits longer after the last touch before it moves.
    pub fn deciding(&self, deciding: bool) {
        self.deciding.set(deciding);
        self.touched();
        if !deciding {
            self.flush();
        }
    }

    /// Something on the list must stay where it is until [`Settle::release`].
    pub fn hold(&self) {
        self.holds.update(|holds| *holds += 1);
    }

    pub fn release(&self) {
        self.holds.update(|holds| *holds = holds.saturating_sub(1));
        self.flush();
    }

    /// The list has news: re-read it as soon as it is still.
    pub fn request(&self) {
        self.wanted.set(true);
        self.flush();
    }

    fn flush(&self) {
        let this = *self;
        let Some(wanted) = self.wanted.try_get_untracked() else {
            return; // the page is gone
        };
        if !wanted || self.holds.get_untracked() > 0 || self.typing.get_untracked() {
            return; // nothing to do, or the last release (or the focus leaving) will flush
        }
        let quiet_for = now_ms() - self.touched_at.get_untracked();
        let quiet = if self.deciding.get_untracked() {
            DECIDING
        } else {
            QUIET
        };
        let quiet = quiet.as_millis() as f64;
        if quiet_for < quiet {
            let wait = Duration::from_millis((quiet - quiet_for).ceil() as u64);
            set_timeout(move || this.flush(), wait);
            return;
        }
        self.wanted.set(false);
        self.tick.update(|tick| *tick += 1);
    }
}

impl Default for Settle {
    fn default() -> Self {
        Self::new()
    }
}

/// Milliseconds on the page's clock (the browser's; 0 on the server, where nobody taps).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        window().performance().map_or(0.0, |p| p.now())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}
