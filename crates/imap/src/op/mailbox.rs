//! Folders: LIST/LSUB (with SPECIAL-USE attributes), CREATE, DELETE, RENAME,
//! SUBSCRIBE/UNSUBSCRIBE, STATUS.

use std::borrow::Cow;
use std::num::NonZeroU32;

use imap_types::core::{Atom, QuotedChar};
use imap_types::flag::FlagNameAttribute;
use imap_types::mailbox::{ListMailbox, Mailbox};
use imap_types::response::Data;
use imap_types::status::{StatusDataItem, StatusDataItemName};

use super::{mailbox_of, path_of};
use crate::respond::Done;
use crate::session::Ctx;
use crate::store::{FolderInfo, MailStore, Special};
use crate::utf7;

fn attr(name: &'static str) -> Option<FlagNameAttribute<'static>> {
    Atom::try_from(name).ok().map(FlagNameAttribute::from)
}

fn special_use(s: Special) -> Option<FlagNameAttribute<'static>> {
    match s {
        Special::Inbox => None,
        Special::Drafts => attr("Drafts"),
        Special::Sent => attr("Sent"),
        Special::Trash => attr("Trash"),
        Special::Junk => attr("Junk"),
        Special::Archive => attr("Archive"),
    }
}

/// IMAP list wildcards: `*` matches anything, `%` anything but the delimiter.
fn matches(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len()).any(|i| matches(rest, &name[i..])),
        Some(('%', rest)) => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != '/')
            .any(|i| matches(rest, &name[i..])),
        Some((c, rest)) => name.first() == Some(c) && matches(rest, &name[1..]),
    }
}

fn wildcard_text(w: &ListMailbox) -> String {
    let raw: &[u8] = match w {
        ListMailbox::Token(t) => t.as_ref(),
        ListMailbox::String(s) => s.as_ref(),
    };
    let text = String::from_utf8_lossy(raw).into_owned();
    utf7::decode(&text).unwrap_or(text)
}

pub async fn list<S: MailStore>(
    cx: &mut Ctx<S>,
    reference: &Mailbox<'static>,
    wildcard: &ListMailbox<'static>,
    lsub: bool,
) -> Done {
    let Some(actor) = cx.actor.clone() else {
        return Done::bad("Log in first");
    };
    let pattern = wildcard_text(wildcard);
    let delimiter = Some(QuotedChar::unvalidated('/'));
    if pattern.is_empty() {
        // The hierarchy delimiter and root.
        let mailbox = Mailbox::try_from("").unwrap_or(Mailbox::Inbox);
        cx.data(Data::List {
            items: vec![FlagNameAttribute::Noselect],
            delimiter,
            mailbox,
        });
        return Done::ok("LIST completed");
    }
    let prefix = match reference {
        Mailbox::Inbox => "INBOX".to_owned(),
        Mailbox::Other(o) => {
            let t = String::from_utf8_lossy(o.as_ref()).into_owned();
            utf7::decode(&t).unwrap_or(t)
        }
    };
    let full: Vec<char> = format!("{prefix}{pattern}").chars().collect();
    let folders = match cx.store.folders(&actor).await {
        Ok(f) => f,
        Err(e) => return Done::from(e),
    };
    for f in &folders {
        if lsub && !f.subscribed {
            continue;
        }
        let name: Vec<char> = f.path.chars().collect();
        let inbox_match = f.path == "INBOX" && matches(&full, &['I', 'N', 'B', 'O', 'X']);
        if !inbox_match && !matches(&full, &name) {
            continue;
        }
        let items = attributes(f, &folders);
        let mailbox = mailbox_of(&f.path);
        cx.data(if lsub {
            Data::Lsub {
                items,
                delimiter,
                mailbox,
            }
        } else {
            Data::List {
                items,
                delimiter,
                mailbox,
            }
        });
    }
    if !lsub {
        for p in missing_parents(&folders) {
            let name: Vec<char> = p.chars().collect();
            if matches(&full, &name) {
                let items = [attr("HasChildren")].into_iter().flatten();
                cx.data(Data::List {
                    items: std::iter::once(FlagNameAttribute::Noselect)
                        .chain(items)
                        .collect(),
                    delimiter,
                    mailbox: mailbox_of(&p),
                });
            }
        }
    }
    Done::ok(if lsub {
        "LSUB completed"
    } else {
        "LIST completed"
    })
}

/// Levels above folders that are no folders themselves (`Andere` and `Andere/<login>` above
/// a delegated mailbox's folders): listed \Noselect so clients can draw the tree.
fn missing_parents(all: &[FolderInfo]) -> Vec<String> {
    let have: std::collections::HashSet<&str> = all.iter().map(|f| f.path.as_str()).collect();
    let mut out = std::collections::BTreeSet::new();
    for f in all {
        let mut p = f.path.as_str();
        while let Some((up, _)) = p.rsplit_once('/') {
            if !have.contains(up) {
                out.insert(up.to_owned());
            }
            p = up;
        }
    }
    out.into_iter().collect()
}

