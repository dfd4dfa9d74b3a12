//! FETCH and UID FETCH: flags and UIDs from the session's view, dates and sizes from the
//! envelope rows, everything else from the message itself.

use std::num::{NonZeroU32, NonZeroU64};

use chrono::{FixedOffset, Timelike};
use imap_types::body::BodyStructure;
use imap_types::command::FetchModifier;
use imap_types::core::{NString, Vec1};
use imap_types::datetime::DateTime;
use imap_types::fetch::{MacroOrMessageDataItemNames, MessageDataItem, MessageDataItemName};
use imap_types::response::Data;
use imap_types::sequence::SequenceSet;

use crate::mime;
use crate::respond::Done;
use crate::selected::flag_fetch;
use crate::session::Ctx;
use crate::store::{FlagOp, Flags, MailStore, MessageMeta};

/// Envelope rows are read in batches of this many UIDs.
const BATCH: usize = 500;

pub async fn fetch<S: MailStore>(
    cx: &mut Ctx<S>,
    set: &SequenceSet,
    what: MacroOrMessageDataItemNames<'static>,
    uid: bool,
    modifiers: &[FetchModifier],
) -> Done {
    let names: Vec<MessageDataItemName<'static>> = match what {
        MacroOrMessageDataItemNames::Macro(m) => m
            .expand()
            .into_iter()
            .map(|n| match n {
                MessageDataItemName::Flags => MessageDataItemName::Flags,
                MessageDataItemName::InternalDate => MessageDataItemName::InternalDate,
                MessageDataItemName::Rfc822Size => MessageDataItemName::Rfc822Size,
                MessageDataItemName::Envelope => MessageDataItemName::Envelope,
                _ => MessageDataItemName::Body,
            })
            .collect(),
        MacroOrMessageDataItemNames::MessageDataItemNames(n) => n,
    };
    let changed_since = modifiers.iter().find_map(|m| match m {
        FetchModifier::ChangedSince(n) => Some(n.get()),
        FetchModifier::Vanished => None,
    });
    if changed_since.is_some() || names.contains(&MessageDataItemName::ModSeq) {
        cx.condstore = true;
    }
    let vanished = modifiers.contains(&FetchModifier::Vanished);
    if vanished && !(uid && cx.qresync && changed_since.is_some()) {
        // RFC 7162 §3.2.6.
        return Done::bad("VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC enabled");
    }
    if vanished
        && let Some(since) = changed_since
        && let Some((actor, sel)) = super::selected(cx)
    {
        let (left, uid_next) = match cx.store.left_before(&actor, sel.folder, since).await {
            Ok(l) => l,
            Err(e) => return Done::from(e),
        };
        let Some(sel) = cx.selected.as_ref() else {
            return Done::bad("No mailbox selected");
        };
        // `*` reaches the last UID the folder ever gave, so UIDs removed above the highest
        // one still there are reported too.
        let last = sel
            .msgs
            .last()
            .map_or(0, |m| m.uid)
            .max(uid_next.saturating_sub(1));
        let known = super::qresync::ranges(set, last);
        let gone = super::qresync::without(&super::qresync::missing(&known, &sel.msgs), &left);
        if let Some(d) = super::qresync::vanished(&gone, true) {
            cx.data_long(d);
        }
    }
    let Some((actor, sel)) = super::selected(cx) else {
        return Done::bad("No mailbox selected");
    };
    let mut idx = sel.resolve(set, uid);
    if let Some(cs) = changed_since {
        idx.retain(|&i| sel.msgs[i].modseq > cs);
    }
    let (folder, read_only) = (sel.folder, sel.read_only);
    let uids: Vec<u32> = idx.iter().map(|&i| sel.msgs[i].uid).collect();
    let sets_seen = !read_only && names.iter().any(sets_seen);
    let mut seen_now = Vec::new();
    if sets_seen {
        match mark_seen(cx, &actor, folder, &uids).await {
            Ok(mut changed) => {
                changed.sort_unstable();
                seen_now = changed;
            }
            Err(done) => return done,
        }
    }
    let need_meta = names.iter().any(|n| {
        !matches!(
            n,
            MessageDataItemName::Flags | MessageDataItemName::Uid | MessageDataItemName::ModSeq
        )
    });
    for chunk in uids.chunks(BATCH) {
        let metas = if need_meta {
            match cx.store.metas(&actor, folder, chunk).await {
                Ok(m) => m,
                Err(e) => return Done::from(e),
            }
        } else {
            Vec::new()
        };
        for &u in chunk {
            let meta = metas
                .binary_search_by_key(&u, |m| m.uid)
                .ok()
                .map(|i| &metas[i]);
            if need_meta && meta.is_none() {
                continue; // expunged meanwhile
            }
            let one = One {
                uid: u,
                meta,
                seen_now: seen_now.binary_search(&u).is_ok(),
                uid_cmd: uid,
            };
            match items(cx, &actor, &names, one).await {
                Ok(Some(d)) => cx.data_long(d),
                Ok(None) => {}
                Err(done) => {
                    cx.encode_long();
                    return done;
                }
            }
        }
    }
    cx.encode_long();
    Done::ok(if uid {
        "UID FETCH completed"
    } else {
        "FETCH completed"
    })
}

