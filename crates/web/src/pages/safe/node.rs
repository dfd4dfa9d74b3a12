//! `/safe/{id}`: a folder or file of the opened Safe, with the same forms as the file
//! manager (upload, new folder, new document, delete, versions, rights in the common area),
//! all acting as the Safe's actor; renaming is in [`super::rename`]. Uploads are sealed
//! by the service; downloads unseal as they stream. The own Safe area shares nothing: the
//! page offers no sharing there.

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_authz::files::{Area, FileRole};
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, ListQuery, Located, Placement};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::account::Confirmed;
use crate::pages::files::node::{
    Crumb, Typed, VersionRow, crumbs_as, file_facts, mkdir_form, status_of, unplaced, upload_form,
};
use crate::pages::files::share_view::{ShareAt, ShareView, share_view_as};
use crate::pages::files::write::store_uploads;
use crate::pages::files::{
    EntryRow, area_title, back_to, display_name, entry_row_at, parse_node, role_label, size_text,
    when,
};
use crate::pages::safe::{SAFE, locate_safe, open_safe, safe_href};
use crate::pages::views::ConfirmPage;
use crate::render;
use crate::url;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "safe/folder.html")]
struct FolderPage {
    c: Chrome,
    js_href: String,
    crumbs: Vec<Crumb>,
    name: String,
    base: String,
    role: &'static str,
    /// The caller may change nothing here: the page says so.
    read_only: bool,
    rows: Vec<EntryRow>,
    upload: Option<FormView>,
    new_doc: Option<FormView>,
    mkdir: Option<FormView>,
    delete_href: Option<String>,
    /// The area's trash, where the caller may delete here.
    trash_href: Option<String>,
    share: Option<ShareView>,
    alert: Option<String>,
    rename_href: Option<String>,
}

