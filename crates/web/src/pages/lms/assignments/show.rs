//! `GET /kurse/aufgaben/{a}`: the assignment — instructions with the audio instruction and
//! its transcript; for a student their one state, the hand-in form (text, files, a photo,
//! a recording) while they may hand in, and the released grade with written and spoken
//! feedback. Handing in, removing a handed-in file, and every file with ranges.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{FileOf, HandIn, StudentWork, SubmissionType, WorkFile};
use schulhof_front::AppState;
use schulhof_types::ActivityId;

use super::{activity_id, assignment_href, done, form_error, read, size, when};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

/// A file as the page lists or plays it.
pub struct FileView {
    pub href: String,
    pub name: String,
    pub size: String,
    pub audio: bool,
    pub remove: String,
}

pub fn files(kind: &str, list: &[WorkFile], remove_base: &str) -> Vec<FileView> {
    list.iter()
        .map(|f| FileView {
            href: format!("/kurse/aufgaben/datei/{kind}/{}", f.id),
            name: f.name.clone(),
            size: size(f.size),
            audio: f.audio,
            remove: format!("{remove_base}/{}/entfernen", f.id),
        })
        .collect()
}

/// A student's work as the page shows it.
pub struct WorkView {
    pub state: &'static str,
    pub state_key: &'static str,
    pub late: bool,
    pub resubmit: bool,
    pub submitted: String,
    pub due: String,
    pub extended: bool,
    pub cutoff: String,
    pub text: String,
    pub files: Vec<FileView>,
    pub may_hand_in: bool,
    pub grade: Option<String>,
    pub released: bool,
    pub feedback: String,
    pub spoken: Option<FileView>,
    pub spoken_transcript: String,
    pub feedback_files: Vec<FileView>,
}

/// A grade as the pages name it: pass/fail in words, points and scale words as they are.
pub fn grade_word(r: &Ready, g: &str) -> String {
    match g {
        "pass" => r.page.tr().t("assign.pass").to_owned(),
        "fail" => r.page.tr().t("assign.fail").to_owned(),
        g => g.to_owned(),
    }
}

pub fn work_view(r: &Ready, w: &StudentWork, remove_base: &str) -> WorkView {
    let tr = r.page.tr();
    let feedback = files("rueckmeldung", &w.feedback_files, "");
    let (spoken, others): (Vec<FileView>, Vec<FileView>) =
        feedback.into_iter().partition(|f| f.audio);
    let grade = w.grade.as_deref().map(|g| grade_word(r, g));
    WorkView {
        state: tr.t(&format!("assign.state.{}", w.state.as_str())),
        state_key: w.state.as_str(),
        late: w.late,
        resubmit: w.resubmission_requested,
        submitted: when(r, w.submitted_at),
        due: when(r, w.due_at),
        extended: w.extension.is_some(),
        cutoff: when(r, w.cutoff_at),
        text: w.text.clone(),
        files: files("abgabe", &w.files, remove_base),
        may_hand_in: w.may_hand_in,
        grade,
        released: w.released,
        feedback: w.feedback.clone(),
        spoken: spoken.into_iter().next(),
        spoken_transcript: w.spoken_transcript.clone(),
        feedback_files: others,
    }
}

#[derive(Template)]
#[template(path = "lms/assignments/show.html")]
struct ShowPage {
    c: Chrome,
    id: String,
    title: String,
    /// Sanitised by the domain.
    body: String,
    transcript: String,
    audio: Option<FileView>,
    files: Vec<FileView>,
    back: String,
    editor: bool,
    may_edit: bool,
    due: String,
    cutoff: String,
    from: String,
    text_allowed: bool,
    files_allowed: bool,
    audio_allowed: bool,
    group: bool,
    work: Option<WorkView>,
    error: Option<String>,
    record_js: String,
}

