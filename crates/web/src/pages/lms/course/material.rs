//! `GET /kurse/material/{a}`: one material (page, link, file, folder, media) — opening it
//! records the view; the "done" button for manual completion; files with ranges (media
//! seek); the editors' upload, pick from the own files and removal.

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::captions::{CAPTIONS_ROLE, DEFAULT_LANG, lang_label};
use schulhof_domain::lms::{FileRow, IMAGE_ROLE, MaterialView, page_text};
use schulhof_front::AppState;
use schulhof_types::NodeId;
use serde::Deserialize;

use super::edit::MaterialPage;
use super::{activity_id, course_href, done, kind_icon, material_href};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub struct FileLine {
    pub href: String,
    pub name: String,
    pub mime: String,
    pub size: String,
    pub remove: String,
}

/// The files listed as downloads (a page's pictures are shown in its text instead, caption
/// tracks with the media).
fn lines(v: &MaterialView) -> Vec<FileLine> {
    file_lines(v, |f| f.role != IMAGE_ROLE && f.role != CAPTIONS_ROLE)
}

/// A caption track of media material.
pub struct TrackLine {
    pub line: FileLine,
    pub lang: String,
    pub label: String,
}

/// The caption tracks of media material, in the order they were added.
fn tracks(v: &MaterialView) -> Vec<TrackLine> {
    let langs: Vec<(uuid::Uuid, String)> = v
        .files
        .iter()
        .filter(|f| f.role == CAPTIONS_ROLE)
        .map(|f| (f.id, f.lang.clone().unwrap_or_else(|| DEFAULT_LANG.into())))
        .collect();
    file_lines(v, |f| f.role == CAPTIONS_ROLE)
        .into_iter()
        .zip(langs)
        .map(|(line, (_, lang))| TrackLine {
            label: lang_label(&lang),
            lang,
            line,
        })
        .collect()
}

fn file_lines(v: &MaterialView, keep: impl Fn(&FileRow) -> bool) -> Vec<FileLine> {
    let a = v.ctx.activity.id;
    v.files
        .iter()
        .filter(|f| keep(f))
        .map(|f| FileLine {
            href: format!("/kurse/material/{a}/datei/{}", f.id),
            name: f.name.clone(),
            mime: f.mime.clone(),
            size: format!("{:.1} MB", f.size as f64 / 1_048_576.0).replace("0.0 MB", "< 0.1 MB"),
            remove: format!("/kurse/material/{a}/dateien/{}/entfernen", f.id),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "lms/course/material.html")]
struct ShowPage {
    c: Chrome,
    id: String,
    kind: String,
    icon: &'static str,
    kind_label: &'static str,
    title: String,
    /// Sanitised by the domain.
    body: String,
    url: String,
    transcript: String,
    files: Vec<FileLine>,
    tracks: Vec<TrackLine>,
    back: String,
    may_edit: bool,
    /// Participants with manual completion: (done).
    manual: Option<bool>,
    completed: bool,
    tracked: bool,
}

/// `GET /kurse/material/{a}`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let v = match state.platform.lms_open_material(&r.actor, a).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    // Assignments and quizzes have pages of their own.
    if !schulhof_domain::lms::MATERIAL_KINDS.contains(&v.ctx.activity.kind.as_str()) {
        return axum::response::IntoResponse::into_response(axum::response::Redirect::to(
            &super::activity_href(&v.ctx.activity.kind, a),
        ));
    }
    let tr = r.page.tr();
    let x = &v.ctx.activity;
    let editor = v.ctx.is_editor();
    let participant = !editor && !v.ctx.course.archived;
    let page = ShowPage {
        c: Chrome::new(&r.page, x.title.clone()).signed_in(&r.page, &r.actor),
        id: a.to_string(),
        kind: x.kind.clone(),
        icon: kind_icon(&x.kind),
        kind_label: tr.lookup(&format!("lms.kind.{}", x.kind)).unwrap_or("?"),
        title: x.title.clone(),
        body: page_text::render(
            &x.body,
            a,
            &v.files.iter().map(|f| f.id).collect::<Vec<_>>(),
            tr.t("lms.formula.error"),
        ),
        url: x.url.clone().unwrap_or_default(),
        transcript: x.transcript.clone(),
        files: lines(&v),
        tracks: tracks(&v),
        back: course_href(x.course_id),
        may_edit: editor && !v.ctx.course.archived,
        manual: (participant && x.completion == "manual").then_some(v.completed),
        completed: v.completed,
        tracked: !editor && x.completion != "none",
    };
    render::ok(&page)
}

