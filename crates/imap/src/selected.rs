//! The selected folder as this session knows it: message sequence numbers are positions in
//! `msgs` (UID order). Changes by other sessions are found by comparing with the stored state
//! and reported as EXPUNGE / EXISTS / FETCH FLAGS.

use std::num::{NonZeroU32, NonZeroU64};
use std::sync::Arc;

use imap_types::core::{Atom, Vec1};
use imap_types::fetch::MessageDataItem;
use imap_types::flag::{Flag, FlagFetch};
use imap_types::response::Data;
use imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};
use schulhof_types::MailFolderId;

use crate::store::{Flags, UidFlags};

pub struct Selected {
    pub folder: MailFolderId,
    pub path: String,
    pub read_only: bool,
    /// Shared with the mail service's copy and other sessions until this one changes it.
    pub msgs: Arc<Vec<UidFlags>>,
}

impl Selected {
    pub fn exists(&self) -> u32 {
        u32::try_from(self.msgs.len()).unwrap_or(u32::MAX)
    }

    pub fn index_of(&self, uid: u32) -> Option<usize> {
        self.msgs.binary_search_by_key(&uid, |m| m.uid).ok()
    }

    /// Puts a message's new state into this session's view.
    pub fn set(&mut self, i: usize, m: UidFlags) {
        if let Some(slot) = Arc::make_mut(&mut self.msgs).get_mut(i) {
            *slot = m;
        }
    }

    /// Takes a message out of this session's view.
    pub fn remove(&mut self, i: usize) {
        if i < self.msgs.len() {
            Arc::make_mut(&mut self.msgs).remove(i);
        }
    }

    /// Indexes into `msgs` named by a sequence set (by UID when `uid`), ascending, once each.
    pub fn resolve(&self, set: &SequenceSet, uid: bool) -> Vec<usize> {
        let n = self.msgs.len();
        if n == 0 {
            return Vec::new();
        }
        let mut hit = vec![false; n];
        let last_uid = self.msgs[n - 1].uid;
        let value = |s: &SeqOrUid| match s {
            SeqOrUid::Value(v) => v.get(),
            SeqOrUid::Asterisk if uid => last_uid,
            SeqOrUid::Asterisk => u32::try_from(n).unwrap_or(u32::MAX),
        };
        for seq in set.0.as_ref() {
            let (a, b) = match seq {
                Sequence::Single(s) => (value(s), value(s)),
                Sequence::Range(x, y) => {
                    let (x, y) = (value(x), value(y));
                    (x.min(y), x.max(y))
                }
            };
            if uid {
                let from = self.msgs.partition_point(|m| m.uid < a);
                let to = self.msgs.partition_point(|m| m.uid <= b);
                hit[from..to].iter_mut().for_each(|h| *h = true);
            } else {
                let from = (a as usize).saturating_sub(1).min(n);
                let to = (b as usize).min(n);
                if from < to {
                    hit[from..to].iter_mut().for_each(|h| *h = true);
                }
            }
        }
        hit.iter()
            .enumerate()
            .filter_map(|(i, h)| h.then_some(i))
            .collect()
    }

    /// Takes the stored state and returns what the client must be told (EXPUNGE first, then
    /// EXISTS, then changed flags).
    /// With QRESYNC one `VANISHED` names the removed UIDs instead.
    pub fn update(
        &mut self,
        fresh: Arc<Vec<UidFlags>>,
        condstore: bool,
        qresync: bool,
    ) -> Vec<Data<'static>> {
        let mut out = Vec::new();
        if Arc::ptr_eq(&self.msgs, &fresh) {
            return out; // the very list this session holds: nothing changed
        }
        let mut changed = Vec::new();
        let mut gone = Vec::new();
        let mut j = 0usize;
        let mut pos = 0u32;
        for old in self.msgs.iter() {
            while j < fresh.len() && fresh[j].uid < old.uid {
                j += 1;
            }
            if j < fresh.len() && fresh[j].uid == old.uid {
                pos += 1;
                if fresh[j].modseq != old.modseq || fresh[j].flags != old.flags {
                    changed.push((pos, fresh[j].clone()));
                }
            } else if qresync {
                gone.push((old.uid, old.uid));
            } else if let Some(seq) = NonZeroU32::new(pos + 1) {
                out.push(Data::Expunge(seq));
            }
        }
        if let Some(d) = crate::op::qresync::vanished(&gone, false) {
            out.push(d);
        }
        let grew = fresh.len() != pos as usize;
        self.msgs = fresh;
        if grew || !out.is_empty() {
            out.push(Data::Exists(self.exists()));
        }
        for (seq, m) in changed {
            out.push(flags_data(seq, &m, condstore));
        }
        out
    }
}

