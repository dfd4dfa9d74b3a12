//! SELECT/EXAMINE (with CONDSTORE), CLOSE, UNSELECT, EXPUNGE and UID EXPUNGE.

use schulhof_domain::mail::bus::with_origin;
use std::num::{NonZeroU32, NonZeroU64};

use imap_types::command::SelectParameter;
use imap_types::flag::{Flag, FlagPerm};
use imap_types::mailbox::Mailbox;
use imap_types::response::{Code, Data};
use imap_types::sequence::SequenceSet;

use super::path_of;
use crate::respond::Done;
use crate::selected::Selected;
use crate::session::Ctx;
use crate::store::MailStore;

fn system_flags() -> Vec<Flag<'static>> {
    vec![
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ]
}

pub async fn select<S: MailStore>(
    cx: &mut Ctx<S>,
    m: &Mailbox<'static>,
    params: &[SelectParameter],
    read_only: bool,
) -> Done {
    // A failed SELECT leaves no folder selected (RFC 3501 §6.3.1).
    cx.selected = None;
    let Some(actor) = cx.actor.clone() else {
        return Done::bad("Log in first");
    };
    let path = match path_of(m) {
        Ok(p) => p,
        Err(d) => return d,
    };
    if params.contains(&SelectParameter::CondStore) {
        cx.condstore = true;
    }
    let qresync = params.iter().find_map(|p| match p {
        SelectParameter::QResync {
            uid_validity,
            mod_sequence_value,
            known_uids,
            ..
        } => Some((*uid_validity, *mod_sequence_value, known_uids.clone())),
        SelectParameter::CondStore => None,
    });
    if qresync.is_some() && !cx.qresync {
        return Done::bad("QRESYNC is not enabled");
    }
    let (folder, msgs) = match cx.store.select(&actor, &path).await {
        Ok(f) => f,
        Err(e) => return Done::from(e),
    };
    // A mailbox delegated for reading only opens read-only, whatever was asked.
    let read_only = read_only || folder.read_only;
    let sel = Selected {
        folder: folder.id,
        path: folder.path.clone(),
        read_only,
        msgs,
    };
    let first_unseen = sel.msgs.iter().position(|m| !m.flags.seen);
    let exists = sel.exists();
    // Whatever happened before this point is in `msgs`.
    cx.changed = false;
    cx.selected = Some(sel);
    cx.data(Data::Flags(system_flags()));
    let mut perm: Vec<FlagPerm<'static>> = system_flags().into_iter().map(FlagPerm::Flag).collect();
    perm.push(FlagPerm::Asterisk);
    cx.untagged(
        Done::ok("Flags permitted").code(Code::PermanentFlags(if read_only {
            Vec::new()
        } else {
            perm
        })),
    );
    cx.data(Data::Exists(exists));
    cx.data(Data::Recent(0));
    if let Some(i) = first_unseen.and_then(|i| u32::try_from(i + 1).ok()) {
        cx.untagged(Done::ok("First unseen").code(Code::Unseen(nz(i))));
    }
    cx.untagged(Done::ok("UIDs valid").code(Code::UidValidity(nz(folder.uid_validity))));
    cx.untagged(Done::ok("Predicted next UID").code(Code::UidNext(nz(folder.uid_next))));
    cx.untagged(Done::ok("Highest").code(Code::HighestModSeq(
        NonZeroU64::new(folder.highest_modseq).unwrap_or(NonZeroU64::MIN),
    )));
    // A client whose UIDVALIDITY is stale starts over; it gets nothing more here.
    if let Some((validity, modseq, known)) = qresync
        && validity.get() == folder.uid_validity
    {
        let last_uid = folder.uid_next.saturating_sub(1);
        // Not knowing (an error) only means reporting more UIDs, never fewer.
        let left = cx
            .store
            .left_before(&actor, folder.id, modseq.get())
            .await
            .map_or_else(|_| Vec::new(), |l| l.0);
        super::qresync::after_select(cx, modseq, known.as_ref(), last_uid, &left);
    }
    if read_only {
        Done::ok("EXAMINE completed").code(Code::ReadOnly)
    } else {
        Done::ok("SELECT completed").code(Code::ReadWrite)
    }
}

fn nz(v: u32) -> NonZeroU32 {
    NonZeroU32::new(v).unwrap_or(NonZeroU32::MIN)
}

/// CLOSE expunges silently; UNSELECT does not.
pub async fn close<S: MailStore>(cx: &mut Ctx<S>, expunge: bool) -> Done {
    let Some(sel) = cx.selected.take() else {
        return Done::bad("No mailbox selected");
    };
    if expunge
        && !sel.read_only
        && let Some(actor) = cx.actor.clone()
        && let Err(e) = cx.store.expunge(&actor, sel.folder, None).await
    {
        return Done::from(e);
    }
    cx.changed = false;
    Done::ok(if expunge {
        "CLOSE completed"
    } else {
        "UNSELECT completed"
    })
}

pub async fn expunge<S: MailStore>(cx: &mut Ctx<S>, only: Option<&SequenceSet>) -> Done {
    let Some((actor, sel)) = super::selected(cx) else {
        return Done::bad("No mailbox selected");
    };
    if sel.read_only {
        return Done::no("Mailbox is read-only").other("CANNOT");
    }
    let folder = sel.folder;
    let uids: Option<Vec<u32>> = only.map(|set| {
        sel.resolve(set, true)
            .into_iter()
            .map(|i| sel.msgs[i].uid)
            .collect()
    });
    if uids.as_ref().is_some_and(Vec::is_empty) {
        return Done::ok("UID EXPUNGE completed");
    }
    let change = cx.store.expunge(&actor, folder, uids.as_deref());
    let gone = match with_origin(cx.origin, change).await {
        Ok(g) => g,
        Err(e) => return Done::from(e),
    };
    report_expunged(cx, &gone);
    Done::ok("EXPUNGE completed")
}

/// `* n EXPUNGE` for each UID (with QRESYNC one `* VANISHED uids`), removing it from the
/// session's view.
pub fn report_expunged<S: MailStore>(cx: &mut Ctx<S>, uids: &[u32]) {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    if cx.qresync {
        let mut gone: Vec<(u32, u32)> = Vec::new();
        for uid in sorted {
            let Some(sel) = cx.selected.as_mut() else {
                return;
            };
            if let Some(i) = sel.index_of(uid) {
                sel.remove(i);
                match gone.last_mut() {
                    Some(last) if last.1 + 1 == uid => last.1 = uid,
                    _ => gone.push((uid, uid)),
                }
            }
        }
        if let Some(d) = super::qresync::vanished(&gone, false) {
            cx.data(d);
        }
        return;
    }
    for uid in sorted {
        let Some(sel) = cx.selected.as_mut() else {
            return;
        };
        if let Some(i) = sel.index_of(uid) {
            sel.remove(i);
            if let Ok(seq) = u32::try_from(i + 1) {
                cx.data(Data::Expunge(nz(seq)));
            }
        }
    }
}
