//! `/mail`: the webmail. Folders with their messages, reading a message, writing one, search,
//! and the own folders. Every page works with plain links and forms; `mail.js` adds address
//! suggestions and saves drafts by itself while one writes.
//!
//! The pages call the mail service of the domain, the same one IMAP and SMTP use; it decides
//! whose mailbox is whose (another person's message id answers 404) and whom one may write.

pub mod abuse;
pub mod abuse_scope;
pub mod actions;
pub mod admin;
pub mod attachment;
pub mod body;
pub mod bulk;
pub mod card;
pub mod compose;
mod compose_form;
pub mod delegation;
pub mod filter_web;
pub mod folder;
pub mod folders;
pub mod inspection;
pub mod message;
pub mod pick_files;
pub mod quarantine;
mod reply;
mod sanitize;
pub mod search;
pub mod suggest;
pub mod trash;
mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_domain::mail::{FolderInfo, Special};
use schulhof_front::AppState;
use schulhof_types::{MailFolderId, MailMessageId};

use crate::auth::Ready;
use crate::i18n::Tr;
use crate::pages::files::size_text;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mail", get(folder::inbox))
        .route(
            "/mail/ordner/neu",
            get(folders::new_form).post(folders::create),
        )
        .route("/mail/ordner/{id}", get(folder::show))
        .route("/mail/ordner/{id}/auswahl", post(bulk::apply))
        .route(
            "/mail/ordner/{id}/umbenennen",
            get(folders::rename_form).post(folders::rename),
        )
        .route(
            "/mail/ordner/{id}/loeschen",
            get(folders::delete_confirm).post(folders::delete),
        )
        .route(
            "/mail/papierkorb/leeren",
            get(trash::confirm).post(trash::empty),
        )
        .route("/mail/neu/dateien", get(pick_files::show))
        .route(
            "/mail/stellvertretung",
            get(delegation::show).post(delegation::save),
        )
        .route(
            inspection::PATH,
            get(inspection::list).post(inspection::request),
        )
        .route(
            "/mail/einsicht/personalvertretung",
            post(inspection::council),
        )
        .route("/mail/einsicht/{id}", get(inspection::mailbox))
        .route(
            "/mail/einsicht/{id}/nachricht/{message}",
            get(inspection::message),
        )
        .route("/mail/suche", get(search::show))
        .route("/mail/adressen", get(suggest::addresses))
        .route("/mail/nachricht/{id}", get(message::show))
        .route("/mail/nachricht/{id}/inhalt", get(body::html))
        .route("/mail/nachricht/{id}/anhang/{n}", get(attachment::download))
        .route("/mail/nachricht/{id}/markieren", post(actions::mark))
        .route("/mail/nachricht/{id}/verschieben", post(actions::move_to))
        .route("/mail/nachricht/{id}/loeschen", post(actions::delete))
        .route("/mail/nachricht/{id}/spam", post(filter_web::mark))
        // Attachments arrive in the form: up to the largest message, and room for the text.
        .route(
            "/mail/neu",
            get(compose::show)
                .post(compose::submit)
                .layer(DefaultBodyLimit::max(compose::MAX_FORM)),
        )
}

pub fn folder_href(id: MailFolderId) -> String {
    format!("/mail/ordner/{id}")
}

pub fn message_href(id: MailMessageId) -> String {
    format!("/mail/nachricht/{id}")
}

pub fn parse_folder(s: &str) -> Result<MailFolderId, DomainError> {
    s.parse().map_err(|_| DomainError::NotFound)
}

pub fn parse_message(s: &str) -> Result<MailMessageId, DomainError> {
    s.parse().map_err(|_| DomainError::NotFound)
}

/// After an action: back to `path` with the message `ok.<key>`.
pub fn back_to(path: &str, ok: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={ok}")).into_response()
}

/// The name a folder is shown with: the standard folders by their name in the page's
/// language, own folders by their last level.
pub fn folder_label(tr: Tr, f: &FolderInfo) -> String {
    match f.special {
        Some(s) => tr.t(&format!("mail.special.{}", s.as_str())).to_owned(),
        None => f.path.rsplit('/').next().unwrap_or(&f.path).to_owned(),
    }
}

/// The whole path of an own folder for pickers ("Projekte / 2026"), the name of a standard one.
pub fn folder_path_label(tr: Tr, f: &FolderInfo) -> String {
    match f.special {
        Some(_) => folder_label(tr, f),
        None => f.path.replace('/', " / "),
    }
}

