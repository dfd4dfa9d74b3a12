//! GET, HEAD, PUT and DELETE of one calendar object or vCard, with `If-Match` and
//! `If-None-Match` exactly as RFC 7232 and RFC 4791 §5.3.2 say.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::{DavError, DavResult, too_large};
use crate::handler::DavRequest;
use crate::props::{MAX_RESOURCE_SIZE, content_type};
use crate::store::{CollectionRef, DavStore, Kind, Precondition, StoreError};
use crate::xml::{CALDAV, CARDDAV};

pub async fn get<S: DavStore>(
    store: &S,
    coll: &CollectionRef,
    name: &str,
    head: bool,
) -> DavResult<Response> {
    let obj = store
        .get(coll, name)
        .await
        .map_err(|e| DavError::from_store(e, Some(coll)))?
        .ok_or(DavError::NotFound)?;
    let len = obj.data.len();
    let body = if head { String::new() } else { obj.data };
    let mut r = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type(coll.kind))],
        body,
    )
        .into_response();
    set_etag(&mut r, &obj.meta.etag);
    if head {
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    Ok(r)
}

pub async fn put<S: DavStore>(
    store: &S,
    coll: &CollectionRef,
    name: &str,
    req: &DavRequest,
) -> DavResult<Response> {
    let cal = coll.kind == Kind::Calendar;
    if req.body.len() > MAX_RESOURCE_SIZE {
        return Err(too_large(cal));
    }
    check_content_type(&req.headers, coll.kind)?;
    let pre = precondition(&req.headers)?;
    let data = std::str::from_utf8(&req.body).map_err(|_| {
        DavError::from_store(
            StoreError::InvalidData("Der Inhalt ist kein gültiges UTF-8.".into()),
            Some(coll),
        )
    })?;
    let written = store
        .put(coll, name, data, &pre)
        .await
        .map_err(|e| DavError::from_store(e, Some(coll)))?;
    let status = if written.created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    };
    let mut r = status.into_response();
    set_etag(&mut r, &written.etag);
    Ok(r)
}

pub async fn delete<S: DavStore>(
    store: &S,
    coll: &CollectionRef,
    name: &str,
    headers: &HeaderMap,
) -> DavResult<Response> {
    let pre = precondition(headers)?;
    // RFC 6638 §8.1: `Schedule-Reply: F` deletes without answering the organiser.
    let reply = !headers
        .get("schedule-reply")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("F"));
    store
        .delete_scheduled(coll, name, &pre, reply)
        .await
        .map_err(|e| DavError::from_store(e, Some(coll)))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An empty tag (the text was changed on the way in) sends none: the client fetches it.
fn set_etag(r: &mut Response, etag: &str) {
    if etag.is_empty() {
        return;
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{etag}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
}

/// What `If-Match` / `If-None-Match` demand. Both together, several tags or a weak tag
/// cannot be honoured exactly, so they are refused rather than guessed.
pub fn precondition(headers: &HeaderMap) -> DavResult<Precondition> {
    let get = |h| {
        headers
            .get(h)
            .map(|v| {
                v.to_str()
                    .map(str::trim)
                    .map_err(|_| DavError::Bad("Ungültige Bedingung.".into()))
            })
            .transpose()
    };
    match (get(header::IF_MATCH)?, get(header::IF_NONE_MATCH)?) {
        (None, None) => Ok(Precondition::None),
        (Some("*"), None) => Ok(Precondition::Exists),
        (None, Some("*")) => Ok(Precondition::Absent),
        (Some(tag), None) => Ok(Precondition::IfMatch(strong_tag(tag)?)),
        // `If-None-Match: "tag"` on a write: fails if the object has that tag. Rare; the
        // store can only express "must be absent", so it is refused clearly.
        _ => Err(DavError::Bad(
            "Nur If-Match: \"ETag\", If-Match: * oder If-None-Match: * werden unterstützt.".into(),
        )),
    }
}

fn strong_tag(tag: &str) -> DavResult<String> {
    let inner = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| !t.contains('"'))
        .ok_or_else(|| DavError::Bad(format!("Ungültiges ETag in If-Match: {tag}")))?;
    Ok(inner.to_owned())
}

/// A PUT naming a content type must name the collection's one (supported-calendar-data).
fn check_content_type(headers: &HeaderMap, kind: Kind) -> DavResult<()> {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let base = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (ok, ns, cond) = match kind {
        Kind::Calendar => (base == "text/calendar", CALDAV, "supported-calendar-data"),
        Kind::AddressBook => (
            base == "text/vcard" || base == "text/x-vcard",
            CARDDAV,
            "supported-address-data",
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(DavError::condition(
            StatusCode::FORBIDDEN,
            ns,
            cond,
            &format!("Inhaltstyp {base} wird hier nicht angenommen."),
        ))
    }
}
