//! The editors' material forms: new of a kind, edit, move, delete. Bad input shows the
//! form again with the message.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::lms::{MaterialInput, Move};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, CourseId, SectionId, UserId};
use serde::Deserialize;

use super::{
    activity_id, course_href, done, field, form_error, local_value, material_href, parse_local,
    section_id,
};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

pub type Pairs = Vec<(String, String)>;

/// The move buttons send `richtung` (`hoch`/`runter`), the script a `position`; material
/// going to another section (the page for it, or the script) also an `abschnitt`.
#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    pub richtung: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub abschnitt: String,
}

fn no_section() -> DomainError {
    DomainError::invalid(
        "abschnitt",
        "Diesen Abschnitt gibt es in diesem Kurs nicht.",
    )
}

/// A move into a section: its id and the index there (empty: the end).
fn into_section(f: &MoveForm) -> Result<(SectionId, usize), DomainError> {
    if !f.richtung.trim().is_empty() {
        return Err(DomainError::invalid(
            "richtung",
            "Bitte entweder einen Abschnitt oder eine Richtung angeben.",
        ));
    }
    let section = section_id(f.abschnitt.trim()).ok_or_else(no_section)?;
    let at = match f.position.trim() {
        "" => usize::MAX,
        p => p
            .parse()
            .map_err(|_| DomainError::invalid("position", "Bitte eine Position angeben."))?,
    };
    Ok((section, at))
}

#[derive(Template)]
#[template(path = "lms/course/move.html")]
struct MovePage {
    c: Chrome,
    action: String,
    back: String,
    name: String,
    /// (id, title, whether the material is in it now).
    sections: Vec<(String, String, bool)>,
}

/// `GET /kurse/material/{a}/verschieben`: the page to move material into another section
/// (without JavaScript). Editors only; everyone else 404.
pub async fn move_form(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let ctx = match p.lms_activity_for_edit(&r.actor, a).await {
        Ok(c) => c,
        Err(DomainError::Forbidden) => return r.fail(DomainError::NotFound),
        Err(e) => return r.fail(e),
    };
    let outline = match p.lms_outline(&r.actor, ctx.course.id).await {
        Ok(o) => o,
        Err(e) => return r.fail(e),
    };
    let here = ctx.activity.section_id;
    let page = MovePage {
        c: Chrome::new(&r.page, r.page.tr().t("lms.move.title")).signed_in(&r.page, &r.actor),
        action: format!("/kurse/material/{a}/verschieben"),
        back: format!("{}#a-{a}", course_href(ctx.course.id)),
        name: ctx.activity.title.clone(),
        sections: outline
            .sections
            .iter()
            .map(|s| (s.row.id.to_string(), s.row.title.clone(), s.row.id == here))
            .collect(),
    };
    render::ok(&page)
}

/// The script asks for JSON and needs no page after a move; the buttons go back to the
/// course at the moved item.
pub fn moved(headers: &HeaderMap, to: String) -> Response {
    let script = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if script {
        StatusCode::NO_CONTENT.into_response()
    } else {
        Redirect::to(&to).into_response()
    }
}

/// One student to tick for "only for".
pub struct Person {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "lms/course/material_form.html")]
pub struct MaterialPage {
    pub c: Chrome,
    pub action: String,
    pub back: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub title: String,
    pub body: String,
    pub url: String,
    pub transcript: String,
    pub hidden: bool,
    pub from: String,
    pub completion: String,
    pub people: Vec<Person>,
    pub error: Option<String>,
    /// Editing: the activity's id (delete, files).
    pub existing: Option<String>,
    pub files: Vec<super::material::FileLine>,
    /// Media: the caption tracks.
    pub tracks: Vec<super::material::TrackLine>,
    /// Media: the languages offered for a caption track (tag, name).
    pub languages: &'static [(&'static str, &'static str)],
    /// A page's pictures.
    pub images: Vec<super::material::ImageLine>,
    /// Pictures the course already holds: (file id, name).
    pub course_images: Vec<(String, String)>,
    pub record_js: String,
}

