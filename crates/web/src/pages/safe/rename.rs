//! `/safe/{id}/umbenennen`: renaming a folder or file of the opened Safe, as the file
//! manager's rename page does, acting as the Safe's actor. The service decides (contributors
//! rename files, coordinators folders, nobody an area); its refusal is shown at the field.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_domain::files::{FileEntry, Located, Placement};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, FormView};
use crate::layout::Chrome;
use crate::pages::files::node::{Crumb, rename_fields};
use crate::pages::files::write::folder_of;
use crate::pages::files::{back_to, display_name};
use crate::pages::safe::node::{parent_href, safe_crumbs};
use crate::pages::safe::{SAFE, locate_safe, open_safe, safe_href};
use crate::render;
use crate::url;

#[derive(Template)]
#[template(path = "safe/rename.html")]
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

#[derive(Debug, Default, Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
    /// The Safe page to go back to afterwards.
    #[serde(default)]
    zurueck: String,
}

/// The rename page's own path (also where the door sends back to once the Safe is open).
fn rename_path(id: &str) -> String {
    format!("{SAFE}/{id}/umbenennen")
}

/// Where to go after renaming: the Safe page asked for, else the folder the node is in.
/// Nothing outside the Safe: its pages keep to themselves.
fn back_path(state: &AppState, safe: &Actor, node: &Located, asked: &str) -> String {
    let asked = url::local_path(asked);
    if asked.starts_with(&format!("{SAFE}/")) {
        return asked.to_owned();
    }
    parent_href(state, safe, node)
}

struct Shown<'a> {
    node: &'a Located,
    entry: &'a FileEntry,
    value: &'a str,
    back: &'a str,
}

fn rename_page(
    state: &AppState,
    r: &Ready,
    safe: &Actor,
    shown: Shown<'_>,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let heading = tr
        .t("files.rename.title")
        .replace("{name}", &display_name(tr, shown.entry));
    let view = RenamePage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        // Not on the node's own page here.
        crumbs: safe_crumbs(state, tr, safe, shown.node)
            .into_iter()
            .map(|b| Crumb {
                current: false,
                ..b
            })
            .collect(),
        heading,
        action: format!("{}/umbenennen", safe_href(shown.entry.id)),
        back: shown.back.to_owned(),
        form: rename_fields(tr, shown.value, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /safe/{id}/umbenennen`.
pub async fn rename_form(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<BackQuery>,
) -> Response {
    let safe = match open_safe(&state, &r, &rename_path(&id)).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (node, entry) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let back = back_path(&state, &safe, &node, &q.zurueck);
    let shown = Shown {
        node: &node,
        entry: &entry,
        value: &entry.name,
        back: &back,
    };
    rename_page(&state, &r, &safe, shown, None)
}

/// `POST /safe/{id}/umbenennen`: then back to the folder with `?ok=renamed`.
pub async fn rename(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<RenameForm>,
) -> Response {
    let safe = match open_safe(&state, &r, &rename_path(&id)).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (node, entry) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let back = back_path(&state, &safe, &node, &f.zurueck);
    let folder = folder_of(&node);
    let to = Placement {
        folder: &folder,
        name: &f.name,
    };
    match state.platform.file_move(&safe, &node, to).await {
        Ok(_) => back_to(&back, "renamed"),
        Err(e) => {
            let failure = Failure::from_domain("rename", r.page.tr(), &e);
            let shown = Shown {
                node: &node,
                entry: &entry,
                value: &f.name,
                back: &back,
            };
            rename_page(&state, &r, &safe, shown, Some(&failure))
        }
    }
}
