//! SEARCH and UID SEARCH over the selected folder: flags from the session's view, dates, sizes
//! and addresses from the envelope rows, header and body text from the message when asked.

use std::num::{NonZeroU32, NonZeroU64};

use imap_types::search::SearchKey;
use imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};
use mail_parser::Message;

use crate::mime;
use crate::respond::Done;
use crate::session::Ctx;
use crate::store::{MailStore, MessageMeta, UidFlags};

const BATCH: usize = 500;

/// What the criteria need besides flags.
#[derive(Default)]
struct Needs {
    meta: bool,
    raw: bool,
    modseq: bool,
}

fn needs(k: &SearchKey, n: &mut Needs) {
    match k {
        SearchKey::And(v) => v.as_ref().iter().for_each(|k| needs(k, n)),
        SearchKey::Not(k) => needs(k, n),
        SearchKey::Or(a, b) => {
            needs(a, n);
            needs(b, n);
        }
        SearchKey::Bcc(_) | SearchKey::Body(_) | SearchKey::Header(..) | SearchKey::Text(_) => {
            n.raw = true;
            n.meta = true;
        }
        SearchKey::Before(_)
        | SearchKey::On(_)
        | SearchKey::Since(_)
        | SearchKey::SentBefore(_)
        | SearchKey::SentOn(_)
        | SearchKey::SentSince(_)
        | SearchKey::Larger(_)
        | SearchKey::Smaller(_)
        | SearchKey::From(_)
        | SearchKey::To(_)
        | SearchKey::Cc(_)
        | SearchKey::Subject(_) => n.meta = true,
        SearchKey::ModSequence { .. } => n.modseq = true,
        _ => {}
    }
}

struct Candidate<'a> {
    seq: u32,
    state: &'a UidFlags,
    meta: Option<&'a MessageMeta>,
    msg: Option<&'a Message<'a>>,
}

