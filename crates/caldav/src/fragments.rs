//! Calendar data already escaped for XML, kept per object: a calendar-query of a calendar
//! that changed since its last answer reads only the names and ETags of the matching
//! objects, and its answer is then mostly the concatenation of these fragments (after one
//! change, one text is read and escaped). A month of a busy calendar is megabytes of text
//! with a character to escape on every line, so escaping it on every query cost more than
//! finding the objects.
//!
//! An entry is used only while the ETag it was written with is the one the store names for
//! the object now. The ETag is a hash of the text (the domain's rule), so an entry is right
//! on every node without being told of changes: a change made on another node gives the
//! object a new ETag, and the old entry is simply never asked for again. Entries are kept
//! per collection scope (the school and the calendar, see `DavStore::answer_scope`), so a
//! name in one school never finds another school's text. Bounded in bytes; the least
//! recently used go first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::xml::write::escape_text;

/// All fragments together at most.
const BUDGET: usize = 64 * 1024 * 1024;
/// Larger fragments are not kept (escaped each time).
const LARGEST: usize = 2 * 1024 * 1024;
/// Bookkeeping per entry besides the strings (map slots, counters).
const OVERHEAD: usize = 96;

/// One object's text, escaped as element content of `calendar-data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escaped {
    pub xml: Arc<str>,
    /// The length of the original text in bytes (getcontentlength).
    pub raw_len: usize,
}

impl Escaped {
    pub fn of(raw: &str) -> Escaped {
        Escaped {
            xml: escape_text(raw).into(),
            raw_len: raw.len(),
        }
    }
}

struct Entry {
    etag: String,
    escaped: Escaped,
    used: u64,
}

impl Entry {
    fn size(&self, name: &str) -> usize {
        name.len() + self.etag.len() + self.escaped.xml.len() + OVERHEAD
    }
}

#[derive(Default)]
struct Fragments {
    /// scope → object name → the fragment of its last read text.
    map: HashMap<String, HashMap<String, Entry>>,
    bytes: usize,
    clock: u64,
}

fn fragments() -> &'static Mutex<Fragments> {
    static F: OnceLock<Mutex<Fragments>> = OnceLock::new();
    F.get_or_init(Default::default)
}

/// The fragments of these `(name, etag)` in `scope` written with exactly that ETag; `None`
/// where the text must be read. One lock for the whole batch.
pub fn get(scope: &str, wanted: &[(&str, &str)]) -> Vec<Option<Escaped>> {
    match fragments().lock() {
        Ok(mut f) => f.get(scope, wanted),
        Err(_) => vec![None; wanted.len()],
    }
}

/// Keeps these `(name, etag, fragment)` of `scope`, replacing older ones of the same names.
pub fn put(scope: &str, written: Vec<(String, String, Escaped)>) {
    if written.is_empty() {
        return;
    }
    if let Ok(mut f) = fragments().lock() {
        f.put(scope, written, BUDGET);
    }
}

/// Whether a fragment of `name` written with `etag` is held (for tests that show an old
/// fragment stays unused rather than being removed).
#[doc(hidden)]
pub fn holds(scope: &str, name: &str, etag: &str) -> bool {
    fragments().lock().is_ok_and(|f| {
        f.map
            .get(scope)
            .and_then(|m| m.get(name))
            .is_some_and(|e| e.etag == etag)
    })
}

impl Fragments {
    fn get(&mut self, scope: &str, wanted: &[(&str, &str)]) -> Vec<Option<Escaped>> {
        self.clock += 1;
        let now = self.clock;
        let Some(names) = self.map.get_mut(scope) else {
            return vec![None; wanted.len()];
        };
        wanted
            .iter()
            .map(|(name, etag)| match names.get_mut(*name) {
                Some(e) if e.etag == *etag => {
                    e.used = now;
                    Some(e.escaped.clone())
                }
                _ => None,
            })
            .collect()
    }