fn sets_seen(n: &MessageDataItemName) -> bool {
    matches!(
        n,
        MessageDataItemName::BodyExt { peek: false, .. }
            | MessageDataItemName::Rfc822
            | MessageDataItemName::Rfc822Text
    )
}

/// Sets \Seen on the messages that lack it; returns their UIDs.
async fn mark_seen<S: MailStore>(
    cx: &mut Ctx<S>,
    actor: &S::Actor,
    folder: schulhof_types::MailFolderId,
    uids: &[u32],
) -> Result<Vec<u32>, Done> {
    let Some(sel) = cx.selected.as_ref() else {
        return Ok(Vec::new());
    };
    let unseen: Vec<u32> = uids
        .iter()
        .copied()
        .filter(|u| sel.index_of(*u).is_some_and(|i| !sel.msgs[i].flags.seen))
        .collect();
    if unseen.is_empty() {
        return Ok(Vec::new());
    }
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    let r = cx
        .store
        .store_flags(actor, folder, &unseen, FlagOp::Add, &seen, None)
        .await
        .map_err(Done::from)?;
    let mut out = Vec::new();
    if let Some(sel) = cx.selected.as_mut() {
        for c in r.changed {
            if let Some(i) = sel.index_of(c.uid) {
                out.push(c.uid);
                sel.set(i, c);
            }
        }
    }
    Ok(out)
}

struct One<'a> {
    uid: u32,
    meta: Option<&'a MessageMeta>,
    seen_now: bool,
    uid_cmd: bool,
}

/// The FETCH response of one message.
async fn items<S: MailStore>(
    cx: &mut Ctx<S>,
    actor: &S::Actor,
    names: &[MessageDataItemName<'static>],
    one: One<'_>,
) -> Result<Option<Data<'static>>, Done> {
    let Some(sel) = cx.selected.as_ref() else {
        return Ok(None);
    };
    let Some(i) = sel.index_of(one.uid) else {
        return Ok(None);
    };
    let state = sel.msgs[i].clone();
    let seq = NonZeroU32::new(u32::try_from(i + 1).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN);
    let raw = match one.meta {
        Some(m) if names.iter().any(needs_raw) => {
            Some(cx.store.raw(actor, m).await.map_err(Done::from)?)
        }
        _ => None,
    };
    let parsed = raw.as_deref().map(mime::parse);
    let mut out = Vec::new();
    let uid_item = MessageDataItem::Uid(NonZeroU32::new(one.uid).unwrap_or(NonZeroU32::MIN));
    if one.uid_cmd || names.contains(&MessageDataItemName::Uid) {
        out.push(uid_item);
    }
    let mut has_flags = false;
    let mut has_modseq = false;
    for n in names {
        let item = match n {
            MessageDataItemName::Uid => continue,
            MessageDataItemName::Flags => {
                has_flags = true;
                MessageDataItem::Flags(flag_fetch(&state.flags))
            }
            MessageDataItemName::ModSeq => {
                has_modseq = true;
                MessageDataItem::ModSeq(NonZeroU64::new(state.modseq).unwrap_or(NonZeroU64::MIN))
            }
            MessageDataItemName::InternalDate => match one.meta.and_then(internal_date) {
                Some(d) => MessageDataItem::InternalDate(d),
                None => continue,
            },
            MessageDataItemName::Rfc822Size => MessageDataItem::Rfc822Size(
                u32::try_from(one.meta.map_or(0, |m| m.size)).unwrap_or(u32::MAX),
            ),
            other => match parsed.as_ref().and_then(|m| content_item(m, other)) {
                Some(item) => item,
                None => continue,
            },
        };
        out.push(item);
    }
    if one.seen_now && !has_flags {
        has_flags = true;
        out.push(MessageDataItem::Flags(flag_fetch(&state.flags)));
    }
    if cx.condstore && has_flags && !has_modseq {
        out.push(MessageDataItem::ModSeq(
            NonZeroU64::new(state.modseq).unwrap_or(NonZeroU64::MIN),
        ));
    }
    let Ok(items) = Vec1::try_from(out) else {
        return Ok(None);
    };
    Ok(Some(Data::Fetch { seq, items }))
}

