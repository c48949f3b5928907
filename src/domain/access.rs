//! Who may do what: the one place the rules live for what each role may ask of Leadline, which
//! leads a person sees and works, and which changes their open screens hear of. Every server
//! function and route asks [`permits`] before anything else (through one request context), and
//! every use case that touches a lead asks [`may_on_lead`]; nothing else decides by role.

use crate::domain::lead::Owner;
use crate::domain::role::{Role, User};

/// Everything a person can ask Leadline to do, as the access rules group it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Sign in or out, ask who is signed in, choose a password through a one-time link: anyone.
    SignIn,
    /// Their own sessions and alerts, the live feed of their screens: anyone signed in.
    OwnAccount,
    /// Their work queue and calls from it: reps and qualifiers.
    WorkQueue,
    /// Read a lead: anyone signed in, for a lead they may see.
    SeeLead,
    /// Log a call or touch: the rep who holds the lead, a qualifier for the queue's.
    LogTouch,
    /// Qualify, close, hand to nurture, give back to marketing: whoever works the lead, or a
    /// manager.
    WorkLead,
    /// Pass a lead from the qualifier queue to sales: qualifiers and managers.
    PassToSales,
    /// Reassign leads, reverse a closure: managers.
    Manage,
    /// The nurture pool, its touches and hand-backs, the campaign table and its export:
    /// marketing and managers.
    Nurture,
    /// The managers' boards: managers.
    Boards,
    /// See the team and the follow-up policy, mark people away: managers.
    SeeTeam,
    /// Add and change people, sources and keys, the policy; read the audit log: admins.
    RunTeam,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::SignIn,
        Action::OwnAccount,
        Action::WorkQueue,
        Action::SeeLead,
        Action::LogTouch,
        Action::WorkLead,
        Action::PassToSales,
        Action::Manage,
        Action::Nurture,
        Action::Boards,
        Action::SeeTeam,
        Action::RunTeam,
    ];

    /// Who may ask for it, in words, for a refusal.
    pub fn who_may(self) -> &'static str {
        match self {
            Action::SignIn => "Anyone may do this.",
            Action::OwnAccount | Action::SeeLead => "Sign in first.",
            Action::WorkQueue => "Only reps and qualifiers work a call queue.",
            Action::LogTouch => "Only the rep who holds a lead (or a qualifier, for the queue's) logs its calls and touches.",
            Action::WorkLead => "Only the rep who holds a lead (a qualifier, for the queue's), or a manager, can do that.",
            Action::PassToSales => "Only a qualifier or a manager passes a lead to sales.",
            Action::Manage => "Only a manager can do that.",
            Action::Nurture => "The nurture pool, campaigns and list imports are for marketing, managers and admins.",
            Action::Boards => "The boards are for managers.",
            Action::SeeTeam => "The team and its policy are for managers and admins.",
            Action::RunTeam => "Only an admin changes the team, its sources, its policy and its webhooks.",
        }
    }

    /// Whether the action is done to one lead (then [`may_on_lead`] decides too).
    pub fn is_on_a_lead(self) -> bool {
        matches!(
            self,
            Action::SeeLead | Action::LogTouch | Action::WorkLead | Action::PassToSales
        )
    }
}

/// Whether someone with `role` (`None`: not signed in) may ask for `action` at all. Admins may
/// do what managers may (they run the team) but log no calls: those are the holder's.
pub fn permits(role: Option<Role>, action: Action) -> bool {
    use Role::*;
    let Some(role) = role else {
        return action == Action::SignIn;
    };
    match action {
        Action::SignIn | Action::OwnAccount | Action::SeeLead => true,
        Action::WorkQueue | Action::LogTouch => matches!(role, Rep | Qualifier),
        Action::WorkLead => matches!(role, Rep | Qualifier | Manager | Admin),
        Action::PassToSales => matches!(role, Qualifier | Manager | Admin),
        Action::Manage | Action::Boards | Action::SeeTeam => matches!(role, Manager | Admin),
        Action::Nurture => matches!(role, Marketing | Manager | Admin),
        Action::RunTeam => role == Admin,
    }
}