pub async fn search<S: MailStore>(
    cx: &mut Ctx<S>,
    criteria: &[SearchKey<'static>],
    uid: bool,
) -> Done {
    let mut n = Needs::default();
    criteria.iter().for_each(|k| needs(k, &mut n));
    if n.modseq {
        cx.condstore = true;
    }
    let Some((actor, sel)) = super::selected(cx) else {
        return Done::bad("No mailbox selected");
    };
    let folder = sel.folder;
    let all = sel.msgs.clone();
    let mut hits: Vec<NonZeroU32> = Vec::new();
    let mut top_modseq = 0u64;
    for (c, chunk) in all.chunks(BATCH).enumerate() {
        let uids: Vec<u32> = chunk.iter().map(|m| m.uid).collect();
        let metas = if n.meta {
            match cx.store.metas(&actor, folder, &uids).await {
                Ok(m) => m,
                Err(e) => return Done::from(e),
            }
        } else {
            Vec::new()
        };
        for (j, state) in chunk.iter().enumerate() {
            let meta = metas
                .binary_search_by_key(&state.uid, |m| m.uid)
                .ok()
                .map(|i| &metas[i]);
            if n.meta && meta.is_none() {
                continue;
            }
            let raw = match (n.raw, meta) {
                (true, Some(m)) => match cx.store.raw(&actor, m).await {
                    Ok(r) => Some(r),
                    Err(e) => return Done::from(e),
                },
                _ => None,
            };
            let parsed = raw.as_deref().map(mime::parse);
            let cand = Candidate {
                seq: u32::try_from(c * BATCH + j + 1).unwrap_or(u32::MAX),
                state,
                meta,
                msg: parsed.as_ref(),
            };
            let sel = match cx.selected.as_ref() {
                Some(s) => s,
                None => return Done::bad("No mailbox selected"),
            };
            if criteria.iter().all(|k| matches(k, &cand, sel)) {
                top_modseq = top_modseq.max(state.modseq);
                let v = if uid { state.uid } else { cand.seq };
                if let Some(v) = NonZeroU32::new(v) {
                    hits.push(v);
                }
            }
        }
    }
    let modseq = if n.modseq && !hits.is_empty() {
        NonZeroU64::new(top_modseq)
    } else {
        None
    };
    cx.data(imap_types::response::Data::Search(hits, modseq));
    Done::ok(if uid {
        "UID SEARCH completed"
    } else {
        "SEARCH completed"
    })
}

fn contains(hay: &str, needle: &[u8]) -> bool {
    let needle = String::from_utf8_lossy(needle).to_lowercase();
    hay.to_lowercase().contains(&needle)
}

fn header_has(msg: Option<&Message>, name: &str, needle: &[u8]) -> bool {
    let Some(m) = msg else { return false };
    let Some(root) = m.parts.first() else {
        return false;
    };
    root.headers.iter().any(|h| {
        h.name.as_str().eq_ignore_ascii_case(name)
            && m.raw_message
                .get(h.offset_start as usize..h.offset_end as usize)
                .is_some_and(|v| contains(&String::from_utf8_lossy(v), needle))
    })
}

fn body_text(m: &Message) -> String {
    let mut out = String::new();
    for i in 0..m.text_body_count().max(m.html_body_count()) {
        if let Some(t) = m.body_text(i) {
            out.push_str(&t);
            out.push('\n');
        }
    }
    out
}

/// Whether `v` is in the set, `*` standing for `star`.
fn in_set(set: &SequenceSet, v: u32, star: u32) -> bool {
    let val = |s: &SeqOrUid| match s {
        SeqOrUid::Value(n) => n.get(),
        SeqOrUid::Asterisk => star,
    };
    set.0.as_ref().iter().any(|s| match s {
        Sequence::Single(x) => val(x) == v,
        Sequence::Range(a, b) => {
            let (a, b) = (val(a), val(b));
            a.min(b) <= v && v <= a.max(b)
        }
    })
}

fn matches(k: &SearchKey, c: &Candidate, sel: &crate::selected::Selected) -> bool {
    let f = &c.state.flags;
    let date = |m: &MessageMeta| m.received_at.date_naive();
    let sent = |m: &MessageMeta| m.sent_at.unwrap_or(m.received_at).date_naive();
    let meta = c.meta;
    match k {
        SearchKey::And(v) => v.as_ref().iter().all(|k| matches(k, c, sel)),
        SearchKey::Not(k) => !matches(k, c, sel),
        SearchKey::Or(a, b) => matches(a, c, sel) || matches(b, c, sel),
        SearchKey::All | SearchKey::Old => true,
        SearchKey::New | SearchKey::Recent => false,
        SearchKey::SequenceSet(set) => in_set(set, c.seq, sel.exists()),
        SearchKey::Uid(set) => in_set(set, c.state.uid, sel.msgs.last().map_or(0, |m| m.uid)),
        SearchKey::Answered => f.answered,
        SearchKey::Unanswered => !f.answered,
        SearchKey::Deleted => f.deleted,
        SearchKey::Undeleted => !f.deleted,
        SearchKey::Draft => f.draft,
        SearchKey::Undraft => !f.draft,
        SearchKey::Flagged => f.flagged,
        SearchKey::Unflagged => !f.flagged,
        SearchKey::Seen => f.seen,
        SearchKey::Unseen => !f.seen,
        SearchKey::Keyword(a) => f
            .keywords
            .iter()
            .any(|k| k.eq_ignore_ascii_case(a.as_ref())),
        SearchKey::Unkeyword(a) => !f
            .keywords
            .iter()
            .any(|k| k.eq_ignore_ascii_case(a.as_ref())),
        SearchKey::ModSequence { modseq, .. } => c.state.modseq >= *modseq,
        SearchKey::Larger(n) => meta.is_some_and(|m| m.size > u64::from(*n)),
        SearchKey::Smaller(n) => meta.is_some_and(|m| m.size < u64::from(*n)),
        SearchKey::Before(d) => meta.is_some_and(|m| date(m) < *d.as_ref()),
        SearchKey::On(d) => meta.is_some_and(|m| date(m) == *d.as_ref()),
        SearchKey::Since(d) => meta.is_some_and(|m| date(m) >= *d.as_ref()),
        SearchKey::SentBefore(d) => meta.is_some_and(|m| sent(m) < *d.as_ref()),
        SearchKey::SentOn(d) => meta.is_some_and(|m| sent(m) == *d.as_ref()),
        SearchKey::SentSince(d) => meta.is_some_and(|m| sent(m) >= *d.as_ref()),
        SearchKey::From(s) => meta
            .is_some_and(|m| contains(&format!("{} <{}>", m.from_name, m.from_addr), s.as_ref())),
        SearchKey::To(s) => meta.is_some_and(|m| contains(&m.to, s.as_ref())),
        SearchKey::Cc(s) => meta.is_some_and(|m| contains(&m.cc, s.as_ref())),
        SearchKey::Subject(s) => meta.is_some_and(|m| contains(&m.subject, s.as_ref())),
        SearchKey::Bcc(s) => header_has(c.msg, "Bcc", s.as_ref()),
        SearchKey::Header(name, v) => {
            header_has(c.msg, &String::from_utf8_lossy(name.as_ref()), v.as_ref())
        }
        SearchKey::Body(s) => c.msg.is_some_and(|m| contains(&body_text(m), s.as_ref())),
        SearchKey::Text(s) => c.msg.is_some_and(|m| {
            let head = String::from_utf8_lossy(
                m.raw_message
                    .get(..m.parts.first().map_or(0, |p| p.offset_body as usize))
                    .unwrap_or(&[]),
            )
            .into_owned();
            contains(&head, s.as_ref()) || contains(&body_text(m), s.as_ref())
        }),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}
