//! Resumable uploads over the tus protocol 1.0.0 (core, creation, termination and
//! expiration): <https://tus.io/protocols/resumable-upload>.
//!
//! `POST /api/v1/uploads` announces a file (`Upload-Length`, and `Upload-Metadata` with
//! `filename`, `folder` and optionally `filetype`); `PATCH` sends content from
//! `Upload-Offset` on; `HEAD` tells where an upload stands after a break; `DELETE` gives it
//! up. The piece that completes the file answers 200 with the stored file.

use std::time::Duration;

use axum::Json;
use axum::body::Body as HttpBody;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use schulhof_domain::DomainError;
use schulhof_domain::files::{Appended, Placement, UploadPiece, UploadStatus};
use schulhof_front::AppState;
use uuid::Uuid;

use crate::ApiError;
use crate::extract::Authed;
use crate::files::located;

const VERSION: &str = "1.0.0";
const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
/// A piece whose client sends nothing for this long is kept as far as it came and ended,
/// so the upload is free for the client's next attempt.
const IDLE: Duration = Duration::from_secs(60);

/// `OPTIONS /api/v1/uploads`: what this server speaks.
pub async fn discover() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
    h.insert("tus-version", HeaderValue::from_static(VERSION));
    h.insert(
        "tus-extension",
        HeaderValue::from_static("creation,termination,expiration"),
    );
    r
}

/// `POST /api/v1/uploads`: announces an upload; rights, name and quota are checked now.
pub async fn create(
    State(state): State<AppState>,
    Authed(actor): Authed,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    let length = number(&headers, &UPLOAD_LENGTH)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_upload",
            "Upload-Length is required (deferred lengths are not supported).",
        )
    })?;
    let meta = Metadata::parse(&headers)?;
    let folder = located(&state, &actor, meta.require("folder")?).await?;
    let status = state
        .platform
        .upload_announce(
            &actor,
            Placement {
                folder: &folder,
                name: meta.require("filename")?,
            },
            meta.get("filetype"),
            length,
        )
        .await?;
    let mut r = (StatusCode::CREATED, Json(&status)).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/uploads/{}", status.id)) {
        h.insert(header::LOCATION, v);
    }
    tus_headers(h, &status);
    Ok(r)
}

/// `HEAD /api/v1/uploads/{id}`: how far the upload got.
pub async fn status(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    let status = state
        .platform
        .upload_status(&actor, upload_id(&id)?)
        .await?;
    let mut r = StatusCode::OK.into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(UPLOAD_LENGTH, HeaderValue::from(status.length));
    tus_headers(h, &status);
    Ok(r)
}

/// `PATCH /api/v1/uploads/{id}`: content from `Upload-Offset` on. What arrives is kept
/// even when the transfer breaks; the client asks with `HEAD` where to go on.
pub async fn append(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: HttpBody,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    let is_offset_stream = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("application/offset+octet-stream"));
    if !is_offset_stream {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the content with Content-Type: application/offset+octet-stream.",
        ));
    }
    let offset = number(&headers, &UPLOAD_OFFSET)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_upload",
            "Upload-Offset is required.",
        )
    })?;
    let mut piece = state
        .platform
        .upload_piece(&actor, upload_id(&id)?, offset)
        .await?;
    let received = receive(body, &mut piece).await;
    if let Err(Refused::Content(e)) = received {
        // Too many bytes: what the file already holds stays, the piece ends here.
        return Err(e.into());
    }
    let kept = state.platform.upload_keep(&actor, piece).await?;
    if let Err(Refused::Transfer(why)) = received {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "transfer_broken",
            why,
        ));
    }
    Ok(match kept {
        Appended::Partial(status) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            tus_headers(r.headers_mut(), &status);
            r
        }
        Appended::Done(status, entry) => {
            let mut r = (StatusCode::OK, Json(entry)).into_response();
            tus_headers(r.headers_mut(), &status);
            r
        }
    })
}

/// `DELETE /api/v1/uploads/{id}`: gives the upload up.
pub async fn cancel(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    state
        .platform
        .upload_cancel(&actor, upload_id(&id)?)
        .await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
    Ok(r)
}

enum Refused {
    /// The content itself is wrong (more than announced).
    Content(DomainError),
    /// The connection broke or went silent.
    Transfer(String),
}

async fn receive(mut body: HttpBody, piece: &mut UploadPiece) -> Result<(), Refused> {
    loop {
        let frame = match tokio::time::timeout(IDLE, body.frame()).await {
            Err(_) => return Err(Refused::Transfer("No data for 60 seconds.".into())),
            Ok(None) => return Ok(()),
            Ok(Some(Err(e))) => return Err(Refused::Transfer(format!("The transfer broke: {e}"))),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            piece.write(&data).await.map_err(Refused::Content)?;
        }
    }
}

fn tus_headers(h: &mut HeaderMap, status: &UploadStatus) {
    h.insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
    h.insert(UPLOAD_OFFSET, HeaderValue::from(status.offset));
    if let Ok(v) = HeaderValue::from_str(&http_date(status.expires_at)) {
        h.insert(UPLOAD_EXPIRES, v);
    }
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Requests must speak our version of the protocol (412 otherwise, as tus asks).
fn check_version(headers: &HeaderMap) -> Result<(), ApiError> {
    if headers.get(&TUS_RESUMABLE).and_then(|v| v.to_str().ok()) == Some(VERSION) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "tus_version",
        "Send Tus-Resumable: 1.0.0 (the only version this server speaks).",
    ))
}

fn upload_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| DomainError::NotFound.into())
}

fn number(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>, ApiError> {
    let Some(v) = headers.get(name) else {
        return Ok(None);
    };
    v.to_str()
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_upload",
                format!("{name} must be a whole number of bytes."),
            )
        })
}

/// `Upload-Metadata`: comma-separated `key base64(value)` pairs.
struct Metadata(Vec<(String, String)>);

impl Metadata {
    fn parse(headers: &HeaderMap) -> Result<Metadata, ApiError> {
        let bad = |why: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_metadata", why);
        let raw = headers
            .get("upload-metadata")
            .map(|v| {
                v.to_str()
                    .map_err(|_| bad("Upload-Metadata is not ASCII.".into()))
            })
            .transpose()?
            .unwrap_or("");
        let mut pairs = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = item.split_once(' ').unwrap_or((item, ""));
            let value = STANDARD
                .decode(value.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    bad(format!(
                        "Upload-Metadata: the value of {key} is not base64-encoded UTF-8."
                    ))
                })?;
            pairs.push((key.to_owned(), value));
        }
        Ok(Metadata(pairs))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn require(&self, key: &'static str) -> Result<&str, ApiError> {
        self.get(key).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_metadata",
                format!("Upload-Metadata needs {key} (base64)."),
            )
        })
    }
}

#[cfg(test)]
#[path = "uploads_tests.rs"]
mod tests;
