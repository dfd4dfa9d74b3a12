//! `/verwaltung/startseite`: the start page's editor for holders of homepage.admin. Plain
//! forms: the preview is a second submit button that renders the sanitised page on the
//! server, so it works without JavaScript.

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::homepage::images::MAX_IMAGE;
use schulhof_domain::homepage::{HomepageAdmin, ImageRow, PageInput, PageRow};
use schulhof_front::AppState;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::pages::views::ConfirmPage;
use crate::render;

const HOME: &str = "/verwaltung/startseite";

#[derive(Template)]
#[template(path = "homepage/editor.html")]
struct EditorPage {
    c: Chrome,
    public_href: String,
    tiles_code: String,
    settings: FormView,
    upload: FormView,
    pages: Vec<PageRow>,
    images: Vec<ImageRow>,
    school_number: String,
}

#[derive(Template)]
#[template(path = "homepage/page_form.html")]
struct PageFormPage {
    c: Chrome,
    heading: &'static str,
    action: String,
    form: FormView,
    published: bool,
    preview: Option<PageRow>,
    delete_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    begruessung: String,
    #[serde(default)]
    weiterleitung: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageForm {
    #[serde(default)]
    titel: String,
    #[serde(default)]
    adresse: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    position: String,
    veroeffentlicht: Option<String>,
    /// `vorschau` shows the page without saving it.
    #[serde(default)]
    aktion: String,
}

impl PageForm {
    fn input(&self) -> PageInput {
        PageInput {
            title: self.titel.clone(),
            slug: self.adresse.clone(),
            body: self.text.clone(),
            position: self.position.trim().parse().ok(),
            published: self.veroeffentlicht.is_some(),
        }
    }

    fn of(p: &PageRow) -> PageForm {
        PageForm {
            titel: p.title.clone(),
            adresse: p.slug.clone(),
            text: p.body.clone(),
            position: p.position.to_string(),
            veroeffentlicht: p.published.then(|| "ja".into()),
            aktion: String::new(),
        }
    }
}

async fn render_editor(
    state: &AppState,
    r: &Ready,
    failure: Option<&Failure>,
    typed: Option<&SettingsForm>,
) -> Response {
    let tr = r.page.tr();
    let admin: HomepageAdmin = match state.platform.homepage_admin(&r.actor).await {
        Ok(a) => a,
        Err(e) => return r.fail(e),
    };
    let (intro, redirect) = match typed {
        Some(t) => (t.begruessung.clone(), t.weiterleitung.clone()),
        None => (
            admin.settings.intro.clone(),
            admin.settings.redirect_url.clone().unwrap_or_default(),
        ),
    };
    let nr = r.actor.school_number.clone();
    let settings = vec![
        Field::new(tr, "hp-intro", "begruessung", "field.intro")
            .kind("textarea")
            .value(intro)
            .hint(tr, "hpe.intro_hint")
            .answers(&["intro"]),
        Field::new(tr, "hp-redirect", "weiterleitung", "field.redirect_url")
            .kind("url")
            .value(redirect)
            .hint(tr, "hpe.redirect_hint")
            .answers(&["redirect_url"]),
    ];
    let upload = vec![
        Field::new(tr, "hp-image", "bild", "field.image")
            .kind("file")
            .attr("accept", "image/png,image/jpeg,image/gif,image/webp")
            .hint(tr, "hpe.images_hint")
            .required()
            .answers(&["image"]),
    ];
    let view = EditorPage {
        c: Chrome::new(&r.page, tr.t("hpe.title")).signed_in(&r.page, &r.actor),
        public_href: format!("/schule/{nr}/"),
        tiles_code: format!(
            "<script src=\"{}/schule/{nr}/kacheln.js\" data-farbe=\"#1d4ed8\"></script>",
            origin_hint(state)
        ),
        settings: FormView::new("settings", settings, failure),
        upload: FormView::new("upload", upload, failure),
        pages: admin.pages,
        images: admin.images,
        school_number: nr,
    };
    match failure {
        Some(f) => render::html(f.status, &view),
        None => render::ok(&view),
    }
}

/// The platform's address for the snippet: the configured one, else a placeholder.
fn origin_hint(state: &AppState) -> String {
    state
        .platform
        .config()
        .outbound
        .public_url
        .as_deref()
        .map_or_else(
            || "https://<adresse-der-plattform>".to_owned(),
            |u| u.trim_end_matches('/').to_owned(),
        )
}

/// `GET /verwaltung/startseite`.
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    render_editor(&state, &r, None, None).await
}

