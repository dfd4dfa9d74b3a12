//! File transfers shared by the pages and the JSON API: downloads with HTTP ranges and
//! conditional requests, and uploads streamed from a multipart field into the blob store.

use axum::body::Body;
use axum::extract::multipart::Field;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schulhof_domain::DomainError;
use schulhof_domain::files::BlobReader;
use schulhof_domain::files::{FileEntry, PendingUpload};
use tokio::io::AsyncSeekExt;

/// Streams a file to the client: the whole file, or one `Range: bytes=a-b`; `304` when the
/// client's `If-None-Match` still matches. Always as a download (`attachment`) and
/// sandboxed, so an uploaded HTML file can never run in the platform's origin.
pub async fn download(entry: &FileEntry, file: BlobReader, request: &HeaderMap) -> Response {
    let what = Download {
        name: &entry.name,
        size: entry.size,
        mime: entry.mime.as_deref(),
        etag: &entry.etag,
    };
    download_as(&what, file, request).await
}

/// What a download is called and how it is labelled.
pub struct Download<'a> {
    pub name: &'a str,
    pub size: u64,
    pub mime: Option<&'a str>,
    /// Changes with the content (quotes are added here).
    pub etag: &'a str,
}

/// [`download`] for content that is not a file-manager entry (Mediathek, share links).
pub async fn download_as(
    entry: &Download<'_>,
    mut file: BlobReader,
    request: &HeaderMap,
) -> Response {
    let etag = format!("\"{}\"", entry.etag);
    if request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let size = entry.size;
    let range = request
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| parse_range(v, size));
    let (status, start, len) = match range {
        None | Some(RangeAnswer::Ignore) => (StatusCode::OK, 0, size),
        Some(RangeAnswer::Unsatisfiable) => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
        Some(RangeAnswer::Part(a, b)) => (StatusCode::PARTIAL_CONTENT, a, b - a + 1),
    };
    if start > 0 && file.seek(std::io::SeekFrom::Start(start)).await.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let body = Body::from_stream(file.into_stream(len));
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    let mime = entry.mime.unwrap_or("application/octet-stream");
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", start + len - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    mark_user_content(h, Some(entry.name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    r
}

/// The one rule for every response that carries user bytes (downloads, WebDAV, links, the
/// Safe, the Mediathek, later previews and attachments): the browser never runs it in the
/// platform's origin. `sandbox` gives the document a unique origin without scripts even if
/// it is opened directly; `nosniff` keeps a mislabelled file from becoming HTML; with a
/// name, `attachment` makes the browser save instead of render.
pub fn mark_user_content(h: &mut HeaderMap, name: Option<&str>) {
    if let Some(name) = name
        && let Ok(v) = HeaderValue::from_str(&content_disposition(name))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(USER_CONTENT_CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// The content security policy of user bytes.
pub const USER_CONTENT_CSP: &str = "sandbox; default-src 'none'";

enum RangeAnswer {
    /// Not a range we serve (several ranges, another unit): the whole file.
    Ignore,
    Unsatisfiable,
    /// First and last byte, inclusive.
    Part(u64, u64),
}

fn parse_range(v: &str, size: u64) -> RangeAnswer {
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Ignore;
    };
    if spec.contains(',') {
        return RangeAnswer::Ignore;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return RangeAnswer::Ignore;
    };
    let (a, b) = (a.trim(), b.trim());
    let parsed = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(a), Ok(b)) if a <= b => Some((a, b.min(size.saturating_sub(1)))),
        (Ok(a), Err(_)) if b.is_empty() => Some((a, size.saturating_sub(1))),
        (Err(_), Ok(n)) if a.is_empty() && n > 0 => {
            Some((size.saturating_sub(n), size.saturating_sub(1)))
        }
        _ => return RangeAnswer::Ignore,
    };
    match parsed {
        Some((a, b)) if size > 0 && a < size && a <= b => RangeAnswer::Part(a, b),
        _ => RangeAnswer::Unsatisfiable,
    }
}

/// `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Streams a multipart field into an upload, chunk by chunk. A broken transfer is an
/// error and the upload (dropped by the caller) leaves nothing behind.
pub async fn stream_field(
    field: &mut Field<'_>,
    upload: &mut PendingUpload,
) -> Result<(), DomainError> {
    loop {
        match field.chunk().await {
            Ok(Some(bytes)) => upload.write(&bytes).await?,
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(DomainError::invalid(
                    "file",
                    format!("Die Übertragung brach ab: {e}"),
                ));
            }
        }
    }
}

/// Streams a raw request body into an upload.
pub async fn stream_body(body: Body, upload: &mut PendingUpload) -> Result<(), DomainError> {
    use http_body_util::BodyExt;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| DomainError::invalid("file", format!("Die Übertragung brach ab: {e}")))?;
        if let Ok(data) = frame.into_data() {
            upload.write(&data).await?;
        }
    }
    Ok(())
}

/// Streams content that has no random access (the Safe's sealed documents) as a download:
/// no ranges, never cached.
pub fn download_stream<S>(name: &str, size: u64, mime: Option<&str>, stream: S) -> Response
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, DomainError>> + Send + 'static,
{
    use futures_util::TryStreamExt;
    let body = Body::from_stream(stream.map_err(|e| std::io::Error::other(e.to_string())));
    let mut r = Response::new(body);
    let h = r.headers_mut();
    let mime = mime.unwrap_or("application/octet-stream");
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    mark_user_content(h, Some(name));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert!(matches!(
            parse_range("bytes=0-99", 1000),
            RangeAnswer::Part(0, 99)
        ));
        assert!(matches!(
            parse_range("bytes=900-", 1000),
            RangeAnswer::Part(900, 999)
        ));
        assert!(matches!(
            parse_range("bytes=-100", 1000),
            RangeAnswer::Part(900, 999)
        ));
        assert!(matches!(
            parse_range("bytes=990-2000", 1000),
            RangeAnswer::Part(990, 999)
        ));
        assert!(matches!(
            parse_range("bytes=1000-", 1000),
            RangeAnswer::Unsatisfiable
        ));
        assert!(matches!(
            parse_range("bytes=0-1,5-6", 1000),
            RangeAnswer::Ignore
        ));
        assert!(matches!(
            parse_range("items=0-1", 1000),
            RangeAnswer::Ignore
        ));
    }

    #[test]
    fn download_names_survive_umlauts_and_quotes() {
        assert_eq!(
            content_disposition("Übung \"1\".pdf"),
            "attachment; filename=\"_bung _1_.pdf\"; filename*=UTF-8''%C3%9Cbung%20%221%22.pdf"
        );
    }
}
