//! `GET /kurse/{id}`: the course page — sections in order with the activities the caller
//! sees, their files, due dates and the caller's completion; editors also see hidden and
//! scheduled material with its state and the buttons to arrange it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::{ActivityItem, CourseView};
use schulhof_front::AppState;

use super::{activity_href, course_id, kind_icon, when};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub struct SectionBox {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// "versteckt" / "ab …" for editors; empty when visible.
    pub state: String,
    pub items: Vec<Item>,
    pub first: bool,
    pub last: bool,
}

pub struct Item {
    pub id: String,
    pub href: String,
    /// The editor of this kind: material, assignment or quiz.
    pub edit_href: String,
    pub icon: &'static str,
    pub kind: &'static str,
    pub title: String,
    pub due: Option<String>,
    /// For participants: "erledigt" or "offen" where completion is tracked.
    pub completion: Option<(bool, &'static str)>,
    pub state: String,
    pub files: Vec<(String, String)>,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "lms/course/page.html")]
struct CoursePage {
    c: Chrome,
    id: String,
    name: String,
    summary: String,
    archived: bool,
    editor: bool,
    may_edit: bool,
    sections: Vec<SectionBox>,
    /// Participants: "3 von 5 erledigt".
    progress: Option<String>,
    /// The simple view for primary schools (participants of such a course): large tiles.
    simple: bool,
    /// Drag and drop and keyboard arranging for editors (the buttons work without it).
    arrange_js: String,
    /// Whether material can go to another section (editors get the page for it).
    several_sections: bool,
}

fn state_of(r: &Ready, now: i64, hidden: bool, from: Option<i64>, restricted: bool) -> String {
    let tr = r.page.tr();
    let mut parts = Vec::new();
    if hidden {
        parts.push(tr.t("lms.hidden").to_owned());
    }
    if let Some(f) = from.filter(|f| *f > now) {
        parts.push(tr.t("lms.visible_from").replace("{when}", &when(r, f)));
    }
    if restricted {
        parts.push(tr.t("lms.restricted").to_owned());
    }
    parts.join(" · ")
}

fn item(r: &Ready, now: i64, editor: bool, x: &ActivityItem, first: bool, last: bool) -> Item {
    let tr = r.page.tr();
    let a = &x.row;
    let tracked = !editor && a.completion != "none";
    Item {
        id: a.id.to_string(),
        href: activity_href(&a.kind, a.id),
        edit_href: match a.kind.as_str() {
            "assignment" => format!("/kurse/aufgaben/{}/bearbeiten", a.id),
            "quiz" => format!("/kurse/tests/{}/bearbeiten", a.id),
            _ => format!("/kurse/material/{}/bearbeiten", a.id),
        },
        icon: kind_icon(&a.kind),
        kind: tr.lookup(&format!("lms.kind.{}", a.kind)).unwrap_or("?"),
        title: a.title.clone(),
        due: a.due_at.map(|d| match x.extended {
            // The student's own later date: said so, since classmates see another.
            true => format!("{} ({})", when(r, d), tr.t("assign.extension")),
            false => when(r, d),
        }),
        completion: tracked.then(|| {
            (
                x.completed,
                tr.t(if x.completed {
                    "lms.done"
                } else {
                    "lms.not_done"
                }),
            )
        }),
        state: if editor {
            state_of(r, now, a.hidden, a.visible_from, a.restricted)
        } else {
            String::new()
        },
        files: x
            .files
            .iter()
            .filter(|_| matches!(a.kind.as_str(), "file" | "folder"))
            .map(|f| {
                (
                    format!("/kurse/material/{}/datei/{}", a.id, f.id),
                    f.name.clone(),
                )
            })
            .collect(),
        first,
        last,
    }
}

fn boxes(r: &Ready, now: i64, v: &CourseView) -> Vec<SectionBox> {
    let editor = v.course.is_editor();
    let n = v.sections.len();
    v.sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let m = s.activities.len();
            SectionBox {
                id: s.row.id.to_string(),
                title: s.row.title.clone(),
                summary: s.row.summary.clone(),
                state: if editor {
                    state_of(r, now, s.row.hidden, s.row.visible_from, false)
                } else {
                    String::new()
                },
                items: s
                    .activities
                    .iter()
                    .enumerate()
                    .map(|(j, x)| item(r, now, editor, x, j == 0, j + 1 == m))
                    .collect(),
                first: i == 0,
                last: i + 1 == n,
            }
        })
        .collect()
}

/// `GET /kurse/{id}`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let v = match state.platform.lms_outline(&r.actor, id).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let editor = v.course.is_editor();
    let archived = v.course.row.archived_at.is_some();
    let progress = (!editor).then(|| {
        let tracked: Vec<_> = v
            .sections
            .iter()
            .flat_map(|s| s.activities.iter())
            .filter(|x| x.row.completion != "none")
            .collect();
        let done = tracked.iter().filter(|x| x.completed).count();
        tr.t("lms.progress.mine")
            .replace("{done}", &done.to_string())
            .replace("{total}", &tracked.len().to_string())
    });
    let view = CoursePage {
        c: Chrome::new(&r.page, v.course.row.name.clone()).signed_in(&r.page, &r.actor),
        id: id.to_string(),
        sections: boxes(&r, state.platform.now().timestamp_micros(), &v),
        name: v.course.row.name.clone(),
        summary: v.course.row.summary.clone(),
        archived,
        editor,
        may_edit: editor && !archived,
        progress,
        simple: v.course.row.simple_view && !editor,
        arrange_js: crate::assets::href("lms_arrange.js"),
        several_sections: v.sections.len() > 1,
    };
    render::ok(&view)
}
