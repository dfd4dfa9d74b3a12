//! The editors' section forms: add, rename, hide, schedule, move, delete.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::{Move, SectionInput};
use schulhof_front::AppState;

use super::edit::{MoveForm, Pairs, moved};
use super::{
    course_href, course_id, done, field, form_error, local_value, parse_local, section_id,
};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "lms/course/section_form.html")]
struct SectionPage {
    c: Chrome,
    action: String,
    back: String,
    title: String,
    summary: String,
    hidden: bool,
    from: String,
    error: Option<String>,
    delete: Option<String>,
}

fn section_input(r: &Ready, f: &Pairs) -> Result<SectionInput, DomainError> {
    Ok(SectionInput {
        title: field(f, "titel").to_owned(),
        summary: field(f, "zusammenfassung").to_owned(),
        hidden: field(f, "versteckt") == "ja",
        visible_from: parse_local(&Zone::of(&r.actor), field(f, "ab"))?,
    })
}

/// `POST /kurse/{id}/abschnitte`.
pub async fn add_section(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let input = match section_input(&r, &f) {
        Ok(i) => i,
        Err(e) => return r.fail(e),
    };
    match state.platform.lms_add_section(&r.actor, id, &input).await {
        Ok(_) => done(&course_href(id), "lms_saved"),
        Err(e) => r.fail(e),
    }
}

/// `GET /kurse/abschnitte/{s}/bearbeiten`.
pub async fn section_form(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
) -> Response {
    let Some(s) = section_id(&s) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_section_for_edit(&r.actor, s).await {
        Ok((row, _)) => {
            let zone = Zone::of(&r.actor);
            let page = SectionPage {
                c: Chrome::new(&r.page, r.page.tr().t("lms.section.edit"))
                    .signed_in(&r.page, &r.actor),
                action: format!("/kurse/abschnitte/{s}/bearbeiten"),
                back: course_href(row.course_id),
                title: row.title,
                summary: row.summary,
                hidden: row.hidden,
                from: local_value(&zone, row.visible_from),
                error: None,
                delete: Some(format!("/kurse/abschnitte/{s}/loeschen")),
            };
            render::ok(&page)
        }
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/abschnitte/{s}/bearbeiten`.
pub async fn save_section(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let Some(s) = section_id(&s) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let result = match section_input(&r, &f) {
        Ok(input) => p.lms_update_section(&r.actor, s, &input).await,
        Err(e) => Err(e),
    };
    let (row, _) = match p.lms_section_for_edit(&r.actor, s).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    match result {
        Ok(()) => done(&course_href(row.course_id), "lms_saved"),
        Err(e) => match form_error(&r, e) {
            Ok(message) => render::html(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &SectionPage {
                    c: Chrome::new(&r.page, r.page.tr().t("lms.section.edit"))
                        .signed_in(&r.page, &r.actor),
                    action: format!("/kurse/abschnitte/{s}/bearbeiten"),
                    back: course_href(row.course_id),
                    title: field(&f, "titel").to_owned(),
                    summary: field(&f, "zusammenfassung").to_owned(),
                    hidden: field(&f, "versteckt") == "ja",
                    from: field(&f, "ab").to_owned(),
                    error: Some(message),
                    delete: Some(format!("/kurse/abschnitte/{s}/loeschen")),
                },
            ),
            Err(resp) => resp,
        },
    }
}

/// `POST /kurse/abschnitte/{s}/verschieben`.
pub async fn move_section(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
    headers: HeaderMap,
    Form(f): Form<MoveForm>,
) -> Response {
    let Some(s) = section_id(&s) else {
        return r.fail(DomainError::NotFound);
    };
    // Sections have no section to go into: an `abschnitt` is bad input.
    let mv = match f.abschnitt.trim() {
        "" => Move::from_form(&f.richtung, &f.position),
        _ => Move::from_form("", ""),
    };
    let result = match mv {
        Ok(mv) => state.platform.lms_move_section(&r.actor, s, mv).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(course) => moved(&headers, format!("{}#s-{s}", course_href(course))),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/abschnitte/{s}/loeschen`.
pub async fn delete_section(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
) -> Response {
    let Some(s) = section_id(&s) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let course = match p.lms_section_for_edit(&r.actor, s).await {
        Ok((row, _)) => row.course_id,
        Err(e) => return r.fail(e),
    };
    match p.lms_delete_section(&r.actor, s).await {
        Ok(()) => done(&course_href(course), "lms_deleted"),
        Err(e) => r.fail(e),
    }
}
