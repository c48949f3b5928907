//! Password checks, a few at a time. An Argon2 check is slow and needs ~19 MiB on purpose, so
//! checks run on a fixed set of worker threads (about one per core), each reusing its own
//! memory: a flood of sign-ins cannot make the server allocate more, and the memory stays the
//! same after the flood as before it. A check waits a moment for a free worker; beyond that
//! the caller is told to come back ([`Busy`]), which the sign-in answers with `429`.
//!
//! Unknown emails are checked against a stand-in hash of the same cost, so an attacker cannot
//! tell from the time taken whether an account exists.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, Semaphore};

/// Stored hashes asking for more memory than this are not checked (they were not made here).
const MAX_BLOCKS: usize = 256 * 1024;

/// No worker came free in time: try again after [`Busy::retry_after`] seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("all password checks are busy")]
pub struct Busy {
    pub retry_after: u64,
}

struct Job {
    password: String,
    stored: Arc<str>,
    reply: oneshot::Sender<bool>,
}

/// The pool of password-checking workers. Cheap to clone; the workers stop when the last
/// clone is dropped.
#[derive(Clone)]
pub struct Passwords {
    inner: Arc<Inner>,
}

struct Inner {
    jobs: mpsc::SyncSender<Job>,
    free: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
    /// A hash of a random password, checked in place of an unknown account's.
    stand_in: Arc<str>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords").finish_non_exhaustive()
    }
}

impl Passwords {
    /// One worker per core; a check waits up to a second and a half for one, and at most
    /// 64 checks wait at once.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::start(cores, Duration::from_millis(1500), 64)
    }

    /// Starts `workers` threads. A check waits up to `wait` for a free one; when `max_waiting`
    /// checks are already waiting, the next is refused at once.
    pub fn start(workers: usize, wait: Duration, max_waiting: usize) -> Self {
        let workers = workers.max(1);
        let (jobs, queue) = mpsc::sync_channel::<Job>(workers);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || work(&queue));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password-check thread");
            }
        }
        Self {
            inner: Arc::new(Inner {
                jobs,
                free: Semaphore::new(workers),
                waiting: AtomicUsize::new(0),
                max_waiting,
                wait,
                stand_in: stand_in_hash().into(),
            }),
        }
    }

    /// Waits for a free worker: up to the pool's wait, and only while few others wait.
    /// Holding the [`Slot`] keeps the worker for the caller, so what it does between checking
    /// and releasing (recording the outcome) is seen by the next caller.
    pub async fn slot(&self) -> Result<Slot<'_>, Busy> {
        let inner = &self.inner;
        let busy = Busy {
            retry_after: inner.wait.as_secs().max(1),
        };
        if inner.waiting.fetch_add(1, Ordering::SeqCst) >= inner.max_waiting {
            inner.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy);
        }
        let permit = tokio::time::timeout(inner.wait, inner.free.acquire()).await;
        inner.waiting.fetch_sub(1, Ordering::SeqCst);
        match permit {
            Ok(Ok(permit)) => Ok(Slot {
                inner,
                _permit: permit,
            }),
            _ => Err(busy),
        }
    }

    /// [`Slot::matches`] on a slot of its own.
    pub async fn matches(&self, password: &str, stored: Option<&str>) -> Result<bool, Busy> {
        Ok(self.slot().await?.matches(password, stored).await)
    }
}

/// A worker kept for one caller until dropped.
pub struct Slot<'a> {
    inner: &'a Inner,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl Slot<'_> {
    /// Whether `password` matches `stored` (a PHC-format Argon2 hash). With no stored hash (an
    /// unknown account) the same work is done against a stand-in and the answer is `false`.
    pub async fn matches(&self, password: &str, stored: Option<&str>) -> bool {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            password: password.to_string(),
            stored: stored.map_or_else(|| self.inner.stand_in.clone(), Arc::from),
            reply,
        };
        // There are as many places in the queue as workers, and as many slots.
        if self.inner.jobs.try_send(job).is_err() {
            tracing::error!("the password-check workers are gone");
            return false;
        }
        let matched = answer.await.unwrap_or(false);
        matched && stored.is_some()
    }
}

/// A worker: takes jobs until the pool is dropped, checking each with memory it keeps.
fn work(queue: &Mutex<mpsc::Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let matched = verify(&mut memory, job.password.as_bytes(), &job.stored);
        let _ = job.reply.send(matched);
    }
}

/// Checks `password` against a PHC-format Argon2 hash, using (and growing once if needed)
/// the worker's own memory rather than allocating for each check.
fn verify(memory: &mut Vec<Block>, password: &[u8], stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) =
        (Params::try_from(&hash), Algorithm::try_from(hash.algorithm))
    else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return false;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt,
        &mut out,
        &mut memory[..blocks],
    );
    // `Output` compares in constant time.
    computed.is_ok()
        && argon2::password_hash::Output::new(&out).is_ok_and(|output| output == expected)
}

/// A hash of a random password with the default cost: what an unknown account is checked
/// against.
fn stand_in_hash() -> String {
    let secret = crate::server::services::new_token("");
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(password: &str) -> String {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("hashed")
            .to_string()
    }

    #[tokio::test]
    async fn only_the_right_password_matches() {
        let passwords = Passwords::start(1, Duration::from_secs(5), 8);
        let stored = hash("correct horse");
        assert_eq!(
            passwords.matches("correct horse", Some(&stored)).await,
            Ok(true)
        );
        assert_eq!(
            passwords.matches("correct horsf", Some(&stored)).await,
            Ok(false)
        );
        assert_eq!(passwords.matches("", Some("not a hash")).await, Ok(false));
    }

    #[tokio::test]
    async fn an_unknown_account_never_matches() {
        let passwords = Passwords::start(1, Duration::from_secs(5), 8);
        assert_eq!(passwords.matches("anything at all", None).await, Ok(false));
    }

    #[tokio::test]
    async fn beyond_the_waiting_room_a_check_is_refused_at_once() {
        let passwords = Passwords::start(1, Duration::from_secs(5), 2);
        let stored = hash("correct horse");
        let checks: Vec<_> = (0..6)
            .map(|_| {
                let passwords = passwords.clone();
                let stored = stored.clone();
                tokio::spawn(async move { passwords.matches("guess", Some(&stored)).await })
            })
            .collect();
        let mut busy = 0;
        for check in checks {
            if check.await.expect("finished").is_err() {
                busy += 1;
            }
        }
        assert!(
            busy >= 3,
            "only two may wait, so most of six are turned away: {busy}"
        );
    }
}
