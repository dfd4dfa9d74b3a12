//! `/kurse/{id}/einstellungen`: name and summary, further groups, co-teachers by login
//! (and removing them); `POST /kurse/{id}/kopieren` copies a course into a new open one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_front::AppState;
use schulhof_types::{GroupId, UserId};
use serde::Deserialize;

use super::{course_href, course_id, done};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

#[derive(Template)]
#[template(path = "lms/course/settings.html")]
struct SettingsPage {
    c: Chrome,
    id: String,
    name: String,
    summary: String,
    /// The simple view for primary schools.
    simple: bool,
    own_group: Option<String>,
    groups: Vec<(String, String)>,
    /// The caller's groups not linked yet.
    offer: Vec<(String, String)>,
    people: Vec<(String, String, &'static str)>,
}

/// `GET /kurse/{id}/einstellungen`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let ctx = match p.lms_course_for_edit(&r.actor, id).await {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let members = match p.lms_course_members(&r.actor, id).await {
        Ok(m) => m,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let linked: Vec<GroupId> = members.groups.iter().map(|(g, _)| *g).collect();
    let view = SettingsPage {
        c: Chrome::new(&r.page, tr.t("lms.settings")).signed_in(&r.page, &r.actor),
        id: id.to_string(),
        name: ctx.row.name.clone(),
        summary: ctx.row.summary.clone(),
        simple: ctx.row.simple_view,
        own_group: ctx.row.group_id.map(|g| g.0.to_string()),
        groups: members
            .groups
            .iter()
            .map(|(g, n)| (g.0.to_string(), n.clone()))
            .collect(),
        offer: r
            .actor
            .groups
            .iter()
            .filter(|g| !linked.contains(&g.id))
            .map(|g| (g.id.0.to_string(), g.name.clone()))
            .collect(),
        people: members
            .people
            .iter()
            .map(|(u, role)| {
                let label = tr.t(if role == "editor" {
                    "lms.role.co_teacher"
                } else {
                    "lms.role.participant"
                });
                (
                    u.id.0.to_string(),
                    format!("{} {}", u.first_name, u.last_name),
                    label,
                )
            })
            .collect(),
    };
    render::ok(&view)
}

#[derive(Deserialize)]
pub struct SettingsForm {
    name: String,
    #[serde(default)]
    zusammenfassung: String,
    /// The checkbox of the simple view (absent: off).
    einfach: Option<String>,
}

/// `POST /kurse/{id}/einstellungen`.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let saved = match p
        .lms_update_course(&r.actor, id, &f.name, &f.zusammenfassung)
        .await
    {
        Ok(()) => {
            p.lms_set_simple_view(&r.actor, id, f.einfach.is_some())
                .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => done(&format!("/kurse/{id}/einstellungen"), "lms_saved"),
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
pub struct GroupForm {
    gruppe: String,
}

/// `POST /kurse/{id}/gruppen`.
pub async fn link_group(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<GroupForm>,
) -> Response {
    let (Some(id), Ok(g)) = (course_id(&id), uuid::Uuid::parse_str(&f.gruppe)) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_link_group(&r.actor, id, GroupId(g))
        .await
    {
        Ok(()) => done(&format!("/kurse/{id}/einstellungen"), "lms_saved"),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/{id}/gruppen/{g}/entfernen`.
pub async fn unlink_group(
    State(state): State<AppState>,
    r: Ready,
    Path((id, g)): Path<(String, String)>,
) -> Response {
    let (Some(id), Ok(g)) = (course_id(&id), uuid::Uuid::parse_str(&g)) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_unlink_group(&r.actor, id, GroupId(g))
        .await
    {
        Ok(()) => done(&format!("/kurse/{id}/einstellungen"), "lms_saved"),
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
}

/// `POST /kurse/{id}/lehrkraefte`: a co-teacher by login.
pub async fn add_co_teacher(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<LoginForm>,
) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_add_co_teacher(&r.actor, id, &f.login)
        .await
    {
        Ok(()) => done(&format!("/kurse/{id}/einstellungen"), "lms_saved"),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/{id}/personen/{u}/entfernen`.
pub async fn remove_person(
    State(state): State<AppState>,
    r: Ready,
    Path((id, u)): Path<(String, String)>,
) -> Response {
    let (Some(id), Ok(u)) = (course_id(&id), uuid::Uuid::parse_str(&u)) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_remove_person(&r.actor, id, UserId(u))
        .await
    {
        Ok(()) => done(&format!("/kurse/{id}/einstellungen"), "lms_saved"),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/{id}/kopieren`: a new open course with the same sections and material.
pub async fn copy(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_copy_course(&r.actor, id).await {
        Ok(new) => Redirect::to(&format!("{}?ok=lms_copied", course_href(new))).into_response(),
        Err(e) => r.fail(e),
    }
}
