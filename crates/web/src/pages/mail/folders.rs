//! Own folders: `/mail/ordner/neu` (create, inside another folder or at the top),
//! `/mail/ordner/{id}/umbenennen` and `/mail/ordner/{id}/loeschen` (with a confirmation, since
//! the messages in it go for good). The standard folders keep their names.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::mail::FolderInfo;
use schulhof_front::AppState;

use super::{
    Sidebar, back_to, folder_href, folder_label, folder_path_label, ordered, parse_folder, sidebar,
};
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::views::ConfirmPage;
use crate::render;

#[derive(Template)]
#[template(path = "mail/folder_form.html")]
struct FolderForm {
    c: Chrome,
    side: Sidebar,
    heading: String,
    action: String,
    button: &'static str,
    form: FormView,
    cancel_href: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NameForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent: String,
}

/// The name of one level: no '/', which separates levels.
fn level_name(tr: Tr, name: &str) -> Result<String, Failure> {
    let name = name.trim();
    if name.contains('/') {
        return Err(Failure {
            form: "folder",
            field: Some("path"),
            message: tr.message("must not contain '/'"),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        });
    }
    Ok(name.to_owned())
}

async fn own_folder(
    state: &AppState,
    r: &Ready,
    id: &str,
) -> Result<(Vec<FolderInfo>, FolderInfo), DomainError> {
    let id = parse_folder(id)?;
    let folders = state.platform.mail_folders(&r.actor).await?;
    let f = folders
        .iter()
        .find(|f| f.id == id && f.special.is_none())
        .cloned()
        .ok_or(DomainError::NotFound)?;
    Ok((folders, f))
}

/// What the folder form shows besides the frame and side bar.
struct Parts {
    heading: String,
    action: String,
    button: &'static str,
    form: FormView,
    cancel_href: String,
}

async fn page(
    state: &AppState,
    r: &Ready,
    folders: &[FolderInfo],
    current: Option<&FolderInfo>,
    p: Parts,
    failure: Option<Failure>,
) -> Response {
    let side = match sidebar(state, r, folders, current.map(|f| f.id)).await {
        Ok(s) => s,
        Err(e) => return r.fail(e),
    };
    let title = format!("{} · {}", p.heading, r.page.tr().t("mail.title"));
    let v = FolderForm {
        c: Chrome::new(&r.page, title).signed_in(&r.page, &r.actor),
        side,
        heading: p.heading,
        action: p.action,
        button: p.button,
        form: p.form,
        cancel_href: p.cancel_href,
    };
    match failure {
        Some(f) => render::html(f.status, &v),
        None => render::ok(&v),
    }
}

fn new_fields(
    r: &Ready,
    folders: &[FolderInfo],
    form: &NameForm,
    failure: Option<&Failure>,
) -> FormView {
    let tr = r.page.tr();
    let mut parents = vec![(String::new(), tr.t("mail.folder.top").to_owned())];
    parents.extend(
        ordered(folders)
            .into_iter()
            .filter(|f| f.special.is_none())
            .map(|f| (f.id.to_string(), folder_path_label(tr, f))),
    );
    FormView::new(
        "folder",
        vec![
            Field::new(tr, "folder-name", "name", "mail.folder.name")
                .value(form.name.clone())
                .required()
                .answers(&["path"]),
            Field::new(tr, "folder-parent", "parent", "mail.folder.parent")
                .value(form.parent.clone())
                .options(parents),
        ],
        failure,
    )
}

