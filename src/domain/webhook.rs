//! Webhooks: what the team's other tools are told, and the rules for telling them. Which lead
//! events each kind of change is, which addresses may be subscribed, and when a failed delivery
//! is tried again or given up.

use crate::domain::lead::{Event, EventKind, Stage};
use chrono::Duration;
use std::net::IpAddr;

/// Every event a webhook may subscribe to, in the order the admin screen lists them, with
/// what each means.
pub const EVENTS: [(&str, &str); 7] = [
    ("lead.created", "a new lead arrived"),
    ("lead.assigned", "a rep was given a lead"),
    ("sla.warned", "a lead's first call is nearly late"),
    ("lead.reassigned", "a lead moved from one rep to another"),
    ("lead.handed_back", "marketing handed a lead back to sales"),
    ("lead.closed", "a lead was closed dead"),
    ("lead.won", "a lead bought"),
];

/// How many times a delivery is tried before it is given up (and its webhook switched off).
pub const MOST_ATTEMPTS: i64 = 8;

/// The longest URL a webhook may have.
const MOST_URL_CHARS: usize = 2_000;

/// What the rep assignments did with an event, as far as the webhooks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Handover {
    /// A rep's assignment started.
    pub started: bool,
    /// Another rep held it until now.
    pub from_other_rep: bool,
}

/// The webhook events one lead event is (often none: a logged call tells no other tool).
pub fn events_of(event: &Event, handover: Handover) -> Vec<&'static str> {
    let mut events = Vec::new();
    if event.kind == EventKind::Arrived {
        events.push("lead.created");
    }
    if event.kind == EventKind::SlaWarning {
        events.push("sla.warned");
    }
    if event.kind == EventKind::HandedBack {
        events.push("lead.handed_back");
    }
    if handover.started {
        events.push(if handover.from_other_rep {
            "lead.reassigned"
        } else {
            "lead.assigned"
        });
    }
    let newly = |stage: Stage| event.to == stage && event.from != Some(stage);
    if newly(Stage::Won) {
        events.push("lead.won");
    }
    if newly(Stage::Dead) {
        events.push("lead.closed");
    }
    events
}

/// The events an admin ticked, checked: known names only, each once, in the list's order.
pub fn chosen_events(ticked: &[String]) -> Result<Vec<&'static str>, String> {
    if let Some(unknown) = ticked
        .iter()
        .find(|name| !EVENTS.iter().any(|(known, _)| known == &name.trim()))
    {
        return Err(format!(
            "“{}” is not an event Leadline sends",
            unknown.chars().take(60).collect::<String>()
        ));
    }
    let chosen: Vec<&'static str> = EVENTS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| ticked.iter().any(|t| t.trim() == *name))
        .collect();
    if chosen.is_empty() {
        return Err("choose at least one event".to_string());
    }
    Ok(chosen)
}

/// A subscribed address: an absolute http or https URL with a host, no user name or password
/// in it. With `private_allowed` false (the default), it may not name this machine or a private
/// network (the server would otherwise post wherever an admin points it, inside its own
/// network). Names are checked again when they are looked up, at each delivery.
pub fn check_url(text: &str, private_allowed: bool) -> Result<url::Url, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is required".to_string());
    }
    if text.chars().count() > MOST_URL_CHARS {
        return Err(format!("must be at most {MOST_URL_CHARS} characters"));
    }
    let url = url::Url::parse(text).map_err(|_| {
        "must be a full address, such as https://hooks.example.com/leadline".to_string()
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err("must start with https:// (or http://)".to_string());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "must not carry a user name or password (the signature proves who sent it)".to_string(),
        );
    }
    if url.port() == Some(0) {
        return Err("must not name port 0".to_string());
    }
    if url.fragment().is_some() {
        return Err("must not have a #fragment".to_string());
    }
    let host = match url.host() {
        None => return Err("must name a host".to_string()),
        Some(host) => host,
    };
    if !private_allowed {
        let refused = match host {
            url::Host::Ipv4(ip) => !is_public(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => !is_public(IpAddr::V6(ip)),
            url::Host::Domain(name) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost") || name.ends_with(".internal")
            }
        };
        if refused {
            return Err(
                "must be a public address, not this server or a private network".to_string(),
            );
        }
    }
    Ok(url)
}

