//! Argon2id hashing off the async runtime, with a bounded number of hashes at once.
//!
//! At 08:00 a whole school logs in: hashing is the expensive part, so it runs on at most as
//! many threads as there are cores, and logins beyond a queue limit get "busy, retry"
//! instead of piling up until everything times out.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use argon2::password_hash::PasswordHasher as _;
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::hash_memory::Buffers;

use crate::DomainError;

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    /// OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about 25 ms per hash on one
    /// core here, so two cores verify ~80 logins/s — a 1,100-account storm in ~15 s.
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl HashParams {
    /// Cheap parameters for tests only.
    pub fn insecure_fast_for_tests() -> Self {
        Self {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    params: HashParams,
    slots: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
    cores: usize,
    buffers: Arc<Buffers>,
    /// A hash with the configured parameters, verified against for unknown logins.
    dummy: Arc<tokio::sync::OnceCell<String>>,
    /// Running average of one hash in microseconds, to tell a turned-away login when its
    /// turn will come.
    avg_hash_us: Arc<AtomicU64>,
}

/// Counts a waiting caller for as long as it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl PasswordHasher {
    pub fn new(params: HashParams, max_waiting: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            params,
            slots: Arc::new(Semaphore::new(cores)),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
            cores,
            buffers: Arc::new(Buffers::default()),
            dummy: Arc::new(tokio::sync::OnceCell::new()),
            avg_hash_us: Arc::new(AtomicU64::new(30_000)),
        }
    }

    /// Seconds until the current queue has drained, plus up to two seconds of jitter so the
    /// turned-away logins do not all come back in the same instant.
    fn retry_after_secs(&self, waiting: usize) -> u64 {
        use rand::Rng;
        let per_hash = self.avg_hash_us.load(Ordering::Relaxed);
        let drain_us = waiting as u64 * per_hash / self.cores.max(1) as u64;
        let jitter = rand::rng().random_range(0..=2);
        (drain_us.div_ceil(1_000_000) + jitter).clamp(1, 120)
    }

    fn record_duration(&self, took: std::time::Duration) {
        let sample = took.as_micros().min(u128::from(u64::MAX)) as u64;
        let old = self.avg_hash_us.load(Ordering::Relaxed);
        self.avg_hash_us
            .store(old - old / 8 + sample / 8, Ordering::Relaxed);
    }

    fn argon(params: HashParams) -> Result<Argon2<'static>, DomainError> {
        let p = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| DomainError::Internal(format!("argon2 params: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
    }

    async fn on_slot<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, DomainError> {
        let ahead = self.waiting.fetch_add(1, Ordering::Relaxed);
        if ahead >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            return Err(DomainError::Busy {
                retry_after_secs: self.retry_after_secs(ahead),
            });
        }
        let _waiting = Waiting(&self.waiting);
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))?;
        let started = std::time::Instant::now();
        let result = tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| DomainError::Internal(e.to_string()));
        self.record_duration(started.elapsed());
        result
    }

    /// A PHC string for `password`.
    pub async fn hash(&self, password: &str) -> Result<String, DomainError> {
        let params = self.params;
        let password = password.to_owned();
        self.on_slot(move || {
            let a = Self::argon(params)?;
            a.hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| DomainError::Internal(format!("hashing: {e}")))
        })
        .await?
    }

    async fn dummy_hash(&self) -> Result<String, DomainError> {
        let made = self
            .dummy
            .get_or_try_init(|| self.hash("unknown-login-dummy-password"))
            .await?;
        Ok(made.clone())
    }

    /// Whether `password` matches `phc`. With `phc = None` the work is done anyway against
    /// a dummy hash, so an unknown login takes as long as a wrong password.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, DomainError> {
        let known = phc.is_some();
        let phc = match phc {
            Some(p) => p.to_owned(),
            // An unknown login costs as much as a wrong password.
            None => self.dummy_hash().await?,
        };
        if let Some(matched) = verify_initial(password, &phc) {
            // Same cost as any other login, so the timing tells nothing about the account.
            let dummy = self.dummy_hash().await?;
            let buffers = self.buffers.clone();
            let pw = password.to_owned();
            self.on_slot(move || buffers.verify(pw.as_bytes(), &dummy))
                .await?;
            return Ok(known && matched);
        }
        let password = password.to_owned();
        let buffers = self.buffers.clone();
        let matched = self
            .on_slot(move || buffers.verify(password.as_bytes(), &phc))
            .await?;
        Ok(known && matched)
    }
}

/// The password rules: long enough, not absurdly long, not the login itself, not one of
/// the most common passwords.
pub fn check_password_rules(password: &str, login: &str) -> Result<(), DomainError> {
    check_password_rules_in(password, login, &[])
}

/// [`check_password_rules`], also refusing words of the context (the school's name and
/// number), bare or with digits around them.
pub fn check_password_rules_in(
    password: &str,
    login: &str,
    context: &[&str],
) -> Result<(), DomainError> {
    let len = password.chars().count();
    if len < 8 {
        return Err(DomainError::invalid(
            "password",
            "must have at least 8 characters",
        ));
    }
    if len > 256 {
        return Err(DomainError::invalid(
            "password",
            "must have at most 256 characters",
        ));
    }
    let lower = password.to_lowercase();
    let core = core_word(&lower);
    let login = login.trim().to_lowercase();
    if lower == login || core == login {
        return Err(DomainError::invalid(
            "password",
            "must not be the login name",
        ));
    }
    let in_context = context
        .iter()
        .map(|w| w.trim().to_lowercase())
        .any(|w| !w.is_empty() && (lower == w || core == w));
    if in_context || is_common(&lower) || (!core.is_empty() && is_common(core)) {
        return Err(DomainError::invalid(
            "password",
            "is one of the most common passwords (or one with digits added); choose another",
        ));
    }
    Ok(())
}

