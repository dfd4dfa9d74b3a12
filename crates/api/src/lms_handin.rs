//! `POST /api/v1/assignments/{id}/submission/files`: handing in files and recordings (and
//! optionally text) as a multipart form — the web hand-in's path: the same domain function
//! (`Platform::lms_assignment_hand_in`), so the same rights, size caps, magic-byte checks,
//! quota and one clear state. A file over its cap stops the form at once with a clear
//! error; nothing is handed in unless the whole form is accepted.

use axum::Json;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{HandIn, MAX_AUDIO, MAX_FILE, MAX_HAND_IN};
use schulhof_front::AppState;
use schulhof_types::ActivityId;

use crate::ApiError;
use crate::extract::Authed;
use crate::lms_work::{WorkOut, work};

/// The body limit of the route: every file of one hand-in together, as in the web form.
pub const BODY_LIMIT: usize = MAX_HAND_IN as usize;

fn broken_form() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_upload",
        "send a multipart/form-data body: parts \"file\" (files), \"audio\" (recordings), optionally \"text\"",
    )
}

fn too_large(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "{what} is too large: files at most 20 MB each, recordings at most 25 MB, a hand-in at most {} MB together; nothing was handed in",
            MAX_HAND_IN / (1024 * 1024)
        ),
    )
}

/// A body over the route's limit, or not a form at all.
fn unreadable(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large("the request")
    } else {
        broken_form()
    }
}

/// A part's bytes, refused as soon as they pass `cap`.
async fn capped(field: &mut Field<'_>, cap: u64, name: &str) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        if (bytes.len() + chunk.len()) as u64 > cap {
            return Err(too_large(&format!("\"{name}\"")));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The form as a hand-in: parts `file` (also `files`) are files, `audio` recordings, a
/// `text` part without a file name the online text.
async fn read(form: Result<Multipart, MultipartRejection>) -> Result<HandIn, ApiError> {
    let mut form = form.map_err(|_| broken_form())?;
    let mut hand_in = HandIn::default();
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        let part = field.name().unwrap_or("").to_owned();
        match (part.as_str(), field.file_name().map(str::to_owned)) {
            ("text", None) => {
                let t = field.text().await.map_err(|_| broken_form())?;
                hand_in.text = Some(t);
            }
            ("file" | "files" | "audio", Some(name)) => {
                let audio = part == "audio";
                let cap = if audio { MAX_AUDIO } else { MAX_FILE };
                let bytes = capped(&mut field, cap, &name).await?;
                hand_in.files.push((name, bytes, audio));
            }
            _ => return Err(broken_form()),
        }
    }
    if hand_in.text.is_none() && hand_in.files.is_empty() {
        return Err(DomainError::invalid("file", "the form holds no file and no text").into());
    }
    Ok(hand_in)
}

/// `POST /api/v1/assignments/{id}/submission/files`.
pub async fn hand_in_files(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<WorkOut>, ApiError> {
    let id: ActivityId = uuid::Uuid::parse_str(&id)
        .map(ActivityId)
        .map_err(|_| DomainError::NotFound)?;
    // Who may not hand in learns it before sending megabytes: 404 for what they cannot see.
    state
        .platform
        .lms_activity_for_participant(&actor, id)
        .await?;
    let input = read(form).await?;
    let w = state
        .platform
        .lms_assignment_hand_in(&actor, id, input)
        .await?;
    Ok(Json(work(w)))
}
