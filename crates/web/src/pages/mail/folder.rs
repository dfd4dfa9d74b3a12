//! `/mail` (the inbox) and `/mail/ordner/{id}`: a folder's messages, newest first, a page at a
//! time, beside the folder list. Unread messages are bold, flagged ones marked.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::mail::{FolderInfo, MessageMeta, Special};
use schulhof_front::AppState;
use schulhof_types::MailFolderId;

use super::{Sidebar, folder_href, folder_label, message_href, parse_folder, sidebar};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::files::size_text;
use crate::render;
use crate::when::Zone;

/// Messages on one page of a folder.
pub const PAGE: u32 = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub seite: Option<u32>,
    /// `ja`: every message of the page comes ticked (select all, without a script).
    #[serde(default)]
    pub alle: Option<String>,
}

/// One line of a message list.
pub struct Row {
    /// The message id (the bulk form's checkbox value).
    pub id: String,
    pub href: String,
    /// The sender, or in Sent and Drafts the recipients.
    pub who: String,
    pub subject: String,
    pub preview: String,
    pub date: String,
    pub date_iso: String,
    pub size: String,
    pub unread: bool,
    pub flagged: bool,
    pub attachment: bool,
    pub draft: bool,
    /// The folder's name, in search results.
    pub folder: String,
}

pub struct Pager {
    pub text: String,
    pub newer: Option<String>,
    pub older: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/folder.html")]
struct FolderPage {
    c: Chrome,
    side: Sidebar,
    heading: String,
    caption: String,
    /// "An" instead of "Von" in Sent and Drafts.
    who_label: &'static str,
    rows: Vec<Row>,
    pager: Option<Pager>,
    /// The trash offers to empty itself.
    empty_trash: bool,
    /// Own folders can be renamed and deleted.
    manage: Option<String>,
    bulk: Bulk,
    /// A mailbox given for reading only: no buttons that would change it.
    read_only: bool,
    script: String,
}

/// The folder page's bulk form: where it posts, the folders to move to, and the links that
/// tick every message of the page (or none) without a script.
pub struct Bulk {
    pub action: String,
    pub page: u32,
    pub targets: Vec<(String, String)>,
    pub all: bool,
    pub all_href: String,
    pub in_trash: bool,
}

/// The folders one may move messages of `here` to: all others but Drafts.
pub fn move_targets(
    r: &Ready,
    folders: &[FolderInfo],
    here: MailFolderId,
) -> Vec<(String, String)> {
    let tr = r.page.tr();
    super::ordered(folders)
        .into_iter()
        .filter(|f| f.id != here && f.special != Some(Special::Drafts))
        .map(|f| (f.id.to_string(), super::folder_path_label(tr, f)))
        .collect()
}

/// A list row for a message.
pub fn row(r: &Ready, m: &MessageMeta, outgoing: bool) -> Row {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let who = if outgoing {
        m.to.clone()
    } else if m.from_name.is_empty() {
        m.from_addr.clone()
    } else {
        m.from_name.clone()
    };
    let subject = if m.subject.trim().is_empty() {
        tr.t("mail.no_subject").to_owned()
    } else {
        m.subject.clone()
    };
    Row {
        id: m.id.to_string(),
        href: message_href(m.id),
        who,
        subject,
        preview: m.preview.clone(),
        date: zone.datetime(tr, m.received_at),
        date_iso: m.received_at.to_rfc3339(),
        size: size_text(tr.0, m.size),
        unread: !m.flags.seen,
        flagged: m.flags.flagged,
        attachment: m.has_attachments,
        draft: m.flags.draft,
        folder: String::new(),
    }
}

fn is_outgoing(f: &FolderInfo) -> bool {
    matches!(f.special, Some(Special::Sent) | Some(Special::Drafts))
}

/// `GET /mail`: the inbox.
pub async fn inbox(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<PageQuery>,
) -> Response {
    match render_folder(&state, &r, None, &q).await {
        Ok(resp) => resp,
        Err(e) => r.fail(e),
    }
}

/// `GET /mail/ordner/{id}`.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let id = match parse_folder(&id) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    match render_folder(&state, &r, Some(id), &q).await {
        Ok(resp) => resp,
        Err(e) => r.fail(e),
    }
}

async fn render_folder(
    state: &AppState,
    r: &Ready,
    id: Option<MailFolderId>,
    q: &PageQuery,
) -> Result<Response, DomainError> {
    let page = q.seite.unwrap_or(1);
    let tr = r.page.tr();
    let own = state.platform.mail_folders(&r.actor).await?;
    // A folder of a mailbox given to the viewer: that mailbox's folders are the context
    // (move targets); the side bar keeps the own ones.
    let folders = match id {
        Some(id) if !own.iter().any(|f| f.id == id) => {
            state.platform.mail_mailbox_folders(&r.actor, id).await?
        }
        _ => own.clone(),
    };
    let folder = folders
        .iter()
        .find(|f| match id {
            Some(id) => f.id == id,
            None => f.special == Some(Special::Inbox),
        })
        .ok_or(DomainError::NotFound)?;
    let page = page.max(1);
    let offset = (page - 1).saturating_mul(PAGE);
    let (metas, total) = state
        .platform
        .mail_page(&r.actor, folder.id, offset, PAGE)
        .await?;
    let outgoing = is_outgoing(folder);
    let rows = metas.iter().map(|m| row(r, m, outgoing)).collect();
    let pages = total.div_ceil(PAGE).max(1);
    let base = folder_href(folder.id);
    let pager = (pages > 1).then(|| Pager {
        text: tr
            .t("mail.page_of")
            .replace("{n}", &page.to_string())
            .replace("{m}", &pages.to_string()),
        newer: (page > 1).then(|| format!("{base}?seite={}", page - 1)),
        older: (page < pages).then(|| format!("{base}?seite={}", page + 1)),
    });
    let label = folder_label(tr, folder);
    let side = sidebar(state, r, &own, Some(folder.id)).await?;
    let all = q.alle.as_deref() == Some("ja");
    let bulk = Bulk {
        action: format!("{base}/auswahl"),
        page,
        targets: move_targets(r, &folders, folder.id),
        all,
        all_href: if all {
            format!("{base}?seite={page}")
        } else {
            format!("{base}?seite={page}&alle=ja")
        },
        in_trash: folder.special == Some(Special::Trash),
    };
    let view = FolderPage {
        c: Chrome::new(&r.page, format!("{label} · {}", tr.t("mail.title")))
            .signed_in(&r.page, &r.actor),
        side,
        caption: tr.t("mail.list.caption").replace("{folder}", &label),
        heading: label,
        who_label: if outgoing {
            tr.t("mail.col.to")
        } else {
            tr.t("mail.col.from")
        },
        rows,
        pager,
        empty_trash: folder.special == Some(Special::Trash) && total > 0 && !folder.read_only,
        manage: (folder.special.is_none() && !folder.read_only).then_some(base),
        bulk,
        read_only: folder.read_only,
        script: crate::assets::href("mail.js"),
    };
    Ok(render::ok(&view))
}
