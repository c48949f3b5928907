//! When an alert has done its job. An alert asks for something — call this person now, someone
//! call this lead, work the queue — and ends when that happened (or can no longer happen),
//! so a list of alerts is a list of what is still asked.

use crate::domain::lead::Owner;
use chrono::{DateTime, Utc};

/// What an alert's lead looks like now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject<'a> {
    pub owner: &'a Owner,
    /// Won or dead.
    pub closed: bool,
    /// The latest call, meeting, text or email logged on it.
    pub last_touch: Option<DateTime<Utc>>,
}

/// Whether an alert of `kind`, raised at `raised` for `user_id`, has done its job.
pub fn is_done(kind: &str, raised: DateTime<Utc>, user_id: &str, lead: &Subject<'_>) -> bool {
    if lead.closed {
        return true;
    }
    let touched_since = lead.last_touch.is_some_and(|at| at >= raised);
    match kind {
        // "Call this person now": called, or no longer theirs to call.
        "hot" | "assigned" => touched_since || lead.owner.rep_id() != Some(user_id),
        // "Nobody has called this new lead": somebody did.
        "sla_warning" => touched_since,
        // "This lead waits in a queue nobody works": it left the queue.
        "queue" => *lead.owner != Owner::Qualifier,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn lead(owner: &Owner, last_touch: Option<DateTime<Utc>>) -> Subject<'_> {
        Subject {
            owner,
            closed: false,
            last_touch,
        }
    }

    #[test]
    fn a_call_now_alert_ends_when_the_rep_calls_or_the_lead_leaves_them() {
        let raised = Utc::now();
        let ritas = Owner::Rep("rita".into());
        assert!(!is_done("assigned", raised, "rita", &lead(&ritas, None)));
        assert!(!is_done(
            "hot",
            raised,
            "rita",
            &lead(&ritas, Some(raised - Duration::hours(1)))
        ));
        assert!(is_done(
            "hot",
            raised,
            "rita",
            &lead(&ritas, Some(raised + Duration::minutes(2)))
        ));
        assert!(is_done(
            "assigned",
            raised,
            "rita",
            &lead(&Owner::Rep("raj".into()), None)
        ));
    }

    #[test]
    fn a_managers_warning_ends_with_the_first_call_and_a_queue_alert_when_the_lead_leaves_it() {
        let raised = Utc::now();
        let rajs = Owner::Rep("raj".into());
        assert!(!is_done("sla_warning", raised, "max", &lead(&rajs, None)));
        assert!(is_done(
            "sla_warning",
            raised,
            "max",
            &lead(&rajs, Some(raised))
        ));
        assert!(!is_done(
            "queue",
            raised,
            "max",
            &lead(&Owner::Qualifier, None)
        ));
        assert!(is_done("queue", raised, "max", &lead(&rajs, None)));
    }

    #[test]
    fn every_alert_ends_when_the_lead_is_closed() {
        let raised = Utc::now();
        let ritas = Owner::Rep("rita".into());
        for kind in ["hot", "assigned", "sla_warning", "queue"] {
            let closed = Subject {
                closed: true,
                ..lead(&ritas, None)
            };
            assert!(is_done(kind, raised, "rita", &closed), "{kind}");
        }
    }
}
