//! COPY/UID COPY and MOVE/UID MOVE, answering with COPYUID (UIDPLUS).

use std::num::NonZeroU32;

use imap_types::core::Vec1;
use imap_types::extensions::uidplus::{UidElement, UidSet};
use imap_types::mailbox::Mailbox;
use imap_types::response::Code;
use imap_types::sequence::SequenceSet;

use super::path_of;
use crate::respond::Done;
use crate::session::Ctx;
use crate::store::{MailStore, StoreError};

pub async fn copy<S: MailStore>(
    cx: &mut Ctx<S>,
    set: &SequenceSet,
    to: &Mailbox<'static>,
    uid: bool,
    moving: bool,
) -> Done {
    let Some((actor, sel)) = super::selected(cx) else {
        return Done::bad("No mailbox selected");
    };
    if moving && sel.read_only {
        return Done::no("Mailbox is read-only").other("CANNOT");
    }
    let from = sel.folder;
    let uids: Vec<u32> = sel
        .resolve(set, uid)
        .into_iter()
        .map(|i| sel.msgs[i].uid)
        .collect();
    let path = match path_of(to) {
        Ok(p) => p,
        Err(d) => return d,
    };
    let target = match cx.store.folder(&actor, &path).await {
        Ok(f) => f,
        Err(StoreError::NotFound) => {
            return Done::no("No such mailbox").code(Code::TryCreate);
        }
        Err(e) => return Done::from(e),
    };
    let verb = if moving { "MOVE" } else { "COPY" };
    if uids.is_empty() {
        return Done::ok(format!("{verb} completed; nothing matched"));
    }
    let result = if moving {
        cx.store.move_to(&actor, from, &uids, target.id).await
    } else {
        cx.store.copy(&actor, from, &uids, target.id).await
    };
    let r = match result {
        Ok(r) => r,
        Err(e) => return Done::from(e),
    };
    if target.id == from {
        cx.changed = true;
    }
    let code = copyuid(r.uid_validity, &r.pairs);
    if moving {
        // RFC 6851: COPYUID in an untagged OK, then the EXPUNGEs, then the tagged OK.
        if let Some(code) = code {
            cx.untagged(Done::ok("Moved").code(code));
        }
        let moved: Vec<u32> = r.pairs.iter().map(|p| p.0).collect();
        super::select::report_expunged(cx, &moved);
        return Done::ok("MOVE completed");
    }
    let done = Done::ok("COPY completed");
    match code {
        Some(c) => done.code(c),
        None => done,
    }
}

fn uid_set(uids: impl Iterator<Item = u32>) -> Option<UidSet> {
    let elems: Vec<UidElement> = uids
        .filter_map(NonZeroU32::new)
        .map(UidElement::Single)
        .collect();
    Vec1::try_from(elems).ok().map(UidSet)
}

pub fn copyuid(uid_validity: u32, pairs: &[(u32, u32)]) -> Option<Code<'static>> {
    Some(Code::CopyUid {
        uid_validity: NonZeroU32::new(uid_validity)?,
        source: uid_set(pairs.iter().map(|p| p.0))?,
        destination: uid_set(pairs.iter().map(|p| p.1))?,
    })
}
