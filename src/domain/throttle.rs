//! How fast someone may guess passwords. Recent failed sign-ins are counted twice — per account
//! (the email typed, whether or not it exists) and per address — and each count allows a few
//! free tries, then waits that double, then a temporary lockout. The right password is refused
//! too while a wait runs: otherwise a lockout would only slow the guessing, not stop it.

use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

/// One throttle: what it counts over, how many failures are free, and how long it makes
/// the next attempt wait after that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// Failures allowed before any wait.
    pub free: u32,
    /// The first wait; each further failure doubles it.
    pub first_wait: Duration,
    /// From this many failures on, each attempt waits [`Limits::lockout`] after the last one.
    pub lock_after: u32,
    pub lockout: Duration,
}

/// Per account (failures over a day), and per browser that signed in to the account before
/// (its own failures since it last signed in): five free tries, then 1, 2, 4, 8 and 16
/// seconds, then 15 minutes after every further failure.
pub fn per_account() -> Limits {
    Limits {
        window: Duration::hours(24),
        free: 5,
        first_wait: Duration::seconds(1),
        lock_after: 10,
        lockout: Duration::minutes(15),
    }
}

/// Per address (an office behind one address shares it, so it allows more): twenty free
/// failures an hour, then waits from 1 second doubling, then an hour after every further
/// failure.
pub fn per_address() -> Limits {
    Limits {
        window: Duration::hours(1),
        free: 20,
        first_wait: Duration::seconds(1),
        lock_after: 30,
        lockout: Duration::hours(1),
    }
}

/// Recent failures counted by one throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Failures inside the window (for an account, since its last successful sign-in).
    pub count: u32,
    /// When the latest of them happened.
    pub last: Option<DateTime<Utc>>,
}

impl Limits {
    /// The earliest time the next attempt may be made, or `None` when it may be made now.
    pub fn next_attempt_at(&self, failures: Failures) -> Option<DateTime<Utc>> {
        let last = failures.last?;
        if failures.count < self.free {
            return None;
        }
        let wait = if failures.count >= self.lock_after {
            self.lockout
        } else {
            let doublings = (failures.count - self.free).min(30);
            (self.first_wait * 2_i32.pow(doublings)).min(self.lockout)
        };
        Some(last + wait)
    }

    /// Whether an attempt may be made at `now`; if not, how many whole seconds to wait.
    pub fn check(&self, failures: Failures, now: DateTime<Utc>) -> Result<(), u64> {
        match self.next_attempt_at(failures) {
            Some(at) if at > now => {
                let millis = u64::try_from((at - now).num_milliseconds()).unwrap_or(1000);
                Err(millis.div_ceil(1000).max(1))
            }
            _ => Ok(()),
        }
    }
}

/// The guesses made in each of `hours` by an attacker who fails every time and tries again the
/// moment each wait ends (failures older than the window forgotten, as the store does): the
/// most one throttle lets through.
pub fn fastest_guesses_per_hour(limits: Limits, hours: u32) -> Vec<usize> {
    let start = DateTime::<Utc>::UNIX_EPOCH;
    let end = start + Duration::hours(i64::from(hours));
    let mut per_hour = vec![0; hours as usize];
    let mut recent: Vec<DateTime<Utc>> = Vec::new();
    let mut now = start;
    while now < end {
        recent.retain(|failure| *failure > now - limits.window);
        let counted = Failures {
            count: u32::try_from(recent.len()).unwrap_or(u32::MAX),
            last: recent.last().copied(),
        };
        match limits.next_attempt_at(counted) {
            Some(next) if next > now => now = next,
            _ => {
                let hour = usize::try_from((now - start).num_hours()).unwrap_or(0);
                if let Some(count) = per_hour.get_mut(hour) {
                    *count += 1;
                }
                recent.push(now);
                now += Duration::milliseconds(50);
            }
        }
    }
    per_hour
}

/// What the person is told while a wait runs: the same words whether or not the account
/// exists, so the throttle tells an attacker nothing.
pub fn wait_message(seconds: u64) -> String {
    let when = match seconds {
        0..=59 => format!("{seconds} seconds"),
        60..=119 => "a minute".to_string(),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    };
    format!("Too many failed sign-ins. Wait {when} and try again.")
}

/// The address failures are counted against: an IPv4 address as it is, an IPv6 address by its
/// /64 network (one subscriber's whole allocation).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("a valid time")
    }

    #[test]
    fn the_first_failures_are_free_then_waits_double_then_the_account_locks() {
        let limits = per_account();
        let failures = |count| Failures {
            count,
            last: Some(at(0)),
        };
        assert_eq!(limits.check(failures(4), at(0)), Ok(()));
        assert_eq!(limits.check(failures(5), at(0)), Err(1));
        assert_eq!(limits.check(failures(6), at(0)), Err(2));
        assert_eq!(limits.check(failures(9), at(0)), Err(16));
        assert_eq!(limits.check(failures(10), at(0)), Err(15 * 60));
        assert_eq!(limits.check(failures(400), at(0)), Err(15 * 60));
        assert_eq!(limits.check(failures(10), at(15 * 60)), Ok(()));
    }

    #[test]
    fn nobody_who_never_failed_waits() {
        assert_eq!(per_account().check(Failures::default(), at(0)), Ok(()));
        assert_eq!(per_address().check(Failures::default(), at(0)), Ok(()));
    }

    #[test]
    fn one_account_can_be_guessed_at_most_twenty_times_in_the_first_hour_and_four_after() {
        let hours = fastest_guesses_per_hour(per_account(), 24);
        assert!(hours[0] <= 20, "first hour: {}", hours[0]);
        assert!(hours[1..].iter().all(|h| *h <= 4), "{hours:?}");
        assert!(hours.iter().sum::<usize>() <= 120, "{hours:?}");
    }

    #[test]
    fn one_address_can_guess_at_most_thirty_one_times_an_hour() {
        let hours = fastest_guesses_per_hour(per_address(), 24);
        assert!(hours.iter().all(|h| *h <= 31), "{hours:?}");
        assert!(hours.iter().sum::<usize>() <= 24 * 31, "{hours:?}");
    }

    #[test]
    fn the_wait_is_told_in_words() {
        assert_eq!(
            wait_message(16),
            "Too many failed sign-ins. Wait 16 seconds and try again."
        );
        assert_eq!(
            wait_message(900),
            "Too many failed sign-ins. Wait 15 minutes and try again."
        );
    }

    #[test]
    fn an_ipv6_address_counts_by_its_network() {
        let a: IpAddr = "2001:db8:1:2::17".parse().expect("an address");
        let b: IpAddr = "2001:db8:1:2:ffff::1".parse().expect("an address");
        assert_eq!(address_key(a), address_key(b));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("an address");
        assert_eq!(address_key(mapped), "192.0.2.7");
    }
}
