//! HTTP Basic credentials (`login@schulnummer` and password) for protocol clients such as
//! WebDAV, which send them with every request.
//!
//! A successful check opens an ordinary session; the credentials' digest (keyed with a
//! per-process secret) maps to it for a few minutes, so a file manager copying a thousand
//! files costs one password hash, not a thousand. Everything a session does still holds:
//! throttling, audit, idle and absolute expiry, gates, and a password change ending it.
//! Each use of a remembered entry also asks the database whether the credential it stands
//! for still holds (the account's password hash is unchanged, the app password not
//! revoked), so a change on another node takes effect at once here too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::identity::{Actor, Session};
use crate::{DomainError, Platform};

/// How long verified credentials are remembered.
const REMEMBER: Duration = Duration::from_secs(300);
/// Remembered credentials at most; the cache is emptied when full.
const MAX_ENTRIES: usize = 50_000;

/// Which credential a remembered entry was verified against.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Credential {
    /// The account password, as the stored hash it matched.
    Account(Option<String>),
    AppPassword(uuid::Uuid),
}

#[derive(Clone)]
struct Entry {
    cookie: String,
    at: Instant,
    user: schulhof_types::UserId,
    credential: Credential,
}

/// Credentials digest → the session they opened.
type Remembered = HashMap<[u8; 32], Entry>;
/// Credentials digest → the turn their parallel requests wait for while one checks them.
type InFlight = HashMap<[u8; 32], Arc<tokio::sync::Mutex<()>>>;

#[derive(Clone)]
pub(crate) struct BasicCache {
    secret: [u8; 32],
    entries: Arc<Mutex<Remembered>>,
    flights: Arc<Mutex<InFlight>>,
}

impl Default for BasicCache {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Self {
            secret,
            entries: Arc::default(),
            flights: Arc::default(),
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

    fn get(&self, key: &[u8; 32]) -> Option<Entry> {
        let map = self.entries.lock().ok()?;
        map.get(key).filter(|e| e.at.elapsed() < REMEMBER).cloned()
    }

    fn put(&self, key: [u8; 32], entry: Entry) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, entry);
        }
    }

    /// Forgets every remembered credential of a login (an app password was revoked).
    pub(crate) fn forget_user(&self, user: schulhof_types::UserId) {
        if let Ok(mut map) = self.entries.lock() {
            map.retain(|_, e| e.user != user);
        }
    }

    /// The turn for checking these credentials, shared by their parallel requests.
    fn flight(&self, key: [u8; 32]) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut map = self.flights.lock().ok()?;
        Some(map.entry(key).or_default().clone())
    }

    /// Drops the turn once nobody else waits for it.
    fn land(&self, key: &[u8; 32], flight: Arc<tokio::sync::Mutex<()>>) {
        if let Ok(mut map) = self.flights.lock()
            && Arc::strong_count(&flight) <= 2
        {
            map.remove(key);
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
        self.basic_session(user, password, client_addr)
            .await?
            .ready()
    }

    /// The session behind Basic credentials, with whatever gate still stands before it.
    pub(crate) async fn basic_session(
        &self,
        user: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<Session, DomainError> {
        let (login, school) = split_user(user).ok_or(DomainError::BadCredentials)?;
        let key = self.basic.key(user, password);
        if let Some(s) = self.remembered(&key).await? {
            return Ok(s);
        }
        // A client mounting a drive sends several requests at once with the same
        // credentials: one checks them and the others use its result, so they neither cost
        // a hash each nor use up the free attempts of the throttling.
        let Some(flight) = self.basic.flight(key) else {
            return self
                .authenticate(key, school, login, password, client_addr)
                .await;
        };
        let session = {
            let _turn = flight.lock().await;
            match self.remembered(&key).await {
                Ok(Some(s)) => Ok(s),
                Ok(None) => {
                    self.authenticate(key, school, login, password, client_addr)
                        .await
                }
                Err(e) => Err(e),
            }
        };
        self.basic.land(&key, flight);
        session
    }

    /// The remembered session of these credentials, if any and still valid.
    async fn remembered(&self, key: &[u8; 32]) -> Result<Option<Session>, DomainError> {
        let Some(entry) = self.basic.get(key) else {
            return Ok(None);
        };
        match self.remembered_session(&entry).await {
            Ok(Some(s)) => Ok(Some(s)),
            Ok(None) | Err(DomainError::SessionEnded) => {
                self.basic.forget(key);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Checks the credentials (app passwords first: they are cheap to check, SHA-256, and
    /// a miss falls through to the account password with its throttling) and remembers them.
    async fn authenticate(
        &self,
        key: [u8; 32],
        school: &str,
        login: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<Session, DomainError> {
        let (new, app) = match self
            .app_password_session(school, login, password, client_addr)
            .await?
        {
            Some((s, id)) => (s, Some(id)),
            None => (
                self.login(school, login, password, client_addr).await?,
                None,
            ),
        };
        let session = self.session(&new.cookie).await?;
        let credential = match app {
            Some(id) => Credential::AppPassword(id),
            None => Credential::Account(session.actor.user.password_hash.clone()),
        };
        let entry = Entry {
            cookie: new.cookie,
            at: Instant::now(),
            user: session.actor.token.user(),
            credential,
        };
        self.basic.put(key, entry);
        Ok(session)
    }

    /// The session of a remembered entry if the credential behind it still holds.
    async fn remembered_session(&self, entry: &Entry) -> Result<Option<Session>, DomainError> {
        let session = self.session(&entry.cookie).await?;
        let holds = match &entry.credential {
            Credential::Account(hash) => session.actor.user.password_hash == *hash,
            Credential::AppPassword(id) => {
                let token = &session.actor.token;
                self.app_password_exists(token.instance(), token.user(), *id)
                    .await?
            }
        };
        Ok(holds.then_some(session))
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