/// Whether deliveries may go to `ip`: not loopback, private, link-local (cloud metadata),
/// shared, unspecified, multicast or documentation space.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (a == 192 && b == 0 && v4.octets()[2] == 2)
                || (a == 198 && b == 51 && v4.octets()[2] == 100)
                || (a == 203 && b == 0 && v4.octets()[2] == 113)
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                IpAddr::V4(std::net::Ipv4Addr::new(
                    (hi >> 8) as u8,
                    hi as u8,
                    (lo >> 8) as u8,
                    lo as u8,
                ))
            };
            // Forms that carry an IPv4 address: mapped (::ffff:a.b.c.d), translated
            // (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4
            // (2002:aabb:ccdd::) — each as public as the address it carries.
            let carried = match seg {
                [0, 0, 0, 0, 0, 0xffff, hi, lo]
                | [0, 0, 0, 0, 0xffff, 0, hi, lo]
                | [0, 0, 0, 0, 0, 0, hi, lo]
                | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(embedded(hi, lo)),
                [0x2002, hi, lo, ..] => Some(embedded(hi, lo)),
                _ => None,
            };
            if let Some(v4) = carried {
                return is_public(v4);
            }
            let first = seg[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && seg[1] == 0x0db8)
                || (first == 0x0100 && seg[1] == 0 && seg[2] == 0 && seg[3] == 0)
                || (first == 0x64 && seg[1] == 0xff9b))
        }
    }
}

/// How long after its `attempts`-th failed try a delivery is tried again; `None` once it has
/// had all its tries. About a day in all: a receiver down overnight still gets everything.
pub fn retry_after(attempts: i64) -> Option<Duration> {
    let minutes = match attempts {
        1 => 1,
        2 => 5,
        3 => 15,
        4 => 60,
        5 => 3 * 60,
        6 => 6 * 60,
        7 => 12 * 60,
        _ => return None,
    };
    Some(Duration::minutes(minutes))
}

/// How the reason starts when the server (not an admin) switched a webhook off for failing:
/// the admin screens warn of these.
pub const FAILING: &str = "failed: ";

/// Why a delivery still waiting was dropped when its webhook was removed.
pub const REMOVED: &str = "the webhook was removed";

