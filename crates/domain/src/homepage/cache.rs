//! Each node's copy of the rendered public start pages. An entry is served without any
//! statement while it is younger than `recheck` since its last check; then one cheap
//! statement compares the school's stamp; a changed stamp (or an entry older than
//! [`MAX_AGE`]) renders again. Changes on this node drop the entry at once, changes on other
//! nodes through PostgreSQL NOTIFY; the stamp check covers a lost notification.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use schulhof_store::events;
use schulhof_types::InstanceId;

use super::public::PublicHome;

/// Even unchanged, a page is rendered again after this long: publication periods begin and
/// end, dates pass, and a writer that forgot to raise the stamp shows within a minute.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// How long an entry is trusted without asking the database for the stamp.
const RECHECK: Duration = Duration::from_secs(2);

pub(crate) struct Entry {
    pub(crate) home: Arc<PublicHome>,
    loaded: Instant,
    checked: Mutex<Instant>,
    /// Rendered bodies by variant (`de`, `en`, `kacheln.de`, `seite/<slug>.de`, …).
    bodies: RwLock<HashMap<String, Bytes>>,
}

impl Entry {
    fn new(home: Arc<PublicHome>) -> Entry {
        let now = Instant::now();
        Entry {
            home,
            loaded: now,
            checked: Mutex::new(now),
            bodies: RwLock::default(),
        }
    }

    pub(crate) fn body(&self, variant: &str) -> Option<Bytes> {
        self.bodies.read().ok()?.get(variant).cloned()
    }

    pub(crate) fn keep(&self, variant: &str, body: Bytes) {
        if let Ok(mut b) = self.bodies.write() {
            // A bounded number of variants per school: languages × (page, tiles, sub-pages).
            if b.len() < 256 {
                b.insert(variant.to_owned(), body);
            }
        }
    }
}

/// Rendered start pages by school number. Cheap to clone.
#[derive(Clone)]
pub struct HomepageCache {
    entries: Arc<RwLock<HashMap<String, Arc<Entry>>>>,
    recheck_ms: Arc<AtomicU64>,
}

/// What a lookup found.
pub(crate) enum Lookup {
    /// Trusted without asking the database.
    Fresh(Arc<Entry>),
    /// Present but due for a stamp check.
    Check(Arc<Entry>),
    Missing,
}

impl HomepageCache {
    /// Makes the cache; the platform connects it to other nodes through [`Self::listener`].
    pub(crate) fn new() -> HomepageCache {
        HomepageCache {
            entries: Arc::default(),
            recheck_ms: Arc::new(AtomicU64::new(RECHECK.as_millis() as u64)),
        }
    }

    /// This node's handler of other nodes' start-page changes (the platform runs one
    /// listener).
    pub(crate) fn listener(&self) -> (&'static str, events::Handler) {
        let c = self.clone();
        let on = move |p: &str| {
            if let Ok(id) = uuid::Uuid::parse_str(p) {
                c.drop_school(InstanceId(id));
            }
        };
        (super::CHANNEL, Box::new(on))
    }

    /// How long an entry is trusted without a stamp check (tests set zero to act as a
    /// node that missed a notification).
    pub fn set_recheck(&self, d: Duration) {
        self.recheck_ms
            .store(d.as_millis() as u64, Ordering::Relaxed);
    }

    pub(crate) fn lookup(&self, number: &str) -> Lookup {
        let Some(e) = self
            .entries
            .read()
            .ok()
            .and_then(|m| m.get(number).cloned())
        else {
            return Lookup::Missing;
        };
        if e.loaded.elapsed() >= MAX_AGE {
            return Lookup::Missing;
        }
        let recheck = Duration::from_millis(self.recheck_ms.load(Ordering::Relaxed));
        let fresh = e
            .checked
            .lock()
            .map(|c| c.elapsed() < recheck)
            .unwrap_or(false);
        if fresh {
            Lookup::Fresh(e)
        } else {
            Lookup::Check(e)
        }
    }

    /// The stamp still matches: trust the entry again for a while.
    pub(crate) fn confirmed(&self, e: &Entry) {
        if let Ok(mut c) = e.checked.lock() {
            *c = Instant::now();
        }
    }

    pub(crate) fn store(&self, number: &str, home: Arc<PublicHome>) -> Arc<Entry> {
        let e = Arc::new(Entry::new(home));
        if let Ok(mut m) = self.entries.write() {
            m.insert(number.to_owned(), e.clone());
        }
        e
    }

    /// Forgets everything cached of a school.
    pub(crate) fn drop_school(&self, instance: InstanceId) {
        if let Ok(mut m) = self.entries.write() {
            m.retain(|_, e| e.home.instance != instance);
        }
    }
}
