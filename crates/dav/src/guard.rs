//! What a request must satisfy before dav-server sees it. The library parses request XML
//! recursively (xmltree), so a few kilobytes of nested elements overflow the worker's stack
//! and take the whole process down; and paths or `Destination`s that leave `/dav/files/`
//! come back from it as 502. Both are answered here, before the library: XML bodies are
//! buffered (bounded), their nesting is checked with a streaming (non-recursive) reader, and
//! paths are checked segment by segment.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use quick_xml::events::Event;

use crate::PREFIX;

/// The largest XML body taken (what dav-server itself reads for these methods).
pub const MAX_XML_BODY: usize = 64 * 1024;
/// The deepest element nesting taken: PROPFIND/PROPPATCH/LOCK bodies need about five levels,
/// a dead property's value a few more; far below what overflows a stack.
pub const MAX_XML_DEPTH: usize = 64;

/// The request, with a checked body, or the answer refusing it.
pub async fn check(req: Request) -> Result<Request, Response> {
    check_path(req.uri().path()).map_err(|m| refuse(StatusCode::BAD_REQUEST, m))?;
    let authority = req.uri().authority().map(|a| a.as_str().to_owned());
    check_destination(req.headers(), authority.as_deref()).map_err(|(s, m)| refuse(s, m))?;
    // PUT (and PATCH) bodies are file contents: streamed, never parsed here or there.
    if matches!(req.method(), &Method::PUT) || req.method().as_str() == "PATCH" {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let bytes = read_bounded(body).await?;
    if !bytes.is_empty() {
        xml_depth_ok(&bytes, MAX_XML_DEPTH).map_err(|m| refuse(StatusCode::BAD_REQUEST, m))?;
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn refuse(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// Reads the whole body, refusing with 413 once it passes [`MAX_XML_BODY`].
async fn read_bounded(body: Body) -> Result<Vec<u8>, Response> {
    let mut body = body;
    let mut data = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| {
            refuse(
                StatusCode::BAD_REQUEST,
                "Der Inhalt der Anfrage ist abgebrochen.".into(),
            )
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        if data.len() + chunk.len() > MAX_XML_BODY {
            return Err(refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "Der XML-Inhalt der Anfrage ist zu groß (höchstens {} KiB).",
                    MAX_XML_BODY / 1024
                ),
            ));
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}

/// Whether `xml` nests at most `max` elements deep and is well-formed enough to be read by
/// a streaming reader; a DOCTYPE (entity definitions) is refused outright.
pub fn xml_depth_ok(xml: &[u8], max: usize) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "Der XML-Inhalt ist fehlerhaft (Byte {}): {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(_) => {
                depth += 1;
                if depth > max {
                    return Err(format!(
                        "Der XML-Inhalt ist zu tief verschachtelt (höchstens {max} Ebenen, Byte {}).",
                        reader.buffer_position()
                    ));
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::DocType(_) => {
                return Err("Der XML-Inhalt darf keine DOCTYPE-Angabe enthalten.".into());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// A request path with a `.` or `..` segment (also percent-encoded) would be resolved by
/// the library to somewhere else, possibly outside `/dav/files/`.
pub fn check_path(path: &str) -> Result<(), String> {
    if has_dot_segment(path) {
        return Err(format!(
            "Ungültiger Pfad: \".\" und \"..\" sind als Namen nicht erlaubt ({path})."
        ));
    }
    Ok(())
}

/// `Destination` (COPY/MOVE) must name this host and a path under `/dav/files/` without
/// dot segments; anything else is outside what WebDAV may reach here (403).
/// The request's own host is its `Host` header (HTTP/1.1) or its URI's authority (HTTP/2).
fn check_destination(
    headers: &HeaderMap,
    own_authority: Option<&str>,
) -> Result<(), (StatusCode, String)> {
    let Some(value) = headers.get("destination") else {
        return Ok(());
    };
    let bad = |m: &str| (StatusCode::BAD_REQUEST, m.to_owned());
    let outside = || {
        (
            StatusCode::FORBIDDEN,
            format!("Das Ziel (Destination) liegt außerhalb von {PREFIX}/."),
        )
    };
    let text = value
        .to_str()
        .map_err(|_| bad("Das Ziel (Destination) ist keine gültige Adresse."))?;
    let path = match split_absolute(text) {
        Some((authority, path)) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .or(own_authority);
            if !host.is_some_and(|h| h.eq_ignore_ascii_case(authority)) {
                return Err(outside());
            }
            path
        }
        None if text.starts_with('/') => text,
        None => return Err(bad("Das Ziel (Destination) ist keine gültige Adresse.")),
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let under = path == PREFIX || path.starts_with(&format!("{PREFIX}/"));
    if !under || has_dot_segment(path) {
        return Err(outside());
    }
    Ok(())
}

/// `http(s)://authority/path` as (authority, path); `None` for anything else.
fn split_absolute(url: &str) -> Option<(&str, &str)> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        &url[7..]
    } else if lower.starts_with("https://") {
        &url[8..]
    } else {
        return None;
    };
    let at = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(at);
    Some((authority, if path.is_empty() { "/" } else { path }))
}

fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|segment| {
        let decoded = percent_decode(segment);
        decoded == b"." || decoded == b".."
    })
}

/// Percent-decoding as dav-server does it: an invalid escape stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