fn attributes(f: &FolderInfo, all: &[FolderInfo]) -> Vec<FlagNameAttribute<'static>> {
    let prefix = format!("{}/", f.path);
    let children = all.iter().any(|o| o.path.starts_with(&prefix));
    let mut items: Vec<_> = [attr(if children {
        "HasChildren"
    } else {
        "HasNoChildren"
    })]
    .into_iter()
    .flatten()
    .collect();
    if let Some(a) = f.special.and_then(special_use) {
        items.push(a);
    }
    items
}

pub async fn create<S: MailStore>(cx: &mut Ctx<S>, m: &Mailbox<'static>) -> Done {
    let (Some(actor), path) = (cx.actor.clone(), path_of(m)) else {
        return Done::bad("Log in first");
    };
    let path = match path {
        Ok(p) => p,
        Err(d) => return d,
    };
    if path == "INBOX" {
        return Done::no("INBOX exists").other("ALREADYEXISTS");
    }
    match cx.store.create_folder(&actor, &path).await {
        Ok(()) => Done::ok("CREATE completed"),
        Err(e) => Done::from(e),
    }
}

pub async fn delete<S: MailStore>(cx: &mut Ctx<S>, m: &Mailbox<'static>) -> Done {
    let (Some(actor), path) = (cx.actor.clone(), path_of(m)) else {
        return Done::bad("Log in first");
    };
    let path = match path {
        Ok(p) => p,
        Err(d) => return d,
    };
    if cx.selected.as_ref().is_some_and(|s| s.path == path) {
        cx.selected = None;
    }
    match cx.store.delete_folder(&actor, &path).await {
        Ok(()) => Done::ok("DELETE completed"),
        Err(e) => Done::from(e),
    }
}

pub async fn rename<S: MailStore>(
    cx: &mut Ctx<S>,
    from: &Mailbox<'static>,
    to: &Mailbox<'static>,
) -> Done {
    let Some(actor) = cx.actor.clone() else {
        return Done::bad("Log in first");
    };
    let (from, to) = match (path_of(from), path_of(to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(d), _) | (_, Err(d)) => return d,
    };
    match cx.store.rename_folder(&actor, &from, &to).await {
        Ok(()) => Done::ok("RENAME completed"),
        Err(e) => Done::from(e),
    }
}

pub async fn subscribe<S: MailStore>(cx: &mut Ctx<S>, m: &Mailbox<'static>, on: bool) -> Done {
    let (Some(actor), path) = (cx.actor.clone(), path_of(m)) else {
        return Done::bad("Log in first");
    };
    let path = match path {
        Ok(p) => p,
        Err(d) => return d,
    };
    match cx.store.subscribe_folder(&actor, &path, on).await {
        Ok(()) => Done::ok(if on {
            "SUBSCRIBE completed"
        } else {
            "UNSUBSCRIBE completed"
        }),
        Err(e) => Done::from(e),
    }
}

pub async fn status<S: MailStore>(
    cx: &mut Ctx<S>,
    m: &Mailbox<'static>,
    names: &[StatusDataItemName],
) -> Done {
    let (Some(actor), path) = (cx.actor.clone(), path_of(m)) else {
        return Done::bad("Log in first");
    };
    let path = match path {
        Ok(p) => p,
        Err(d) => return d,
    };
    let f = match cx.store.folder(&actor, &path).await {
        Ok(f) => f,
        Err(e) => return Done::from(e),
    };
    let nz = |v: u32| NonZeroU32::new(v).unwrap_or(NonZeroU32::MIN);
    let items: Vec<StatusDataItem> = names
        .iter()
        .filter_map(|n| match n {
            StatusDataItemName::Messages => Some(StatusDataItem::Messages(f.exists)),
            StatusDataItemName::Recent => Some(StatusDataItem::Recent(0)),
            StatusDataItemName::UidNext => Some(StatusDataItem::UidNext(nz(f.uid_next))),
            StatusDataItemName::UidValidity => {
                Some(StatusDataItem::UidValidity(nz(f.uid_validity)))
            }
            StatusDataItemName::Unseen => Some(StatusDataItem::Unseen(f.unseen)),
            StatusDataItemName::HighestModSeq => {
                cx.condstore = true;
                Some(StatusDataItem::HighestModSeq(f.highest_modseq))
            }
            _ => None,
        })
        .collect();
    cx.data(Data::Status {
        mailbox: mailbox_of(&f.path),
        items: Cow::Owned(items),
    });
    Done::ok("STATUS completed")
}