fn special_rank(s: Special) -> usize {
    Special::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// The folders in the order of the side bar: the standard ones first, in their fixed order,
/// then the own ones by name, each followed by the folders inside it.
pub fn ordered(folders: &[FolderInfo]) -> Vec<&FolderInfo> {
    let top_rank = |f: &FolderInfo| {
        let top = f.path.split('/').next().unwrap_or("");
        folders
            .iter()
            .find(|x| x.path == top)
            .and_then(|x| x.special)
            .map_or(Special::ALL.len(), special_rank)
    };
    let mut list: Vec<&FolderInfo> = folders.iter().collect();
    list.sort_by_cached_key(|f| {
        let levels: Vec<String> = f.path.split('/').map(str::to_lowercase).collect();
        (top_rank(f), levels)
    });
    list
}

/// One entry of the side bar.
pub struct SideEntry {
    pub href: String,
    pub label: String,
    pub icon: &'static str,
    pub unseen: u32,
    pub unseen_text: String,
    pub current: bool,
    /// How deep an own folder nests (0 at the top), at most 4 for the indentation.
    pub depth: usize,
}

/// The side bar of every webmail page: the folders and the storage used.
pub struct Sidebar {
    pub entries: Vec<SideEntry>,
    pub usage: String,
    pub used: u64,
    pub quota: u64,
    /// The link to "Stellvertretung" (delegation), in the page's language.
    pub delegation: &'static str,
}

fn icon_of(s: Option<Special>) -> &'static str {
    match s {
        Some(Special::Inbox) => "i-mail",
        Some(Special::Drafts) => "i-rename",
        Some(Special::Sent) => "i-upload",
        Some(Special::Trash) => "i-delete",
        Some(Special::Junk) => "i-warning",
        Some(Special::Archive) => "i-archive",
        None => "i-folder",
    }
}

/// The side bar for `folders`, with `current` marked.
pub async fn sidebar(
    state: &AppState,
    r: &Ready,
    folders: &[FolderInfo],
    current: Option<MailFolderId>,
) -> Result<Sidebar, DomainError> {
    let tr = r.page.tr();
    let (used, quota) = state.platform.mail_usage(&r.actor).await?;
    let mut entries: Vec<SideEntry> = ordered(folders)
        .into_iter()
        .map(|f| SideEntry {
            href: folder_href(f.id),
            label: folder_label(tr, f),
            icon: icon_of(f.special),
            unseen: f.unseen,
            unseen_text: tr
                .t("mail.unread_count")
                .replace("{n}", &f.unseen.to_string()),
            current: current == Some(f.id),
            depth: f.path.matches('/').count().min(4),
        })
        .collect();
    // Mailboxes given to the viewer, beside the own: their folders one level in.
    for mb in state.platform.mail_delegated_folders(&r.actor).await? {
        for f in ordered(&mb.folders) {
            let top = f.path == "INBOX";
            entries.push(SideEntry {
                href: folder_href(f.id),
                label: if top {
                    format!("{} ({})", mb.name, mb.login)
                } else {
                    folder_label(tr, f)
                },
                icon: if top { "i-users" } else { icon_of(f.special) },
                unseen: f.unseen,
                unseen_text: tr
                    .t("mail.unread_count")
                    .replace("{n}", &f.unseen.to_string()),
                current: current == Some(f.id),
                depth: if top {
                    0
                } else {
                    (f.path.matches('/').count() + 1).min(4)
                },
            });
        }
    }
    Ok(Sidebar {
        entries,
        delegation: delegation::text(tr, "title"),
        usage: tr
            .t("mail.usage")
            .replace("{used}", &size_text(tr.0, used))
            .replace("{quota}", &size_text(tr.0, quota)),
        used,
        quota,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, special: Option<Special>) -> FolderInfo {
        FolderInfo {
            id: MailFolderId::new(),
            path: path.into(),
            special,
            uid_validity: 1,
            uid_next: 1,
            highest_modseq: 0,
            exists: 0,
            unseen: 0,
            subscribed: true,
            size: 0,
            read_only: false,
        }
    }

    #[test]
    fn standard_folders_first_then_own_ones_nested() {
        let all = vec![
            f("Projekte/b", None),
            f("Trash", Some(Special::Trash)),
            f("Archive/2026", None),
            f("Projekte", None),
            f("INBOX", Some(Special::Inbox)),
            f("Projekte 2", None),
            f("Archive", Some(Special::Archive)),
            f("Sent", Some(Special::Sent)),
        ];
        let paths: Vec<&str> = ordered(&all).iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "INBOX",
                "Sent",
                "Trash",
                "Archive",
                "Archive/2026",
                "Projekte",
                "Projekte/b",
                "Projekte 2"
            ]
        );
    }
}
