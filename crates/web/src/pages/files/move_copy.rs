//! `/dateien/{id}/verschieben`: moving or copying a folder or file into another folder,
//! chosen by walking the folders the caller may see (works without JavaScript).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, Located, Placement};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::Failure;
use crate::layout::Chrome;
use crate::pages::files::node::{Crumb, crumbs};
use crate::pages::files::{back_to, display_name, locate, node_href};
use crate::render;

#[derive(Template)]
#[template(path = "files/move.html")]
struct MovePage {
    c: Chrome,
    heading: String,
    /// Where the target folder is: its path, each part a link to choose it.
    target_crumbs: Vec<Crumb>,
    target_name: String,
    target_id: String,
    /// Subfolders of the target to go into.
    folders: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    action: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TargetQuery {
    #[serde(default)]
    ziel: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    ziel: String,
    #[serde(default)]
    aktion: String,
}

async fn target_of(
    state: &AppState,
    r: &Ready,
    node: &Located,
    ziel: &str,
) -> Result<(Located, FileEntry), DomainError> {
    if ziel.is_empty() {
        let parent = node.parent().ok_or(DomainError::NotFound)?;
        let id = parent.node().id.to_string();
        return locate(state, r, &id).await;
    }
    locate(state, r, ziel).await
}

async fn page(
    state: &AppState,
    r: &Ready,
    node: (&Located, &FileEntry),
    ziel: &str,
    error: Option<String>,
) -> Response {
    let tr = r.page.tr();
    let (target, target_entry) = match target_of(state, r, node.0, ziel).await {
        Ok(t) => t,
        Err(e) => return r.fail(e),
    };
    if !target_entry.is_dir {
        return r.fail(DomainError::NotFound);
    }
    let me = node.1.id;
    let here = format!("{}/verschieben", node_href(me));
    let folders = match state.platform.file_list(&r.actor, &target).await {
        Ok(list) => list
            .into_iter()
            .filter(|e| e.is_dir && e.id != me)
            .map(|e| (format!("{here}?ziel={}", e.id), display_name(tr, &e)))
            .collect(),
        Err(e) => return r.fail(e),
    };
    let areas = match state.platform.file_areas(&r.actor).await {
        Ok(a) => a
            .iter()
            .map(|e| (format!("{here}?ziel={}", e.id), display_name(tr, e)))
            .collect(),
        Err(e) => return r.fail(e),
    };
    let target_crumbs = crumbs(state, r, &target)
        .into_iter()
        .map(|c| Crumb {
            href: c
                .href
                .replace("/dateien/", &format!("{here}?ziel="))
                .replace(&format!("{here}?ziel={here}"), &here),
            ..c
        })
        .collect();
    let heading = tr
        .t("files.move.title")
        .replace("{name}", &display_name(tr, node.1));
    let view = MovePage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        target_crumbs,
        target_name: display_name(tr, &target_entry),
        target_id: target_entry.id.to_string(),
        folders,
        areas,
        action: here,
        error,
    };
    let status = if view.error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    render::html(status, &view)
}

pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<TargetQuery>,
) -> Response {
    match locate(&state, &r, &id).await {
        Ok((node, entry)) => page(&state, &r, (&node, &entry), &q.ziel, None).await,
        Err(e) => r.fail(e),
    }
}

pub async fn apply(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> Response {
    let tr = r.page.tr();
    let (node, entry) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let (target, _) = match target_of(&state, &r, &node, &f.ziel).await {
        Ok(t) => t,
        Err(e) => return r.fail(e),
    };
    let to = Placement {
        folder: &target,
        name: &entry.name,
    };
    let (result, ok) = if f.aktion == "kopieren" {
        (
            state.platform.file_copy(&r.actor, &node, to).await,
            "copied",
        )
    } else {
        (state.platform.file_move(&r.actor, &node, to).await, "moved")
    };
    match result {
        Ok(_) => back_to(&node_href(target.node().id), ok),
        Err(e) => {
            let message = Failure::from_domain("move", tr, &e).message;
            page(&state, &r, (&node, &entry), &f.ziel, Some(message)).await
        }
    }
}