fn needs_raw(n: &MessageDataItemName) -> bool {
    !matches!(
        n,
        MessageDataItemName::Flags
            | MessageDataItemName::Uid
            | MessageDataItemName::ModSeq
            | MessageDataItemName::InternalDate
            | MessageDataItemName::Rfc822Size
    )
}

fn internal_date(m: &MessageMeta) -> Option<DateTime> {
    let utc = FixedOffset::east_opt(0)?;
    let at = m.received_at.with_nanosecond(0)?.with_timezone(&utc);
    DateTime::try_from(at).ok()
}

fn bytes_item(data: &[u8]) -> NString<'static> {
    mime::nstring(Some(data))
}

/// Items read from the message's content.
fn content_item(
    m: &mail_parser::Message,
    name: &MessageDataItemName<'static>,
) -> Option<MessageDataItem<'static>> {
    Some(match name {
        MessageDataItemName::Envelope => MessageDataItem::Envelope(mime::envelope(m)),
        MessageDataItemName::BodyStructure => MessageDataItem::BodyStructure(mime::structure(m, 0)),
        MessageDataItemName::Body => MessageDataItem::Body(plain(mime::structure(m, 0))),
        MessageDataItemName::Rfc822 => MessageDataItem::Rfc822(bytes_item(&m.raw_message)),
        MessageDataItemName::Rfc822Header => MessageDataItem::Rfc822Header(bytes_item(
            &mime::section(m, Some(&imap_types::fetch::Section::Header(None)))?,
        )),
        MessageDataItemName::Rfc822Text => MessageDataItem::Rfc822Text(bytes_item(&mime::section(
            m,
            Some(&imap_types::fetch::Section::Text(None)),
        )?)),
        MessageDataItemName::BodyExt {
            section, partial, ..
        } => {
            let whole = mime::section(m, section.as_ref()).unwrap_or_default();
            let (origin, data) = match partial {
                Some((start, len)) => {
                    let from = (*start as usize).min(whole.len());
                    let to = from.saturating_add(len.get() as usize).min(whole.len());
                    (Some(*start), &whole[from..to])
                }
                None => (None, &whole[..]),
            };
            MessageDataItem::BodyExt {
                section: section.clone(),
                origin,
                data: bytes_item(data),
            }
        }
        _ => return None,
    })
}

/// BODY is BODYSTRUCTURE without extension data.
fn plain(b: BodyStructure<'static>) -> BodyStructure<'static> {
    match b {
        BodyStructure::Single { body, .. } => BodyStructure::Single {
            body,
            extension_data: None,
        },
        BodyStructure::Multi {
            bodies, subtype, ..
        } => BodyStructure::Multi {
            bodies: Vec1::unvalidated(bodies.into_iter().map(plain).collect()),
            subtype,
            extension_data: None,
        },
    }
}