async fn render_page(
    state: &AppState,
    r: &Ready,
    id: ActivityId,
    error: Option<String>,
) -> Response {
    let p = match state.platform.lms_assignment(&r.actor, id).await {
        Ok(p) => p,
        Err(e) => return r.fail(e),
    };
    let a = &p.ctx.activity;
    // Pictures of the instructions show in the text, not as downloads.
    let instr: Vec<FileView> = p
        .files
        .iter()
        .filter(|f| f.role != schulhof_domain::lms::IMAGE_ROLE)
        .map(|f| FileView {
            href: format!("/kurse/aufgaben/datei/anleitung/{}", f.id),
            name: f.name.clone(),
            size: size(f.size),
            audio: f.role == "instruction_audio",
            remove: String::new(),
        })
        .collect();
    let (audio, files): (Vec<FileView>, Vec<FileView>) = instr.into_iter().partition(|f| f.audio);
    let base = format!("/kurse/aufgaben/{id}/abgabe");
    let page = ShowPage {
        c: Chrome::new(&r.page, a.title.clone()).signed_in(&r.page, &r.actor),
        id: id.to_string(),
        title: a.title.clone(),
        body: a.body.clone(),
        transcript: a.transcript.clone(),
        audio: audio.into_iter().next(),
        files,
        back: format!("/kurse/{}", a.course_id),
        editor: p.ctx.is_editor(),
        may_edit: p.ctx.is_editor() && !p.ctx.course.archived,
        due: when(r, a.due_at),
        cutoff: when(r, p.settings.cutoff_at),
        from: when(r, p.settings.allow_from),
        text_allowed: p.settings.allows(SubmissionType::Text),
        files_allowed: p.settings.allows(SubmissionType::Files),
        audio_allowed: p.settings.allows(SubmissionType::Audio),
        group: p.settings.group_mode,
        work: p.work.as_ref().map(|w| work_view(r, w, &base)),
        error,
        record_js: crate::assets::href("lms_assign_record.js"),
    };
    super::with_recorder(render::ok(&page))
}

/// `GET /kurse/aufgaben/{a}`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    match activity_id(&a) {
        Some(id) => render_page(&state, &r, id, None).await,
        None => r.fail(DomainError::NotFound),
    }
}

/// `POST /kurse/aufgaben/{a}/abgabe`: handing in (again). Bad input or a closed
/// assignment shows the page with the message.
pub async fn hand_in(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(id) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let result = match read(form).await {
        Ok(mut sent) => {
            let text = sent
                .fields
                .iter()
                .any(|(k, _)| k == "text")
                .then(|| sent.get("text").to_owned());
            let mut files: Vec<(String, Vec<u8>, bool)> = Vec::new();
            for field in ["dateien", "foto"] {
                files.extend(
                    sent.take(field)
                        .into_iter()
                        .map(|u| (u.name, u.bytes, false)),
                );
            }
            files.extend(
                sent.take("aufnahme")
                    .into_iter()
                    .map(|u| (u.name, u.bytes, true)),
            );
            state
                .platform
                .lms_assignment_hand_in(&r.actor, id, HandIn { text, files })
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(&assignment_href(id), "lms_assign_handed_in"),
        Err(e) => match form_error(&r, e) {
            Ok(msg) => render_page(&state, &r, id, Some(msg)).await,
            Err(resp) => resp,
        },
    }
}

/// `POST /kurse/aufgaben/{a}/abgabe/{f}/entfernen`.
pub async fn remove_file(
    State(state): State<AppState>,
    r: Ready,
    Path((a, f)): Path<(String, String)>,
) -> Response {
    let (Some(id), Ok(f)) = (activity_id(&a), uuid::Uuid::parse_str(&f)) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_assignment_remove_file(&r.actor, id, f)
        .await
    {
        Ok(()) => done(&assignment_href(id), "lms_assign_handed_in"),
        Err(e) => match form_error(&r, e) {
            Ok(msg) => render_page(&state, &r, id, Some(msg)).await,
            Err(resp) => resp,
        },
    }
}

/// `GET /kurse/aufgaben/datei/{anleitung|abgabe|rueckmeldung}/{f}`: the content, with
/// ranges (recordings seek).
pub async fn download(
    State(state): State<AppState>,
    r: Ready,
    Path((kind, f)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let which = match kind.as_str() {
        "anleitung" => FileOf::Instruction,
        "abgabe" => FileOf::Submission,
        "rueckmeldung" => FileOf::Feedback,
        _ => return r.fail(DomainError::NotFound),
    };
    let Ok(f) = uuid::Uuid::parse_str(&f) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_assignment_file(&r.actor, which, f).await {
        Ok(content) => {
            let what = schulhof_front::files::Download {
                name: &content.name,
                size: content.size,
                mime: Some(content.mime.as_str()).filter(|m| *m != "application/octet-stream"),
                etag: &content.etag,
            };
            schulhof_front::files::download_as(&what, content.reader, &headers).await
        }
        Err(e) => r.fail(e),
    }
}
