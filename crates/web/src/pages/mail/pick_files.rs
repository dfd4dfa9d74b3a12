//! `/mail/neu/dateien`: choosing attachments from the own file areas, without a script. The
//! compose form's button keeps the message as a draft and comes here; this page lists the
//! areas one may read (never the Safe), then a folder's subfolders as links and its files
//! as checkboxes; its form goes back to `/mail/neu?entwurf=…&datei=…&datei=…`, where the
//! files are listed ticked and attached on sending. `mail.js` shows the same list in a
//! dialog on the compose page instead.
//!
//! What is listed and what is attached, the file services decide with the files policy:
//! a file one cannot read is not listed, and named anyway it answers 404.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::files::FileEntry;
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::files::{area_title, display_name, parse_node, size_text};
use crate::render;
use crate::url;

#[derive(Debug, Default, serde::Deserialize)]
pub struct PickQuery {
    /// The draft the chosen files go back to.
    #[serde(default)]
    pub entwurf: String,
    /// The folder shown; none: the areas.
    #[serde(default)]
    pub ordner: String,
}

/// A folder to open, or a file to tick.
pub struct PickRow {
    pub id: String,
    pub name: String,
    /// A folder's link in the picker.
    pub href: Option<String>,
    pub size: String,
}

#[derive(Template)]
#[template(path = "mail/pick_files.html")]
struct PickPage {
    c: Chrome,
    entwurf: String,
    back: String,
    crumbs: Vec<(String, String)>,
    folder_name: Option<String>,
    rows: Vec<PickRow>,
    shared: Vec<PickRow>,
}

fn picker_href(entwurf: &str, folder: &str) -> String {
    let mut h = format!("/mail/neu/dateien?ordner={}", url::encode(folder));
    if !entwurf.is_empty() {
        h.push_str("&entwurf=");
        h.push_str(&url::encode(entwurf));
    }
    h
}

fn rows_of(r: &Ready, entwurf: &str, entries: &[FileEntry]) -> Vec<PickRow> {
    let tr = r.page.tr();
    let mut rows: Vec<PickRow> = entries
        .iter()
        .filter(|e| !e.area_value.is_safe())
        .map(|e| PickRow {
            id: e.id.to_string(),
            name: display_name(tr, e),
            href: e.is_dir.then(|| picker_href(entwurf, &e.id.to_string())),
            size: if e.is_dir {
                String::new()
            } else {
                size_text(tr.0, e.size)
            },
        })
        .collect();
    // Folders first, as the file manager lists them.
    rows.sort_by_key(|r| r.href.is_none());
    rows
}

/// `GET /mail/neu/dateien`.
pub async fn show(State(state): State<AppState>, r: Ready, Query(q): Query<PickQuery>) -> Response {
    match page(&state, &r, q).await {
        Ok(resp) => resp,
        Err(e) => r.fail(e),
    }
}

async fn page(state: &AppState, r: &Ready, q: PickQuery) -> Result<Response, DomainError> {
    let tr = r.page.tr();
    let p = &state.platform;
    // The draft must be the caller's (a made-up one is 404 here, not later).
    let entwurf = match q.entwurf.trim() {
        "" => String::new(),
        id => {
            let m = p.mail_message(&r.actor, super::parse_message(id)?).await?;
            if !m.flags.draft {
                return Err(DomainError::NotFound);
            }
            id.to_owned()
        }
    };
    let back = if entwurf.is_empty() {
        "/mail/neu".to_owned()
    } else {
        format!("/mail/neu?entwurf={}", url::encode(&entwurf))
    };
    let (crumbs, folder_name, rows, shared) = if q.ordner.is_empty() {
        let areas = p.file_areas(&r.actor).await?;
        let shared = p.file_shared_with_me(&r.actor).await?;
        (
            Vec::new(),
            None,
            rows_of(r, &entwurf, &areas),
            rows_of(r, &entwurf, &shared),
        )
    } else {
        let id = parse_node(&q.ordner).ok_or(DomainError::NotFound)?;
        let folder = p.locate(&r.actor, id).await?;
        if folder.area.is_safe() || !folder.node().is_dir {
            return Err(DomainError::NotFound);
        }
        let children = p.file_list(&r.actor, &folder).await?;
        let mut crumbs: Vec<(String, String)> = vec![(
            picker_href(&entwurf, ""),
            tr.t("mail.pick.areas").to_owned(),
        )];
        let trail = p.file_breadcrumbs(&r.actor, &folder);
        let here = trail.last().map(|(_, n)| n.clone());
        for (i, (node, name)) in trail.iter().enumerate() {
            let name = if i == 0 && folder.rows.len() == trail.len() {
                area_title(tr, folder.area.as_str()).to_owned()
            } else {
                name.clone()
            };
            if i + 1 < trail.len() {
                crumbs.push((picker_href(&entwurf, &node.to_string()), name));
            }
        }
        let name = if folder.node().parent_id.is_none() {
            Some(area_title(tr, folder.area.as_str()).to_owned())
        } else {
            here
        };
        (crumbs, name, rows_of(r, &entwurf, &children), Vec::new())
    };
    let view = PickPage {
        c: Chrome::new(&r.page, tr.t("mail.pick.title")).signed_in(&r.page, &r.actor),
        entwurf,
        back,
        crumbs,
        folder_name,
        rows,
        shared,
    };
    Ok(render::ok(&view))
}