/// Why an action on a lead was denied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The lead is not one the person may see: to them it does not exist.
    #[error("not found")]
    NotVisible,
    /// They see it but may not do this to it; the text says who may.
    #[error("{0}")]
    NotTheirs(&'static str),
}

/// Whether `user` may do `action` to a lead held by `owner`.
pub fn may_on_lead(user: &User, action: Action, owner: &Owner) -> Result<(), Denied> {
    if !may_see(user, owner) {
        return Err(Denied::NotVisible);
    }
    let allowed = permits(Some(user.role), action)
        && match action {
            Action::LogTouch => works(user, owner),
            Action::WorkLead => {
                works(user, owner) || matches!(user.role, Role::Manager | Role::Admin)
            }
            _ => true,
        };
    if allowed {
        return Ok(());
    }
    Err(Denied::NotTheirs(match (action, user.role) {
        (_, Role::Marketing) => "Marketing works leads in the nurture pool; this one is with sales.",
        (Action::LogTouch, _) => {
            "Only the rep who holds this lead (or a qualifier, for the queue's) can log touches on it."
        }
        (Action::PassToSales, _) => "Only a qualifier or a manager passes a lead to sales.",
        _ => "Only the rep who holds this lead (a qualifier, for the queue's), or a manager, can do that.",
    }))
}

/// Whether `user` may see a lead held by `owner`: a rep sees only their own leads; qualifiers
/// their queue; marketing (which answers for what every campaign's leads became), managers
/// and admins see every lead.
pub fn may_see(user: &User, owner: &Owner) -> bool {
    match user.role {
        Role::Manager | Role::Admin | Role::Marketing => true,
        Role::Rep => owner.rep_id() == Some(user.id.as_str()),
        Role::Qualifier => *owner == Owner::Qualifier,
    }
}

/// Whether `user` works a lead held by `owner` — logs its calls and touches, qualifies it,
/// hands it on: the rep who holds it, or a qualifier for a lead in the queue. (Managers may
/// close, reopen and reassign any lead, but the calls are the holder's.)
pub fn works(user: &User, owner: &Owner) -> bool {
    match (user.role, owner) {
        (Role::Rep, Owner::Rep(id)) => *id == user.id,
        (Role::Qualifier, Owner::Qualifier) => true,
        _ => false,
    }
}