/// `* n FETCH (UID u FLAGS (…) [MODSEQ (m)])`.
pub fn flags_data(seq: u32, m: &UidFlags, condstore: bool) -> Data<'static> {
    let mut items = vec![
        MessageDataItem::Uid(NonZeroU32::new(m.uid).unwrap_or(NonZeroU32::MIN)),
        MessageDataItem::Flags(flag_fetch(&m.flags)),
    ];
    if condstore {
        items.push(MessageDataItem::ModSeq(
            NonZeroU64::new(m.modseq).unwrap_or(NonZeroU64::MIN),
        ));
    }
    Data::Fetch {
        seq: NonZeroU32::new(seq).unwrap_or(NonZeroU32::MIN),
        items: Vec1::unvalidated(items),
    }
}

pub fn flag_list(f: &Flags) -> Vec<Flag<'static>> {
    let mut out = Vec::new();
    for (on, flag) in [
        (f.seen, Flag::Seen),
        (f.answered, Flag::Answered),
        (f.flagged, Flag::Flagged),
        (f.deleted, Flag::Deleted),
        (f.draft, Flag::Draft),
    ] {
        if on {
            out.push(flag);
        }
    }
    for k in &f.keywords {
        if let Ok(a) = Atom::try_from(k.clone()) {
            out.push(Flag::Keyword(a));
        }
    }
    out
}

pub fn flag_fetch(f: &Flags) -> Vec<FlagFetch<'static>> {
    flag_list(f).into_iter().map(FlagFetch::Flag).collect()
}

/// The flags a client names; unknown system flags (and \Recent) are ignored.
pub fn flags_of(list: &[Flag]) -> Flags {
    let mut f = Flags::default();
    for flag in list {
        match flag {
            Flag::Seen => f.seen = true,
            Flag::Answered => f.answered = true,
            Flag::Flagged => f.flagged = true,
            Flag::Deleted => f.deleted = true,
            Flag::Draft => f.draft = true,
            Flag::Keyword(k) => {
                let k = k.as_ref().to_owned();
                if !f.keywords.iter().any(|x| x.eq_ignore_ascii_case(&k)) {
                    f.keywords.push(k);
                }
            }
            Flag::Extension(_) => {}
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(uids: &[u32]) -> Selected {
        Selected {
            folder: MailFolderId(uuid_nil()),
            path: "INBOX".into(),
            read_only: false,
            msgs: Arc::new(uids.iter().map(|&uid| uf(uid, 1)).collect()),
        }
    }

    fn uuid_nil() -> uuid::Uuid {
        uuid::Uuid::nil()
    }

    fn uf(uid: u32, modseq: u64) -> UidFlags {
        UidFlags {
            uid,
            modseq,
            flags: Flags::default(),
        }
    }

    #[test]
    fn sets_resolve_by_position_and_by_uid() {
        let s = sel(&[3, 5, 9, 10]);
        let set = |t: &str| SequenceSet::try_from(t).expect("set");
        assert_eq!(s.resolve(&set("1:*"), false), vec![0, 1, 2, 3]);
        assert_eq!(s.resolve(&set("2,4"), false), vec![1, 3]);
        assert_eq!(s.resolve(&set("*:3"), false), vec![2, 3]);
        assert_eq!(s.resolve(&set("5:9"), true), vec![1, 2]);
        assert_eq!(
            s.resolve(&set("11:*"), true),
            vec![3],
            "n:* names the last UID"
        );
        assert_eq!(s.resolve(&set("20"), false), Vec::<usize>::new());
    }

    #[test]
    fn updates_report_expunges_in_shrinking_positions() {
        let mut s = sel(&[1, 2, 3, 4]);
        let out = s.update(Arc::new(vec![uf(1, 1), uf(3, 2), uf(5, 3)]), false, false);
        let text: Vec<String> = out.iter().map(|d| format!("{d:?}")).collect();
        assert!(text[0].contains("Expunge(2)"), "{text:?}");
        assert!(text[1].contains("Expunge(3)"), "{text:?}");
        assert!(text[2].contains("Exists(3)"), "{text:?}");
        assert!(
            text[3].contains("Fetch") && text[3].contains("seq: 2"),
            "{text:?}"
        );
        assert_eq!(s.exists(), 3);
        let mut q = sel(&[1, 2, 3, 4]);
        let out = q.update(Arc::new(vec![uf(1, 1), uf(4, 1)]), true, true);
        let text: Vec<String> = out.iter().map(|d| format!("{d:?}")).collect();
        assert!(
            text[0].contains("Vanished") && text[0].contains("earlier: false"),
            "{text:?}"
        );
        assert!(text[1].contains("Exists(2)"), "{text:?}");
    }
}