async fn new_page(
    state: &AppState,
    r: &Ready,
    form: &NameForm,
    failure: Option<Failure>,
) -> Response {
    let folders = match state.platform.mail_folders(&r.actor).await {
        Ok(f) => f,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let fields = new_fields(r, &folders, form, failure.as_ref());
    let parts = Parts {
        heading: tr.t("mail.folder.new").to_owned(),
        action: "/mail/ordner/neu".into(),
        button: tr.t("mail.folder.create"),
        form: fields,
        cancel_href: "/mail".into(),
    };
    page(state, r, &folders, None, parts, failure).await
}

/// `GET /mail/ordner/neu`.
pub async fn new_form(State(state): State<AppState>, r: Ready) -> Response {
    new_page(&state, &r, &NameForm::default(), None).await
}

/// `POST /mail/ordner/neu`.
pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    Form(form): Form<NameForm>,
) -> Response {
    let tr = r.page.tr();
    let name = match level_name(r.page.tr(), &form.name) {
        Ok(n) => n,
        Err(f) => return new_page(&state, &r, &form, Some(f)).await,
    };
    let path = if form.parent.is_empty() {
        name
    } else {
        match own_folder(&state, &r, &form.parent).await {
            Ok((_, p)) => format!("{}/{name}", p.path),
            Err(e) => return r.fail(e),
        }
    };
    match state.platform.mail_create_folder(&r.actor, &path).await {
        Ok(f) => back_to(&folder_href(f.id), "mail_folder_created"),
        Err(e) => {
            let f = Failure::from_domain("folder", tr, &e);
            new_page(&state, &r, &form, Some(f)).await
        }
    }
}

async fn rename_page(
    state: &AppState,
    r: &Ready,
    id: &str,
    value: Option<&str>,
    failure: Option<Failure>,
) -> Response {
    let (folders, f) = match own_folder(state, r, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let label = folder_label(tr, &f);
    let field = Field::new(tr, "folder-name", "name", "mail.folder.new_name")
        .value(value.unwrap_or(&label))
        .required()
        .answers(&["path"]);
    let fields = FormView::new("folder", vec![field], failure.as_ref());
    let base = folder_href(f.id);
    let parts = Parts {
        heading: format!("{}: {label}", tr.t("mail.folder.rename")),
        action: format!("{base}/umbenennen"),
        button: tr.t("mail.folder.rename"),
        form: fields,
        cancel_href: base.clone(),
    };
    page(state, r, &folders, Some(&f), parts, failure).await
}

/// `GET /mail/ordner/{id}/umbenennen`.
pub async fn rename_form(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    rename_page(&state, &r, &id, None, None).await
}

/// `POST /mail/ordner/{id}/umbenennen`: a new name on the same level.
pub async fn rename(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(form): Form<NameForm>,
) -> Response {
    let (_, f) = match own_folder(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let name = match level_name(r.page.tr(), &form.name) {
        Ok(n) => n,
        Err(fail) => return rename_page(&state, &r, &id, Some(&form.name), Some(fail)).await,
    };
    let to = match f.path.rsplit_once('/') {
        Some((parent, _)) => format!("{parent}/{name}"),
        None => name,
    };
    match state
        .platform
        .mail_rename_folder(&r.actor, &f.path, &to)
        .await
    {
        Ok(()) => back_to(&folder_href(f.id), "mail_folder_renamed"),
        Err(e) => {
            let fail = Failure::from_domain("folder", r.page.tr(), &e);
            rename_page(&state, &r, &id, Some(&form.name), Some(fail)).await
        }
    }
}

/// `GET /mail/ordner/{id}/loeschen`: are you sure?
pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let (_, f) = match own_folder(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let base = folder_href(f.id);
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("mail.folder.delete")).signed_in(&r.page, &r.actor),
        heading: tr.t("mail.folder.delete").to_owned(),
        text: tr
            .t("mail.folder.delete_text")
            .replace("{name}", &folder_path_label(tr, &f)),
        action: format!("{base}/loeschen"),
        button: tr.t("mail.folder.delete"),
        cancel_href: base,
    };
    render::ok(&view)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Confirmed {
    #[serde(default)]
    pub bestaetigt: String,
}

/// `POST /mail/ordner/{id}/loeschen`.
pub async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(form): Form<Confirmed>,
) -> Response {
    let (_, f) = match own_folder(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if form.bestaetigt != "ja" {
        return Redirect::to(&format!("{}/loeschen", folder_href(f.id))).into_response();
    }
    match state.platform.mail_delete_folder(&r.actor, &f.path).await {
        Ok(()) => back_to("/mail", "mail_folder_deleted"),
        Err(e) => r.fail(e),
    }
}