/// The password without leading and trailing digits and punctuation ("Sommer2025!" →
/// "sommer"): a common word with a number is guessed as early as the word itself.
fn core_word(lower: &str) -> &str {
    lower.trim_matches(|c: char| !c.is_alphabetic())
}

/// The most common passwords, lower case (see the file's head for its source).
static COMMON: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });

fn is_common(lower: &str) -> bool {
    COMMON.contains(lower)
}

const INITIAL_PREFIX: &str = "$schulhof-initial$";

/// Stores a *generated* initial password as salted SHA-256. Argon2 protects passwords
/// people choose; a generated one has 12 characters from 55, about 69 bits of entropy, which
/// no offline search gets through, and it must be replaced at first login. A slow hash
/// here would make importing 2,000 persons take half a minute of CPU.
pub fn hash_initial(password: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let salt: [u8; 16] = rand::random();
    let digest = Sha256::new()
        .chain_update(salt)
        .chain_update(password.as_bytes())
        .finalize();
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    format!(
        "{INITIAL_PREFIX}{}${}",
        b64.encode(salt),
        b64.encode(digest)
    )
}

/// `Some(matches)` for a hash made by [`hash_initial`], `None` for any other.
fn verify_initial(password: &str, stored: &str) -> Option<bool> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let rest = stored.strip_prefix(INITIAL_PREFIX)?;
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let (salt, digest) = rest.split_once('$')?;
    let (Ok(salt), Ok(expected)) = (b64.decode(salt), b64.decode(digest)) else {
        return Some(false);
    };
    let actual = Sha256::new()
        .chain_update(&salt)
        .chain_update(password.as_bytes())
        .finalize();
    // Constant-time comparison: no early exit on the first differing byte.
    let diff = actual
        .iter()
        .zip(expected.iter())
        .fold(expected.len() ^ actual.len(), |acc, (a, b)| {
            acc | usize::from(a ^ b)
        });
    Some(diff == 0)
}

/// A random initial password, easy to read on a printed letter (no 0/O, 1/l/I).
pub fn generate_initial_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused_with_or_without_digits() {
        for p in [
            "passwort",
            "Passwort1",
            "hallo123",
            "Sommer2025!",
            "schule2024",
            "12345678",
            "iloveyou",
            "qwertz123",
            "Schulhof-Demo",
        ] {
            let e = check_password_rules(p, "anna").expect_err(p);
            assert!(e.to_string().contains("common"), "{p}: {e}");
        }
        assert!(check_password_rules_in("Goethe2026", "anna", &["Goethe", "123456"]).is_err());
        assert!(check_password_rules_in("123456-123456", "anna", &["123456"]).is_ok());
        assert!(check_password_rules("Sommer-auf-Sylt-25", "anna").is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_fail() {
        let h = PasswordHasher::new(HashParams::insecure_fast_for_tests(), 10);
        let phc = h.hash("richtig-lang").await.expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("richtig-lang", Some(&phc)).await.expect("verify"));
        assert!(!h.verify("falsch-lang", Some(&phc)).await.expect("verify"));
        assert!(!h.verify("richtig-lang", None).await.expect("verify"));
    }

    #[tokio::test]
    async fn initial_passwords_verify_only_themselves() {
        let h = PasswordHasher::new(HashParams::insecure_fast_for_tests(), 10);
        let p = generate_initial_password();
        let stored = hash_initial(&p);
        assert_ne!(stored, hash_initial(&p), "salted");
        assert!(h.verify(&p, Some(&stored)).await.expect("verify"));
        assert!(
            !h.verify("Falsch123456", Some(&stored))
                .await
                .expect("verify")
        );
        assert!(
            !h.verify(&p, Some("$schulhof-initial$x$y"))
                .await
                .expect("verify")
        );
    }

    #[test]
    fn retry_after_grows_with_the_queue() {
        let h = PasswordHasher::new(HashParams::insecure_fast_for_tests(), 10);
        let cores = h.cores as u64;
        let short = h.retry_after_secs(0);
        assert!((1..=3).contains(&short), "{short}");
        // 30 ms a hash: 10,000 waiting logins take 300 s of one core.
        let long = h.retry_after_secs(10_000);
        let drain = 300 / cores;
        assert!((drain..=drain + 2).contains(&long) || long == 120, "{long}");
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy() {
        let h = PasswordHasher::new(HashParams::insecure_fast_for_tests(), 0);
        assert!(matches!(
            h.verify("x", None).await,
            Err(DomainError::Busy { .. })
        ));
    }

    #[test]
    fn password_rules_name_the_problem() {
        assert!(check_password_rules("kurz", "anna").is_err());
        assert!(check_password_rules("Anna.Schmidt", "anna.schmidt").is_err());
        assert!(check_password_rules("lang-genug-1", "anna").is_ok());
        assert!(check_password_rules("anna.schmidt2025", "anna.schmidt").is_err());
        let p = generate_initial_password();
        assert_eq!(p.len(), 12);
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
    }
}
