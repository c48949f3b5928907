//! The one way into Leadline for every server function and route: who is calling (read once
//! from the session), the shared state, and the time — and whether the access rules let the
//! caller's role ask for this at all. A door that skips it has no user to hand a use case.

use crate::domain::access::Action;

#[cfg(feature = "ssr")]
pub use server_side::*;

/// Every door into Leadline besides the pages, and the action the access rules know it as.
/// Each server function asks [`Ctx`] for exactly this action; the access matrix test calls
/// every registered server function and route as every role, with a lead of their own and
/// another rep's, and checks the answer against [`crate::domain::access`] — and fails for a
/// door missing here.
pub const DOORS: &[(&str, Action)] = &[
    ("/api/auth/login", Action::SignIn),
    ("/api/auth/me", Action::SignIn),
    ("/api/account/link", Action::SignIn),
    ("/api/account/choose-password", Action::SignIn),
    ("/api/account/sessions", Action::OwnAccount),
    ("/api/account/end-session", Action::OwnAccount),
    ("/api/alerts/mine", Action::OwnAccount),
    ("/api/alerts/dismiss", Action::OwnAccount),
    ("/api/alerts/dismiss-all", Action::OwnAccount),
    ("/live", Action::OwnAccount),
    ("/api/queue/mine", Action::WorkQueue),
    ("/api/queue/log-call", Action::LogTouch),
    ("/api/queue/met", Action::WorkQueue),
    ("/api/lead/detail", Action::SeeLead),
    ("/api/lead/log-touch", Action::LogTouch),
    ("/api/lead/qualify", Action::WorkLead),
    ("/api/lead/not-ready", Action::WorkLead),
    ("/api/lead/close", Action::WorkLead),
    ("/api/lead/return", Action::WorkLead),
    ("/api/lead/pass", Action::PassToSales),
    ("/api/lead/reassign", Action::Manage),
    ("/api/lead/reopen", Action::Manage),
    ("/api/nurture/pool", Action::Nurture),
    ("/api/nurture/touch", Action::Nurture),
    ("/api/nurture/hand-back", Action::Nurture),
    ("/api/nurture/campaigns", Action::Nurture),
    ("/campaigns.csv", Action::Nurture),
    ("/api/imports/page", Action::Nurture),
    ("/api/imports/mapping", Action::Nurture),
    ("/api/imports/start", Action::Nurture),
    ("/api/board/aging", Action::Boards),
    ("/api/board/aging-cell", Action::Boards),
    ("/api/board/compliance", Action::Boards),
    ("/api/board/outlook", Action::Boards),
    ("/api/board/closures", Action::Boards),
    ("/api/board/rep-leads", Action::Boards),
    ("/api/admin/people", Action::SeeTeam),
    ("/api/admin/policy", Action::SeeTeam),
    ("/api/admin/person-away", Action::SeeTeam),
    ("/api/admin/person-add", Action::RunTeam),
    ("/api/admin/person-edit", Action::RunTeam),
    ("/api/admin/person-deactivate", Action::RunTeam),
    ("/api/admin/person-reactivate", Action::RunTeam),
    ("/api/admin/person-reset", Action::RunTeam),
    ("/api/admin/person-unlock", Action::RunTeam),
    ("/api/admin/person-end-sessions", Action::RunTeam),
    ("/api/admin/sources", Action::RunTeam),
    ("/api/admin/source-add", Action::RunTeam),
    ("/api/admin/source-edit", Action::RunTeam),
    ("/api/admin/source-rotate", Action::RunTeam),
    ("/api/admin/source-revoke", Action::RunTeam),
    ("/api/admin/policy-save", Action::RunTeam),
    ("/api/admin/territories", Action::RunTeam),
    ("/api/admin/territory-add", Action::RunTeam),
    ("/api/admin/territory-remove", Action::RunTeam),
    ("/api/admin/currency-save", Action::RunTeam),
    ("/api/admin/audit", Action::RunTeam),
    ("/api/admin/webhooks", Action::RunTeam),
    ("/api/admin/webhook-trouble", Action::RunTeam),
    ("/api/admin/webhook-add", Action::RunTeam),
    ("/api/admin/webhook-switch", Action::RunTeam),
    ("/api/admin/webhook-remove", Action::RunTeam),
    ("/api/admin/delivery-retry", Action::RunTeam),
    // Last: it ends the caller's session.
    ("/api/auth/logout", Action::SignIn),
];

#[cfg(feature = "ssr")]
mod server_side {
    use super::Action;
    use crate::api::ApiError;
    use crate::domain::access::permits;
    use crate::domain::role::User;
    use crate::server::state::AppState;
    use chrono::{DateTime, Utc};

    /// A request the access rules let through.
    pub struct Ctx {
        pub user: User,
        pub state: AppState,
        /// The time the request is handled at (the server's clock, read once).
        pub now: DateTime<Utc>,
    }

    impl Ctx {
        /// The signed-in caller of a server function, if their role may ask for `action`:
        /// else `401` (no session) or `403` (not their role's), with the rule in words.
        pub async fn enter(action: Action) -> Result<Self, ApiError> {
            let state = crate::api::app_state()?;
            let user = crate::api::auth::caller()
                .await
                .map_err(ApiError::respond)?;
            Self::admit(state, user, action)
        }

        /// The same for a plain route, from its request's headers.
        pub async fn of_request(
            state: &AppState,
            headers: &http::HeaderMap,
            action: Action,
        ) -> Result<Self, ApiError> {
            let user = crate::api::auth::route_caller(state, headers).await?;
            Self::admit(state.clone(), user, action)
        }

        fn admit(state: AppState, user: User, action: Action) -> Result<Self, ApiError> {
            if !permits(Some(user.role), action) {
                return Err(ApiError::Forbidden(action.who_may().to_string()).respond());
            }
            let now = state.clock.now();
            Ok(Self { user, state, now })
        }
    }

    /// The state for what anyone may ask (sign in, choose a password through a link).
    pub fn anyone() -> Result<AppState, ApiError> {
        debug_assert!(permits(None, Action::SignIn));
        crate::api::app_state()
    }
}
