//! `/mail/einsicht` "Einsicht": four-eyes access to a person's mailbox. The Schulleitung asks
//! (login, reason, end date); a staff council member confirms on `/bestaetigungen`; then the
//! Schulleitung reads the mailbox here, read-only: folders, a page of messages, one message
//! as text (HTML is not rendered: nothing of it loads or runs). The admin assigns the staff
//! council here. The domain decides everything; these pages only show and ask.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use schulhof_domain::DomainError;
use schulhof_domain::mail::{FolderInfo, Special};
use schulhof_front::AppState;
use schulhof_types::FunctionRole;
use serde::Deserialize;
use uuid::Uuid;

use super::{folder_label, parse_message, view};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

pub const PATH: &str = "/mail/einsicht";

/// Messages per page of a folder.
const PAGE: u32 = 50;

struct Access {
    href: String,
    owner: String,
    reason: String,
    until: String,
}

#[derive(Template)]
#[template(path = "mail/inspection.html")]
struct ListPage {
    c: Chrome,
    may_request: bool,
    open: Vec<Access>,
    /// The staff council, when the viewer may manage it (the admin).
    council: Option<Vec<String>>,
}

/// `GET /mail/einsicht`
pub async fn list(State(state): State<AppState>, r: Ready) -> Response {
    let p = &state.platform;
    let (tr, zone) = (r.page.tr(), Zone::of(&r.actor));
    let open = match p.mail_inspections(&r.actor).await {
        Ok(o) => o,
        Err(e) => return r.fail(e),
    };
    let council = match p.mail_staff_council(&r.actor).await {
        Ok(c) => Some(c),
        Err(DomainError::Forbidden) => None,
        Err(e) => return r.fail(e),
    };
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("mail.insp.title")).signed_in(&r.page, &r.actor),
        // Only a hint which form to show; the domain decides on submit.
        may_request: r.actor.token.principal().is(FunctionRole::Schulleitung),
        open: open
            .into_iter()
            .map(|i| Access {
                href: format!("{PATH}/{}", i.id),
                owner: i.owner,
                reason: i.reason,
                until: zone.datetime(tr, i.until),
            })
            .collect(),
        council,
    };
    render::ok(&view)
}

#[derive(Deserialize)]
pub struct RequestForm {
    login: String,
    grund: String,
    /// The last day (school time zone) the access lasts, `YYYY-MM-DD`.
    bis: String,
}