#[derive(Template)]
#[template(path = "safe/file.html")]
struct FilePage {
    c: Chrome,
    crumbs: Vec<Crumb>,
    name: String,
    base: String,
    facts: Vec<(&'static str, String)>,
    edit_href: Option<String>,
    versions: Vec<VersionRow>,
    may_restore: bool,
    versions_error: Option<String>,
    delete_href: Option<String>,
    share: Option<ShareView>,
    alert: Option<String>,
    rename_href: Option<String>,
}

/// Whether the editor opens a file: the documents it writes are `.html`.
pub fn is_document(e: &FileEntry) -> bool {
    !e.is_dir && e.name.to_lowercase().ends_with(".html")
}

/// The Safe's breadcrumbs, starting at the Safe's page.
pub fn safe_crumbs(state: &AppState, tr: Tr, safe: &Actor, located: &Located) -> Vec<Crumb> {
    crumbs_as(state, tr, safe, located, SAFE)
}

fn new_doc_form(tr: Tr, typed: &Typed, failure: Option<&Failure>) -> FormView {
    let field = Field::new(tr, "doc-title", "titel", "safe.doc.title")
        .value(typed.name.clone())
        .hint(tr, "safe.doc.title_hint")
        .required()
        .answers(&["name", "title"]);
    FormView::new("newdoc", vec![field], failure)
}

/// Rights in the common area, for those who coordinate there (the Schulleitung and whom
/// it named). The own Safe area shares nothing.
async fn safe_share(
    state: &AppState,
    tr: Tr,
    safe: &Actor,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Option<ShareView> {
    // The policy gives sharing only to coordinators of the common area (never in the own
    // Safe area); an area root keeps the rights its template gave it.
    if entry.is_root() || !entry.caps.share {
        return None;
    }
    let at = ShareAt {
        actor: safe,
        base: safe_href(entry.id),
        switches: false,
    };
    share_view_as(state, tr, at, located, entry, failure, typed).await
}

/// The page of a Safe folder or file, with a failed form's message where it belongs.
pub async fn render_safe_node(
    state: &AppState,
    r: &Ready,
    safe: &Actor,
    id: &str,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Response {
    let (located, entry) = match locate_safe(state, safe, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if entry.is_dir {
        folder_page(state, r, safe, &located, &entry, failure, typed).await
    } else {
        file_page(state, r, safe, &located, &entry, failure, typed).await
    }
}

async fn folder_page(
    state: &AppState,
    r: &Ready,
    safe: &Actor,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Response {
    let tr = r.page.tr();
    let list = match state
        .platform
        .file_listing(safe, located, &ListQuery::all())
        .await
    {
        Ok(l) => l.rows,
        Err(e) => return r.fail(e),
    };
    let base = safe_href(entry.id);
    let caps = entry.caps;
    let editor = state.platform.safe_may_use_editor(safe);
    let upload = caps.write.then(|| upload_form(tr, failure));
    let new_doc = (caps.write && editor).then(|| new_doc_form(tr, typed, failure));
    let mkdir = caps.relocate.then(|| mkdir_form(tr, typed, failure));
    let share = safe_share(state, tr, safe, located, entry, failure, typed).await;
    let shown = [
        ("upload", upload.is_some()),
        ("newdoc", new_doc.is_some()),
        ("mkdir", mkdir.is_some()),
        ("share", share.is_some()),
        ("rights", share.is_some()),
    ];
    let name = display_name(tr, entry);
    let rows = list
        .iter()
        .map(|l| {
            let e = &l.entry;
            let mut row = entry_row_at(tr, Zone::of(&r.actor), e, &base, SAFE);
            row.edit_href =
                (editor && is_document(e)).then(|| format!("{}/bearbeiten", safe_href(e.id)));
            row
        })
        .collect();
    let view = FolderPage {
        c: Chrome::new(&r.page, name.clone()).signed_in(&r.page, &r.actor),
        js_href: crate::assets::href("files.js"),
        crumbs: safe_crumbs(state, tr, safe, located),
        role: role_label(tr, entry.role),
        read_only: !caps.write,
        rows,
        delete_href: (!entry.is_root() && caps.relocate).then(|| format!("{base}/loeschen")),
        rename_href: (!entry.is_root() && caps.rename)
            .then(|| format!("{base}/umbenennen?zurueck={}", url::encode(&base))),
        trash_href: caps
            .relocate
            .then(|| format!("{SAFE}/papierkorb?bereich={}", entry.area)),
        alert: unplaced(failure, &shown),
        upload,
        new_doc,
        mkdir,
        share,
        name,
        base,
    };
    render::html(status_of(failure), &view)
}

async fn file_page(
    state: &AppState,
    r: &Ready,
    safe: &Actor,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Response {
    let tr = r.page.tr();
    let versions = match state.platform.file_versions(safe, located).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    let base = safe_href(entry.id);
    let caps = entry.caps;
    let share = safe_share(state, tr, safe, located, entry, failure, typed).await;
    let shown = [
        ("versions", true),
        ("share", share.is_some()),
        ("rights", share.is_some()),
    ];
    let view = FilePage {
        c: Chrome::new(&r.page, entry.name.clone()).signed_in(&r.page, &r.actor),
        crumbs: safe_crumbs(state, tr, safe, located),
        name: entry.name.clone(),
        facts: file_facts(tr, Zone::of(&r.actor), entry),
        edit_href: (is_document(entry) && state.platform.safe_may_use_editor(safe))
            .then(|| format!("{base}/bearbeiten")),
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
        delete_href: caps.relocate.then(|| format!("{base}/loeschen")),
        rename_href: caps
            .rename
            .then(|| format!("{base}/umbenennen?zurueck={}", url::encode(&base))),
        alert: unplaced(failure, &shown),
        share,
        base,
    };
    render::html(status_of(failure), &view)
}

/// `GET /safe/{id}`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let safe = match open_safe(&state, &r, &format!("{SAFE}/{id}")).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    render_safe_node(&state, &r, &safe, &id, None, &Typed::default()).await
}

/// The Safe's actor for a form posted on the page of `id`; locked, back to that page.
async fn safe_for_form(state: &AppState, r: &Ready, id: &str) -> Result<Actor, Response> {
    open_safe(state, r, &format!("{SAFE}/{id}")).await
}

/// `GET /safe/{id}/herunterladen`: unsealed as it streams, never cached.
pub async fn download(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let safe = match safe_for_form(&state, &r, &id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (located, entry) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    match state.platform.safe_read(&safe, &located).await {
        Ok(stream) => schulhof_front::files::download_stream(
            &entry.name,
            entry.size,
            entry.mime.as_deref(),
            stream,
        ),
        Err(e) => r.fail(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// `POST /safe/{id}/ordner`.
pub async fn mkdir(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<NameForm>,
) -> Response {
    let safe = match safe_for_form(&state, &r, &id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (folder, _) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let at = Placement {
        folder: &folder,
        name: &f.name,
    };
    match state.platform.file_mkdir(&safe, at).await {
        Ok(_) => back_to(&safe_href(folder.node().id), "folder_created"),
        Err(e) => {
            let failure = Failure::from_domain("mkdir", r.page.tr(), &e);
            let typed = Typed {
                name: f.name,
                ..Typed::default()
            };
            render_safe_node(&state, &r, &safe, &id, Some(&failure), &typed).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DocForm {
    #[serde(default)]
    titel: String,
}

/// `POST /safe/{id}/dokument`: a new, empty document, opened in the editor.
pub async fn new_document(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<DocForm>,
) -> Response {
    let tr = r.page.tr();
    let safe = match safe_for_form(&state, &r, &id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (folder, _) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let typed = Typed {
        name: f.titel.clone(),
        ..Typed::default()
    };
    if f.titel.trim().is_empty() {
        let failure = Failure::local("newdoc", "name", tr.t("safe.doc.title_empty"));
        return render_safe_node(&state, &r, &safe, &id, Some(&failure), &typed).await;
    }
    match state
        .platform
        .safe_doc_create(&safe, &folder, &f.titel)
        .await
    {
        Ok(doc) => Redirect::to(&format!("{}/bearbeiten?ok=doc_created", safe_href(doc.id)))
            .into_response(),
        Err(e) => {
            let failure = Failure::from_domain("newdoc", tr, &e);
            render_safe_node(&state, &r, &safe, &id, Some(&failure), &typed).await
        }
    }
}

/// `POST /safe/{id}/hochladen`: every file of the form, streamed and sealed.
pub async fn upload(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let tr = r.page.tr();
    let safe = match safe_for_form(&state, &r, &id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (folder, _) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if let Err(failure) = store_uploads(&state, &safe, tr, &folder, form).await {
        return render_safe_node(&state, &r, &safe, &id, Some(&failure), &Typed::default()).await;
    }
    back_to(&safe_href(folder.node().id), "uploaded")
}

/// The folder above a node the Safe's actor may see, else the Safe's page.
pub fn parent_href(state: &AppState, safe: &Actor, node: &Located) -> String {
    let Some(parent) = node.node().parent_id else {
        return SAFE.to_owned();
    };
    let visible = state
        .platform
        .file_breadcrumbs(safe, node)
        .iter()
        .any(|(id, _)| *id == parent);
    if visible {
        safe_href(parent)
    } else {
        SAFE.to_owned()
    }
}

/// `GET /safe/{id}/loeschen`.
pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let tr = r.page.tr();
    let safe = match safe_for_form(&state, &r, &id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (node, entry) = match locate_safe(&state, &safe, &id).await {
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
    let base = safe_href(entry.id);
    let cancel = if entry.is_dir {
        base.clone()
    } else {
        parent_href(&state, &safe, &node)
    };
    let view = ConfirmPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        text: text.replace("{name}", &name),
        action: format!("{base}/loeschen"),
        button: tr.t("files.delete.button"),
        cancel_href: cancel,
    };
    render::ok(&view)
}

/// `POST /safe/{id}/loeschen`.
pub async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<Confirmed>,
) -> Response {
    let safe = match safe_for_form(&state, &r, &id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (node, _) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if f.bestaetigt != "ja" {
        return Redirect::to(&format!("{}/loeschen", safe_href(node.node().id))).into_response();
    }
    let back = parent_href(&state, &safe, &node);
    match state.platform.file_delete(&safe, &node).await {
        Ok(()) => back_to(&back, "deleted"),
        Err(e) => {
            let failure = Failure::from_domain("delete", r.page.tr(), &e);
            render_safe_node(&state, &r, &safe, &id, Some(&failure), &Typed::default()).await
        }
    }
}

/// `POST /safe/{id}/versionen/{version}/wiederherstellen`.
pub async fn restore_version(
    State(state): State<AppState>,
    r: Ready,
    Path((id, version)): Path<(String, String)>,
) -> Response {
    let safe = match safe_for_form(&state, &r, &id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (node, _) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let Ok(version) = version.parse::<uuid::Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .file_restore_version(&safe, &node, version)
        .await
    {
        Ok(_) => back_to(&safe_href(node.node().id), "version_restored"),
        Err(e) => {
            let failure = Failure::from_domain("versions", r.page.tr(), &e);
            render_safe_node(&state, &r, &safe, &id, Some(&failure), &Typed::default()).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    aktion: String,
}

/// `POST /safe/{id}/freigaben`: rights in the common area (the service refuses the rest).
pub async fn share(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<ShareForm>,
) -> Response {
    let tr = r.page.tr();
    let safe = match safe_for_form(&state, &r, &id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (node, _) = match locate_safe(&state, &safe, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let here = safe_href(node.node().id);
    let p = &state.platform;
    if f.aktion == "entfernen" {
        return match p.file_unshare(&safe, &node, &f.key).await {
            Ok(()) => back_to(&here, "unshared"),
            Err(e) => {
                let failure = Failure::from_domain("rights", tr, &e);
                render_safe_node(&state, &r, &safe, &id, Some(&failure), &Typed::default()).await
            }
        };
    }
    let result = async {
        let role = FileRole::parse(&f.role)
            .ok_or_else(|| DomainError::invalid("role", tr.t("files.share.bad_role")))?;
        let subject = p.file_subject_by_name(&safe, &f.subject).await?;
        p.file_share(&safe, &node, subject, role).await
    }
    .await;
    match result {
        Ok(()) => back_to(&here, "shared"),
        Err(e) => {
            let failure = Failure::from_domain("share", tr, &e);
            let typed = Typed {
                subject: f.subject,
                role: f.role,
                ..Typed::default()
            };
            render_safe_node(&state, &r, &safe, &id, Some(&failure), &typed).await
        }
    }
}

#[derive(Template)]
#[template(path = "safe/trash.html")]
struct TrashPage {
    c: Chrome,
    heading: String,
    area: &'static str,
    rows: Vec<TrashRow>,
    alert: Option<String>,
}

struct TrashRow {
    id: String,
    name: String,
    kind: &'static str,
    size: String,
    deleted: String,
    deleted_iso: String,
    by: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct AreaQuery {
    #[serde(default)]
    bereich: String,
}

fn safe_area(s: &str) -> Result<Area, DomainError> {
    Area::parse(s)
        .filter(|a| a.is_safe())
        .ok_or(DomainError::NotFound)
}

async fn render_trash(
    state: &AppState,
    r: &Ready,
    safe: &Actor,
    area: Area,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let p = &state.platform;
    let areas = match p.safe_areas(safe).await {
        Ok(a) => a,
        Err(e) => return r.fail(e),
    };
    if !areas.iter().any(|a| a.area_value == area) {
        return r.fail(DomainError::NotFound);
    }
    let entries = match p.file_trash(safe, area).await {
        Ok(t) => t,
        Err(e) => return r.fail(e),
    };
    let heading = tr
        .t("files.trash.title")
        .replace("{area}", area_title(tr, area.as_str()));
    let view = TrashPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        area: area.as_str(),
        rows: entries
            .iter()
            .map(|t| TrashRow {
                id: t.id.to_string(),
                name: t.name.clone(),
                kind: if t.is_dir {
                    tr.t("files.kind.folder")
                } else {
                    tr.t("files.kind.file")
                },
                size: if t.is_dir {
                    "–".to_owned()
                } else {
                    size_text(tr.0, t.size)
                },
                deleted: when(tr, Zone::of(&r.actor), t.deleted_at),
                deleted_iso: t.deleted_at.to_rfc3339(),
                by: t.deleted_by.clone().unwrap_or_else(|| "–".to_owned()),
            })
            .collect(),
        alert: failure.map(|f| f.message.clone()),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

fn trash_path(area: Area) -> String {
    format!("{SAFE}/papierkorb?bereich={}", area.as_str())
}

/// `GET /safe/papierkorb?bereich=safe_own|safe_common`.
pub async fn trash(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<AreaQuery>,
) -> Response {
    let area = match safe_area(&q.bereich) {
        Ok(a) => a,
        Err(e) => return r.fail(e),
    };
    let safe = match open_safe(&state, &r, &trash_path(area)).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    render_trash(&state, &r, &safe, area, None).await
}

/// `POST /safe/papierkorb/{id}/wiederherstellen`.
pub async fn restore(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(q): Form<AreaQuery>,
) -> Response {
    let area = match safe_area(&q.bereich) {
        Ok(a) => a,
        Err(e) => return r.fail(e),
    };
    let safe = match open_safe(&state, &r, &trash_path(area)).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let Some(id) = parse_node(&id) else {
        return r.fail(DomainError::NotFound);
    };
    // Only what this Safe area's trash lists (the Safe's actor also sees the file manager).
    let listed = match state.platform.file_trash(&safe, area).await {
        Ok(t) => t.iter().any(|t| t.id == id),
        Err(e) => return r.fail(e),
    };
    if !listed {
        return r.fail(DomainError::NotFound);
    }
    match state.platform.file_restore(&safe, id).await {
        Ok(_) => back_to(&trash_path(area), "restored"),
        Err(e) => {
            let failure = Failure::from_domain("trash", r.page.tr(), &e);
            render_trash(&state, &r, &safe, area, Some(&failure)).await
        }
    }
}