/// `POST /verwaltung/startseite`: the welcome text and the redirect.
pub async fn save_settings(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<SettingsForm>,
) -> Response {
    match state
        .platform
        .homepage_save_settings(&r.actor, &f.begruessung, &f.weiterleitung)
        .await
    {
        Ok(()) => Redirect::to(&format!("{HOME}?ok=homepage_saved")).into_response(),
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict { .. })) => {
            let failure = Failure::from_domain("settings", r.page.tr(), &e);
            render_editor(&state, &r, Some(&failure), Some(&f)).await
        }
        Err(e) => r.fail(e),
    }
}

fn page_form(
    r: &Ready,
    id: Option<Uuid>,
    input: &PageForm,
    failure: Option<&Failure>,
    preview: Option<PageRow>,
) -> Response {
    let tr = r.page.tr();
    let fields = vec![
        Field::new(tr, "hp-title", "titel", "field.title")
            .value(input.titel.clone())
            .required()
            .answers(&["title"]),
        Field::new(tr, "hp-slug", "adresse", "field.slug")
            .value(input.adresse.clone())
            .hint(tr, "hpe.slug_hint")
            .attr("pattern", "[a-z0-9\\-]*")
            .answers(&["slug"]),
        Field::new(tr, "hp-body", "text", "field.body")
            .kind("textarea")
            .value(input.text.clone())
            .hint(tr, "hpe.body_hint")
            .answers(&["body"]),
        Field::new(tr, "hp-position", "position", "hpe.col.position")
            .kind("number")
            .value(input.position.clone())
            .hint(tr, "hpe.position_hint")
            .attr("min", "0")
            .attr("max", "10000"),
    ];
    let heading = if id.is_some() {
        tr.t("hpe.edit_page")
    } else {
        tr.t("hpe.new_page")
    };
    let view = PageFormPage {
        c: Chrome::new(&r.page, heading).signed_in(&r.page, &r.actor),
        heading,
        action: id.map_or_else(
            || format!("{HOME}/seiten/neu"),
            |id| format!("{HOME}/seiten/{id}"),
        ),
        form: FormView::new("page", fields, failure),
        published: input.veroeffentlicht.is_some(),
        preview,
        delete_href: id.map(|id| format!("{HOME}/seiten/{id}/loeschen")),
    };
    match failure {
        Some(f) => render::html(f.status, &view),
        None => render::ok(&view),
    }
}

/// `GET /verwaltung/startseite/seiten/neu`.
pub async fn new_page(r: Ready) -> Response {
    if !super::offered(&r.actor.token) {
        return r.fail(DomainError::Forbidden);
    }
    page_form(&r, None, &PageForm::default(), None, None)
}

/// `GET /verwaltung/startseite/seiten/<id>`.
pub async fn edit_page(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.homepage_page(&r.actor, id).await {
        Ok(p) => page_form(&r, Some(id), &PageForm::of(&p), None, None),
        Err(e) => r.fail(e),
    }
}

async fn save_page(state: &AppState, r: &Ready, id: Option<Uuid>, f: &PageForm) -> Response {
    let input = f.input();
    if f.aktion == "vorschau" {
        return match state.platform.homepage_preview(&r.actor, &input) {
            Ok(p) => page_form(r, id, f, None, Some(p)),
            Err(e) => fail_page(r, id, f, e),
        };
    }
    match state
        .platform
        .homepage_save_page(&r.actor, id, &input)
        .await
    {
        Ok(_) => Redirect::to(&format!("{HOME}?ok=homepage_page_saved")).into_response(),
        Err(e) => fail_page(r, id, f, e),
    }
}

