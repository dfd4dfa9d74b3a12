//! File content: uploads (a raw body or a multipart form) streamed into the blob store,
//! downloads with ranges, and earlier versions.
//!
//! Uploads never sit in memory: the routes carry `DefaultBodyLimit::disable()` and the body
//! goes chunk by chunk into a [`PendingUpload`], which the domain opens only after checking
//! rights, name and quota, and makes visible only once the content is complete.

use axum::Json;
use axum::body::Body as HttpBody;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, Located, PendingUpload, Placement, VersionView};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use schulhof_front::files::{download as send_file, stream_body, stream_field};
use serde::Deserialize;

use crate::ApiError;
use crate::extract::Authed;
use crate::files::located;

#[derive(Deserialize)]
pub struct ContentQuery {
    name: Option<String>,
}

/// A client's content type worth keeping; none (or the generic one) lets the domain
/// guess from the name.
fn mime_of(v: Option<&str>) -> Option<String> {
    let v = v?.trim();
    let plausible =
        v.len() <= 127 && v.contains('/') && v.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    (plausible && !v.eq_ignore_ascii_case("application/octet-stream")).then(|| v.to_owned())
}

/// Whether the folder already holds a file of this name the caller sees (a new version
/// then, not a new file). Names are unique regardless of case.
async fn has_file(
    state: &AppState,
    actor: &Actor,
    folder: &Located,
    name: &str,
) -> Result<bool, ApiError> {
    let key = name.to_lowercase();
    Ok(state
        .platform
        .file_list(actor, folder)
        .await?
        .iter()
        .any(|e| !e.is_dir && e.name.to_lowercase() == key))
}

/// Streams the raw body into the folder as `name`: 201 for a new file, 200 for a new
/// version of an existing one.
pub async fn put_content(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Query(q): Query<ContentQuery>,
    headers: HeaderMap,
    body: HttpBody,
) -> Result<(StatusCode, Json<FileEntry>), ApiError> {
    let folder = located(&state, &actor, &id).await?;
    let name = q
        .name
        .ok_or_else(|| DomainError::invalid("name", "is required (query parameter name)"))?;
    let mime = mime_of(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    );
    let mut upload = state
        .platform
        .begin_upload(
            &actor,
            Placement {
                folder: &folder,
                name: &name,
            },
            mime.as_deref(),
        )
        .await?;
    let existed = has_file(&state, &actor, &folder, &name).await?;
    stream_body(body, &mut upload).await?;
    let entry = state.platform.finish_upload(&actor, upload).await?;
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(entry)))
}

fn broken_form() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_upload",
        "send a multipart/form-data body with one or more files",
    )
}

/// Stores every file of a multipart form in the folder, one after the other as they
/// arrive. A failing file stops the upload; the files before it stay.
pub async fn upload(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Vec<FileEntry>>), ApiError> {
    let folder = located(&state, &actor, &id).await?;
    let mut form = form.map_err(|_| broken_form())?;
    let mut entries = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(|_| broken_form())? {
        // Form fields without a file name are not files.
        let Some(name) = field.file_name().map(str::to_owned) else {
            continue;
        };
        let mime = mime_of(field.content_type());
        let mut pending: PendingUpload = state
            .platform
            .begin_upload(
                &actor,
                Placement {
                    folder: &folder,
                    name: &name,
                },
                mime.as_deref(),
            )
            .await?;
        stream_field(&mut field, &mut pending).await?;
        entries.push(state.platform.finish_upload(&actor, pending).await?);
    }
    if entries.is_empty() {
        return Err(DomainError::invalid("file", "the form holds no file").into());
    }
    Ok((StatusCode::CREATED, Json(entries)))
}

/// The content of a file: whole, or one byte range (206); 304 when the ETag matches.
pub async fn download(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let file = located(&state, &actor, &id).await?;
    let entry = file.entry(&actor).ok_or(DomainError::NotFound)?;
    let content = state.platform.file_open(&actor, &file).await?;
    Ok(send_file(&entry, content, &headers).await)
}

pub async fn versions(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<Vec<VersionView>>, ApiError> {
    let file = located(&state, &actor, &id).await?;
    Ok(Json(state.platform.file_versions(&actor, &file).await?))
}

/// Makes an earlier version the current content; the current one becomes a version.
pub async fn restore_version(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<FileEntry>, ApiError> {
    let file = located(&state, &actor, &id).await?;
    let version = uuid::Uuid::parse_str(&version).map_err(|_| DomainError::NotFound)?;
    Ok(Json(
        state
            .platform
            .file_restore_version(&actor, &file, version)
            .await?,
    ))
}
