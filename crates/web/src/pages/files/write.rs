//! The forms of a folder or file: new folder, upload, rename, delete, restore a version.
//! Each calls one service; the service decides, and its refusal is shown on the page.

use askama::Template;
use axum::Form;
use axum::extract::multipart::{Field as Part, MultipartRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, Located, Placement};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::account::Confirmed;
use crate::pages::files::node::{Crumb, Typed, crumbs, rename_fields, render_node};
use crate::pages::files::{back_to, display_name, locate, node_href, visible_parent};
use crate::pages::views::ConfirmPage;
use crate::render;
use crate::url;

#[derive(Debug, Default, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
    /// The page to go back to afterwards (a local path).
    #[serde(default)]
    zurueck: String,
}

pub async fn mkdir(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<NameForm>,
) -> Response {
    let (folder, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let at = Placement {
        folder: &folder,
        name: &f.name,
    };
    match state.platform.file_mkdir(&r.actor, at).await {
        Ok(_) => back_to(&node_href(folder.node().id), "folder_created"),
        Err(e) => {
            let failure = Failure::from_domain("mkdir", r.page.tr(), &e);
            let typed = Typed {
                name: f.name,
                ..Typed::default()
            };
            render_node(&state, &r, &id, Some(&failure), &typed).await
        }
    }
}

/// The last part of a file name as browsers send it (old ones send a whole path).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

async fn upload_one(
    state: &AppState,
    actor: &Actor,
    folder: &Located,
    name: &str,
    mime: Option<&str>,
    part: &mut Part<'_>,
) -> Result<FileEntry, DomainError> {
    let at = Placement { folder, name };
    let mut pending = state.platform.begin_upload(actor, at, mime).await?;
    schulhof_front::files::stream_field(part, &mut pending).await?;
    state.platform.finish_upload(actor, pending).await
}

/// Stores every file of an upload form into `folder`, each streamed as it arrives (the
/// file manager's and the Safe's pages alike; the actor decides which). Returns how many
/// were stored, or the failure to show at the upload form.
pub async fn store_uploads(
    state: &AppState,
    actor: &Actor,
    tr: Tr,
    folder: &Located,
    form: Result<Multipart, MultipartRejection>,
) -> Result<usize, Failure> {
    let broken = || Failure::local("upload", "file", tr.t("files.upload.broken"));
    let mut form = form.map_err(|_| broken())?;
    let mut stored = 0;
    loop {
        let mut part = match form.next_field().await {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(_) => return Err(broken()),
        };
        // Text fields are not ours; an empty file input sends a part without a name.
        let Some(name) = part.file_name().map(|n| base_name(n).to_owned()) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        // Browsers say octet-stream when they do not know; the name tells more then.
        let mime = part
            .content_type()
            .filter(|m| !m.is_empty() && *m != "application/octet-stream")
            .map(str::to_owned);
        if let Err(e) = upload_one(state, actor, folder, &name, mime.as_deref(), &mut part).await {
            let mut failure = Failure::from_domain("upload", tr, &e);
            failure.message = format!("„{name}“: {}", failure.message);
            return Err(failure);
        }
        stored += 1;
    }
    if stored == 0 {
        return Err(Failure::local("upload", "file", tr.t("files.upload.none")));
    }
    Ok(stored)
}

/// `POST /dateien/{id}/hochladen`: every file of the form, each streamed into the store
/// as it arrives; nothing is held in memory whole.
pub async fn upload(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let tr = r.page.tr();
    let (folder, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    match store_uploads(&state, &r.actor, tr, &folder, form).await {
        Ok(_) => {}
        Err(failure) => {
            return render_node(&state, &r, &id, Some(&failure), &Typed::default()).await;
        }
    }
    back_to(&node_href(folder.node().id), "uploaded")
}

#[derive(Template)]
#[template(path = "files/rename.html")]
struct RenamePage {
    c: Chrome,
    crumbs: Vec<Crumb>,
    heading: String,
    action: String,
    back: String,
    form: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    zurueck: String,
}

/// Where to go after renaming: the page asked for, else the folder it is in.
fn back_path(state: &AppState, r: &Ready, node: &Located, asked: &str) -> String {
    if !asked.is_empty() {
        return url::local_path(asked).to_owned();
    }
    visible_parent(state, r, node).map_or_else(|| node_href(node.node().id), node_href)
}

fn rename_page(
    state: &AppState,
    r: &Ready,
    node: &Located,
    entry: &FileEntry,
    value: &str,
    back: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let heading = tr
        .t("files.rename.title")
        .replace("{name}", &display_name(tr, entry));
    let view = RenamePage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        // Not on the node's own page here.
        crumbs: crumbs(state, r, node)
            .into_iter()
            .map(|b| Crumb {
                current: false,
                ..b
            })
            .collect(),
        heading,
        action: format!("{}/umbenennen", node_href(entry.id)),
        back: back.to_owned(),
        form: rename_fields(tr, value, failure),
    };
    render::html(
        failure.map_or(axum::http::StatusCode::OK, |f| f.status),
        &view,
    )
}

pub async fn rename_form(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<BackQuery>,
) -> Response {
    match locate(&state, &r, &id).await {
        Ok((node, entry)) => {
            let back = back_path(&state, &r, &node, &q.zurueck);
            rename_page(&state, &r, &node, &entry, &entry.name, &back, None)
        }
        Err(e) => r.fail(e),
    }
}

/// The folder a node is in: a rename keeps it there. An area root has none; the service
/// refuses renaming it.
pub(crate) fn folder_of(node: &Located) -> Located {
    node.parent().unwrap_or_else(|| node.clone())
}

pub async fn rename(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<NameForm>,
) -> Response {
    let (node, entry) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let back = back_path(&state, &r, &node, &f.zurueck);
    let folder = folder_of(&node);
    let to = Placement {
        folder: &folder,
        name: &f.name,
    };
    match state.platform.file_move(&r.actor, &node, to).await {
        Ok(_) => back_to(&back, "renamed"),
        Err(e) => {
            let failure = Failure::from_domain("rename", r.page.tr(), &e);
            rename_page(&state, &r, &node, &entry, &f.name, &back, Some(&failure))
        }
    }
}

pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let tr = r.page.tr();
    let (node, entry) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let name = display_name(tr, &entry);
    let heading = tr.t("files.delete.title").replace("{name}", &name);
    let text = if entry.is_dir {
        tr.t("files.delete.folder_text")
    } else {
        tr.t("files.delete.file_text")
    };
    let base = node_href(entry.id);
    let view = ConfirmPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        text: text.replace("{name}", &name),
        action: format!("{base}/loeschen"),
        button: tr.t("files.delete.button"),
        cancel_href: visible_parent(&state, &r, &node).map_or(base, node_href),
    };
    render::ok(&view)
}

pub async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<Confirmed>,
) -> Response {
    let (node, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if f.bestaetigt != "ja" {
        return Redirect::to(&format!("{}/loeschen", node_href(node.node().id))).into_response();
    }
    let back = visible_parent(&state, &r, &node).map_or_else(|| "/dateien".to_owned(), node_href);
    match state.platform.file_delete(&r.actor, &node).await {
        Ok(()) => back_to(&back, "deleted"),
        Err(e) => {
            let failure = Failure::from_domain("delete", r.page.tr(), &e);
            render_node(&state, &r, &id, Some(&failure), &Typed::default()).await
        }
    }
}

pub async fn restore_version(
    State(state): State<AppState>,
    r: Ready,
    Path((id, version)): Path<(String, String)>,
) -> Response {
    let (node, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let Ok(version) = version.parse::<uuid::Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .file_restore_version(&r.actor, &node, version)
        .await
    {
        Ok(_) => back_to(&node_href(node.node().id), "version_restored"),
        Err(e) => {
            let failure = Failure::from_domain("versions", r.page.tr(), &e);
            render_node(&state, &r, &id, Some(&failure), &Typed::default()).await
        }
    }
}
