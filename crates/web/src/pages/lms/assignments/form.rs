//! The teacher's form: `/kurse/abschnitte/{s}/aufgabe/neu` and
//! `/kurse/aufgaben/{a}/bearbeiten`. One multipart form: title, instructions, the audio
//! instruction (recorded here or uploaded) with its transcript, instruction files, dates,
//! submission types, group work, grading and completion. Bad input shows it again.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::AssignmentPage;
use schulhof_front::AppState;
use schulhof_types::{ActivityId, SectionId};

use super::form_values::{Values, input};
use super::{Sent, assignment_href, done, form_error, read, size};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

/// An instruction file with its remove address.
pub struct FileLine {
    pub href: String,
    pub name: String,
    pub size: String,
    pub remove: String,
    pub audio: bool,
}

#[derive(Template)]
#[template(path = "lms/assignments/form.html")]
struct FormPage {
    c: Chrome,
    heading: String,
    action: String,
    back: String,
    error: Option<String>,
    v: Values,
    files: Vec<FileLine>,
    record_js: String,
}

fn page(
    r: &Ready,
    heading: String,
    action: String,
    back: String,
    v: Values,
    files: Vec<FileLine>,
    error: Option<String>,
) -> Response {
    let p = FormPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        action,
        back,
        error,
        v,
        files,
        record_js: crate::assets::href("lms_assign_record.js"),
    };
    super::with_recorder(render::ok(&p))
}

fn section_id(s: &str) -> Option<SectionId> {
    s.parse().ok()
}

/// `GET /kurse/abschnitte/{s}/aufgabe/neu`.
pub async fn new_form(State(state): State<AppState>, r: Ready, Path(s): Path<String>) -> Response {
    let Some(s) = section_id(&s) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_section_for_edit(&r.actor, s).await {
        Ok((row, _)) => {
            let v = Values {
                types: vec!["text".into(), "files".into()],
                grading: "points".into(),
                max: "10".into(),
                pass: "5".into(),
                completion: "submit".into(),
                ..Values::default()
            };
            let heading = r.page.tr().t("assign.new").to_owned();
            page(
                &r,
                heading,
                format!("/kurse/abschnitte/{s}/aufgabe/neu"),
                format!("/kurse/{}", row.course_id),
                v,
                Vec::new(),
                None,
            )
        }
        Err(e) => r.fail(e),
    }
}

/// Adds the audio instruction and instruction files of the form.
async fn add_files(
    state: &AppState,
    r: &Ready,
    id: ActivityId,
    s: &mut Sent,
) -> Result<(), DomainError> {
    for u in s.take("aufnahme") {
        state
            .platform
            .lms_assignment_add_instruction(&r.actor, id, &u.name, u.bytes, true)
            .await?;
    }
    for u in s.take("material") {
        state
            .platform
            .lms_assignment_add_instruction(&r.actor, id, &u.name, u.bytes, false)
            .await?;
    }
    Ok(())
}

/// `POST /kurse/abschnitte/{s}/aufgabe/neu`.
pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(sec) = section_id(&s) else {
        return r.fail(DomainError::NotFound);
    };
    let course = match state.platform.lms_section_for_edit(&r.actor, sec).await {
        Ok((row, _)) => row.course_id,
        Err(e) => return r.fail(e),
    };
    let heading = r.page.tr().t("assign.new").to_owned();
    let action = format!("/kurse/abschnitte/{s}/aufgabe/neu");
    let mut sent = match read(form).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let made = match input(&r, &sent) {
        Ok(i) => {
            state
                .platform
                .lms_assignment_create(&r.actor, course, sec, &i)
                .await
        }
        Err(e) => Err(e),
    };
    let result = match made {
        Ok(id) => add_files(&state, &r, id, &mut sent).await.map(|_| id),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => done(&assignment_href(id), "lms_assign_saved"),
        Err(e) => match form_error(&r, e) {
            Ok(msg) => page(
                &r,
                heading,
                action,
                format!("/kurse/{course}"),
                Values::from_sent(&sent),
                Vec::new(),
                Some(msg),
            ),
            Err(resp) => resp,
        },
    }
}

fn lines(p: &AssignmentPage) -> Vec<FileLine> {
    let a = p.ctx.activity.id;
    p.files
        .iter()
        .map(|f| FileLine {
            href: format!("/kurse/aufgaben/datei/anleitung/{}", f.id),
            name: f.name.clone(),
            size: size(f.size),
            remove: format!("/kurse/aufgaben/{a}/anleitung/{}/entfernen", f.id),
            audio: f.role == "instruction_audio",
        })
        .collect()
}

async fn editable(state: &AppState, r: &Ready, a: &str) -> Result<AssignmentPage, DomainError> {
    let id: ActivityId = a.parse().map_err(|_| DomainError::NotFound)?;
    let p = state.platform.lms_assignment(&r.actor, id).await?;
    if !p.ctx.is_editor() || p.ctx.course.archived {
        return Err(DomainError::NotFound);
    }
    Ok(p)
}

/// `GET /kurse/aufgaben/{a}/bearbeiten`.
pub async fn edit_form(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    match editable(&state, &r, &a).await {
        Ok(p) => {
            let heading = format!("{}: {}", r.page.tr().t("assign.edit"), p.ctx.activity.title);
            page(
                &r,
                heading,
                format!("/kurse/aufgaben/{a}/bearbeiten"),
                format!("/kurse/aufgaben/{a}"),
                Values::of_page(&r, &p),
                lines(&p),
                None,
            )
        }
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/aufgaben/{a}/bearbeiten`.
pub async fn update(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let p = match editable(&state, &r, &a).await {
        Ok(p) => p,
        Err(e) => return r.fail(e),
    };
    let id = p.ctx.activity.id;
    let mut sent = match read(form).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let mut result = match input(&r, &sent) {
        Ok(i) => state.platform.lms_assignment_update(&r.actor, id, &i).await,
        Err(e) => Err(e),
    };
    if result.is_ok() {
        result = add_files(&state, &r, id, &mut sent).await;
    }
    match result {
        Ok(()) => done(&assignment_href(id), "lms_assign_saved"),
        Err(e) => match form_error(&r, e) {
            Ok(msg) => {
                let heading = format!("{}: {}", r.page.tr().t("assign.edit"), p.ctx.activity.title);
                page(
                    &r,
                    heading,
                    format!("/kurse/aufgaben/{a}/bearbeiten"),
                    assignment_href(id),
                    Values::from_sent(&sent),
                    lines(&p),
                    Some(msg),
                )
            }
            Err(resp) => resp,
        },
    }
}

/// `POST /kurse/aufgaben/{a}/anleitung/{f}/entfernen`.
pub async fn remove_file(
    State(state): State<AppState>,
    r: Ready,
    Path((a, f)): Path<(String, String)>,
) -> Response {
    let (Some(id), Ok(f)) = (super::activity_id(&a), uuid::Uuid::parse_str(&f)) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_assignment_remove_instruction(&r.actor, id, f)
        .await
    {
        Ok(()) => done(
            &format!("/kurse/aufgaben/{a}/bearbeiten"),
            "lms_assign_saved",
        ),
        Err(e) => r.fail(e),
    }
}
