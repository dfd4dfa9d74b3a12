//! `GET /kurse/{id}/fortschritt` (and `.csv`): students × activities for the course's
//! editors — only participants, teachers are never monitored; `GET /kurse/faellig`: what is
//! due across the caller's courses, by due date.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use schulhof_domain::DomainError;
use schulhof_domain::lms::Progress;
use schulhof_front::AppState;

use super::{activity_href, course_href, course_id, kind_icon, when};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

#[derive(Template)]
#[template(path = "lms/course/progress.html")]
struct ProgressPage {
    c: Chrome,
    id: String,
    name: String,
    columns: Vec<String>,
    /// Name, then per activity (done, label).
    rows: Vec<(String, Vec<(bool, String)>)>,
}

/// What a cell says: completion, and the score an LTI tool posted ("8 / 10 P.").
fn label(tr: crate::i18n::Tr, c: &schulhof_domain::lms::Cell) -> String {
    let state = tr.t(if c.completed {
        "lms.done"
    } else if c.viewed {
        "lms.viewed"
    } else {
        "lms.not_done"
    });
    match c.score {
        Some((given, max)) => {
            let pts = |m: i64| format!("{}", (m as f64 / 1000.0 * 100.0).round() / 100.0);
            format!(
                "{state} · {} / {} {}",
                pts(given),
                pts(max),
                tr.t("lti.points_short")
            )
        }
        None => state.to_owned(),
    }
}

async fn load(state: &AppState, r: &Ready, id: &str) -> Result<Progress, Response> {
    let Some(id) = course_id(id) else {
        return Err(r.fail(DomainError::NotFound));
    };
    state
        .platform
        .lms_progress(&r.actor, id)
        .await
        .map_err(|e| r.fail(e))
}

/// `GET /kurse/{id}/fortschritt`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let p = match load(&state, &r, &id).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let tr = r.page.tr();
    let view = ProgressPage {
        c: Chrome::new(&r.page, tr.t("lms.progress.title")).signed_in(&r.page, &r.actor),
        id: p.course.row.id.to_string(),
        name: p.course.row.name.clone(),
        columns: p.activities.iter().map(|a| a.title.clone()).collect(),
        rows: p
            .rows
            .iter()
            .map(|(u, cells)| {
                let name = format!("{} {}", u.first_name, u.last_name);
                let cells = cells.iter().map(|c| (c.completed, label(tr, c))).collect();
                (name, cells)
            })
            .collect(),
    };
    render::ok(&view)
}

/// A CSV cell: quoted, and a leading formula sign defused for spreadsheet programs.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `GET /kurse/{id}/fortschritt.csv`.
pub async fn csv(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let p = match load(&state, &r, &id).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let tr = r.page.tr();
    let mut out = String::new();
    let mut head = vec![cell(tr.t("lms.progress.student")), cell("Login")];
    head.extend(p.activities.iter().map(|a| cell(&a.title)));
    out.push_str(&head.join(";"));
    out.push_str("\r\n");
    for (u, cells) in &p.rows {
        let mut line = vec![
            cell(&format!("{} {}", u.first_name, u.last_name)),
            cell(&u.login),
        ];
        line.extend(cells.iter().map(|c| cell(&label(tr, c))));
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"fortschritt.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

pub struct DueLine {
    pub href: String,
    pub icon: &'static str,
    pub title: String,
    pub course: String,
    pub course_href: String,
    pub due: String,
    /// Whether `due` is the student's extension.
    pub extended: bool,
    pub overdue: bool,
    pub completed: bool,
}

#[derive(Template)]
#[template(path = "lms/course/due.html")]
struct DuePage {
    c: Chrome,
    lines: Vec<DueLine>,
}

/// `GET /kurse/faellig`.
pub async fn due(State(state): State<AppState>, r: Ready) -> Response {
    let rows = match state.platform.lms_due(&r.actor).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let now = state.platform.now().timestamp_micros();
    let tr = r.page.tr();
    let view = DuePage {
        c: Chrome::new(&r.page, tr.t("lms.due.title")).signed_in(&r.page, &r.actor),
        lines: rows
            .into_iter()
            .map(|d| {
                let due = d.due_at;
                DueLine {
                    href: activity_href(&d.activity.kind, d.activity.id),
                    icon: kind_icon(&d.activity.kind),
                    title: d.activity.title,
                    course: d.course_name,
                    course_href: course_href(d.activity.course_id),
                    due: when(&r, due),
                    extended: d.extended,
                    overdue: due < now && d.completed_at.is_none(),
                    completed: d.completed_at.is_some(),
                }
            })
            .collect(),
    };
    render::ok(&view)
}
