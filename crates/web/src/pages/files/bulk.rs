//! Several entries of a folder at once: the list's checkboxes post here with a button that
//! names the action (move, copy, delete, download as ZIP); and a whole folder as ZIP.
//! Every selected id must be a child of the folder the caller sees, else nothing happens
//! and the answer is 404.

use axum::Form;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_domain::files::{Located, Placement};
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::forms::Failure;
use crate::pages::files::move_copy::{Picking, pick_page};
use crate::pages::files::node::{Typed, render_node};
use crate::pages::files::{back_to, display_name, locate, node_href};
use crate::url;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dateien/{id}/auswahl", post(apply))
        .route("/dateien/{id}/auswahl/ziel", get(choose_target))
        .route("/dateien/{id}/zip", get(folder_zip))
}

/// What a bulk form sends: the checked ids (`id`, repeated), the button (`aktion`) and,
/// once chosen, the target folder (`ziel`).
#[derive(Debug, Default)]
pub struct Selection {
    pub ids: Vec<String>,
    pub aktion: String,
    pub ziel: String,
}

impl Selection {
    fn from_pairs(pairs: Vec<(String, String)>) -> Selection {
        let mut s = Selection::default();
        for (k, v) in pairs {
            match k.as_str() {
                "id" => s.ids.push(v),
                "aktion" => s.aktion = v,
                "ziel" => s.ziel = v,
                _ => {}
            }
        }
        s
    }

    /// The query of the target picker, without `ziel`.
    pub fn query(&self) -> String {
        let mut q = format!("aktion={}", url::encode(&self.aktion));
        for id in &self.ids {
            q.push_str("&id=");
            q.push_str(&url::encode(id));
        }
        q
    }
}

/// The folder and the selected nodes in it, each located for the caller. Anything that is
/// not a visible child of the folder answers `NotFound`.
async fn selected(
    state: &AppState,
    r: &Ready,
    id: &str,
    ids: &[String],
) -> Result<(Located, Vec<Located>), DomainError> {
    let (folder, entry) = locate(state, r, id).await?;
    if !entry.is_dir {
        return Err(DomainError::NotFound);
    }
    let mut nodes = Vec::with_capacity(ids.len());
    for node_id in ids {
        let (node, _) = locate(state, r, node_id).await?;
        if node.node().parent_id != Some(folder.node().id) {
            return Err(DomainError::NotFound);
        }
        if !nodes
            .iter()
            .any(|n: &Located| n.node().id == node.node().id)
        {
            nodes.push(node);
        }
    }
    Ok((folder, nodes))
}

/// `POST /dateien/{id}/auswahl`.
pub async fn apply(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let sel = Selection::from_pairs(pairs);
    let (folder, nodes) = match selected(&state, &r, &id, &sel.ids).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let base = node_href(folder.node().id);
    if nodes.is_empty() {
        return back_to(&base, "bulk_none");
    }
    match sel.aktion.as_str() {
        "zip" => {
            let name = r.page.tr().t("manager.zip.selection");
            zip_response(&state, &r, &nodes, name).await
        }
        "loeschen" => delete_all(&state, &r, (&id, &base), &nodes).await,
        "verschieben" | "kopieren" if sel.ziel.is_empty() => {
            Redirect::to(&format!("{base}/auswahl/ziel?{}", sel.query())).into_response()
        }
        "verschieben" | "kopieren" => place_all(&state, &r, &folder, &nodes, &sel).await,
        _ => r.fail(DomainError::NotFound),
    }
}

async fn delete_all(
    state: &AppState,
    r: &Ready,
    (id, base): (&str, &str),
    nodes: &[Located],
) -> Response {
    let p = &state.platform;
    let done = async {
        p.file_check_all(&r.actor, nodes, true)?;
        for node in nodes {
            p.file_delete(&r.actor, node).await?;
        }
        Ok::<_, DomainError>(())
    }
    .await;
    match done {
        Ok(()) => back_to(base, "bulk_deleted"),
        Err(e) => bulk_failed(state, r, id, e).await,
    }
}

