//! `/mail/nachricht/{id}/anhang/{n}`: an attachment as a file to save. It carries the same
//! rules as every download of user bytes (`mark_user_content`): `attachment`, `nosniff` and
//! a sandboxing policy, so nothing in it ever runs in the platform's origin. Images keep
//! their type so that a message's own pictures (`cid:`) show in its HTML body.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use schulhof_domain::DomainError;
use schulhof_front::AppState;
use schulhof_front::files::mark_user_content;

use super::{parse_message, view};
use crate::auth::Ready;

/// Types shown as pictures; everything else is plain bytes to the browser.
const IMAGES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

pub async fn download(
    State(state): State<AppState>,
    r: Ready,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    let found: Result<_, DomainError> = async {
        let id = parse_message(&id)?;
        let raw = state.platform.mail_raw(&r.actor, id).await?;
        view::attachment(&raw, n).ok_or(DomainError::NotFound)
    }
    .await;
    let (part, bytes) = match found {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let mime = if IMAGES.contains(&part.mime.as_str()) {
        part.mime.clone()
    } else {
        "application/octet-stream".to_owned()
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    mark_user_content(h, Some(&part.name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}