fn material_input(r: &Ready, kind: &str, f: &Pairs) -> Result<MaterialInput, DomainError> {
    Ok(MaterialInput {
        kind: kind.to_owned(),
        title: field(f, "titel").to_owned(),
        body: field(f, "text").to_owned(),
        url: Some(field(f, "adresse").to_owned()).filter(|u| !u.trim().is_empty()),
        transcript: field(f, "transkript").to_owned(),
        hidden: field(f, "versteckt") == "ja",
        visible_from: parse_local(&Zone::of(&r.actor), field(f, "ab"))?,
        only_for: f
            .iter()
            .filter(|(k, _)| k == "nur")
            .filter_map(|(_, v)| uuid::Uuid::parse_str(v).ok().map(UserId))
            .collect(),
        completion: Some(field(f, "abschluss"))
            .filter(|c| !c.is_empty())
            .unwrap_or("none")
            .to_owned(),
    })
}

/// The form for `kind`, filled from `input`.
async fn material_page(
    state: &AppState,
    r: &Ready,
    course: CourseId,
    action: String,
    input: &MaterialInput,
    visible_from: String,
    existing: Option<ActivityId>,
) -> Result<MaterialPage, Response> {
    let people = state
        .platform
        .lms_participants(&r.actor, course)
        .await
        .map_err(|e| r.fail(e))?;
    let tr = r.page.tr();
    Ok(MaterialPage {
        c: Chrome::new(&r.page, tr.t("lms.material.edit")).signed_in(&r.page, &r.actor),
        action,
        back: course_href(course),
        kind: input.kind.clone(),
        kind_label: tr
            .lookup(&format!("lms.kind.{}", input.kind))
            .unwrap_or("?"),
        title: input.title.clone(),
        body: input.body.clone(),
        url: input.url.clone().unwrap_or_default(),
        transcript: input.transcript.clone(),
        hidden: input.hidden,
        from: visible_from,
        completion: input.completion.clone(),
        people: people
            .into_iter()
            .map(|p| Person {
                checked: input.only_for.contains(&p.id),
                id: p.id.0.to_string(),
                name: format!("{} {}", p.first_name, p.last_name),
            })
            .collect(),
        error: None,
        existing: existing.map(|a| a.to_string()),
        files: Vec::new(),
        tracks: Vec::new(),
        languages: schulhof_domain::lms::captions::LANGUAGES,
        images: Vec::new(),
        course_images: Vec::new(),
        record_js: crate::assets::href("lms_record.js"),
    })
}

#[derive(Deserialize)]
pub struct KindQuery {
    art: Option<String>,
}

/// `GET /kurse/abschnitte/{s}/material/neu?art=page`.
pub async fn new_material(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
    Query(q): Query<KindQuery>,
) -> Response {
    let Some(s) = section_id(&s) else {
        return r.fail(DomainError::NotFound);
    };
    let kind = q.art.unwrap_or_else(|| "page".into());
    if !schulhof_domain::lms::MATERIAL_KINDS.contains(&kind.as_str()) {
        return r.fail(DomainError::NotFound);
    }
    let course = match state.platform.lms_section_for_edit(&r.actor, s).await {
        Ok((row, _)) => row.course_id,
        Err(e) => return r.fail(e),
    };
    let input = MaterialInput {
        completion: "view".into(),
        kind: kind.clone(),
        ..MaterialInput::default()
    };
    let action = format!("/kurse/abschnitte/{s}/material/neu?art={kind}");
    match material_page(&state, &r, course, action, &input, String::new(), None).await {
        Ok(p) => render::ok(&p),
        Err(resp) => resp,
    }
}

