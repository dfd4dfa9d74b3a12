//! The hits of a calendar-query range kept in memory per calendar state: a client that asks
//! for the same month again after a change (the usual refresh) costs the objects written
//! and deleted since the kept state — one small statement — instead of the month's whole
//! time-index range (thousands of occurrence rows for a busy calendar).
//!
//! An entry holds the calendar's modseq it was read at. The modseq is in the database and
//! grows with every change of an object (and with a re-index of its occurrences), so an
//! entry is brought up to date on every node by what changed since, without being told of
//! changes. Access is checked before an entry is looked at. Bounded in bytes; the least
//! recently used go first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use schulhof_store::calendar::CalendarId;
use schulhof_store::calendar::texts::Hit;
use schulhof_types::InstanceId;

/// All entries together at most.
const BUDGET: usize = 32 * 1024 * 1024;
/// A delta of more changes than this is not worth it: the range is read whole.
pub(crate) const MOST_CHANGES: i64 = 500;

/// The school, the calendar and the range (µs UTC).
pub(crate) type Key = (InstanceId, CalendarId, i64, i64);

/// The hits of a range as they were at `modseq`.
#[derive(Clone, Debug)]
pub(crate) struct Kept {
    pub modseq: i64,
    pub hits: Arc<Vec<Hit>>,
}

fn size(hits: &[Hit]) -> usize {
    hits.iter()
        .map(|h| h.href.len() + h.etag.len() + h.component.len() + 64)
        .sum::<usize>()
        + 128
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, (Kept, usize, u64)>,
    bytes: usize,
    clock: u64,
}

fn entries() -> &'static Mutex<Entries> {
    static E: OnceLock<Mutex<Entries>> = OnceLock::new();
    E.get_or_init(Default::default)
}

/// The kept hits of `key`, if any.
pub(crate) fn get(key: &Key) -> Option<Kept> {
    let mut e = entries().lock().ok()?;
    e.clock += 1;
    let now = e.clock;
    let hit = e.map.get_mut(key)?;
    hit.2 = now;
    Some(hit.0.clone())
}

/// Keeps `kept` for `key` unless a newer state is held already.
pub(crate) fn put(key: Key, kept: Kept) {
    if let Ok(mut e) = entries().lock() {
        e.put(key, kept, BUDGET);
    }
}

impl Entries {
    fn put(&mut self, key: Key, kept: Kept, budget: usize) {
        if self
            .map
            .get(&key)
            .is_some_and(|old| old.0.modseq > kept.modseq)
        {
            return;
        }
        let bytes = size(&kept.hits);
        if bytes > budget / 4 {
            return;
        }
        self.clock += 1;
        let now = self.clock;
        self.bytes += bytes;
        if let Some((_, old, _)) = self.map.insert(key, (kept, bytes, now)) {
            self.bytes -= old;
        }
        if self.bytes > budget {
            let mut by_use: Vec<(u64, Key, usize)> =
                self.map.iter().map(|(k, v)| (v.2, *k, v.1)).collect();
            by_use.sort_unstable_by_key(|e| e.0);
            for (_, k, n) in by_use {
                if self.bytes <= budget / 4 * 3 {
                    break;
                }
                self.map.remove(&k);
                self.bytes -= n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schulhof_store::calendar::CalObjectId;

    fn hits(n: usize) -> Arc<Vec<Hit>> {
        Arc::new(
            (0..n)
                .map(|i| Hit {
                    id: CalObjectId::new(),
                    href: format!("{i:04}.ics"),
                    etag: "e".repeat(40),
                    component: "VEVENT".into(),
                    first_start: i as i64,
                    open: false,
                })
                .collect(),
        )
    }

    fn key(cal: CalendarId) -> Key {
        (InstanceId(uuid::Uuid::nil()), cal, 0, 10)
    }

    #[test]
    fn an_older_state_never_replaces_a_newer_one() {
        let mut e = Entries::default();
        let k = key(CalendarId::new());
        e.put(
            k,
            Kept {
                modseq: 5,
                hits: hits(3),
            },
            BUDGET,
        );
        e.put(
            k,
            Kept {
                modseq: 4,
                hits: hits(1),
            },
            BUDGET,
        );
        assert_eq!(e.map[&k].0.modseq, 5);
        assert_eq!(e.map[&k].0.hits.len(), 3);
        e.put(
            k,
            Kept {
                modseq: 6,
                hits: hits(2),
            },
            BUDGET,
        );
        assert_eq!(e.map[&k].0.hits.len(), 2);
        assert_eq!(e.bytes, size(&hits(2)));
    }

    #[test]
    fn the_budget_holds_and_the_least_recently_used_go_first() {
        let mut e = Entries::default();
        let one = size(&hits(10));
        let budget = one * 8;
        let keys: Vec<Key> = (0..8).map(|_| key(CalendarId::new())).collect();
        for k in &keys {
            e.put(
                *k,
                Kept {
                    modseq: 1,
                    hits: hits(10),
                },
                budget,
            );
        }
        assert_eq!(e.map.len(), 8);
        e.clock += 1;
        let now = e.clock;
        e.map.get_mut(&keys[0]).expect("held").2 = now;
        e.put(
            key(CalendarId::new()),
            Kept {
                modseq: 1,
                hits: hits(10),
            },
            budget,
        );
        assert!(e.bytes <= budget / 4 * 3, "{}", e.bytes);
        assert!(e.map.contains_key(&keys[0]), "recently used stays");
        assert!(!e.map.contains_key(&keys[1]), "the oldest went first");
        let big = key(CalendarId::new());
        e.put(
            big,
            Kept {
                modseq: 1,
                hits: hits(100),
            },
            budget,
        );
        assert!(
            !e.map.contains_key(&big),
            "too large for the budget: not kept"
        );
    }
}
