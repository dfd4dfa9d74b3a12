//! The texts of calendar objects held in memory for calendar-queries: a query of a calendar
//! that changed since its last answer reads the matching objects' names and ETags from the
//! time index, and then only the texts it does not hold (after one change: one). An entry is
//! used only while the stored ETag — a hash of the text — is the one it was read with, so it
//! is right on every node without being told of changes. Bounded in bytes; the least
//! recently used go first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use schulhof_store::calendar::CalObjectId;
use schulhof_types::InstanceId;

/// All texts together at most.
const BUDGET: usize = 64 * 1024 * 1024;
/// Larger texts are not kept (read each time).
const LARGEST: usize = 1024 * 1024;

/// One object's text as read with `etag`.
#[derive(Clone, Debug)]
pub(crate) struct Text {
    pub etag: String,
    pub uid: String,
    pub raw: Arc<str>,
}

impl Text {
    fn size(&self) -> usize {
        self.etag.len() + self.uid.len() + self.raw.len() + 96
    }
}

#[derive(Default)]
struct Texts {
    map: HashMap<(InstanceId, CalObjectId), (Text, u64)>,
    bytes: usize,
    clock: u64,
}

fn texts() -> &'static Mutex<Texts> {
    static T: OnceLock<Mutex<Texts>> = OnceLock::new();
    T.get_or_init(Default::default)
}

/// The held texts of these objects whose ETag is still the given one; `None` where the
/// text must be read. One lock for the whole batch.
pub(crate) fn get(inst: InstanceId, wanted: &[(CalObjectId, &str)]) -> Vec<Option<Text>> {
    match texts().lock() {
        Ok(mut t) => t.get(inst, wanted),
        Err(_) => vec![None; wanted.len()],
    }
}

/// Holds these texts (replacing older ones of the same objects).
pub(crate) fn put(inst: InstanceId, read: impl IntoIterator<Item = (CalObjectId, Text)>) {
    if let Ok(mut t) = texts().lock() {
        t.put(inst, read, BUDGET);
    }
}

impl Texts {
    fn get(&mut self, inst: InstanceId, wanted: &[(CalObjectId, &str)]) -> Vec<Option<Text>> {
        self.clock += 1;
        let now = self.clock;
        wanted
            .iter()
            .map(|(id, etag)| match self.map.get_mut(&(inst, *id)) {
                Some((text, used)) if text.etag == *etag => {
                    *used = now;
                    Some(text.clone())
                }
                _ => None,
            })
            .collect()
    }

    fn put(
        &mut self,
        inst: InstanceId,
        read: impl IntoIterator<Item = (CalObjectId, Text)>,
        budget: usize,
    ) {
        self.clock += 1;
        let now = self.clock;
        for (id, text) in read {
            let size = text.size();
            if size > LARGEST {
                continue;
            }
            self.bytes += size;
            if let Some((old, _)) = self.map.insert((inst, id), (text, now)) {
                self.bytes -= old.size();
            }
        }
        if self.bytes > budget {
            self.shrink(budget / 4 * 3);
        }
    }

    /// Drops the least recently used texts until `keep` bytes are left (in one pass, so a
    /// full cache is not sorted on every put).
    fn shrink(&mut self, keep: usize) {
        let mut by_use: Vec<(u64, (InstanceId, CalObjectId), usize)> = self
            .map
            .iter()
            .map(|(k, (text, used))| (*used, *k, text.size()))
            .collect();
        by_use.sort_unstable_by_key(|e| e.0);
        for (_, k, size) in by_use {
            if self.bytes <= keep {
                break;
            }
            self.map.remove(&k);
            self.bytes -= size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(etag: &str, raw: &str) -> Text {
        Text {
            etag: etag.into(),
            uid: "u".into(),
            raw: raw.into(),
        }
    }

    #[test]
    fn a_text_is_used_only_with_its_etag() {
        let mut t = Texts::default();
        let inst = InstanceId(uuid::Uuid::new_v4());
        let id = CalObjectId::new();
        assert!(t.get(inst, &[(id, "a")])[0].is_none());
        t.put(inst, [(id, text("a", "erste"))], BUDGET);
        assert_eq!(
            &*t.get(inst, &[(id, "a")])[0].as_ref().expect("held").raw,
            "erste"
        );
        assert!(
            t.get(inst, &[(id, "b")])[0].is_none(),
            "another ETag: read anew"
        );
        let other = InstanceId(uuid::Uuid::new_v4());
        assert!(t.get(other, &[(id, "a")])[0].is_none(), "another school");
        t.put(inst, [(id, text("b", "zweite"))], BUDGET);
        assert!(t.get(inst, &[(id, "a")])[0].is_none());
        assert_eq!(
            &*t.get(inst, &[(id, "b")])[0].as_ref().expect("held").raw,
            "zweite"
        );
        assert_eq!(t.map.len(), 1);
        assert_eq!(t.bytes, text("b", "zweite").size());
    }

    #[test]
    fn the_budget_holds_and_the_least_recently_used_go_first() {
        let mut t = Texts::default();
        let inst = InstanceId(uuid::Uuid::new_v4());
        let one = text("e", &"x".repeat(1000)).size();
        let budget = one * 10;
        let ids: Vec<CalObjectId> = (0..10).map(|_| CalObjectId::new()).collect();
        for id in &ids {
            t.put(inst, [(*id, text("e", &"x".repeat(1000)))], budget);
        }
        assert_eq!(t.map.len(), 10);
        // The first is used again: the second is now the oldest.
        assert!(t.get(inst, &[(ids[0], "e")])[0].is_some());
        t.put(
            inst,
            [(CalObjectId::new(), text("e", &"x".repeat(1000)))],
            budget,
        );
        assert!(t.bytes <= budget / 4 * 3, "{}", t.bytes);
        assert!(
            t.get(inst, &[(ids[0], "e")])[0].is_some(),
            "recently used stays"
        );
        assert!(
            t.get(inst, &[(ids[1], "e")])[0].is_none(),
            "the oldest went first"
        );
        let id = CalObjectId::new();
        t.put(inst, [(id, text("e", &"x".repeat(LARGEST + 1)))], budget);
        assert!(t.get(inst, &[(id, "e")])[0].is_none(), "too large to keep");
    }
}
