//! `/dateien/{id}`: a folder with its entries and forms (upload, new folder, sharing), or a
//! file with its download, versions and sharing.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_domain::files::{FileEntry, Located};
use schulhof_domain::identity::Actor;
use schulhof_domain::media::MediaMeta;
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::files::list::{ListView, list_view, query_of};
use crate::pages::files::share_view::{InheritedRow, ShareView, inherited_rows, share_view};
use crate::pages::files::{
    area_title, display_name, locate, node_href, role_label, size_text, when,
};
use crate::pages::links::{LinksView, links_view};
use crate::pages::media::{MetaView, meta_view};
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "files/folder.html")]
struct FolderPage {
    c: Chrome,
    js_href: String,
    fm_js_href: String,
    crumbs: Vec<Crumb>,
    name: String,
    base: String,
    /// The folder's id for resumable uploads.
    folder_id: String,
    role: &'static str,
    /// The caller may change nothing here: the page says so.
    read_only: bool,
    drop_note: bool,
    /// A drop folder the caller coordinates: the hand-ins page.
    handin_href: Option<String>,
    /// "Abgabeordner hier anlegen", where the domain lets the caller (not in drop folders).
    handin_new_href: Option<String>,
    list: ListView,
    inherited: Vec<InheritedRow>,
    upload: Option<FormView>,
    mkdir: Option<FormView>,
    rename_href: Option<String>,
    /// Move or copy elsewhere (copying needs only reading it), and its label.
    move_href: Option<String>,
    move_label: &'static str,
    delete_href: Option<String>,
    trash_href: String,
    share: Option<ShareView>,
    links: Option<LinksView>,
    alert: Option<String>,
}