    fn put(&mut self, scope: &str, written: Vec<(String, String, Escaped)>, budget: usize) {
        self.clock += 1;
        let now = self.clock;
        let names = self.map.entry(scope.to_owned()).or_default();
        for (name, etag, escaped) in written {
            let entry = Entry {
                etag,
                escaped,
                used: now,
            };
            let size = entry.size(&name);
            if size > LARGEST {
                continue;
            }
            self.bytes += size;
            if let Some(old) = names.get(&name) {
                self.bytes -= old.size(&name);
            }
            names.insert(name, entry);
        }
        if self.bytes > budget {
            self.shrink(budget / 4 * 3);
        }
    }

    /// Drops the least recently used fragments until `keep` bytes are left (in one pass, so
    /// a full cache is not sorted on every put).
    fn shrink(&mut self, keep: usize) {
        let mut by_use: Vec<(u64, String, String, usize)> = self
            .map
            .iter()
            .flat_map(|(scope, names)| {
                names
                    .iter()
                    .map(|(name, e)| (e.used, scope.clone(), name.clone(), e.size(name)))
            })
            .collect();
        by_use.sort_unstable_by_key(|e| e.0);
        for (_, scope, name, size) in by_use {
            if self.bytes <= keep {
                break;
            }
            if let Some(names) = self.map.get_mut(&scope) {
                names.remove(&name);
                if names.is_empty() {
                    self.map.remove(&scope);
                }
            }
            self.bytes -= size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(f: &mut Fragments, scope: &str, name: &str, etag: &str, raw: &str, budget: usize) {
        f.put(
            scope,
            vec![(name.into(), etag.into(), Escaped::of(raw))],
            budget,
        );
    }

    #[test]
    fn a_fragment_is_used_only_with_its_etag_and_scope() {
        let mut f = Fragments::default();
        assert!(f.get("s1", &[("a.ics", "e1")])[0].is_none());
        put(&mut f, "s1", "a.ics", "e1", "SUMMARY:A & B\r\n", BUDGET);
        let hit = f.get("s1", &[("a.ics", "e1")])[0].clone().expect("held");
        assert_eq!(&*hit.xml, "SUMMARY:A &amp; B&#13;\n");
        assert_eq!(hit.raw_len, 15);
        assert!(f.get("s1", &[("a.ics", "e2")])[0].is_none(), "another ETag");
        assert!(
            f.get("s2", &[("a.ics", "e1")])[0].is_none(),
            "another school"
        );
        assert!(f.get("s1", &[("b.ics", "e1")])[0].is_none(), "another name");
        // The new text replaces the old one; the count of bytes follows.
        put(&mut f, "s1", "a.ics", "e2", "SUMMARY:C\r\n", BUDGET);
        assert!(f.get("s1", &[("a.ics", "e1")])[0].is_none());
        assert_eq!(
            &*f.get("s1", &[("a.ics", "e2")])[0]
                .clone()
                .expect("held")
                .xml,
            "SUMMARY:C&#13;\n"
        );
        let one = f.map["s1"]["a.ics"].size("a.ics");
        assert_eq!(f.bytes, one);
    }

    #[test]
    fn the_budget_holds_and_the_least_recently_used_go_first() {
        let mut f = Fragments::default();
        let raw = "x".repeat(1000);
        let one = 6 + 1 + 1000 + OVERHEAD; // "n0.ics", "e", the text
        let budget = one * 10;
        for i in 0..10 {
            put(&mut f, "s", &format!("n{i}.ics"), "e", &raw, budget);
        }
        assert_eq!(f.map["s"].len(), 10);
        // The first is used again: the second is now the oldest.
        assert!(f.get("s", &[("n0.ics", "e")])[0].is_some());
        put(&mut f, "s", "n10.ics", "e", &raw, budget);
        assert!(f.bytes <= budget / 4 * 3, "{}", f.bytes);
        assert!(f.get("s", &[("n0.ics", "e")])[0].is_some(), "recently used");
        assert!(f.get("s", &[("n1.ics", "e")])[0].is_none(), "oldest first");
        put(
            &mut f,
            "s",
            "big.ics",
            "e",
            &"x".repeat(LARGEST + 1),
            budget,
        );
        assert!(f.get("s", &[("big.ics", "e")])[0].is_none(), "too large");
    }
}
