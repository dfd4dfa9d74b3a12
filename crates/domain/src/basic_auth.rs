//! HTTP Basic credentials (`login@schulnummer` and password) for protocol clients such as
//! WebDAV, which send them with every request.
//!
//! A successful check opens an ordinary session; the credentials' digest (keyed with a
//! per-process secret) maps to it for a few minutes, so a file manager copying a thousand
//! files costs one password hash, not a thousand. Everything a session does still holds:
//! throttling, audit, idle and absolute expiry, gates, and a password change ending it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// How long verified credentials are remembered.
const REMEMBER: Duration = Duration::from_secs(300);
/// Remembered credentials at most; the cache is emptied when full.
const MAX_ENTRIES: usize = 50_000;

/// Credentials digest → (session cookie, when it was verified, whose it is).
type Remembered = HashMap<[u8; 32], (String, Instant, schulhof_types::UserId)>;

#[derive(Clone)]
pub(crate) struct BasicCache {
    secret: [u8; 32],
    entries: Arc<Mutex<Remembered>>,
}

impl Default for BasicCache {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Self {
            secret,
            entries: Arc::default(),
        }
    }
}

impl BasicCache {
    fn key(&self, user: &str, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(user.as_bytes());
        h.update([0]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    fn get(&self, key: &[u8; 32]) -> Option<String> {
        let map = self.entries.lock().ok()?;
        map.get(key)
            .filter(|(_, at, _)| at.elapsed() < REMEMBER)
            .map(|(cookie, _, _)| cookie.clone())
    }

    fn put(&self, key: [u8; 32], cookie: String, user: schulhof_types::UserId) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, (cookie, Instant::now(), user));
        }
    }

    /// Forgets every remembered credential of a login (an app password was revoked).
    pub(crate) fn forget_user(&self, user: schulhof_types::UserId) {
        if let Ok(mut map) = self.entries.lock() {
            map.retain(|_, (_, _, u)| *u != user);
        }
    }

    fn forget(&self, key: &[u8; 32]) {
        if let Ok(mut map) = self.entries.lock() {
            map.remove(key);
        }
    }
}

/// Splits `login@schulnummer` at its last `@`.
pub fn split_user(user: &str) -> Option<(&str, &str)> {
    let (login, school) = user.rsplit_once('@')?;
    (!login.is_empty() && !school.is_empty()).then_some((login, school))
}

impl Platform {
    /// The login behind Basic credentials, ready to act (password set, terms accepted).
    pub async fn basic_actor(
        &self,
        user: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<Actor, DomainError> {
        let (login, school) = split_user(user).ok_or(DomainError::BadCredentials)?;
        let key = self.basic.key(user, password);
        if let Some(cookie) = self.basic.get(&key) {
            match self.session(&cookie).await {
                Ok(s) => return s.ready(),
                Err(DomainError::SessionEnded) => self.basic.forget(&key),
                Err(e) => return Err(e),
            }
        }
        // App passwords first: they are cheap to check (SHA-256), and a miss falls through
        // to the account password with its throttling.
        let new = match self
            .app_password_session(school, login, password, client_addr)
            .await?
        {
            Some(s) => s,
            None => self.login(school, login, password, client_addr).await?,
        };
        let session = self.session(&new.cookie).await?;
        self.basic.put(key, new.cookie, session.actor.token.user());
        session.ready()
    }
}

#[cfg(test)]
mod tests {
    use super::split_user;

    #[test]
    fn user_names_carry_the_school_number_after_the_last_at() {
        assert_eq!(split_user("lehrer@100000"), Some(("lehrer", "100000")));
        assert_eq!(split_user("a.b@x.de@100000"), Some(("a.b@x.de", "100000")));
        assert_eq!(split_user("lehrer"), None);
        assert_eq!(split_user("@100000"), None);
    }
}
