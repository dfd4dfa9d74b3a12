//! QRESYNC (RFC 7162): a client that comes back names what it knew (UIDVALIDITY, MODSEQ,
//! UIDs) and learns in one round trip what vanished and which flags changed; with QRESYNC
//! enabled, removals are reported as `VANISHED <uids>` instead of `EXPUNGE <n>`.
//!
//! Which UIDs vanished is worked out from the UIDs the client names and those the folder
//! holds now: a UID named but not held is gone, unless its tombstone says it left at or
//! before the client's MODSEQ (the client knew that already). A UID whose tombstone was
//! pruned is reported again, which RFC 7162 §3.2.5.1 allows (the client ignores UIDs it
//! does not know); none is ever missed, however old the client's state.

use std::num::{NonZeroU32, NonZeroU64};

use imap_types::core::Vec1;
use imap_types::response::Data;
use imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};

use crate::selected::flags_data;
use crate::session::Ctx;
use crate::store::{MailStore, UidFlags};

/// The UID ranges of a set, `*` standing for `star`, sorted and merged.
pub fn ranges(set: &SequenceSet, star: u32) -> Vec<(u32, u32)> {
    let value = |s: &SeqOrUid| match s {
        SeqOrUid::Value(v) => v.get(),
        SeqOrUid::Asterisk => star,
    };
    let mut out: Vec<(u32, u32)> = set
        .0
        .as_ref()
        .iter()
        .map(|s| match s {
            Sequence::Single(v) => (value(v), value(v)),
            Sequence::Range(a, b) => {
                let (a, b) = (value(a), value(b));
                (a.min(b), a.max(b))
            }
        })
        .collect();
    out.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(out.len());
    for (a, b) in out {
        match merged.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// The parts of `known` (sorted, merged ranges) with no message in `present` (UID order).
pub fn missing(known: &[(u32, u32)], present: &[UidFlags]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(a, b) in known {
        let mut next = a;
        let from = present.partition_point(|m| m.uid < a);
        for m in present[from..].iter().take_while(|m| m.uid <= b) {
            if m.uid > next {
                out.push((next, m.uid - 1));
            }
            next = m.uid.saturating_add(1);
        }
        if next <= b && next != 0 {
            out.push((next, b));
        }
    }
    out
}

/// `ranges` (sorted, merged) without the UIDs in `skip` (ascending).
pub fn without(ranges: &[(u32, u32)], skip: &[u32]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(a, b) in ranges {
        let mut next = u64::from(a);
        let from = skip.partition_point(|&u| u < a);
        for &u in skip[from..].iter().take_while(|&&u| u <= b) {
            if u64::from(u) > next {
                out.push((next as u32, u - 1));
            }
            next = u64::from(u) + 1;
        }
        if next <= u64::from(b) {
            out.push((next as u32, b));
        }
    }
    out
}

/// The ranges as a sequence set (`None` when empty).
pub fn set_of(ranges: &[(u32, u32)]) -> Option<SequenceSet> {
    let nz = |v: u32| SeqOrUid::Value(NonZeroU32::new(v).unwrap_or(NonZeroU32::MIN));
    let seqs: Vec<Sequence> = ranges
        .iter()
        .filter(|(a, _)| *a > 0)
        .map(|&(a, b)| {
            if a == b {
                Sequence::Single(nz(a))
            } else {
                Sequence::Range(nz(a), nz(b))
            }
        })
        .collect();
    Vec1::try_from(seqs).ok().map(SequenceSet)
}

/// `* VANISHED [(EARLIER)] <uids>`, if any.
pub fn vanished(uids: &[(u32, u32)], earlier: bool) -> Option<Data<'static>> {
    set_of(uids).map(|known_uids| Data::Vanished {
        earlier,
        known_uids,
    })
}

/// The answers after SELECT (QRESYNC …) when the client's UIDVALIDITY still holds: what
/// vanished among the UIDs it knew, then the messages changed after its MODSEQ.
///
/// `left_before`: UIDs known to have left at or before the client's MODSEQ; they are not
/// reported again.
pub fn after_select<S: MailStore>(
    cx: &mut Ctx<S>,
    modseq: NonZeroU64,
    known_uids: Option<&SequenceSet>,
    last_uid: u32,
    left_before: &[u32],
) {
    let Some(sel) = cx.selected.as_ref() else {
        return;
    };
    let known = match known_uids {
        Some(set) => ranges(set, last_uid),
        None if last_uid > 0 => vec![(1, last_uid)],
        None => Vec::new(),
    };
    let mut out = Vec::new();
    if let Some(d) = vanished(&without(&missing(&known, &sel.msgs), left_before), true) {
        out.push(d);
    }
    for (i, m) in sel.msgs.iter().enumerate() {
        if m.modseq > modseq.get() {
            out.push(flags_data(
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                m,
                true,
            ));
        }
    }
    for d in out {
        cx.data(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Flags;

    fn uf(uid: u32) -> UidFlags {
        UidFlags {
            uid,
            modseq: 1,
            flags: Flags::default(),
        }
    }

    #[test]
    fn missing_uids_are_the_gaps_of_the_known_ranges() {
        let present: Vec<UidFlags> = [2, 3, 7, 10].into_iter().map(uf).collect();
        let set = SequenceSet::try_from("1:5,7:12").expect("set");
        let known = ranges(&set, 10);
        assert_eq!(known, vec![(1, 5), (7, 12)]);
        assert_eq!(
            missing(&known, &present),
            vec![(1, 1), (4, 5), (8, 9), (11, 12)]
        );
        assert_eq!(missing(&[(2, 3)], &present), Vec::<(u32, u32)>::new());
        let d = vanished(&[(1, 1), (4, 5)], true).expect("data");
        assert!(format!("{d:?}").contains("earlier: true"), "{d:?}");
        assert!(vanished(&[], false).is_none());
    }

    #[test]
    fn uids_known_gone_are_cut_out_of_ranges() {
        assert_eq!(
            without(&[(1, 5), (8, 9), (20, 20)], &[1, 3, 4, 9, 12, 20]),
            vec![(2, 2), (5, 5), (8, 8)]
        );
        assert_eq!(without(&[(1, 3)], &[]), vec![(1, 3)]);
        assert_eq!(
            without(&[(u32::MAX - 1, u32::MAX)], &[u32::MAX]),
            vec![(u32::MAX - 1, u32::MAX - 1)]
        );
    }

    #[test]
    fn ranges_merge_and_star_is_the_last_uid() {
        let set = SequenceSet::try_from("5:*,1,2,3:4").expect("set");
        assert_eq!(ranges(&set, 9), vec![(1, 9)]);
    }
}