fn fail_page(r: &Ready, id: Option<Uuid>, f: &PageForm, e: DomainError) -> Response {
    match e {
        DomainError::Invalid { .. } | DomainError::Conflict { .. } => {
            let failure = Failure::from_domain("page", r.page.tr(), &e);
            page_form(r, id, f, Some(&failure), None)
        }
        other => r.fail(other),
    }
}

/// `POST /verwaltung/startseite/seiten/neu`: saves, or with `aktion=vorschau` previews.
pub async fn create_page(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<PageForm>,
) -> Response {
    save_page(&state, &r, None, &f).await
}

/// `POST /verwaltung/startseite/seiten/<id>`.
pub async fn update_page(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<PageForm>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return r.fail(DomainError::NotFound);
    };
    save_page(&state, &r, Some(id), &f).await
}

/// `GET /verwaltung/startseite/seiten/<id>/loeschen`: asks first.
pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let page = match state.platform.homepage_page(&r.actor, id).await {
        Ok(p) => p,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    render::ok(&ConfirmPage {
        c: Chrome::new(&r.page, tr.t("hpe.delete")).signed_in(&r.page, &r.actor),
        heading: format!("{}: {}", tr.t("hpe.delete"), page.title),
        text: tr.t("hpe.delete_q").replace("{title}", &page.title),
        action: format!("{HOME}/seiten/{id}/loeschen"),
        button: tr.t("hpe.delete"),
        cancel_href: format!("{HOME}/seiten/{id}"),
    })
}

/// `POST /verwaltung/startseite/seiten/<id>/loeschen`.
pub async fn delete_page(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.homepage_delete_page(&r.actor, id).await {
        Ok(()) => Redirect::to(&format!("{HOME}?ok=homepage_page_deleted")).into_response(),
        Err(e) => r.fail(e),
    }
}

/// Reads the picture of the upload form (its bytes stay in memory: at most twice the
/// limit, the body limit of the route).
async fn read_picture(
    form: Result<Multipart, MultipartRejection>,
) -> Result<(String, Vec<u8>), DomainError> {
    let missing = || DomainError::invalid("image", "Please choose a picture.");
    let too_large = || {
        DomainError::invalid(
            "image",
            format!(
                "The picture is too large (at most {} MB).",
                MAX_IMAGE / 1_000_000
            ),
        )
    };
    let status = |e: &axum::extract::multipart::MultipartError| e.status();
    let mut form = form.map_err(|_| missing())?;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("bild") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                return match field.bytes().await {
                    Ok(b) => Ok((name, b.to_vec())),
                    Err(e) if status(&e) == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
                    Err(_) => Err(missing()),
                };
            }
            Ok(Some(_)) => {}
            Ok(None) => return Err(missing()),
            Err(e) if status(&e) == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(missing()),
        }
    }
}

/// `POST /verwaltung/startseite/bilder`: uploads a picture.
pub async fn upload(
    State(state): State<AppState>,
    r: Ready,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let result = match read_picture(form).await {
        Ok((name, bytes)) => state
            .platform
            .homepage_upload_image(&r.actor, &name, &bytes)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("{HOME}?ok=homepage_image_saved")).into_response(),
        Err(e @ (DomainError::Invalid { .. } | DomainError::QuotaExceeded(_))) => {
            let mut failure = Failure::from_domain("upload", r.page.tr(), &e);
            failure.field = Some("image");
            render_editor(&state, &r, Some(&failure), None).await
        }
        Err(e) => r.fail(e),
    }
}

/// `POST /verwaltung/startseite/bilder/<id>/loeschen`.
pub async fn delete_image(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.homepage_delete_image(&r.actor, id).await {
        Ok(()) => Redirect::to(&format!("{HOME}?ok=homepage_image_deleted")).into_response(),
        Err(e) => r.fail(e),
    }
}
