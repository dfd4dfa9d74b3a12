//! STORE and UID STORE: +FLAGS, -FLAGS, FLAGS, .SILENT, UNCHANGEDSINCE (CONDSTORE).

use schulhof_domain::mail::bus::with_origin;
use std::num::NonZeroU32;

use imap_types::command::StoreModifier;
use imap_types::flag::{Flag, StoreType};
use imap_types::response::Code;
use imap_types::sequence::SequenceSet;

use crate::respond::Done;
use crate::selected::{flags_data, flags_of};
use crate::session::Ctx;
use crate::store::{FlagOp, MailStore};

pub struct How {
    pub kind: StoreType,
    pub silent: bool,
    pub uid: bool,
}

pub async fn store<S: MailStore>(
    cx: &mut Ctx<S>,
    set: &SequenceSet,
    how: How,
    flags: &[Flag<'static>],
    modifiers: &[StoreModifier],
) -> Done {
    let unchanged_since = modifiers
        .iter()
        .map(|StoreModifier::UnchangedSince(v)| *v)
        .next();
    if unchanged_since.is_some() {
        cx.condstore = true;
    }
    let Some((actor, sel)) = super::selected(cx) else {
        return Done::bad("No mailbox selected");
    };
    if sel.read_only {
        return Done::no("Mailbox is read-only").other("CANNOT");
    }
    let folder = sel.folder;
    let uids: Vec<u32> = sel
        .resolve(set, how.uid)
        .into_iter()
        .map(|i| sel.msgs[i].uid)
        .collect();
    let op = match how.kind {
        StoreType::Add => FlagOp::Add,
        StoreType::Remove => FlagOp::Remove,
        StoreType::Replace => FlagOp::Replace,
    };
    let wanted = flags_of(flags);
    let result = if uids.is_empty() {
        Default::default()
    } else {
        let change = cx
            .store
            .store_flags(&actor, folder, &uids, op, &wanted, unchanged_since);
        match with_origin(cx.origin, change).await {
            Ok(r) => r,
            Err(e) => return Done::from(e),
        }
    };
    let mut result = result;
    result.changed.sort_unstable_by_key(|c| c.uid);
    let condstore = cx.condstore;
    let Some(sel) = cx.selected.as_mut() else {
        return Done::bad("No mailbox selected");
    };
    for c in &result.changed {
        if let Some(i) = sel.index_of(c.uid) {
            sel.set(i, c.clone());
        }
    }
    // Looked up per message below: sorted, so a STORE of 50,000 stays linear-logarithmic.
    let mut failed_sorted = result.failed.clone();
    failed_sorted.sort_unstable();
    let mut answers = Vec::new();
    for u in &uids {
        let Some(i) = sel.index_of(*u) else { continue };
        let changed = result.changed.binary_search_by_key(u, |c| c.uid).is_ok();
        let failed = failed_sorted.binary_search(u).is_ok();
        // .SILENT still reports MODSEQ of changed messages under CONDSTORE (RFC 7162 §3.2).
        if (!how.silent && !failed) || (how.silent && condstore && changed) {
            answers.push(flags_data(i as u32 + 1, &sel.msgs[i], condstore));
        }
    }
    let failed: Vec<NonZeroU32> = result
        .failed
        .iter()
        .filter_map(|u| {
            let n = if how.uid {
                *u
            } else {
                sel.index_of(*u).map_or(0, |i| i as u32 + 1)
            };
            NonZeroU32::new(n)
        })
        .collect();
    for d in answers {
        cx.data(d);
    }
    let done = Done::ok(if how.uid {
        "UID STORE completed"
    } else {
        "STORE completed"
    });
    match SequenceSet::try_from(failed) {
        Ok(set) => done.code(Code::Modified(set)),
        Err(_) => done,
    }
}
