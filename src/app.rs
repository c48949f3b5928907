//! The HTML shell, the app and its routes — nothing else.

use crate::ui::pages::admin::{
    audit::AuditPage, people::PeoplePage, policy::PolicyPage, sources::SourcesPage,
    territories::TerritoriesPage,
};
use crate::ui::pages::{
    account::AccountPage, board::BoardPage, campaigns::CampaignsPage, compliance::CompliancePage,
    home::HomePage, lead::LeadPage, login::LoginPage, nurture::NurturePage, outlook::OutlookPage,
    queue::QueuePage, wall::WallPage, welcome::WelcomePage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, StaticSegment};

/// The document every page is rendered into. Its inline scripts carry the response's
/// Content-Security-Policy nonce; the stylesheet's name carries the build's content hash.
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
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#0f3d5e"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
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
                let at = format!("{:.0}", performance.now());
                let _ = body.set_attribute("data-hydrated-at", &at);
            }
        }
    });
    view! {
        <Title text="Leadline"/>
        <Router>
            <Routes fallback=|| view! { <p class="page">"That page does not exist."</p> }>
                <Route path=StaticSegment("") view=HomePage/>
                <Route path=StaticSegment("login") view=LoginPage/>
                <Route path=StaticSegment("queue") view=QueuePage/>
                <Route path=StaticSegment("nurture") view=NurturePage/>
                <Route path=StaticSegment("board") view=BoardPage/>
                <Route path=(StaticSegment("board"), StaticSegment("compliance")) view=CompliancePage/>
                <Route path=(StaticSegment("board"), StaticSegment("outlook")) view=OutlookPage/>
                <Route path=StaticSegment("wall") view=WallPage/>
                <Route path=StaticSegment("campaigns") view=CampaignsPage/>
                <Route path=(StaticSegment("lead"), ParamSegment("id")) view=LeadPage/>
                <Route path=StaticSegment("account") view=AccountPage/>
                <Route path=StaticSegment("welcome") view=WelcomePage/>
                <Route path=(StaticSegment("admin"), StaticSegment("people")) view=PeoplePage/>
                <Route path=(StaticSegment("admin"), StaticSegment("sources")) view=SourcesPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("policy")) view=PolicyPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("audit")) view=AuditPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("territories")) view=TerritoriesPage/>
            </Routes>
        </Router>
    }
}
