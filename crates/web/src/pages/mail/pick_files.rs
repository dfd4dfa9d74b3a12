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
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::files::picker::{PickRow, listing};
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
    let list = listing(p, &r.actor, tr, &q.ordner, |f| picker_href(&entwurf, f)).await?;
    let view = PickPage {
        c: Chrome::new(&r.page, tr.t("mail.pick.title")).signed_in(&r.page, &r.actor),
        entwurf,
        back,
        crumbs: list.crumbs,
        folder_name: list.folder_name,
        rows: list.rows,
        shared: list.shared,
    };
    Ok(render::ok(&view))
}
