//! Command dispatch: which commands each state allows, and the reports of changes made by
//! other sessions before a command's tagged answer.

pub mod append;
pub mod auth;
pub mod copy;
pub mod fetch;
pub mod mailbox;
pub mod qresync;
pub mod search;
pub mod select;
pub mod store;

use imap_types::command::{Command, CommandBody};
use imap_types::mailbox::Mailbox;

use crate::respond::Done;
use crate::selected::Selected;
use crate::session::Ctx;
use crate::store::MailStore;
use crate::utf7;

pub async fn command<S: MailStore>(cx: &mut Ctx<S>, cmd: Command<'static>) {
    let tag = cmd.tag;
    // EXPUNGE responses must not interrupt FETCH, STORE or SEARCH by sequence number
    // (RFC 3501 §7.4.1): changes then wait for the next command.
    let report = match &cmd.body {
        CommandBody::Fetch { uid, .. }
        | CommandBody::Store { uid, .. }
        | CommandBody::Search { uid, .. }
        | CommandBody::Copy { uid, .. } => *uid,
        _ => true,
    };
    let done = match cmd.body {
        CommandBody::Logout => {
            cx.untagged_bye("Logging out");
            let h = cx.finish(tag, Done::ok("LOGOUT completed"));
            cx.logout_after(h);
            return;
        }
        CommandBody::StartTLS => {
            match auth::starttls(cx) {
                Ok(()) => {
                    let h = cx.finish(tag, Done::ok("Begin TLS negotiation now"));
                    cx.starttls_after(h);
                }
                Err(done) => {
                    cx.finish(tag, done);
                }
            }
            return;
        }
        body => run(cx, body).await,
    };
    // A long answer left early: its responses are encoded all the same.
    cx.encode_long();
    if report && cx.actor.is_some() {
        cx.report_changes().await;
    }
    cx.finish(tag, done);
}

async fn run<S: MailStore>(cx: &mut Ctx<S>, body: CommandBody<'static>) -> Done {
    match body {
        CommandBody::Capability => auth::capability(cx),
        CommandBody::Noop | CommandBody::Check => Done::ok("NOOP completed"),
        CommandBody::Login { username, password } => {
            auth::login(cx, username.as_ref(), password.declassify().as_ref()).await
        }
        CommandBody::Id { .. } => auth::id(cx),
        CommandBody::Enable { capabilities } => auth::enable(cx, capabilities.as_ref()),
        CommandBody::Namespace => auth::namespace(cx),
        other if cx.actor.is_none() => Done::bad(format!("{} needs a login first", other.name())),
        CommandBody::List {
            reference,
            mailbox_wildcard,
        } => mailbox::list(cx, &reference, &mailbox_wildcard, false).await,
        CommandBody::Lsub {
            reference,
            mailbox_wildcard,
        } => mailbox::list(cx, &reference, &mailbox_wildcard, true).await,
        CommandBody::Create { mailbox } => mailbox::create(cx, &mailbox).await,
        CommandBody::Delete { mailbox } => mailbox::delete(cx, &mailbox).await,
        CommandBody::Rename { from, to } => mailbox::rename(cx, &from, &to).await,
        CommandBody::Subscribe { mailbox } => mailbox::subscribe(cx, &mailbox, true).await,
        CommandBody::Unsubscribe { mailbox } => mailbox::subscribe(cx, &mailbox, false).await,
        CommandBody::Status {
            mailbox,
            item_names,
        } => mailbox::status(cx, &mailbox, item_names.as_ref()).await,
        CommandBody::Select {
            mailbox,
            parameters,
        } => select::select(cx, &mailbox, &parameters, false).await,
        CommandBody::Examine {
            mailbox,
            parameters,
        } => select::select(cx, &mailbox, &parameters, true).await,
        CommandBody::Append {
            mailbox,
            flags,
            date,
            message,
        } => append::append(cx, &mailbox, &flags, date, message).await,
        CommandBody::GetQuota { root } => append::get_quota(cx, root.as_ref()).await,
        CommandBody::GetQuotaRoot { mailbox } => append::get_quota_root(cx, &mailbox).await,
        other if cx.selected.is_none() => {
            Done::bad(format!("{} needs a selected mailbox", other.name()))
        }
        CommandBody::Close => select::close(cx, true).await,
        CommandBody::Unselect => select::close(cx, false).await,
        CommandBody::Expunge => select::expunge(cx, None).await,
        CommandBody::ExpungeUid { sequence_set } => select::expunge(cx, Some(&sequence_set)).await,
        CommandBody::Fetch {
            sequence_set,
            macro_or_item_names,
            uid,
            modifiers,
        } => fetch::fetch(cx, &sequence_set, macro_or_item_names, uid, &modifiers).await,
        CommandBody::Store {
            sequence_set,
            kind,
            response,
            flags,
            uid,
            modifiers,
        } => {
            let how = store::How {
                kind,
                silent: response == imap_types::flag::StoreResponse::Silent,
                uid,
            };
            store::store(cx, &sequence_set, how, &flags, &modifiers).await
        }
        CommandBody::Search { criteria, uid, .. } => {
            search::search(cx, criteria.as_ref(), uid).await
        }
        CommandBody::Copy {
            sequence_set,
            mailbox,
            uid,
        } => copy::copy(cx, &sequence_set, &mailbox, uid, false).await,
        CommandBody::Move {
            sequence_set,
            mailbox,
            uid,
        } => copy::copy(cx, &sequence_set, &mailbox, uid, true).await,
        other => Done::bad(format!("{} is not supported", other.name())),
    }
}

/// The stored folder path a client's mailbox name means.
pub fn path_of(m: &Mailbox) -> Result<String, Done> {
    let raw = match m {
        Mailbox::Inbox => return Ok("INBOX".into()),
        Mailbox::Other(o) => o.as_ref(),
    };
    let text = std::str::from_utf8(raw).map_err(|_| Done::bad("Mailbox name is not UTF-8"))?;
    // Clients that speak modified UTF-7 never send '&' alone; others send UTF-8.
    let name = utf7::decode(text).unwrap_or_else(|| text.to_owned());
    let name = name.trim_end_matches('/');
    if name.is_empty() {
        return Err(Done::no("Empty mailbox name").other("CANNOT"));
    }
    if name.eq_ignore_ascii_case("inbox") {
        return Ok("INBOX".into());
    }
    Ok(name.to_owned())
}

/// How a stored folder path is named to the client.
pub fn mailbox_of(path: &str) -> Mailbox<'static> {
    if path.eq_ignore_ascii_case("inbox") {
        return Mailbox::Inbox;
    }
    Mailbox::try_from(utf7::encode(path)).unwrap_or(Mailbox::Inbox)
}

/// The logged-in actor and the selected folder (dispatch has checked both).
pub fn selected<S: MailStore>(cx: &Ctx<S>) -> Option<(S::Actor, &Selected)> {
    Some((cx.actor.clone()?, cx.selected.as_ref()?))
}