/// The edit form with the files part (and a page's pictures).
pub fn with_files(_r: &Ready, mut p: MaterialPage, v: &MaterialView) -> Response {
    p.files = lines(v);
    p.tracks = tracks(v);
    p.images = file_lines(v, |f| f.role == IMAGE_ROLE)
        .into_iter()
        .map(|l| ImageLine {
            markup: format!("<img src=\"{}\" alt=\"…\">", l.href),
            line: l,
        })
        .collect();
    render::ok(&p)
}

/// A picture of a page in its edit form: the file and the markup that shows it.
pub struct ImageLine {
    pub line: FileLine,
    pub markup: String,
}

/// `POST /kurse/material/{a}/bilder`: a picture (`datei`) with its alternative text (`alt`)
/// is uploaded into a page and appended to its text.
pub async fn upload_image(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let too_big = || DomainError::invalid("file", "Das Bild ist zu groß (höchstens 10 MB).");
    let Ok(mut form) = form else {
        return r.fail(too_big());
    };
    let (mut file, mut alt) = (None, String::new());
    loop {
        match form.next_field().await {
            Ok(Some(f)) if f.name() == Some("datei") => {
                let name = f.file_name().unwrap_or("").to_owned();
                match f.bytes().await {
                    Ok(b) if !b.is_empty() => file = Some((name, b)),
                    Ok(_) => {}
                    Err(_) => return r.fail(too_big()),
                }
            }
            Ok(Some(f)) if f.name() == Some("alt") => match f.text().await {
                Ok(t) => alt = t,
                Err(_) => return r.fail(too_big()),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return r.fail(too_big()),
        }
    }
    let Some((name, bytes)) = file else {
        return r.fail(DomainError::invalid("file", "Bitte ein Bild auswählen."));
    };
    match state
        .platform
        .lms_page_add_image(&r.actor, a, &name, &bytes, &alt)
        .await
    {
        Ok(_) => done(
            &format!("/kurse/material/{a}/bearbeiten"),
            "lms_image_added",
        ),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/material/{a}/untertitel`: a WebVTT caption file (`datei`) with its language
/// (`sprache`, empty: German) for media material; replaces the track in that language.
pub async fn upload_captions(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let too_big = || {
        DomainError::invalid(
            "captions",
            "Die Untertiteldatei ist zu groß (höchstens 1 MB).",
        )
    };
    let Ok(mut form) = form else {
        return r.fail(too_big());
    };
    let (mut file, mut lang) = (None, String::new());
    loop {
        match form.next_field().await {
            Ok(Some(f)) if f.name() == Some("datei") => {
                let name = f.file_name().unwrap_or("").to_owned();
                match f.bytes().await {
                    Ok(b) if !b.is_empty() => file = Some((name, b)),
                    Ok(_) => {}
                    Err(_) => return r.fail(too_big()),
                }
            }
            Ok(Some(f)) if f.name() == Some("sprache") => match f.text().await {
                Ok(t) => lang = t,
                Err(_) => return r.fail(too_big()),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return r.fail(too_big()),
        }
    }
    let Some((name, bytes)) = file else {
        return r.fail(DomainError::invalid(
            "captions",
            "Bitte eine Datei auswählen.",
        ));
    };
    match state
        .platform
        .lms_add_captions(&r.actor, a, &name, &bytes, &lang)
        .await
    {
        Ok(_) => done(
            &format!("/kurse/material/{a}/bearbeiten"),
            "lms_captions_added",
        ),
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
pub struct PickImageForm {
    datei: String,
    alt: String,
}

/// `POST /kurse/material/{a}/bilder/auswahl`: a picture the course already holds.
pub async fn pick_image(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Form(f): Form<PickImageForm>,
) -> Response {
    let (Some(a), Ok(file)) = (activity_id(&a), uuid::Uuid::parse_str(f.datei.trim())) else {
        return r.fail(DomainError::invalid("file", "Bitte ein Bild auswählen."));
    };
    match state
        .platform
        .lms_page_pick_image(&r.actor, a, file, &f.alt)
        .await
    {
        Ok(_) => done(
            &format!("/kurse/material/{a}/bearbeiten"),
            "lms_image_added",
        ),
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
pub struct DoneForm {
    erledigt: String,
}

/// `POST /kurse/material/{a}/erledigt`: a student ticks or unticks.
pub async fn mark_done(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Form(f): Form<DoneForm>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let on = f.erledigt == "ja";
    match state.platform.lms_mark_done(&r.actor, a, on).await {
        Ok(()) => done(
            &material_href(a),
            if on { "lms_done" } else { "lms_undone" },
        ),
        Err(e) => r.fail(e),
    }
}

/// `GET /kurse/material/{a}/datei/{f}`: the content, with ranges.
pub async fn download(
    State(state): State<AppState>,
    r: Ready,
    Path((a, f)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (Some(a), Ok(f)) = (activity_id(&a), uuid::Uuid::parse_str(&f)) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_file_content(&r.actor, a, f).await {
        Ok((row, reader)) => {
            let what = schulhof_front::files::Download {
                name: &row.name,
                size: row.size as u64,
                mime: Some(row.mime.as_str()).filter(|m| *m != "application/octet-stream"),
                etag: &row.blob_sha,
            };
            schulhof_front::files::download_as(&what, reader, &headers).await
        }
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/material/{a}/dateien`: one or more files (a folder takes several; a
/// recording comes as a file too).
pub async fn upload(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let too_big = || DomainError::invalid("file", "Die Datei ist zu groß.");
    let Ok(mut form) = form else {
        return r.fail(too_big());
    };
    let mut added = 0;
    loop {
        match form.next_field().await {
            Ok(Some(f)) if f.name() == Some("datei") => {
                let name = f.file_name().unwrap_or("").to_owned();
                let Ok(bytes) = f.bytes().await else {
                    return r.fail(too_big());
                };
                if name.is_empty() || bytes.is_empty() {
                    continue;
                }
                if let Err(e) = state
                    .platform
                    .lms_add_file(&r.actor, a, &name, &bytes)
                    .await
                {
                    return r.fail(e);
                }
                added += 1;
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return r.fail(too_big()),
        }
    }
    if added == 0 {
        return r.fail(DomainError::invalid("file", "Bitte eine Datei auswählen."));
    }
    done(&format!("/kurse/material/{a}/bearbeiten"), "lms_file_added")
}

/// `POST /kurse/material/{a}/dateien/auswahl`: the files ticked in the picker (`knoten`,
/// repeated), all or none.
pub async fn pick(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let Some(a) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let mut nodes = Vec::new();
    for (k, v) in &f {
        if k == "knoten" {
            let Ok(node) = v.trim().parse::<NodeId>() else {
                return r.fail(DomainError::invalid("node", "Unbekannte Datei."));
            };
            nodes.push(node);
        }
    }
    if nodes.is_empty() {
        let tr = r.page.tr();
        return r.fail(DomainError::invalid("node", tr.t("lms.files.pick.none")));
    }
    match state.platform.lms_pick_files(&r.actor, a, &nodes).await {
        Ok(_) => done(&format!("/kurse/material/{a}/bearbeiten"), "lms_file_added"),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/material/{a}/dateien/{f}/entfernen`.
pub async fn remove_file(
    State(state): State<AppState>,
    r: Ready,
    Path((a, f)): Path<(String, String)>,
) -> Response {
    let (Some(a), Ok(f)) = (activity_id(&a), uuid::Uuid::parse_str(&f)) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_remove_file(&r.actor, a, f).await {
        Ok(()) => done(&format!("/kurse/material/{a}/bearbeiten"), "lms_deleted"),
        Err(e) => r.fail(e),
    }
}