/// Whether `user`'s open screens hear of a change to a lead that `holders` held before or hold
/// now: a rep only of leads they held or hold, a qualifier only of leads that were or are in
/// the queue; marketing, managers and admins of every change (a change that names no holder —
/// a lead aged into the next bucket — is theirs alone).
pub fn hears_of(user: &User, holders: &[Owner]) -> bool {
    match user.role {
        Role::Rep | Role::Qualifier => holders.iter().any(|holder| may_see(user, holder)),
        Role::Marketing | Role::Manager | Role::Admin => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, id: &str) -> User {
        User {
            id: id.to_string(),
            name: id.to_string(),
            email: format!("{id}@acme.test"),
            role,
        }
    }

    #[test]
    fn a_qualifier_hears_only_of_leads_in_or_leaving_the_queue() {
        let quinn = user(Role::Qualifier, "quinn");
        assert!(hears_of(&quinn, &[Owner::Qualifier]));
        assert!(hears_of(
            &quinn,
            &[Owner::Qualifier, Owner::Rep("rita".into())]
        ));
        assert!(!hears_of(&quinn, &[Owner::Rep("rita".into())]));
        assert!(!hears_of(&quinn, &[Owner::Marketing]));
        assert!(!hears_of(&quinn, &[]));
    }

    #[test]
    fn a_rep_hears_only_of_their_own_leads_and_a_manager_of_all() {
        let rita = user(Role::Rep, "rita");
        let rajs = [Owner::Rep("raj".into())];
        assert!(!hears_of(&rita, &rajs));
        assert!(hears_of(
            &rita,
            &[Owner::Rep("rita".into()), Owner::Marketing]
        ));
        assert!(hears_of(&user(Role::Manager, "max"), &rajs));
        assert!(hears_of(&user(Role::Marketing, "maya"), &rajs));
    }

    #[test]
    fn the_holder_works_a_lead_and_a_qualifier_the_queues() {
        let rita = user(Role::Rep, "rita");
        let quinn = user(Role::Qualifier, "quinn");
        assert!(works(&rita, &Owner::Rep("rita".into())));
        assert!(!works(&rita, &Owner::Rep("raj".into())));
        assert!(!works(&rita, &Owner::Qualifier));
        assert!(works(&quinn, &Owner::Qualifier));
        assert!(!works(&quinn, &Owner::Rep("rita".into())));
        assert!(!works(
            &user(Role::Manager, "max"),
            &Owner::Rep("rita".into())
        ));
    }

    #[test]
    fn a_stranger_may_only_sign_in_and_an_admin_runs_the_team_but_logs_no_calls() {
        for action in Action::ALL {
            assert_eq!(
                permits(None, action),
                action == Action::SignIn,
                "{action:?}"
            );
        }
        assert!(permits(Some(Role::Admin), Action::RunTeam));
        assert!(!permits(Some(Role::Manager), Action::RunTeam));
        assert!(permits(Some(Role::Manager), Action::SeeTeam));
        assert!(!permits(Some(Role::Admin), Action::LogTouch));
        assert!(!permits(Some(Role::Rep), Action::Boards));
        assert!(!permits(Some(Role::Qualifier), Action::Nurture));
        assert!(permits(Some(Role::Marketing), Action::Nurture));
    }

    #[test]
    fn a_rep_works_their_own_lead_and_another_reps_does_not_exist_to_them() {
        let rita = user(Role::Rep, "rita");
        let hers = Owner::Rep("rita".into());
        let rajs = Owner::Rep("raj".into());
        assert_eq!(may_on_lead(&rita, Action::WorkLead, &hers), Ok(()));
        assert_eq!(may_on_lead(&rita, Action::LogTouch, &hers), Ok(()));
        for action in Action::ALL.into_iter().filter(|a| a.is_on_a_lead()) {
            assert_eq!(may_on_lead(&rita, action, &rajs), Err(Denied::NotVisible));
        }
        assert!(matches!(
            may_on_lead(&rita, Action::PassToSales, &hers),
            Err(Denied::NotTheirs(_))
        ));
    }

    #[test]
    fn a_manager_works_any_lead_but_logs_no_calls_and_marketing_only_reads_sales_leads() {
        let max = user(Role::Manager, "max");
        let maya = user(Role::Marketing, "maya");
        let rajs = Owner::Rep("raj".into());
        assert_eq!(may_on_lead(&max, Action::WorkLead, &rajs), Ok(()));
        assert!(matches!(
            may_on_lead(&max, Action::LogTouch, &rajs),
            Err(Denied::NotTheirs(_))
        ));
        assert_eq!(may_on_lead(&maya, Action::SeeLead, &rajs), Ok(()));
        assert_eq!(
            may_on_lead(&maya, Action::WorkLead, &rajs),
            Err(Denied::NotTheirs(
                "Marketing works leads in the nurture pool; this one is with sales."
            ))
        );
    }

    #[test]
    fn a_rep_sees_only_their_own_leads() {
        let rita = user(Role::Rep, "rita");
        assert!(may_see(&rita, &Owner::Rep("rita".into())));
        assert!(!may_see(&rita, &Owner::Rep("raj".into())));
        assert!(!may_see(&rita, &Owner::Qualifier));
        assert!(may_see(&user(Role::Qualifier, "q"), &Owner::Qualifier));
    }
}