#[derive(Template)]
#[template(path = "files/file.html")]
struct FilePage {
    c: Chrome,
    crumbs: Vec<Crumb>,
    name: String,
    base: String,
    facts: Vec<(&'static str, String)>,
    versions: Vec<VersionRow>,
    may_restore: bool,
    versions_error: Option<String>,
    rename: Option<FormView>,
    move_href: Option<String>,
    move_label: &'static str,
    delete_href: Option<String>,
    share: Option<ShareView>,
    inherited: Vec<InheritedRow>,
    links: Option<LinksView>,
    meta: MetaView,
    alert: Option<String>,
    read_only: bool,
}

pub struct Crumb {
    pub href: String,
    pub name: String,
    pub current: bool,
}

pub struct VersionRow {
    pub id: String,
    pub modified: String,
    pub modified_iso: String,
    pub by: String,
    pub size: String,
}

/// What was typed into a form that failed, to show it again.
#[derive(Debug, Default)]
pub struct Typed {
    pub name: String,
    pub subject: String,
    pub role: String,
    /// The share link form: mode and expiry date.
    pub link_mode: String,
    pub link_expiry: String,
    /// The licence and metadata form.
    pub meta: Option<MediaMeta>,
}

/// The failure's message, when the form it belongs to is not on the page: (form, shown).
pub fn unplaced(failure: Option<&Failure>, forms: &[(&str, bool)]) -> Option<String> {
    failure
        .filter(|f| !forms.iter().any(|(form, shown)| *shown && *form == f.form))
        .map(|f| f.message.clone())
}

pub fn upload_form(tr: Tr, failure: Option<&Failure>) -> FormView {
    let field = Field::new(tr, "upload-files", "dateien", "files.upload.files")
        .kind("file")
        .attr("multiple", "multiple")
        .hint(tr, "files.upload.hint")
        .required()
        .answers(&["file", "name"]);
    FormView::new("upload", vec![field], failure)
}

pub fn mkdir_form(tr: Tr, typed: &Typed, failure: Option<&Failure>) -> FormView {
    let field = Field::new(tr, "mkdir-name", "name", "files.mkdir.name")
        .value(typed.name.clone())
        .required()
        .answers(&["folder"]);
    FormView::new("mkdir", vec![field], failure)
}

/// The name field of a rename, on the file page and the rename page.
pub fn rename_fields(tr: Tr, value: &str, failure: Option<&Failure>) -> FormView {
    let field = Field::new(tr, "rename-name", "name", "files.rename.name")
        .value(value)
        .required()
        .answers(&["node", "target"]);
    FormView::new("rename", vec![field], failure)
}

pub fn file_facts(tr: Tr, zone: Zone, entry: &FileEntry) -> Vec<(&'static str, String)> {
    let none = tr.t("account.none");
    vec![
        (tr.t("files.col.size"), size_text(tr.0, entry.size)),
        (
            tr.t("files.col.type"),
            entry.mime.clone().unwrap_or_else(|| none.to_owned()),
        ),
        (
            tr.t("files.col.modified"),
            when(tr, zone, entry.modified_at),
        ),
        (
            tr.t("files.your_role"),
            role_label(tr, entry.role).to_owned(),
        ),
    ]
}

pub fn status_of(failure: Option<&Failure>) -> StatusCode {
    failure.map_or(StatusCode::OK, |f| f.status)
}

pub fn crumbs(state: &AppState, r: &Ready, located: &Located) -> Vec<Crumb> {
    crumbs_as(state, r.page.tr(), &r.actor, located, "/dateien")
}

/// The breadcrumbs as `actor` sees them, linking to pages under `prefix`.
pub fn crumbs_as(
    state: &AppState,
    tr: Tr,
    actor: &Actor,
    located: &Located,
    prefix: &str,
) -> Vec<Crumb> {
    let list = state.platform.file_breadcrumbs(actor, located);
    let root = located
        .rows
        .first()
        .map(|row| (row.id, row.parent_id.is_none()));
    let n = list.len();
    list.into_iter()
        .enumerate()
        .map(|(i, (id, name))| Crumb {
            href: format!("{prefix}/{id}"),
            name: if root == Some((id, true)) {
                area_title(tr, located.area.as_str()).to_owned()
            } else {
                name
            },
            current: i + 1 == n,
        })
        .collect()
}

/// The page of a folder or file, with a failed form's message placed where it belongs.
pub async fn render_node(
    state: &AppState,
    r: &Ready,
    id: &str,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Response {
    let (located, entry) = match locate(state, r, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if entry.is_dir {
        folder_page(state, r, &located, &entry, failure, typed).await
    } else {
        file_page(state, r, &located, &entry, failure, typed).await
    }
}

pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    render_node(&state, &r, &id, None, &Typed::default()).await
}

async fn folder_page(
    state: &AppState,
    r: &Ready,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Response {
    let tr = r.page.tr();
    let query = query_of(&r.page.here);
    let listed = match state.platform.file_listing(&r.actor, located, &query).await {
        Ok(l) => l,
        Err(e) => return r.fail(e),
    };
    let base = node_href(entry.id);
    let caps = state.platform.file_caps(&r.actor, located);
    let upload = caps.write.then(|| upload_form(tr, failure));
    let mkdir = caps.relocate.then(|| mkdir_form(tr, typed, failure));
    let share = share_view(state, r, located, entry, failure, typed).await;
    let inherited = inherited_rows(state, r, located, share.is_some()).await;
    let links = links_view(state, r, located, entry, failure, typed).await;
    let shown = [
        ("upload", upload.is_some()),
        ("mkdir", mkdir.is_some()),
        ("share", share.is_some()),
        ("rights", share.is_some()),
        ("link", links.is_some()),
    ];
    let name = display_name(tr, entry);
    let relocatable = !entry.is_root() && caps.relocate;
    let view = FolderPage {
        c: Chrome::new(&r.page, name.clone()).signed_in(&r.page, &r.actor),
        js_href: crate::assets::href("files.js"),
        fm_js_href: crate::assets::href("filemanager.js"),
        crumbs: crumbs(state, r, located),
        role: role_label(tr, entry.role),
        read_only: !caps.write,
        drop_note: entry.drop_box && !caps.relocate,
        handin_href: (entry.drop_box && caps.relocate && !entry.guest)
            .then(|| format!("{base}/abgaben")),
        handin_new_href: (!entry.drop_box && state.platform.handin_may_create(&r.actor, located))
            .then(|| format!("/dateien/abgabeordner/neu?in={}", entry.id)),
        list: list_view(tr, Zone::of(&r.actor), listed, entry, &r.page.here),
        inherited,
        rename_href: relocatable
            .then(|| format!("{base}/umbenennen?zurueck={}", crate::url::encode(&base))),
        move_href: (!entry.is_root() && !entry.guest).then(|| format!("{base}/verschieben")),
        move_label: move_label(tr, relocatable),
        delete_href: relocatable.then(|| format!("{base}/loeschen")),
        trash_href: format!("/dateien/papierkorb?bereich={}", entry.area),
        alert: unplaced(failure, &shown),
        upload,
        mkdir,
        share,
        links,
        name,
        base,
        folder_id: entry.id.to_string(),
    };
    render::html(status_of(failure), &view)
}

/// "Verschieben/Kopieren" where the caller may move, else only "Kopieren".
fn move_label(tr: Tr, relocate: bool) -> &'static str {
    tr.t(if relocate {
        "files.move"
    } else {
        "manager.bulk.copy"
    })
}

async fn file_page(
    state: &AppState,
    r: &Ready,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Response {
    let tr = r.page.tr();
    let versions = match state.platform.file_versions(&r.actor, located).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    let base = node_href(entry.id);
    let caps = state.platform.file_caps(&r.actor, located);
    let rename = caps.rename.then(|| {
        let value = if typed.name.is_empty() {
            &entry.name
        } else {
            &typed.name
        };
        rename_fields(tr, value, failure)
    });
    let share = share_view(state, r, located, entry, failure, typed).await;
    let inherited = inherited_rows(state, r, located, share.is_some()).await;
    let links = links_view(state, r, located, entry, failure, typed).await;
    let meta = meta_view(state, r, located, entry, failure, typed).await;
    let shown = [
        ("versions", true),
        ("rename", rename.is_some()),
        ("share", share.is_some()),
        ("rights", share.is_some()),
        ("link", links.is_some()),
        ("meta", meta.form.is_some()),
    ];
    let view = FilePage {
        c: Chrome::new(&r.page, entry.name.clone()).signed_in(&r.page, &r.actor),
        crumbs: crumbs(state, r, located),
        name: entry.name.clone(),
        facts: file_facts(tr, Zone::of(&r.actor), entry),
        versions: versions
            .iter()
            .map(|v| VersionRow {
                id: v.id.to_string(),
                modified: when(tr, Zone::of(&r.actor), v.modified_at),
                modified_iso: v.modified_at.to_rfc3339(),
                by: v.modified_by.clone().unwrap_or_else(|| "–".to_owned()),
                size: size_text(tr.0, v.size),
            })
            .collect(),
        may_restore: caps.write,
        versions_error: failure
            .filter(|f| f.form == "versions")
            .map(|f| f.message.clone()),
        rename,
        move_href: (!entry.guest).then(|| format!("{base}/verschieben")),
        move_label: move_label(tr, caps.relocate),
        delete_href: caps.relocate.then(|| format!("{base}/loeschen")),
        alert: unplaced(failure, &shown),
        read_only: !caps.write,
        share,
        inherited,
        links,
        meta,
        base,
    };
    render::html(status_of(failure), &view)
}