/// `POST /mail/einsicht`: the Schulleitung asks.
pub async fn request(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<RequestForm>,
) -> Response {
    let zone = Zone::of(&r.actor);
    let Ok(day) = NaiveDate::parse_from_str(f.bis.trim(), "%Y-%m-%d") else {
        return r.fail(DomainError::invalid("until", "the end date is missing"));
    };
    let until = zone.end_of_day(day);
    match state
        .platform
        .mail_inspection_request(&r.actor, &f.login, &f.grund, until)
        .await
    {
        Ok(_) => Redirect::to(&format!("{PATH}?ok=inspection_requested")).into_response(),
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
pub struct CouncilForm {
    login: String,
    aktion: String,
}

/// `POST /mail/einsicht/personalvertretung`: the admin assigns or removes a member.
pub async fn council(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<CouncilForm>,
) -> Response {
    let member = f.aktion != "austragen";
    match state
        .platform
        .mail_set_staff_council(&r.actor, &f.login, member)
        .await
    {
        Ok(()) => Redirect::to(&format!("{PATH}?ok=council_saved")).into_response(),
        Err(e) => r.fail(e),
    }
}

struct FolderLink {
    href: String,
    name: String,
    current: bool,
}

struct MessageLine {
    href: String,
    from: String,
    subject: String,
    at: String,
}

#[derive(Template)]
#[template(path = "mail/inspection_box.html")]
struct BoxPage {
    c: Chrome,
    owner: String,
    reason: String,
    until: String,
    folders: Vec<FolderLink>,
    messages: Vec<MessageLine>,
    more: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct BoxQuery {
    ordner: Option<String>,
    ab: Option<u32>,
}

fn parse_id(s: &str) -> Result<Uuid, DomainError> {
    s.parse().map_err(|_| DomainError::NotFound)
}

fn chosen(folders: &[FolderInfo], want: Option<&str>) -> Option<FolderInfo> {
    let by_id = want.and_then(|w| folders.iter().find(|f| f.id.0.to_string() == w));
    by_id
        .or_else(|| folders.iter().find(|f| f.special == Some(Special::Inbox)))
        .cloned()
}

async fn box_page(
    state: &AppState,
    r: &Ready,
    id: &str,
    q: BoxQuery,
) -> Result<Response, DomainError> {
    let id = parse_id(id)?;
    let p = &state.platform;
    let (tr, zone) = (r.page.tr(), Zone::of(&r.actor));
    let (access, folders) = p.mail_inspection_folders(&r.actor, id).await?;
    let current = chosen(&folders, q.ordner.as_deref()).ok_or(DomainError::NotFound)?;
    let offset = q.ab.unwrap_or(0);
    let (msgs, total) = p
        .mail_inspection_page(&r.actor, id, current.id, offset, PAGE)
        .await?;
    let base = format!("{PATH}/{id}");
    let more = (offset + PAGE < total)
        .then(|| format!("{base}?ordner={}&ab={}", current.id.0, offset + PAGE));
    let view = BoxPage {
        c: Chrome::new(&r.page, tr.t("mail.insp.title")).signed_in(&r.page, &r.actor),
        owner: access.owner,
        reason: access.reason,
        until: zone.datetime(tr, access.until),
        folders: folders
            .iter()
            .map(|f| FolderLink {
                href: format!("{base}?ordner={}", f.id.0),
                name: folder_label(tr, f),
                current: f.id == current.id,
            })
            .collect(),
        messages: msgs
            .into_iter()
            .map(|m| MessageLine {
                href: format!("{base}/nachricht/{}", m.id.0),
                from: if m.from_name.is_empty() {
                    m.from_addr
                } else {
                    m.from_name
                },
                subject: m.subject,
                at: zone.datetime(tr, m.received_at),
            })
            .collect(),
        more,
    };
    Ok(render::ok(&view))
}

/// `GET /mail/einsicht/{id}`: the folders and one page of messages, read-only.
pub async fn mailbox(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<BoxQuery>,
) -> Response {
    box_page(&state, &r, &id, q)
        .await
        .unwrap_or_else(|e| r.fail(e))
}

#[derive(Template)]
#[template(path = "mail/inspection_message.html")]
struct MessagePage {
    c: Chrome,
    back: String,
    subject: String,
    from: String,
    to: String,
    date: String,
    text: Option<String>,
}

/// `GET /mail/einsicht/{id}/nachricht/{message}`: one message as text; logged.
pub async fn message(
    State(state): State<AppState>,
    r: Ready,
    Path((id, message)): Path<(String, String)>,
) -> Response {
    let shown = async {
        let (id, message) = (parse_id(&id)?, parse_message(&message)?);
        let (tr, zone) = (r.page.tr(), Zone::of(&r.actor));
        let (meta, raw) = state
            .platform
            .mail_inspection_message(&r.actor, id, message)
            .await?;
        let v = view::parse(&raw).unwrap_or_default();
        Ok::<_, DomainError>(render::ok(&MessagePage {
            c: Chrome::new(&r.page, tr.t("mail.insp.title")).signed_in(&r.page, &r.actor),
            back: format!("{PATH}/{id}?ordner={}", meta.folder.0),
            subject: meta.subject,
            from: v.from,
            to: v.to.join(", "),
            date: zone.datetime(tr, meta.received_at),
            text: v.text,
        }))
    };
    shown.await.unwrap_or_else(|e| r.fail(e))
}
