//! The HTML shell, the app and its routes — nothing else.

use crate::ui::pages::admin::{
    audit::AuditPage, people::PeoplePage, policy::PolicyPage, sources::SourcesPage,
    territories::TerritoriesPage, webhooks::WebhooksPage,
};
use crate::ui::pages::RepRoute;
use crate::ui::pages::{
    account::AccountPage, board::BoardPage, campaigns::CampaignsPage, compliance::CompliancePage,
    import::ImportPage, nurture::NurturePage, outlook::OutlookPage, queue::QueuePage,
    wall::WallPage, welcome::WelcomePage,
};
use leptos::lazy;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute};
use leptos_router::{ParamSegment, StaticSegment};

/// The document every page is rendered into. Its inline scripts and styles carry the response's
/// Content-Security-Policy nonce. A release build's stylesheet is written into the head (a
/// phone paints as soon as it has read the page: see `server::preload`); otherwise it is
/// linked, its name carrying the build's content hash.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<crate::server::guard::CspNonce>()
            .cloned()
    }) {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    #[cfg(feature = "ssr")]
    let inline_css = crate::server::preload::Preloads::of(&options).inline_css();
    #[cfg(not(feature = "ssr"))]
    let inline_css: Option<&'static str> = None;
    // After the nonce is provided: the inline styles carry it.
    let style = match inline_css {
        Some(css) => {
            view! { <style id="leptos" nonce=leptos::nonce::use_nonce() inner_html=css></style> }
                .into_any()
        }
        None => view! { <HashedStylesheet options=options.clone() id="leptos"/> }.into_any(),
    };
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#0f3d5e"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="icon" href="/icon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/icon-192.png"/>
                // The outbox, the service worker and notifications (public/phone.js); it runs
                // before the app's own module script, which calls into it.
                <script src="/phone.js" defer nonce=leptos::nonce::use_nonce()></script>
                <AutoReload options=options.clone()/>
                {style}
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The app: one route per screen.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the page as hydrated, so tests and support
    // can tell a live page from server-rendered HTML, and notes when (the phone benchmark's
    // "working" time: from here a tap reaches the app).
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
            #[cfg(feature = "hydrate")]
            if let Some(performance) = window().performance() {
                // Whole milliseconds, written as an integer: formatting a float would bring
                // float printing into every page's download.
                let at = (performance.now() as u64).to_string();
                let _ = body.set_attribute("data-hydrated-at", &at);
            }
        }
    });
    view! {
        <Title text="Leadline"/>
        <Router>
            <Routes fallback=|| view! { <p class="page">"That page does not exist."</p> }>
                <Route path=StaticSegment("") view={Lazy::<RepRoute>::new()}/>
                <Route path=StaticSegment("login") view={Lazy::<RepRoute>::new()}/>
                <Route path=StaticSegment("met") view={Lazy::<RepRoute>::new()}/>
                <Route path=StaticSegment("queue") view=QueuePage/>
                <Route path=StaticSegment("nurture") view={Lazy::<StaffRoute>::new()}/>
                <Route path=StaticSegment("board") view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("board"), StaticSegment("compliance")) view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("board"), StaticSegment("outlook")) view={Lazy::<StaffRoute>::new()}/>
                <Route path=StaticSegment("wall") view={Lazy::<StaffRoute>::new()}/>
                <Route path=StaticSegment("campaigns") view={Lazy::<StaffRoute>::new()}/>
                <Route path=StaticSegment("import") view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("lead"), ParamSegment("id")) view={Lazy::<RepRoute>::new()}/>
                <Route path=StaticSegment("account") view={Lazy::<StaffRoute>::new()}/>
                <Route path=StaticSegment("welcome") view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("people")) view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("sources")) view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("policy")) view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("audit")) view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("territories")) view={Lazy::<StaffRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("webhooks")) view={Lazy::<StaffRoute>::new()}/>
            </Routes>
        </Router>
    }
}

/// The screens a rep's phone never needs: the manager, marketing, admin and account screens,
/// and choosing a first password. Their code is one file the browser fetches only when someone
/// opens one of them (`cargo leptos build --split`). One file for all of them, not one each: the
/// splitter cuts the code a few screens share into files of its own, and a page that needs dozens
/// of small files waits a round trip for each on a mobile connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffScreen {
    Board,
    Compliance,
    Outlook,
    Wall,
    Campaigns,
    Import,
    Nurture,
    Account,
    Welcome,
    People,
    Sources,
    Policy,
    Audit,
    Territories,
    Webhooks,
}

