//! Who may see what: the one place the rule lives for which leads a person sees and which
//! changes their open screens hear of.

use crate::domain::lead::Owner;
use crate::domain::role::{Role, User};

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
    fn a_rep_sees_only_their_own_leads() {
        let rita = user(Role::Rep, "rita");
        assert!(may_see(&rita, &Owner::Rep("rita".into())));
        assert!(!may_see(&rita, &Owner::Rep("raj".into())));
        assert!(!may_see(&rita, &Owner::Qualifier));
        assert!(may_see(&user(Role::Qualifier, "q"), &Owner::Qualifier));
    }
}