/// `POST /kurse/abschnitte/{s}/material/neu?art=…`: files are added on the next page.
pub async fn create_material(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
    Query(q): Query<KindQuery>,
    Form(f): Form<Pairs>,
) -> Response {
    let Some(s) = section_id(&s) else {
        return r.fail(DomainError::NotFound);
    };
    let kind = q.art.unwrap_or_else(|| "page".into());
    let p = &state.platform;
    let course = match p.lms_section_for_edit(&r.actor, s).await {
        Ok((row, _)) => row.course_id,
        Err(e) => return r.fail(e),
    };
    let result = match material_input(&r, &kind, &f) {
        Ok(input) => p.lms_add_material(&r.actor, s, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(a) if matches!(kind.as_str(), "file" | "folder" | "media") => {
            done(&format!("/kurse/material/{a}/bearbeiten"), "lms_saved")
        }
        Ok(_) => done(&course_href(course), "lms_saved"),
        Err(e) => {
            let action = format!("/kurse/abschnitte/{s}/material/neu?art={kind}");
            again(&state, &r, course, action, &kind, &f, e, None).await
        }
    }
}

/// The form once more with what was sent and the message.
#[allow(clippy::too_many_arguments)]
async fn again(
    state: &AppState,
    r: &Ready,
    course: CourseId,
    action: String,
    kind: &str,
    f: &Pairs,
    e: DomainError,
    existing: Option<ActivityId>,
) -> Response {
    let message = match form_error(r, e) {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    let input = MaterialInput {
        visible_from: None,
        ..material_input(r, kind, f).unwrap_or_default()
    };
    let input = MaterialInput {
        kind: kind.to_owned(),
        title: field(f, "titel").to_owned(),
        body: field(f, "text").to_owned(),
        ..input
    };
    match material_page(
        state,
        r,
        course,
        action,
        &input,
        field(f, "ab").to_owned(),
        existing,
    )
    .await
    {
        Ok(mut p) => {
            p.error = Some(message);
            render::html(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(resp) => resp,
    }
}

/// `GET /kurse/material/{a}/bearbeiten`.
pub async fn edit_material(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let v = match state.platform.lms_open_material(&r.actor, a).await {
        Ok(v) if v.ctx.is_editor() => v,
        Ok(_) => return r.fail(DomainError::Forbidden),
        Err(e) => return r.fail(e),
    };
    let x = &v.ctx.activity;
    let input = MaterialInput {
        kind: x.kind.clone(),
        title: x.title.clone(),
        body: x.body.clone(),
        url: x.url.clone(),
        transcript: x.transcript.clone(),
        hidden: x.hidden,
        visible_from: x.visible_from,
        only_for: v.only_for.clone(),
        completion: x.completion.clone(),
    };
    let from = local_value(&Zone::of(&r.actor), x.visible_from);
    let action = format!("/kurse/material/{a}/bearbeiten");
    match material_page(&state, &r, x.course_id, action, &input, from, Some(a)).await {
        Ok(p) if x.kind == "media" => {
            // Recording needs the microphone and camera, which every other page refuses.
            let mut resp = super::material::with_files(&r, p, &v);
            resp.headers_mut().insert(
                axum::http::HeaderName::from_static("permissions-policy"),
                axum::http::HeaderValue::from_static(
                    "camera=(self), microphone=(self), geolocation=()",
                ),
            );
            resp
        }
        Ok(mut p) if x.kind == "page" => {
            match state.platform.lms_course_images(&r.actor, a).await {
                Ok(list) => {
                    p.course_images = list
                        .into_iter()
                        .map(|f| (f.id.to_string(), f.name))
                        .collect();
                }
                Err(e) => return r.fail(e),
            }
            super::material::with_files(&r, p, &v)
        }
        Ok(p) => super::material::with_files(&r, p, &v),
        Err(resp) => resp,
    }
}

/// `POST /kurse/material/{a}/bearbeiten`.
pub async fn update_material(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let ctx = match p.lms_activity_for_edit(&r.actor, a).await {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let kind = ctx.activity.kind.clone();
    let result = match material_input(&r, &kind, &f) {
        Ok(input) => p.lms_update_material(&r.actor, a, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(&material_href(a), "lms_saved"),
        Err(e) => {
            let action = format!("/kurse/material/{a}/bearbeiten");
            again(&state, &r, ctx.course.id, action, &kind, &f, e, Some(a)).await
        }
    }
}

/// `POST /kurse/material/{a}/verschieben`.
pub async fn move_material(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    headers: HeaderMap,
    Form(f): Form<MoveForm>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let result = if f.abschnitt.trim().is_empty() {
        match Move::from_form(&f.richtung, &f.position) {
            Ok(mv) => p.lms_move_activity(&r.actor, a, mv).await,
            Err(e) => Err(e),
        }
    } else {
        match into_section(&f) {
            Ok((s, at)) => p.lms_move_activity_to_section(&r.actor, a, s, at).await,
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(course) => moved(&headers, format!("{}#a-{a}", course_href(course))),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/material/{a}/loeschen`.
pub async fn delete_material(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let course = match p.lms_activity_for_edit(&r.actor, a).await {
        Ok(c) => c.course.id,
        Err(e) => return r.fail(e),
    };
    match p.lms_delete_activity(&r.actor, a).await {
        Ok(()) => done(&course_href(course), "lms_deleted"),
        Err(e) => r.fail(e),
    }
}
