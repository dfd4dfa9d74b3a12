//! The JSON API of courses beyond the list: a course's sections and activities, the
//! caller's due list, an assignment with the caller's work, and handing in text. Every
//! right is the domain's (`schulhof_authz::lms` through `Platform::lms_course` /
//! `lms_activity`): hidden, scheduled and restricted material is simply absent, another
//! student's work never reachable, and what the caller may not see answers 404.

use axum::Json;
use axum::extract::{Path, State};
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{HandIn, StudentWork};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, CourseId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ApiError;
use crate::extract::Authed;
use crate::openapi::{Endpoint, object};

pub const LMS_ENDPOINTS: &[Endpoint] = &[
    (
        "get",
        "/api/v1/courses",
        "The caller's courses (open first, then the archive) with the course page's path",
        None,
        200,
        Some("CourseList"),
    ),
    (
        "get",
        "/api/v1/courses/{id}",
        "A course with its sections and the activities the caller sees now, with the caller's completion. Not a member: 404",
        None,
        200,
        Some("CourseOutline"),
    ),
    (
        "get",
        "/api/v1/me/due",
        "Everything due in the caller's open courses, by due date (the dashboard's list)",
        None,
        200,
        Some("DueList"),
    ),
    (
        "get",
        "/api/v1/assignments/{id}",
        "An assignment with the caller's own work (state, text, files, released grade and feedback); editors get no work. Hidden: 404",
        None,
        200,
        Some("Assignment"),
    ),
    (
        "put",
        "/api/v1/assignments/{id}/submission",
        "Hand in (or replace) the caller's text; saving is handing in. Refused after the cut-off or once returned",
        Some("TextSubmission"),
        200,
        Some("Work"),
    ),
    (
        "post",
        "/api/v1/assignments/{id}/submission/files",
        "Hand in files (parts \"file\") and recordings (parts \"audio\": WebM, MP4 or Ogg by their bytes), optionally with \"text\"; adds to the caller's work like the web form. Files at most 20 MB, recordings 25 MB, 105 MB together (413 too_large), the assignment's submission types (422), the caller's quota (507). Nothing is handed in unless all is accepted. Not a participant: 404",
        Some("SubmissionUpload"),
        200,
        Some("Work"),
    ),
];

