//! How often one caller may post: a fixed number of posts per window, counted in memory per
//! key (an address, a source). Memory is bounded: at most [`MAX_KEYS`] keys are remembered;
//! when full, keys whose window has ended are forgotten first, and a flood of new keys beyond
//! that is refused together rather than remembered one by one.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// The most keys one limiter remembers (a few megabytes at most).
pub const MAX_KEYS: usize = 100_000;

/// Posts one address may make to websites' forms: a person sends one or two; an office behind
/// one address a few more.
pub const FORM_POSTS_PER_ADDRESS: Rate = Rate {
    posts: 10,
    window: Duration::minutes(10),
};

/// The limits on posting leads: per client address (websites' forms) and per source (every
/// door a source's leads come through).
#[derive(Debug)]
pub struct PostLimits {
    pub per_address: Limiter<String>,
    pub per_source: Limiter<String>,
}

/// Posts allowed per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub posts: u32,
    pub window: Duration,
}

/// The counts of one kind of post.
#[derive(Debug)]
pub struct Limiter<K> {
    rate: Rate,
    counts: Mutex<HashMap<K, (DateTime<Utc>, u32)>>,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a post by `key` at `now`: `Ok` when it may go ahead, else how long until the
    /// next one may (for `Retry-After`), rounded up to whole seconds.
    pub fn check(&self, key: &K, now: DateTime<Utc>) -> Result<(), Duration> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let window = self.rate.window;
        if !counts.contains_key(key) && counts.len() >= MAX_KEYS {
            counts.retain(|_, (start, _)| now < *start + window);
            if counts.len() >= MAX_KEYS {
                return Err(Duration::seconds(window.num_seconds().max(1)));
            }
        }
        let entry = counts.entry(key.clone()).or_insert((now, 0));
        if now >= entry.0 + window {
            *entry = (now, 0);
        }
        if entry.1 >= self.rate.posts {
            let wait = entry.0 + window - now;
            let seconds = (wait.num_milliseconds() + 999) / 1000;
            return Err(Duration::seconds(seconds.max(1)));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 0).unwrap()
    }

    fn three_a_minute() -> Limiter<&'static str> {
        Limiter::new(Rate {
            posts: 3,
            window: Duration::minutes(1),
        })
    }

    #[test]
    fn a_caller_gets_its_posts_then_waits_for_the_window_to_end() {
        let limiter = three_a_minute();
        for s in 0..3 {
            assert_eq!(limiter.check(&"a", at(s)), Ok(()));
        }
        assert_eq!(limiter.check(&"a", at(10)), Err(Duration::seconds(50)));
        // Another caller is not held up.
        assert_eq!(limiter.check(&"b", at(10)), Ok(()));
        assert_eq!(limiter.check(&"a", at(60)), Ok(()));
    }

    #[test]
    fn refusals_do_not_push_the_wait_further() {
        let limiter = three_a_minute();
        for s in 0..3 {
            limiter.check(&"a", at(s)).unwrap();
        }
        for s in 4..50 {
            assert!(limiter.check(&"a", at(s)).is_err());
        }
        assert_eq!(limiter.check(&"a", at(61)), Ok(()));
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_new_callers() {
        let limiter: Limiter<u32> = Limiter::new(Rate {
            posts: 1,
            window: Duration::minutes(1),
        });
        for key in 0..MAX_KEYS as u32 {
            limiter.check(&key, at(0)).unwrap();
        }
        // Full, and every window still running: a new caller waits.
        assert!(limiter.check(&u32::MAX, at(1)).is_err());
        // Once windows end, old callers are forgotten and new ones come in.
        assert_eq!(limiter.check(&u32::MAX, at(61)), Ok(()));
        assert_eq!(limiter.counts.lock().unwrap().len(), 1);
    }
}