impl StaffScreen {
    const ALL: [StaffScreen; 15] = [
        StaffScreen::Board,
        StaffScreen::Compliance,
        StaffScreen::Outlook,
        StaffScreen::Wall,
        StaffScreen::Campaigns,
        StaffScreen::Import,
        StaffScreen::Nurture,
        StaffScreen::Account,
        StaffScreen::Welcome,
        StaffScreen::People,
        StaffScreen::Sources,
        StaffScreen::Policy,
        StaffScreen::Audit,
        StaffScreen::Territories,
        StaffScreen::Webhooks,
    ];
}

impl StaffScreen {
    /// Where the screen lives (the routes above say the same).
    pub fn path(self) -> &'static str {
        match self {
            StaffScreen::Board => "/board",
            StaffScreen::Compliance => "/board/compliance",
            StaffScreen::Outlook => "/board/outlook",
            StaffScreen::Wall => "/wall",
            StaffScreen::Campaigns => "/campaigns",
            StaffScreen::Import => "/import",
            StaffScreen::Nurture => "/nurture",
            StaffScreen::Account => "/account",
            StaffScreen::Welcome => "/welcome",
            StaffScreen::People => "/admin/people",
            StaffScreen::Sources => "/admin/sources",
            StaffScreen::Policy => "/admin/policy",
            StaffScreen::Audit => "/admin/audit",
            StaffScreen::Territories => "/admin/territories",
            StaffScreen::Webhooks => "/admin/webhooks",
        }
    }

    /// The screen at a matched path (a trailing slash allowed).
    pub fn at(path: &str) -> Self {
        let path = match path.trim_end_matches('/') {
            "" => "/",
            trimmed => trimmed,
        };
        Self::ALL
            .into_iter()
            .find(|screen| screen.path() == path)
            .unwrap_or(StaffScreen::Board)
    }
}

#[lazy]
fn staff_screen(screen: StaffScreen) -> AnyView {
    match screen {
        StaffScreen::Board => BoardPage().into_any(),
        StaffScreen::Compliance => CompliancePage().into_any(),
        StaffScreen::Outlook => OutlookPage().into_any(),
        StaffScreen::Wall => WallPage().into_any(),
        StaffScreen::Campaigns => CampaignsPage().into_any(),
        StaffScreen::Import => ImportPage().into_any(),
        StaffScreen::Nurture => NurturePage().into_any(),
        StaffScreen::Account => AccountPage().into_any(),
        StaffScreen::Welcome => WelcomePage().into_any(),
        StaffScreen::People => PeoplePage().into_any(),
        StaffScreen::Sources => SourcesPage().into_any(),
        StaffScreen::Policy => PolicyPage().into_any(),
        StaffScreen::Audit => AuditPage().into_any(),
        StaffScreen::Territories => TerritoriesPage().into_any(),
        StaffScreen::Webhooks => WebhooksPage().into_any(),
    }
}

/// The route to every staff screen: one type for all of them, so the router's code for a
/// lazily loaded route is in the browser build once, not once per screen. Which screen it is
/// comes from the path the router matched.
#[derive(Clone, Copy)]
struct StaffRoute(StaffScreen);

impl LazyRoute for StaffRoute {
    fn data() -> Self {
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        Self(StaffScreen::at(&path))
    }

    async fn view(this: Self) -> AnyView {
        staff_screen(this.0).await
    }

    // Hydrating a page opened directly waits for its code: without this the page would be
    // hydrated before its part arrived, and fail.
    async fn preload() {
        #[cfg(feature = "hydrate")]
        __preload_staff_screen().await;
    }
}

#[cfg(test)]
mod tests {
    use super::StaffScreen;

    #[test]
    fn each_staff_screen_is_found_at_its_own_path() {
        for screen in StaffScreen::ALL {
            assert_eq!(StaffScreen::at(screen.path()), screen);
            assert_eq!(StaffScreen::at(&format!("{}/", screen.path())), screen);
        }
    }
}
