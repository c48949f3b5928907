//! Password checks, a few at a time. An Argon2 check is slow and needs ~19 MiB on purpose, so
//! checks run on a fixed set of worker threads (about one per core), each reusing its own
//! memory: a flood of sign-ins cannot make the server allocate more, and the memory stays the
//! same after the flood as before it. A check waits a moment for a free worker; beyond that
//! the caller is told to come back ([`Busy`]), which the sign-in answers with `429`.
//!
//! Unknown emails are checked against a stand-in hash of the same cost, so an attacker cannot
//! tell from the time taken whether an account exists.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
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

/// Work for a worker, given the worker's own Argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The pool of password workers. Cheap to clone; the workers stop when the last clone is
/// dropped.
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
    /// A hash of a random password, checked in place of an unknown account's; made by the
    /// first worker as its first job.
    stand_in: Arc<OnceLock<String>>,
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
        let (jobs, queue) = mpsc::sync_channel::<Job>(workers + 1);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || work(&queue));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password thread");
            }
        }
        let stand_in = Arc::new(OnceLock::new());
        let made = stand_in.clone();
        let _ = jobs.try_send(Box::new(move |memory: &mut Vec<Block>| {
            made.get_or_init(|| stand_in_hash(memory));
        }) as Job);
        Self {
            inner: Arc::new(Inner {
                jobs,
                free: Semaphore::new(workers),
                waiting: AtomicUsize::new(0),
                max_waiting,
                wait,
                stand_in,
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

    /// A new Argon2id hash of `password` (PHC format, default cost), made on a worker.
    pub async fn hash(&self, password: &str) -> Result<String, Busy> {
        let slot = self.slot().await?;
        let password = password.to_string();
        let busy = Busy {
            retry_after: self.inner.wait.as_secs().max(1),
        };
        slot.run(move |memory| hash(memory, password.as_bytes()))
            .await
            .flatten()
            .ok_or(busy)
    }
}

/// A worker kept for one caller until dropped.
pub struct Slot<'a> {
    inner: &'a Inner,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl Slot<'_> {
    /// Runs `task` on the worker with its memory; `None` if the workers are gone.
    async fn run<T: Send + 'static>(
        &self,
        task: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |memory: &mut Vec<Block>| {
            let _ = reply.send(task(memory));
        });
        // There are as many slots as workers, and a place in the queue for each.
        if self.inner.jobs.try_send(job).is_err() {
            tracing::error!("the password workers are gone");
            return None;
        }
        answer.await.ok()
    }

    /// Whether `password` matches `stored` (a PHC-format Argon2 hash). With no stored hash (an
    /// unknown account) the same work is done against a stand-in and the answer is `false`.
    pub async fn matches(&self, password: &str, stored: Option<&str>) -> bool {
        let known = stored.is_some();
        let password = password.to_string();
        let stored = stored.map(str::to_string);
        let stand_in = self.inner.stand_in.clone();
        let matched = self
            .run(move |memory| {
                let stored = match stored {
                    Some(stored) => stored,
                    None => stand_in.get_or_init(|| stand_in_hash(memory)).clone(),
                };
                verify(memory, password.as_bytes(), &stored)
            })
            .await;
        matched == Some(true) && known
    }
}

/// A worker: takes jobs until the pool is dropped, giving each the memory it keeps.
fn work(queue: &Mutex<mpsc::Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        job(&mut memory);
    }
}

/// The worker's memory, grown once to `blocks` if it is smaller.
fn memory_for(memory: &mut Vec<Block>, blocks: usize) -> &mut [Block] {
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    &mut memory[..blocks]
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
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt,
        &mut out,
        memory_for(memory, blocks),
    );
    // `Output` compares in constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|output| output == expected)
}

/// A new Argon2id hash of `password` with the default cost and a random salt, in PHC format,
/// made in the worker's memory.
fn hash(memory: &mut Vec<Block>, password: &[u8]) -> Option<String> {
    let params = Params::default();
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.as_salt().decode_b64(&mut salt_bytes).ok()?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let (algorithm, version) = (Algorithm::default(), Version::default());
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            password,
            raw_salt,
            &mut out,
            memory_for(memory, params.block_count()),
        )
        .ok()?;
    let phc = PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).ok()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).ok()?),
    };
    Some(phc.to_string())
}

/// A hash of a random password with the default cost: what an unknown account is checked
/// against.
fn stand_in_hash(memory: &mut Vec<Block>) -> String {
    let secret = crate::server::services::new_token("");
    hash(memory, secret.as_bytes()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hash made the standard way, as any Argon2 library would store it.
    fn standard_hash(password: &str) -> String {
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("hashed")
            .to_string()
    }

    #[tokio::test]
    async fn a_hash_made_by_the_pool_is_standard_and_checks_the_password() {
        use argon2::PasswordVerifier;
        let passwords = Passwords::start(1, Duration::from_secs(5), 8);
        let made = passwords.hash("correct horse").await.expect("hashed");
        assert!(
            made.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{made}"
        );
        let parsed = PasswordHash::new(&made).expect("a PHC string");
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        assert_eq!(
            passwords.matches("correct horse", Some(&made)).await,
            Ok(true)
        );
        assert_ne!(
            passwords.hash("correct horse").await.expect("hashed"),
            made,
            "salted"
        );
    }

    #[tokio::test]
    async fn only_the_right_password_matches() {
        let passwords = Passwords::start(1, Duration::from_secs(5), 8);
        let stored = standard_hash("correct horse");
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
        let stored = standard_hash("correct horse");
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
