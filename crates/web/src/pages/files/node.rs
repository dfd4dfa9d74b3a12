//! `/dateien/{id}`: a folder with its entries and forms (upload, new folder, sharing), or a
//! file with its download, versions and sharing.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_authz::files::FileRole;
use schulhof_domain::files::{FileEntry, Located};
use schulhof_domain::identity::Actor;
use schulhof_domain::media::MediaMeta;
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::files::list::{ListView, list_view};
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

/// The sharing section of a folder or file.
pub struct ShareView {
    pub base: String,
    pub grants: Vec<GrantRow>,
    pub add: FormView,
    /// The caller's own groups, offered while typing.
    pub groups: Vec<String>,
    pub error: Option<String>,
    /// Whether it is a drop folder, when the caller may change that.
    pub drop_box: Option<bool>,
    /// Whether inherited rights reach it, when the caller may change that.
    pub inherits: Option<bool>,
}

pub struct GrantRow {
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub role: &'static str,
    pub removable: bool,
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

fn subject_label(tr: Tr, kind: &str, label: &str) -> String {
    if kind != "kind" {
        return label.to_owned();
    }
    match label.strip_prefix("fn:") {
        Some(role) => tr.function_role(role).to_owned(),
        None => tr
            .lookup(&format!("to.{label}"))
            .map_or_else(|| label.to_owned(), str::to_owned),
    }
}

async fn share_view(
    state: &AppState,
    r: &Ready,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Option<ShareView> {
    if entry.role_value < FileRole::Contributor {
        return None;
    }
    let at = ShareAt {
        actor: &r.actor,
        base: node_href(entry.id),
        switches: true,
    };
    share_view_as(state, r.page.tr(), at, located, entry, failure, typed).await
}

/// Whose sharing section it is and where its forms post.
pub struct ShareAt<'a> {
    /// The caller as the services see them (in the Safe: the Safe's actor).
    pub actor: &'a Actor,
    /// The node's page, which the forms post below.
    pub base: String,
    /// Whether to offer drop folders and withdrawing inherited rights.
    pub switches: bool,
}

/// The sharing section of a node, if the caller may see its grants.
pub async fn share_view_as(
    state: &AppState,
    tr: Tr,
    at: ShareAt<'_>,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Option<ShareView> {
    let grants = state.platform.file_grants(at.actor, located).await.ok()?;
    // The owner's grant on the own area is what makes it theirs; it cannot be removed.
    let owner_key = format!("u:{}", located.node().owner_id);
    let roles = ["viewer", "contributor", "coordinator"]
        .into_iter()
        .map(|v| (v.to_owned(), role_label(tr, v).to_owned()));
    let role = if typed.role.is_empty() {
        "viewer"
    } else {
        typed.role.as_str()
    };
    let fields = vec![
        Field::new(tr, "share-subject", "subject", "files.share.subject")
            .value(typed.subject.clone())
            .hint(tr, "files.share.subject_hint")
            .attr("list", "share-groups")
            .required(),
        Field::new(tr, "share-role", "role", "files.share.role")
            .value(role)
            .options(roles),
    ];
    let coordinates = at.switches && entry.role_value >= FileRole::Coordinator && !entry.is_root();
    Some(ShareView {
        base: at.base,
        grants: grants
            .into_iter()
            .map(|g| GrantRow {
                removable: !(entry.is_root() && g.key == owner_key),
                label: subject_label(tr, g.kind, &g.label),
                kind: tr.t(&format!("files.grant.{}", g.kind)),
                role: role_label(tr, g.role),
                key: g.key,
            })
            .collect(),
        add: FormView::new("share", fields, failure),
        groups: at.actor.groups.iter().map(|g| g.name.clone()).collect(),
        error: failure
            .filter(|f| f.form == "rights")
            .map(|f| f.message.clone()),
        drop_box: (coordinates && entry.is_dir).then_some(entry.drop_box),
        inherits: coordinates.then_some(entry.inherits),
    })
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
    let listed = match state.platform.file_listing(&r.actor, located).await {
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

/// A share that reaches a node from a folder above it.
pub struct InheritedRow {
    pub label: String,
    pub kind: &'static str,
    pub role: &'static str,
    pub from_name: String,
    pub from_href: String,
}

/// The shares inherited from the folders above, for those who see the node's own shares.
pub async fn inherited_rows(
    state: &AppState,
    r: &Ready,
    located: &Located,
    shown: bool,
) -> Vec<InheritedRow> {
    if !shown {
        return Vec::new();
    }
    let tr = r.page.tr();
    let list = state
        .platform
        .file_inherited_grants(&r.actor, located)
        .await
        .unwrap_or_default();
    let root = located.rows.first().map(|row| row.id);
    list.into_iter()
        .map(|g| InheritedRow {
            label: subject_label(tr, g.grant.kind, &g.grant.label),
            kind: tr.t(&format!("files.grant.{}", g.grant.kind)),
            role: role_label(tr, g.grant.role),
            from_name: if Some(g.from) == root {
                area_title(tr, located.area.as_str()).to_owned()
            } else {
                g.from_name
            },
            from_href: node_href(g.from),
        })
        .collect()
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
