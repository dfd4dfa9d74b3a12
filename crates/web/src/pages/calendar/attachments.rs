//! Attachments of an event: choosing files of the own file areas without a script (the
//! shared picker: areas, then a folder's subfolders as links and its files to tick; never
//! the Safe), removing one, and downloading one through the event's own address.
//!
//! An invitation's copy downloads the organiser's attachments through its own address.
//! Whether the caller changes the event, reads the event or may read a file, the domain
//! decides: an event one does not see, or sees only as busy time, answers 404 on every path.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::calendar::{CalendarError, CalendarId};
use schulhof_front::AppState;
use schulhof_types::NodeId;

use super::{event_href, parse_calendar};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::files::picker::{PickRow, listing};
use crate::render;
use crate::url;

#[derive(Debug, Default, serde::Deserialize)]
pub struct PickQuery {
    /// The folder shown; none: the areas.
    #[serde(default)]
    pub ordner: String,
}

#[derive(Template)]
#[template(path = "calendar/pick_files.html")]
struct PickPage {
    c: Chrome,
    action: String,
    back: String,
    event: String,
    crumbs: Vec<(String, String)>,
    folder_name: Option<String>,
    rows: Vec<PickRow>,
    shared: Vec<PickRow>,
}

fn picker_href(cal: CalendarId, href: &str, folder: &str) -> String {
    let base = format!("{}/anhaenge", event_href(cal, href));
    if folder.is_empty() {
        base
    } else {
        format!("{base}?ordner={}", url::encode(folder))
    }
}

/// `GET /kalender/{cal}/termin/{href}/anhaenge`: the picker, for who changes the event.
pub async fn pick_form(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    Query(q): Query<PickQuery>,
) -> Response {
    let cal = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let p = &state.platform;
    // Only who changes the event chooses; anyone else gets 404 or 403 before any listing.
    let obj = match p.calendar_may_attach(&r.actor, cal, &href).await {
        Ok(o) => o,
        Err(e) => return r.fail(e.into()),
    };
    let list = match listing(p, &r.actor, tr, &q.ordner, |f| picker_href(cal, &href, f)).await {
        Ok(l) => l,
        Err(e) => return r.fail(e),
    };
    render::ok(&PickPage {
        c: Chrome::new(&r.page, tr.t("cal.att.pick_title")).signed_in(&r.page, &r.actor),
        action: picker_href(cal, &href, ""),
        back: event_href(cal, &href),
        event: obj.summary,
        crumbs: list.crumbs,
        folder_name: list.folder_name,
        rows: list.rows,
        shared: list.shared,
    })
}

/// `POST /kalender/{cal}/termin/{href}/anhaenge`: the ticked files (`knoten`, repeated),
/// all or none.
pub async fn pick(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let cal = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let mut nodes = Vec::new();
    for (k, v) in &f {
        if k == "knoten" {
            let Ok(node) = v.trim().parse::<NodeId>() else {
                return r.fail(DomainError::invalid("knoten", tr.t("cal.att.unknown")));
            };
            nodes.push(node);
        }
    }
    if nodes.is_empty() {
        return r.fail(DomainError::invalid("knoten", tr.t("cal.att.none")));
    }
    match state
        .platform
        .calendar_attach_files(&r.actor, cal, &href, &nodes)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("{}?ok=cal_att_added", event_href(cal, &href))).into_response()
        }
        Err(e) => r.fail(e.into()),
    }
}

/// `POST /kalender/{cal}/termin/{href}/anhang/{id}/entfernen`.
pub async fn remove(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href, id)): Path<(String, String, String)>,
) -> Response {
    let (Ok(cal), Ok(id)) = (parse_calendar(&cal), uuid::Uuid::parse_str(&id)) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .calendar_remove_attachment(&r.actor, cal, &href, id)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("{}?ok=cal_att_removed", event_href(cal, &href))).into_response()
        }
        Err(e) => r.fail(e.into()),
    }
}

/// `GET /kalender/{cal}/termin/{href}/anhang/{id}`: the content, streamed, with ranges.
pub async fn download(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (Ok(cal), Ok(id)) = (parse_calendar(&cal), uuid::Uuid::parse_str(&id)) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    // The event's own attachment, else (an invitation's copy) one of the organiser's.
    let found = match p
        .calendar_attachment_content(&r.actor, cal, &href, id)
        .await
    {
        Err(CalendarError::NotFound) => {
            p.calendar_invitation_attachment_content(&r.actor, cal, &href, id)
                .await
        }
        other => other,
    };
    match found {
        Ok((info, sha, reader)) => {
            let what = schulhof_front::files::Download {
                name: &info.name,
                size: info.size,
                mime: Some(info.mime.as_str()).filter(|m| *m != "application/octet-stream"),
                etag: &sha,
            };
            schulhof_front::files::download_as(&what, reader, &headers).await
        }
        Err(e) => r.fail(e.into()),
    }
}
