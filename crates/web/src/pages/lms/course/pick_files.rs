//! `GET /kurse/material/{a}/dateien/auswahl`: choosing files of the own file areas for a
//! material, without a script. It lists the areas the editor may read (never the Safe), then
//! a folder's subfolders as links and its files as checkboxes; the form posts the ticked
//! files to the same address, where each becomes the material's file (the same stored
//! content, no copy).
//!
//! Whether the caller edits the material and may read a file, the domain decides: a material
//! one does not edit answers 404, a file one cannot read is not listed and named anyway
//! answers 404.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_front::AppState;
use schulhof_types::ActivityId;

use super::activity_id;
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
#[template(path = "lms/course/pick_files.html")]
struct PickPage {
    c: Chrome,
    action: String,
    back: String,
    material: String,
    crumbs: Vec<(String, String)>,
    folder_name: Option<String>,
    rows: Vec<PickRow>,
    shared: Vec<PickRow>,
}

fn picker_href(a: ActivityId, folder: &str) -> String {
    let base = format!("/kurse/material/{a}/dateien/auswahl");
    if folder.is_empty() {
        base
    } else {
        format!("{base}?ordner={}", url::encode(folder))
    }
}

/// `GET /kurse/material/{a}/dateien/auswahl`.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Query(q): Query<PickQuery>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    match page(&state, &r, a, q).await {
        Ok(resp) => resp,
        Err(e) => r.fail(e),
    }
}

async fn page(
    state: &AppState,
    r: &Ready,
    a: ActivityId,
    q: PickQuery,
) -> Result<Response, DomainError> {
    let tr = r.page.tr();
    let p = &state.platform;
    // Only the material's editors choose; anyone else gets 404 before any listing.
    let ctx = p.lms_activity_for_edit(&r.actor, a).await?;
    let list = listing(p, &r.actor, tr, &q.ordner, |f| picker_href(a, f)).await?;
    let view = PickPage {
        c: Chrome::new(&r.page, tr.t("lms.files.pick.title")).signed_in(&r.page, &r.actor),
        action: picker_href(a, ""),
        back: format!("/kurse/material/{a}/bearbeiten"),
        material: ctx.activity.title.clone(),
        crumbs: list.crumbs,
        folder_name: list.folder_name,
        rows: list.rows,
        shared: list.shared,
    };
    Ok(render::ok(&view))
}
