//! One request: which method on which target, answered through the store.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::{DavError, DavResult};
use crate::path::{self, Target};
use crate::store::DavStore;
use crate::{collection, object, propfind, report, schedule};

pub const ALLOW: &str =
    "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR, MKCOL, POST";
pub const DAV_CLASSES: &str =
    "1, 3, calendar-access, calendar-auto-schedule, addressbook, extended-mkcol";

/// A request as the protocol sees it (body already read within its limit).
pub struct DavRequest {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The answer to `req` for the caller behind `store`.
pub async fn handle<S: DavStore>(store: &S, req: &DavRequest) -> Response {
    match dispatch(store, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// OPTIONS needs no login: clients ask before they authenticate.
pub fn options() -> Response {
    let mut r = StatusCode::OK.into_response();
    let h = r.headers_mut();
    h.insert("dav", HeaderValue::from_static(DAV_CLASSES));
    h.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    r
}

async fn dispatch<S: DavStore>(store: &S, req: &DavRequest) -> DavResult<Response> {
    let target = path::parse(&req.path).ok_or(DavError::NotFound)?;
    if schedule::mailbox(&target).is_some() {
        return schedule::handle(store, &target, req).await;
    }
    match req.method.as_str() {
        "OPTIONS" => Ok(options()),
        "PROPFIND" => propfind::propfind(store, &target, req).await,
        "PROPPATCH" => collection::proppatch(store, &target, &req.body).await,
        "REPORT" => report::report(store, &target, &req.body).await,
        "MKCALENDAR" | "MKCOL" => collection::make(store, &target, req).await,
        "GET" | "HEAD" => match &target {
            Target::Object(c, name) => {
                object::get(store, c, name, req.method == Method::HEAD).await
            }
            Target::Root | Target::Principals | Target::Principal(_) | Target::Home(..) => Ok((
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Schulhof CalDAV/CardDAV\n",
            )
                .into_response()),
            Target::Collection(c) => {
                // Collections are read with REPORT; GET only says whether it exists.
                collection::exists(store, c).await?;
                Err(DavError::MethodNotAllowed)
            }
        },
        "PUT" => match &target {
            Target::Object(c, name) => object::put(store, c, name, req).await,
            _ => Err(DavError::MethodNotAllowed),
        },
        "DELETE" => match &target {
            Target::Object(c, name) => object::delete(store, c, name, &req.headers).await,
            Target::Collection(c) => collection::delete(store, c).await,
            _ => Err(DavError::MethodNotAllowed),
        },
        _ => Err(DavError::MethodNotAllowed),
    }
}

/// A 207 multistatus answer.
pub fn multistatus(body: String) -> Response {
    (
        StatusCode::MULTI_STATUS,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}
