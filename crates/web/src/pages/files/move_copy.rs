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
use crate::pages::files::{back_to, display_name, locate, node_href, visible_parent};
use crate::render;

#[derive(Template)]
#[template(path = "files/move.html")]
struct MovePage {
    c: Chrome,
    heading: String,
    /// What is being moved, by name.
    names: Vec<String>,
    /// Where the target folder is: its path, each part a link to choose it.
    target_crumbs: Vec<Crumb>,
    target_name: String,
    target_id: String,
    /// Subfolders of the target to go into.
    folders: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    action: String,
    /// The selection of a bulk move, posted again with the choice.
    ids: Vec<String>,
    /// The caller may move (not only copy) what was chosen.
    may_move: bool,
    back: String,
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

/// A target picker: for one node (`/verschieben`) or a selection (`/auswahl/ziel`).
pub struct Picking {
    /// The picker's own path and query, ending in `?` or `&`, to which `ziel=<id>` is added.
    pub here: String,
    /// Where the form posts.
    pub action: String,
    /// The ids of a selection (empty for one node, whose path says it).
    pub ids: Vec<String>,
    pub heading: String,
    pub names: Vec<String>,
    /// The folder to go back to without moving.
    pub back: String,
    /// Folders not offered as targets (what is being moved).
    pub exclude: Vec<schulhof_types::NodeId>,
    /// Offer moving, not only copying.
    pub may_move: bool,
}

async fn target_of(
    state: &AppState,
    r: &Ready,
    node: &Located,
    ziel: &str,
) -> Result<(Located, FileEntry), DomainError> {
    if !ziel.is_empty() {
        return locate(state, r, ziel).await;
    }
    let parent = node.parent().ok_or(DomainError::NotFound)?;
    match locate(state, r, &parent.node().id.to_string()).await {
        // Shared with the caller alone: the folder around it is not theirs to see, so the
        // walk starts in their own area (where a copy can go).
        Err(DomainError::NotFound) => {
            let own = state.platform.file_areas(&r.actor).await?;
            let first = own.first().ok_or(DomainError::NotFound)?;
            locate(state, r, &first.id.to_string()).await
        }
        found => found,
    }
}

/// The picker with the target folder `ziel` open.
pub async fn pick_page(
    state: &AppState,
    r: &Ready,
    p: Picking,
    ziel: &str,
    error: Option<String>,
) -> Response {
    let tr = r.page.tr();
    let (target, target_entry) = match locate(state, r, ziel).await {
        Ok(t) => t,
        Err(e) => return r.fail(e),
    };
    if !target_entry.is_dir {
        return r.fail(DomainError::NotFound);
    }
    let here = &p.here;
    let folders = match state.platform.file_list(&r.actor, &target).await {
        Ok(list) => list
            .into_iter()
            .filter(|e| e.is_dir && !p.exclude.contains(&e.id))
            .map(|e| (format!("{here}ziel={}", e.id), display_name(tr, &e)))
            .collect(),
        Err(e) => return r.fail(e),
    };
    let areas = match state.platform.file_areas(&r.actor).await {
        Ok(a) => a
            .iter()
            .map(|e| (format!("{here}ziel={}", e.id), display_name(tr, e)))
            .collect(),
        Err(e) => return r.fail(e),
    };
    let target_crumbs = crumbs(state, r, &target)
        .into_iter()
        .map(|c| Crumb {
            href: format!("{here}ziel={}", c.href.trim_start_matches("/dateien/")),
            ..c
        })
        .collect();
    let view = MovePage {
        c: Chrome::new(&r.page, p.heading.clone()).signed_in(&r.page, &r.actor),
        heading: p.heading,
        names: p.names,
        target_crumbs,
        target_name: display_name(tr, &target_entry),
        target_id: target_entry.id.to_string(),
        folders,
        areas,
        action: p.action,
        ids: p.ids,
        may_move: p.may_move,
        back: p.back,
        error,
    };
    let status = if view.error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    render::html(status, &view)
}

async fn page(
    state: &AppState,
    r: &Ready,
    node: (&Located, &FileEntry),
    ziel: &str,
    error: Option<String>,
) -> Response {
    let tr = r.page.tr();
    let ziel = match target_of(state, r, node.0, ziel).await {
        Ok((t, _)) => t.node().id.to_string(),
        Err(e) => return r.fail(e),
    };
    let me = node.1.id;
    let name = display_name(tr, node.1);
    let picking = Picking {
        here: format!("{}/verschieben?", node_href(me)),
        action: format!("{}/verschieben", node_href(me)),
        ids: Vec::new(),
        heading: tr.t("files.move.title").replace("{name}", &name),
        names: Vec::new(),
        back: visible_parent(state, r, node.0).map_or_else(|| node_href(me), node_href),
        exclude: vec![me],
        may_move: state.platform.file_caps(&r.actor, node.0).relocate,
    };
    pick_page(state, r, picking, &ziel, error).await
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
        // The mover stays where they were: back in the folder the node came from.
        Ok(_) => {
            let from = node.parent().map_or(target.node().id, |p| p.node().id);
            back_to(&node_href(from), ok)
        }
        Err(e) => {
            let message = Failure::from_domain("move", tr, &e).message;
            page(&state, &r, (&node, &entry), &f.ziel, Some(message)).await
        }
    }
}
