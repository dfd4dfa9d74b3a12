//! `GET /kurse`: the caller's courses (open, then the archive) and the groups a course can
//! be created for with one click; `POST /kurse/anlegen` creates it. The school's admin
//! also sets here whether courses are made without a click (`POST /kurse/automatisch`).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::lms::AutoCourses;
use schulhof_front::AppState;
use schulhof_types::GroupId;
use serde::Deserialize;

use super::course_href;
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub struct CourseLine {
    pub href: String,
    pub name: String,
    pub summary: String,
    pub role: &'static str,
}

#[derive(Template)]
#[template(path = "lms/course/list.html")]
struct ListPage {
    c: Chrome,
    open: Vec<CourseLine>,
    archived: Vec<CourseLine>,
    groups: Vec<(String, String)>,
    /// The admin's setting "courses without a click": (value, label, chosen); empty for
    /// everyone else.
    auto: Vec<(&'static str, &'static str, bool)>,
}

/// The choices of the setting with their words, the school's one ticked.
fn auto_choices(r: &Ready, now: AutoCourses) -> Vec<(&'static str, &'static str, bool)> {
    let tr = r.page.tr();
    AutoCourses::ALL
        .into_iter()
        .map(|a| (a.code(), tr.t(auto_label(a)), a == now))
        .collect()
}

/// The words of one choice of the setting (its i18n key).
pub fn auto_label(a: AutoCourses) -> &'static str {
    match a {
        AutoCourses::Off => "lms.auto.off",
        AutoCourses::Classes => "lms.auto.classes",
        AutoCourses::ClassesAndCourseGroups => "lms.auto.classes_courses",
    }
}

/// `GET /kurse`.
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    let p = &state.platform;
    let courses = match p.lms_courses(&r.actor).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let groups = match p.lms_creatable_groups(&r.actor).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    // Only the school's admin sees (and may change) the setting.
    let auto = match p.lms_auto_courses(&r.actor).await {
        Ok(now) => auto_choices(&r, now),
        Err(DomainError::Forbidden) => Vec::new(),
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let (mut open, mut archived) = (Vec::new(), Vec::new());
    for c in courses {
        let line = CourseLine {
            href: course_href(c.id),
            name: c.name,
            summary: c.summary,
            role: tr.t(if c.role.as_deref() == Some("editor") {
                "lms.role.editor"
            } else {
                "lms.role.participant"
            }),
        };
        if c.archived_at.is_some() {
            archived.push(line);
        } else {
            open.push(line);
        }
    }
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("lms.title")).signed_in(&r.page, &r.actor),
        open,
        archived,
        groups: groups
            .into_iter()
            .map(|(id, n)| (id.0.to_string(), n))
            .collect(),
        auto,
    };
    render::ok(&view)
}

#[derive(Deserialize)]
pub struct CreateForm {
    gruppe: String,
}

/// `POST /kurse/anlegen`: the course of a group, with one click.
pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<CreateForm>,
) -> Response {
    let Ok(g) = uuid::Uuid::parse_str(&f.gruppe) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_create_course(&r.actor, GroupId(g)).await {
        Ok(id) => Redirect::to(&format!("{}?ok=lms_created", course_href(id))).into_response(),
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
pub struct AutoForm {
    #[serde(default)]
    auto: String,
}

/// `POST /kurse/automatisch`: the school's setting; the domain decides who may set it.
pub async fn set_auto(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<AutoForm>,
) -> Response {
    match state.platform.lms_set_auto_courses(&r.actor, &f.auto).await {
        Ok(_) => Redirect::to("/kurse?ok=lms_auto_saved").into_response(),
        Err(e) => r.fail(e),
    }
}
