//! The teacher's form: `/kurse/abschnitte/{s}/aufgabe/neu` and
//! `/kurse/aufgaben/{a}/bearbeiten`. One multipart form: title, instructions, the audio
//! instruction (recorded here or uploaded) with its transcript, instruction files, dates,
//! submission types, group work, grading and completion. Bad input shows it again.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{AssignmentInput, AssignmentPage, Grading, SubmissionType};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, SectionId};

use super::{Sent, assignment_href, done, form_error, local_value, parse_local, read, size};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

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

/// What the form shows.
#[derive(Default)]
struct Values {
    title: String,
    instructions: String,
    transcript: String,
    from: String,
    due: String,
    cutoff: String,
    types: Vec<String>,
    group: bool,
    grading: String,
    max: String,
    pass: String,
    scale: String,
    scale_pass: String,
    completion: String,
    hidden: bool,
}

impl Values {
    fn has(&self, t: &str) -> bool {
        self.types.iter().any(|x| x == t)
    }

    fn from_sent(s: &Sent) -> Values {
        Values {
            title: s.get("titel").into(),
            instructions: s.get("anleitung").into(),
            transcript: s.get("transkript").into(),
            from: s.get("ab").into(),
            due: s.get("faellig").into(),
            cutoff: s.get("schluss").into(),
            types: s.all("formen").map(str::to_owned).collect(),
            group: s.get("gruppe") == "ja",
            grading: s.get("bewertung").into(),
            max: s.get("punkte").into(),
            pass: s.get("bestehen").into(),
            scale: s.get("skala").into(),
            scale_pass: s.get("skala_bestehen").into(),
            completion: s.get("abschluss").into(),
            hidden: s.get("versteckt") == "ja",
        }
    }

    fn of_page(r: &Ready, p: &AssignmentPage) -> Values {
        let zone = Zone::of(&r.actor);
        let a = &p.ctx.activity;
        let (grading, max, pass, scale, scale_pass) = match &p.settings.grading {
            Grading::Points { max, pass } => (
                "points",
                max.to_string(),
                pass.to_string(),
                String::new(),
                String::new(),
            ),
            Grading::Scale { labels, pass_index } => (
                "scale",
                String::new(),
                String::new(),
                labels.join("\n"),
                labels.get(*pass_index).cloned().unwrap_or_default(),
            ),
            Grading::PassFail => (
                "passfail",
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        Values {
            title: a.title.clone(),
            instructions: a.body.clone(),
            transcript: a.transcript.clone(),
            from: local_value(&zone, p.settings.allow_from),
            due: local_value(&zone, a.due_at),
            cutoff: local_value(&zone, p.settings.cutoff_at),
            types: p
                .settings
                .types
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            group: p.settings.group_mode,
            grading: grading.into(),
            max,
            pass,
            scale,
            scale_pass,
            completion: a.completion.clone(),
            hidden: a.hidden,
        }
    }
}

fn input(r: &Ready, s: &Sent) -> Result<AssignmentInput, DomainError> {
    let zone = Zone::of(&r.actor);
    let num = |v: &str, d: i64| {
        v.trim()
            .parse::<i64>()
            .or(if v.trim().is_empty() { Ok(d) } else { Err(()) })
    };
    let grading = match s.get("bewertung") {
        "scale" => {
            let labels: Vec<String> = s
                .get("skala")
                .lines()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect();
            let wanted = s.get("skala_bestehen").trim();
            let pass_index = labels
                .iter()
                .position(|l| l == wanted)
                .unwrap_or(labels.len().saturating_sub(1));
            Grading::Scale { labels, pass_index }
        }
        "passfail" => Grading::PassFail,
        _ => {
            let bad = |_| DomainError::invalid("points", "Punkte bitte als ganze Zahl angeben.");
            let max = num(s.get("punkte"), 10).map_err(bad)?;
            let pass = num(s.get("bestehen"), max / 2).map_err(bad)?;
            Grading::Points { max, pass }
        }
    };
    Ok(AssignmentInput {
        title: s.get("titel").into(),
        instructions: s.get("anleitung").into(),
        transcript: s.get("transkript").into(),
        allow_from: parse_local(&zone, s.get("ab"), "from")?,
        due_at: parse_local(&zone, s.get("faellig"), "due")?,
        cutoff_at: parse_local(&zone, s.get("schluss"), "cutoff")?,
        types: s.all("formen").filter_map(SubmissionType::parse).collect(),
        group_mode: s.get("gruppe") == "ja",
        grading,
        completion: match s.get("abschluss") {
            "" => "submit".into(),
            c => c.into(),
        },
        hidden: s.get("versteckt") == "ja",
    })
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
