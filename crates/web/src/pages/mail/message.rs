//! `/mail/nachricht/{id}`: one message. Opening it marks it read. A plain text body is shown
//! escaped in the page; an HTML body is sanitised and shown in a sandboxed frame of its own
//! (`body.rs`), with images from the internet blocked until the reader asks for them.
//! Attachments are listed with their size and download as files.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::mail::{FlagOp, Flags, FolderInfo, MessageMeta, Special};
use schulhof_front::AppState;

use super::view::{self, View};
use super::{
    Sidebar, folder_href, folder_label, folder_path_label, message_href, ordered, parse_message,
    sanitize, sidebar,
};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::files::size_text;
use crate::render;
use crate::when::Zone;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ReadQuery {
    /// `1`: load images from the internet in the HTML body.
    #[serde(default)]
    pub bilder: Option<String>,
}

pub struct AttachmentRow {
    pub href: String,
    pub name: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct MessagePage {
    c: Chrome,
    side: Sidebar,
    id: String,
    base: String,
    subject: String,
    from: String,
    to: String,
    cc: String,
    /// Only the sender's own copy has them (Sent, Drafts): whom she wrote to in secret.
    bcc: String,
    date: String,
    date_iso: String,
    folder_name: String,
    folder_href: String,
    back_text: String,
    /// The text body, shown escaped.
    text: Option<String>,
    /// The frame's source for an HTML body.
    frame: Option<String>,
    /// Images were blocked: the link that shows them.
    show_images: Option<String>,
    unreadable: bool,
    attachments: Vec<AttachmentRow>,
    seen: bool,
    flagged: bool,
    draft: bool,
    in_trash: bool,
    /// In the Spam folder: "not spam" is offered instead of "spam".
    in_junk: bool,
    targets: Vec<(String, String)>,
    /// A mailbox given for reading only: no buttons that would change it.
    read_only: bool,
}

fn targets(r: &Ready, folders: &[FolderInfo], here: &MessageMeta) -> Vec<(String, String)> {
    let tr = r.page.tr();
    ordered(folders)
        .into_iter()
        .filter(|f| f.id != here.folder && f.special != Some(Special::Drafts))
        .map(|f| (f.id.to_string(), folder_path_label(tr, f)))
        .collect()
}

/// The frame's address and, if images were blocked, the link that shows them.
fn html_frame(base: &str, v: &View, images: bool) -> (Option<String>, Option<String>) {
    let Some(html) = &v.html else {
        return (None, None);
    };
    let src = format!("{base}/inhalt{}", if images { "?bilder=1" } else { "" });
    let blocked = !images && sanitize::clean(html, Default::default(), false).remote_images > 0;
    (
        Some(src),
        blocked.then(|| format!("{base}?bilder=1#inhalt")),
    )
}

/// `GET /mail/nachricht/{id}`.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<ReadQuery>,
) -> Response {
    match render_message(&state, &r, &id, q.bilder.as_deref() == Some("1")).await {
        Ok(resp) => resp,
        Err(e) => r.fail(e),
    }
}

async fn render_message(
    state: &AppState,
    r: &Ready,
    id: &str,
    images: bool,
) -> Result<Response, DomainError> {
    let tr = r.page.tr();
    let p = &state.platform;
    let id = parse_message(id)?;
    let mut meta = p.mail_message(&r.actor, id).await?;
    let raw = p.mail_raw(&r.actor, id).await?;
    if !meta.flags.seen {
        let seen = Flags {
            seen: true,
            ..Flags::default()
        };
        // A mailbox given for reading only keeps its flags: reading does not change it.
        match p.mail_set_flag(&r.actor, id, FlagOp::Add, seen).await {
            Ok(()) => meta.flags.seen = true,
            Err(DomainError::Forbidden) => {}
            Err(e) => return Err(e),
        }
    }
    let own = p.mail_folders(&r.actor).await?;
    let folders = if own.iter().any(|f| f.id == meta.folder) {
        own.clone()
    } else {
        p.mail_mailbox_folders(&r.actor, meta.folder).await?
    };
    let folder = folders
        .iter()
        .find(|f| f.id == meta.folder)
        .ok_or(DomainError::NotFound)?;
    let parsed = view::parse(&raw);
    let v = parsed.clone().unwrap_or_default();
    let base = message_href(id);
    let (frame, show_images) = html_frame(&base, &v, images);
    let zone = Zone::of(&r.actor);
    let date = v.date.unwrap_or(meta.received_at);
    let subject = if meta.subject.trim().is_empty() {
        tr.t("mail.no_subject").to_owned()
    } else {
        meta.subject.clone()
    };
    let folder_name = folder_label(tr, folder);
    let attachments = v
        .parts
        .iter()
        .filter(|a| !a.inline || frame.is_none())
        .map(|a| AttachmentRow {
            href: format!("{base}/anhang/{}", a.index),
            name: a.name.clone(),
            size: size_text(tr.0, a.size),
        })
        .collect();
    let side = sidebar(state, r, &own, Some(folder.id)).await?;
    let view = MessagePage {
        c: Chrome::new(&r.page, subject.clone()).signed_in(&r.page, &r.actor),
        side,
        subject,
        from: if v.from.is_empty() {
            meta.from_addr.clone()
        } else {
            v.from.clone()
        },
        to: v.to.join(", "),
        cc: v.cc.join(", "),
        bcc: v.bcc.join(", "),
        date: zone.datetime(tr, date),
        date_iso: date.to_rfc3339(),
        back_text: tr.t("mail.msg.back").replace("{folder}", &folder_name),
        folder_name,
        folder_href: folder_href(folder.id),
        text: if frame.is_some() {
            None
        } else {
            v.text.clone()
        },
        frame,
        show_images,
        unreadable: parsed.is_none(),
        attachments,
        seen: meta.flags.seen,
        flagged: meta.flags.flagged,
        draft: meta.flags.draft,
        in_trash: folder.special == Some(Special::Trash),
        in_junk: folder.special == Some(Special::Junk),
        targets: if folder.read_only {
            Vec::new()
        } else {
            targets(r, &folders, &meta)
        },
        read_only: folder.read_only,
        id: id.to_string(),
        base,
    };
    Ok(render::ok(&view))
}
