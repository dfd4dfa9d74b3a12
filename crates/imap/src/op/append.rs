//! APPEND (APPENDUID; over quota NO [OVERQUOTA]) and the quota commands.

use schulhof_domain::mail::bus::with_origin;
use std::num::NonZeroU32;

use chrono::Utc;
use imap_types::core::{AString, Vec1};
use imap_types::datetime::DateTime;
use imap_types::extensions::binary::LiteralOrLiteral8;
use imap_types::extensions::quota::{QuotaGet, Resource};
use imap_types::flag::Flag;
use imap_types::mailbox::Mailbox;
use imap_types::response::{Code, Data};

use super::{mailbox_of, path_of};
use crate::respond::Done;
use crate::selected::flags_of;
use crate::session::Ctx;
use crate::store::{MailStore, StoreError};

pub async fn append<S: MailStore>(
    cx: &mut Ctx<S>,
    m: &Mailbox<'static>,
    flags: &[Flag<'static>],
    date: Option<DateTime>,
    message: LiteralOrLiteral8<'static>,
) -> Done {
    let Some(actor) = cx.actor.clone() else {
        return Done::bad("Log in first");
    };
    let path = match path_of(m) {
        Ok(p) => p,
        Err(d) => return d,
    };
    let data = match message {
        LiteralOrLiteral8::Literal(l) => l.into_inner(),
        LiteralOrLiteral8::Literal8(l) => l.data,
    };
    if data.len() as u64 > cx.store.max_message() {
        return Done::no("Message too large").code(Code::TooBig);
    }
    let date = date.map(|d| d.as_ref().with_timezone(&Utc));
    // The session reads the folder after its APPEND anyway (`changed`): the event coming
    // back is its own. The folder's counts (a read over all its messages) are not needed.
    let flags = flags_of(flags);
    let change = cx.store.append_to(&actor, &path, &data, &flags, date);
    let (folder, filed) = match with_origin(cx.origin, change).await {
        Ok(f) => f,
        Err(StoreError::NotFound) => return Done::no("No such mailbox").code(Code::TryCreate),
        Err(e) => return Done::from(e),
    };
    match filed {
        Ok((validity, uid)) => {
            if cx.selected.as_ref().is_some_and(|s| s.folder == folder) {
                cx.changed = true;
            }
            let done = Done::ok("APPEND completed");
            match (NonZeroU32::new(validity), NonZeroU32::new(uid)) {
                (Some(uid_validity), Some(uid)) => done.code(Code::AppendUid { uid_validity, uid }),
                _ => done,
            }
        }
        Err(e) => Done::from(e),
    }
}

/// The one quota root: the whole mailbox.
fn root() -> AString<'static> {
    AString::String(crate::mime::istring(b""))
}

async fn quota_data<S: MailStore>(cx: &mut Ctx<S>) -> Result<(), Done> {
    let Some(actor) = cx.actor.clone() else {
        return Err(Done::bad("Log in first"));
    };
    let (used, quota) = cx.store.usage(&actor).await.map_err(Done::from)?;
    cx.data(Data::Quota {
        root: root(),
        quotas: Vec1::from(QuotaGet::new(Resource::Storage, used / 1024, quota / 1024)),
    });
    Ok(())
}

pub async fn get_quota<S: MailStore>(cx: &mut Ctx<S>, r: &[u8]) -> Done {
    if !r.is_empty() {
        return Done::no("No such quota root").other("NONEXISTENT");
    }
    match quota_data(cx).await {
        Ok(()) => Done::ok("GETQUOTA completed"),
        Err(d) => d,
    }
}

pub async fn get_quota_root<S: MailStore>(cx: &mut Ctx<S>, m: &Mailbox<'static>) -> Done {
    let Some(actor) = cx.actor.clone() else {
        return Done::bad("Log in first");
    };
    let path = match path_of(m) {
        Ok(p) => p,
        Err(d) => return d,
    };
    if let Err(e) = cx.store.folder(&actor, &path).await {
        return Done::from(e);
    }
    cx.data(Data::QuotaRoot {
        mailbox: mailbox_of(&path),
        roots: vec![root()],
    });
    match quota_data(cx).await {
        Ok(()) => Done::ok("GETQUOTAROOT completed"),
        Err(d) => d,
    }
}