pub(crate) fn lms_schemas() -> Value {
    let activity = object(
        &[
            ("id", "string"),
            ("kind", "string"),
            ("title", "string"),
            ("url", "string"),
            ("completed", "boolean"),
            ("viewed", "boolean"),
        ],
        &["id", "kind", "title", "due", "url", "completed", "viewed"],
    );
    let mut activity = activity;
    activity["properties"]["due"] = json!({ "type": ["string", "null"] });
    let mut work = object(
        &[
            ("state", "string"),
            ("late", "boolean"),
            ("resubmission_requested", "boolean"),
            ("text", "string"),
            ("files", "array"),
            ("released", "boolean"),
            ("feedback", "string"),
            ("spoken_transcript", "string"),
            ("may_hand_in", "boolean"),
        ],
        &["state", "late", "text", "files", "released", "may_hand_in"],
    );
    work["properties"]["state"]["enum"] = json!(["not_handed_in", "handed_in", "returned"]);
    for k in ["submitted", "due", "cutoff", "grade"] {
        work["properties"][k] = json!({ "type": ["string", "null"] });
    }
    work["properties"]["passed"] = json!({ "type": ["boolean", "null"] });
    let mut assignment = object(
        &[
            ("id", "string"),
            ("course", "string"),
            ("title", "string"),
            ("instructions", "string"),
            ("types", "array"),
            ("url", "string"),
        ],
        &[
            "id",
            "course",
            "title",
            "instructions",
            "types",
            "url",
            "work",
        ],
    );
    assignment["properties"]["instructions"]["description"] = json!("Sanitised HTML");
    assignment["properties"]["due"] = json!({ "type": ["string", "null"] });
    assignment["properties"]["work"] =
        json!({ "oneOf": [{ "$ref": "#/components/schemas/Work" }, { "type": "null" }] });
    let mut due = object(
        &[
            ("id", "string"),
            ("kind", "string"),
            ("title", "string"),
            ("course", "string"),
            ("course_name", "string"),
            ("due", "string"),
            ("extended", "boolean"),
            ("completed", "boolean"),
            ("url", "string"),
        ],
        &[
            "id",
            "kind",
            "title",
            "course",
            "course_name",
            "due",
            "extended",
            "completed",
            "url",
        ],
    );
    due["properties"]["due"]["format"] = json!("date-time");
    let course = object(
        &[
            ("id", "string"),
            ("name", "string"),
            ("summary", "string"),
            ("role", "string"),
            ("archived", "boolean"),
            ("url", "string"),
        ],
        &["id", "name", "url"],
    );
    json!({
        "Course": course,
        "CourseList": { "type": "array", "items": { "$ref": "#/components/schemas/Course" } },
        "Activity": activity,
        "Section": {
            "type": "object",
            "required": ["id", "title", "summary", "activities"],
            "properties": {
                "id": { "type": "string" }, "title": { "type": "string" },
                "summary": { "type": "string" },
                "activities": { "type": "array", "items": { "$ref": "#/components/schemas/Activity" } }
            }
        },
        "CourseOutline": {
            "type": "object",
            "required": ["id", "name", "role", "url", "sections"],
            "properties": {
                "id": { "type": "string" }, "name": { "type": "string" },
                "role": { "type": "string", "enum": ["editor", "participant"] },
                "url": { "type": "string" },
                "sections": { "type": "array", "items": { "$ref": "#/components/schemas/Section" } }
            }
        },
        "DueItem": due,
        "DueList": { "type": "array", "items": { "$ref": "#/components/schemas/DueItem" } },
        "Work": work,
        "Assignment": assignment,
        "TextSubmission": object(&[("text", "string")], &["text"]),
        "SubmissionUpload": {
            "type": "object",
            "properties": {
                "file": { "type": "array", "items": { "type": "string", "format": "binary" } },
                "audio": { "type": "array", "items": { "type": "string", "format": "binary" } },
                "text": { "type": "string" }
            }
        },
    })
}

fn time(us: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_micros(us).map(|t| t.to_rfc3339())
}

fn href(kind: &str, id: ActivityId) -> String {
    match kind {
        "assignment" => format!("/kurse/aufgaben/{id}"),
        "quiz" => format!("/kurse/tests/{id}"),
        "lti" => format!("/kurse/lti/{id}"),
        _ => format!("/kurse/material/{id}"),
    }
}

fn parse<T>(s: &str, f: fn(uuid::Uuid) -> T) -> Result<T, ApiError> {
    uuid::Uuid::parse_str(s)
        .map(f)
        .map_err(|_| DomainError::NotFound.into())
}

#[derive(Serialize)]
pub struct ActivityOut {
    id: String,
    kind: String,
    title: String,
    due: Option<String>,
    url: String,
    completed: bool,
    viewed: bool,
}

#[derive(Serialize)]
pub struct SectionOut {
    id: String,
    title: String,
    summary: String,
    activities: Vec<ActivityOut>,
}

#[derive(Serialize)]
pub struct CourseOut {
    id: String,
    name: String,
    role: &'static str,
    url: String,
    sections: Vec<SectionOut>,
}

