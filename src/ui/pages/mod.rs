//! One module per screen.

pub mod account;
pub mod admin;
pub mod board;
pub mod campaigns;
pub mod compliance;
pub mod home;
pub mod import;
pub mod lead;
pub mod login;
pub mod met;
pub mod nurture;
pub mod outlook;
pub mod queue;
pub mod wall;
pub mod welcome;

use leptos::lazy;
use leptos::prelude::*;
use leptos_router::LazyRoute;

/// A rep's screens other than the queue: a lead, adding a person met, signing in, and the front door that sends
/// each person home. Their code is one part the browser fetches on demand — the queue fetches
/// it in the background once it works, so opening a lead does not wait — and the queue's own
/// download stays small. One part, not one each: every part is a round trip on a phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepScreen {
    Lead,
    Met,
    Login,
    Home,
}

impl RepScreen {
    /// The screen at a path the router matched.
    pub fn at(path: &str) -> Self {
        if path.starts_with("/lead/") {
            RepScreen::Lead
        } else if path.trim_end_matches('/') == "/met" {
            RepScreen::Met
        } else if path.trim_end_matches('/') == "/login" {
            RepScreen::Login
        } else {
            RepScreen::Home
        }
    }
}

#[lazy]
fn rep_screen(screen: RepScreen) -> AnyView {
    match screen {
        RepScreen::Lead => lead::LeadPage().into_any(),
        RepScreen::Met => met::MetPage().into_any(),
        RepScreen::Login => login::LoginPage().into_any(),
        RepScreen::Home => home::HomePage().into_any(),
    }
}

/// The route to each of [`RepScreen`]: one type, so the router's lazy-route code is there once.
#[derive(Clone, Copy)]
pub struct RepRoute(RepScreen);

impl LazyRoute for RepRoute {
    fn data() -> Self {
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        Self(RepScreen::at(&path))
    }

    async fn view(this: Self) -> AnyView {
        rep_screen(this.0).await
    }

    // Fetches the part; hydrating a page opened directly waits for it.
    async fn preload() {
        #[cfg(feature = "hydrate")]
        __preload_rep_screen().await;
    }
}

#[cfg(test)]
mod tests {
    use super::RepScreen;

    #[test]
    fn each_rep_screen_is_found_at_its_path() {
        assert_eq!(RepScreen::at("/lead/01a2"), RepScreen::Lead);
        assert_eq!(RepScreen::at("/login"), RepScreen::Login);
        assert_eq!(RepScreen::at("/met"), RepScreen::Met);
        assert_eq!(RepScreen::at("/login/"), RepScreen::Login);
        assert_eq!(RepScreen::at("/"), RepScreen::Home);
    }
}