/// What a delivery's state reads as in the log.
pub fn delivery_status(
    status: &str,
    attempts: i64,
    code: Option<i64>,
    error: Option<&str>,
) -> String {
    let why = match (code, error) {
        (_, Some(error)) => error.to_string(),
        (Some(code), None) => format!("answered {code}"),
        (None, None) => String::new(),
    };
    match status {
        "delivered" => format!("delivered ({})", why),
        "failed" if error == Some(REMOVED) => format!("not sent: {REMOVED}"),
        "failed" => format!("given up after {attempts} tries: {why}"),
        _ if attempts == 0 => "waiting to send".to_string(),
        _ => format!("try {attempts} of {MOST_ATTEMPTS} failed: {why}; trying again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, from: Option<Stage>, to: Stage) -> Event {
        Event {
            kind,
            from,
            to,
            detail: String::new(),
            charged_to: None,
            open_seconds: None,
        }
    }

    #[test]
    fn a_new_lead_given_to_a_rep_is_created_and_assigned() {
        let arrived = event(EventKind::Arrived, None, Stage::Assigned);
        let to_rep = Handover {
            started: true,
            from_other_rep: false,
        };
        assert_eq!(
            events_of(&arrived, to_rep),
            vec!["lead.created", "lead.assigned"]
        );
        assert_eq!(
            events_of(&arrived, Handover::default()),
            vec!["lead.created"]
        );
    }

    #[test]
    fn a_lead_taken_from_one_rep_to_another_is_reassigned() {
        let reclaimed = event(EventKind::Reclaimed, Some(Stage::Assigned), Stage::Assigned);
        let moved = Handover {
            started: true,
            from_other_rep: true,
        };
        assert_eq!(events_of(&reclaimed, moved), vec!["lead.reassigned"]);
    }

    #[test]
    fn a_hot_hand_back_is_handed_back_and_assigned() {
        let back = event(EventKind::HandedBack, Some(Stage::Nurture), Stage::Hot);
        let to_rep = Handover {
            started: true,
            from_other_rep: false,
        };
        assert_eq!(
            events_of(&back, to_rep),
            vec!["lead.handed_back", "lead.assigned"]
        );
    }

    #[test]
    fn won_and_dead_are_told_once_and_a_logged_call_not_at_all() {
        let won = event(EventKind::Won, Some(Stage::Qualifying), Stage::Won);
        assert_eq!(events_of(&won, Handover::default()), vec!["lead.won"]);
        let dead = event(EventKind::Closed, Some(Stage::Attempting), Stage::Dead);
        assert_eq!(events_of(&dead, Handover::default()), vec!["lead.closed"]);
        let exhausted = event(
            EventKind::CadenceExhausted,
            Some(Stage::Attempting),
            Stage::Dead,
        );
        assert_eq!(
            events_of(&exhausted, Handover::default()),
            vec!["lead.closed"]
        );
        let again = event(EventKind::QualificationSaved, Some(Stage::Won), Stage::Won);
        assert!(events_of(&again, Handover::default()).is_empty());
        let call = event(
            EventKind::TouchLogged,
            Some(Stage::Assigned),
            Stage::Attempting,
        );
        assert!(events_of(&call, Handover::default()).is_empty());
        let warned = event(
            EventKind::SlaWarning,
            Some(Stage::Assigned),
            Stage::Assigned,
        );
        assert_eq!(events_of(&warned, Handover::default()), vec!["sla.warned"]);
    }

    #[test]
    fn only_known_events_are_chosen_each_once_in_order() {
        let ticked = vec![
            "lead.won".to_string(),
            "lead.created".into(),
            "lead.won".into(),
        ];
        assert_eq!(
            chosen_events(&ticked).unwrap(),
            vec!["lead.created", "lead.won"]
        );
        assert!(chosen_events(&[]).unwrap_err().contains("at least one"));
        assert!(chosen_events(&["lead.<script>".to_string()])
            .unwrap_err()
            .contains("not an event"));
    }

    #[test]
    fn addresses_inside_the_servers_network_are_refused_unless_allowed() {
        assert!(check_url("https://hooks.zapier.com/hooks/catch/1/abc", false).is_ok());
        for inside in [
            "http://127.0.0.1:8080/x",
            "http://localhost/x",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/",
            "http://192.168.0.10/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00::1]/",
            "http://0.0.0.0/",
            "http://metadata.google.internal/",
            "http://100.64.0.1/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[::127.0.0.1]/",
            "http://[::ffff:0:7f00:1]/",
            "http://[100::1]/",
            "http://192.0.0.1/",
        ] {
            assert!(
                check_url(inside, false).is_err(),
                "{inside} was let through"
            );
        }
        assert!(check_url("http://127.0.0.1:8080/x", true).is_ok());
        // Carried public addresses stay public.
        assert!(check_url("http://[2002:0808:0808::]/", false).is_ok());
        assert!(check_url("http://[2606:4700::1111]/", false).is_ok());
    }

    #[test]
    fn a_url_must_be_whole_plain_and_http() {
        assert_eq!(check_url("  ", false).unwrap_err(), "is required");
        assert!(check_url("hooks.example.com", false)
            .unwrap_err()
            .contains("full address"));
        assert!(check_url("ftp://example.com/", false)
            .unwrap_err()
            .contains("https://"));
        assert!(check_url("javascript:alert(1)", false).is_err());
        assert!(check_url("https://user:pw@example.com/", false)
            .unwrap_err()
            .contains("password"));
        assert!(check_url(&format!("https://example.com/{}", "a".repeat(2_100)), false).is_err());
        assert!(check_url("https://example.com:0/", false)
            .unwrap_err()
            .contains("port 0"));
    }

    #[test]
    fn retries_back_off_over_about_a_day_then_stop() {
        let waits: Vec<i64> = (1..=7)
            .map(|n| retry_after(n).unwrap().num_minutes())
            .collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]));
        assert!(waits.iter().sum::<i64>() >= 20 * 60);
        assert_eq!(retry_after(MOST_ATTEMPTS), None);
    }

    #[test]
    fn the_log_says_what_happened_in_words() {
        assert_eq!(delivery_status("pending", 0, None, None), "waiting to send");
        assert_eq!(
            delivery_status("pending", 2, Some(503), None),
            "try 2 of 8 failed: answered 503; trying again"
        );
        assert_eq!(
            delivery_status("failed", 8, None, Some("no answer in 10 s")),
            "given up after 8 tries: no answer in 10 s"
        );
        assert_eq!(
            delivery_status("delivered", 1, Some(200), None),
            "delivered (answered 200)"
        );
    }
}