/// `GET /api/v1/courses/{id}`.
pub async fn course(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<CourseOut>, ApiError> {
    let id = parse(&id, CourseId)?;
    let v = state.platform.lms_outline(&actor, id).await?;
    let role = if v.course.is_editor() {
        "editor"
    } else {
        "participant"
    };
    Ok(Json(CourseOut {
        id: id.to_string(),
        name: v.course.row.name.clone(),
        role,
        url: format!("/kurse/{id}"),
        sections: v
            .sections
            .into_iter()
            .map(|s| SectionOut {
                id: s.row.id.to_string(),
                title: s.row.title,
                summary: s.row.summary,
                activities: s
                    .activities
                    .into_iter()
                    .map(|a| ActivityOut {
                        id: a.row.id.to_string(),
                        url: href(&a.row.kind, a.row.id),
                        due: a.row.due_at.and_then(time),
                        kind: a.row.kind,
                        title: a.row.title,
                        completed: a.completed,
                        viewed: a.viewed,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Serialize)]
pub struct DueOut {
    id: String,
    kind: String,
    title: String,
    course: String,
    course_name: String,
    due: String,
    /// Whether `due` is the caller's extension rather than the assignment's date.
    extended: bool,
    completed: bool,
    url: String,
}

/// `GET /api/v1/me/due`.
pub async fn due(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<DueOut>>, ApiError> {
    let rows = state.platform.lms_due(&actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(|d| DueOut {
                id: d.activity.id.to_string(),
                url: href(&d.activity.kind, d.activity.id),
                due: time(d.due_at).unwrap_or_default(),
                extended: d.extended,
                course: d.activity.course_id.to_string(),
                kind: d.activity.kind,
                title: d.activity.title,
                course_name: d.course_name,
                completed: d.completed_at.is_some(),
            })
            .collect(),
    ))
}

#[derive(Serialize)]
pub struct FileOut {
    id: String,
    name: String,
    mime: String,
    size: i64,
    audio: bool,
}

#[derive(Serialize)]
pub struct WorkOut {
    state: &'static str,
    late: bool,
    resubmission_requested: bool,
    submitted: Option<String>,
    text: String,
    files: Vec<FileOut>,
    due: Option<String>,
    cutoff: Option<String>,
    released: bool,
    grade: Option<String>,
    passed: Option<bool>,
    feedback: String,
    spoken_transcript: String,
    feedback_files: Vec<FileOut>,
    may_hand_in: bool,
}

pub(crate) fn work(w: StudentWork) -> WorkOut {
    let files = |v: Vec<schulhof_domain::lms::assignments::WorkFile>| {
        v.into_iter()
            .map(|f| FileOut {
                id: f.id.to_string(),
                name: f.name,
                mime: f.mime,
                size: f.size,
                audio: f.audio,
            })
            .collect()
    };
    WorkOut {
        state: w.state.as_str(),
        late: w.late,
        resubmission_requested: w.resubmission_requested,
        submitted: w.submitted_at.and_then(time),
        text: w.text,
        files: files(w.files),
        due: w.due_at.and_then(time),
        cutoff: w.cutoff_at.and_then(time),
        released: w.released,
        grade: w.grade,
        passed: w.passed,
        feedback: w.feedback,
        spoken_transcript: w.spoken_transcript,
        feedback_files: files(w.feedback_files),
        may_hand_in: w.may_hand_in,
    }
}

#[derive(Serialize)]
pub struct AssignmentOut {
    id: String,
    course: String,
    title: String,
    instructions: String,
    due: Option<String>,
    types: Vec<String>,
    url: String,
    work: Option<WorkOut>,
}

/// `GET /api/v1/assignments/{id}`.
pub async fn assignment(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<AssignmentOut>, ApiError> {
    let id = parse(&id, ActivityId)?;
    let p = state.platform.lms_assignment(&actor, id).await?;
    let a = p.ctx.activity;
    Ok(Json(AssignmentOut {
        id: id.to_string(),
        course: a.course_id.to_string(),
        url: href("assignment", id),
        due: a.due_at.and_then(time),
        title: a.title,
        instructions: a.body,
        types: p
            .settings
            .types
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
        work: p.work.map(work),
    }))
}

#[derive(Deserialize)]
pub struct TextSubmission {
    text: String,
}

/// `PUT /api/v1/assignments/{id}/submission`.
pub async fn hand_in(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(body): Json<TextSubmission>,
) -> Result<Json<WorkOut>, ApiError> {
    let id = parse(&id, ActivityId)?;
    let input = HandIn {
        text: Some(body.text),
        files: Vec::new(),
    };
    let w = state
        .platform
        .lms_assignment_hand_in(&actor, id, input)
        .await?;
    Ok(Json(work(w)))
}
