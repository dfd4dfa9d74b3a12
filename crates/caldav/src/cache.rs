//! Written calendar-query answers, kept per collection state: a client that asks the same
//! query of an unchanged calendar (a refresh, several devices of one person) gets the bytes
//! written last time. The key holds everything the answer depends on — the caller, the
//! collection, its sync token (which every change of an object raises), the caller's rights
//! on it and the request body itself — and is compared whole, never by a hash alone. Access
//! is decided before the cache is looked at, on every request. Bounded in bytes; the least
//! recently used answers go first.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::body::Bytes;

use crate::store::{Collection, Principal};

/// All answers together at most.
const BUDGET: usize = 64 * 1024 * 1024;
/// One answer at most (larger ones are written each time).
const LARGEST: usize = 16 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The store's name for the collection, unique in the installation (the school and
    /// the calendar's id): logins and segments repeat across schools.
    scope: String,
    login: String,
    home: String,
    name: String,
    token: u64,
    writable: bool,
    manageable: bool,
    body: Bytes,
}

impl Key {
    pub fn new(scope: String, coll: &Collection, me: &Principal, body: &Bytes) -> Key {
        Key {
            scope,
            login: me.login.clone(),
            home: coll.id.home.clone(),
            name: coll.id.name.clone(),
            token: coll.sync_token,
            writable: coll.writable,
            manageable: coll.manageable,
            body: body.clone(),
        }
    }

    fn size(&self) -> usize {
        self.body.len()
            + self.scope.len()
            + self.login.len()
            + self.home.len()
            + self.name.len()
            + 64
    }
}

#[derive(Default)]
struct Answers {
    map: HashMap<Key, (Bytes, u64)>,
    bytes: usize,
    clock: u64,
}

fn answers() -> &'static Mutex<Answers> {
    static A: OnceLock<Mutex<Answers>> = OnceLock::new();
    A.get_or_init(Default::default)
}

/// The answer written for `key`, if it is still kept.
pub fn get(key: &Key) -> Option<Bytes> {
    let mut a = answers().lock().ok()?;
    a.clock += 1;
    let now = a.clock;
    let hit = a.map.get_mut(key)?;
    hit.1 = now;
    Some(hit.0.clone())
}

/// Keeps `body` as the answer for `key`. Older states of the same collection for the same
/// caller and request are dropped at once: they cannot be asked for again.
pub fn put(key: Key, body: Bytes) {
    let size = key.size() + body.len();
    if size > LARGEST {
        return;
    }
    let Ok(mut a) = answers().lock() else {
        return;
    };
    let stale: Vec<Key> = a
        .map
        .keys()
        .filter(|k| k.scope == key.scope && k.login == key.login && k.token < key.token)
        .cloned()
        .collect();
    for k in stale {
        drop_key(&mut a, &k);
    }
    while a.bytes + size > BUDGET {
        let Some(oldest) = a
            .map
            .iter()
            .min_by_key(|(_, v)| v.1)
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        drop_key(&mut a, &oldest);
    }
    a.clock += 1;
    let now = a.clock;
    a.bytes += size;
    if let Some((old, _)) = a.map.insert(key.clone(), (body, now)) {
        a.bytes -= key.size() + old.len();
    }
}

fn drop_key(a: &mut Answers, k: &Key) {
    if let Some((b, _)) = a.map.remove(k) {
        a.bytes -= k.size() + b.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CollectionRef, Kind};

    fn coll(name: &str, token: u64) -> Collection {
        Collection {
            id: CollectionRef {
                kind: Kind::Calendar,
                home: "lehrer".into(),
                name: name.into(),
            },
            display_name: String::new(),
            description: None,
            color: None,
            sync_token: token,
            writable: true,
            manageable: true,
            components: vec![],
        }
    }

    fn me(login: &str) -> Principal {
        Principal {
            login: login.into(),
            display_name: String::new(),
            email: None,
        }
    }

    const S: &str = "school-1/cal-1";

    #[test]
    fn answers_are_kept_per_state_caller_and_request() {
        let body = Bytes::from_static(b"<q/>");
        let k = Key::new(S.into(), &coll("c1", 5), &me("lehrer"), &body);
        assert!(get(&k).is_none());
        put(k.clone(), Bytes::from_static(b"answer"));
        assert_eq!(get(&k).as_deref(), Some(&b"answer"[..]));
        // Another state, caller, request or right: not this answer.
        assert!(get(&Key::new(S.into(), &coll("c1", 6), &me("lehrer"), &body)).is_none());
        assert!(get(&Key::new(S.into(), &coll("c1", 5), &me("other"), &body)).is_none());
        assert!(
            get(&Key::new(
                S.into(),
                &coll("c1", 5),
                &me("lehrer"),
                &Bytes::from_static(b"<r/>")
            ))
            .is_none()
        );
        let mut ro = coll("c1", 5);
        ro.writable = false;
        assert!(get(&Key::new(S.into(), &ro, &me("lehrer"), &body)).is_none());
        // The same login and segment in another school: not this answer.
        assert!(
            get(&Key::new(
                "school-2/cal-1".into(),
                &coll("c1", 5),
                &me("lehrer"),
                &body
            ))
            .is_none()
        );
        // A newer state replaces the older one.
        put(
            Key::new(S.into(), &coll("c1", 6), &me("lehrer"), &body),
            Bytes::from_static(b"new"),
        );
        assert!(get(&k).is_none(), "the old state is gone");
    }
}