/// Moves or copies the selection into `sel.ziel`; back in the source folder afterwards.
async fn place_all(
    state: &AppState,
    r: &Ready,
    folder: &Located,
    nodes: &[Located],
    sel: &Selection,
) -> Response {
    let p = &state.platform;
    let copy = sel.aktion == "kopieren";
    let id = folder.node().id.to_string();
    let done = async {
        let (target, target_entry) = locate(state, r, &sel.ziel).await?;
        if !target_entry.is_dir {
            return Err(DomainError::NotFound);
        }
        p.file_check_all(&r.actor, nodes, !copy)?;
        for node in nodes {
            let Some(name) = node.entry(&r.actor).map(|e| e.name) else {
                return Err(DomainError::NotFound);
            };
            let to = Placement {
                folder: &target,
                name: &name,
            };
            if copy {
                p.file_copy(&r.actor, node, to).await?;
            } else {
                p.file_move(&r.actor, node, to).await?;
            }
        }
        Ok(())
    }
    .await;
    match done {
        Ok(()) => back_to(
            &node_href(folder.node().id),
            if copy { "bulk_copied" } else { "bulk_moved" },
        ),
        Err(DomainError::NotFound) => r.fail(DomainError::NotFound),
        Err(e) => bulk_failed(state, r, &id, e).await,
    }
}

/// The folder page again with the refusal on top (what was done before it stays done).
async fn bulk_failed(state: &AppState, r: &Ready, id: &str, e: DomainError) -> Response {
    if matches!(e, DomainError::NotFound) {
        return r.fail(e);
    }
    let failure = Failure::from_domain("bulk", r.page.tr(), &e);
    render_node(state, r, id, Some(&failure), &Typed::default()).await
}

/// `GET /dateien/{id}/auswahl/ziel?aktion=…&id=…&ziel=…`: choosing the target folder of a
/// bulk move or copy by walking the folders, without JavaScript.
pub async fn choose_target(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let sel = Selection::from_pairs(pairs);
    let (folder, nodes) = match selected(&state, &r, &id, &sel.ids).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let base = node_href(folder.node().id);
    if nodes.is_empty() {
        return back_to(&base, "bulk_none");
    }
    let tr = r.page.tr();
    let names: Vec<String> = nodes
        .iter()
        .filter_map(|n| n.entry(&r.actor))
        .map(|e| display_name(tr, &e))
        .collect();
    let picking = Picking {
        here: format!("{base}/auswahl/ziel?{}&", sel.query()),
        action: format!("{base}/auswahl"),
        ids: sel.ids.clone(),
        heading: tr
            .t("manager.bulk.move_title")
            .replace("{n}", &names.len().to_string()),
        names,
        back: base,
        exclude: nodes.iter().map(|n| n.node().id).collect(),
        may_move: state
            .platform
            .file_check_all(&r.actor, &nodes, true)
            .is_ok(),
    };
    let ziel = if sel.ziel.is_empty() {
        folder.node().id.to_string()
    } else {
        sel.ziel.clone()
    };
    pick_page(&state, &r, picking, &ziel, None).await
}

/// `GET /dateien/{id}/zip`: the whole folder with everything the caller sees below it.
pub async fn folder_zip(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let (folder, entry) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if !entry.is_dir {
        return r.fail(DomainError::NotFound);
    }
    let name = display_name(r.page.tr(), &entry);
    zip_response(&state, &r, &[folder], &name).await
}

/// Plans the archive (every check happens here, before the first byte), then streams it.
async fn zip_response(state: &AppState, r: &Ready, roots: &[Located], name: &str) -> Response {
    let plan = match state.platform.file_zip_plan(&r.actor, roots).await {
        Ok(p) => p,
        Err(e) => return r.fail(e),
    };
    let body = Body::from_stream(state.platform.file_zip_stream(plan));
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    schulhof_front::files::mark_user_content(h, Some(&format!("{name}.zip")));
    res
}
