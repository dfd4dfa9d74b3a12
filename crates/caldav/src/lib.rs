//! CalDAV (RFC 4791) and CardDAV (RFC 6352) under `/dav/`: principals, calendar and address
//! book homes, collections and their objects, with sync-collection (RFC 6578) and getctag.
//! The protocol is written against [`DavStore`]; the adapter to the domain implements it
//! for one authenticated caller, so every access is decided there, by the one policy.

mod cache;
mod collection;
pub mod domain;
mod error;
pub mod fragments;
pub mod handler;
mod object;
pub mod path;
mod propfind;
pub mod props;
mod report;
pub mod request;
pub mod schedule;
pub mod store;
pub mod xml;

use std::future::Future;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use http_body_util::BodyExt;

pub use handler::{DavRequest, handle};
pub use store::DavStore;

/// The largest XML request body taken (a multiget of a few thousand hrefs).
pub const MAX_XML_BODY: usize = 512 * 1024;

/// Authenticates a request and hands out the caller's store.
pub trait Provider: Clone + Send + Sync + 'static {
    type Store: DavStore + 'static;
    /// The caller's store, or the answer asking for (other) credentials.
    fn store(
        &self,
        parts: &mut Parts,
    ) -> impl Future<Output = Result<Self::Store, Response>> + Send;
}

/// The routes under `/dav/` (without `/dav/files/`) and the well-known redirects.
pub fn router<St, P>() -> Router<St>
where
    St: Clone + Send + Sync + 'static,
    P: Provider + FromRef<St>,
{
    let mut r = Router::new()
        .route("/.well-known/caldav", any(well_known))
        .route("/.well-known/carddav", any(well_known))
        .route("/dav", any(serve::<P>))
        .route("/dav/", any(serve::<P>));
    for area in ["principals", "calendars", "addressbooks"] {
        r = r
            .route(&format!("/dav/{area}"), any(serve::<P>))
            .route(&format!("/dav/{area}/"), any(serve::<P>))
            .route(&format!("/dav/{area}/{{*rest}}"), any(serve::<P>));
    }
    r
}

/// RFC 6764 §5: the well-known URIs point at the context path.
async fn well_known(req: Request) -> Response {
    // Clients send their PROPFIND body here and follow the redirect on the same connection:
    // an unread body would make the server close it after the answer, and a client quick
    // enough to reuse it first sees "closed without response". Read it; if it is too large
    // to read, say the connection closes.
    let drained = read_bounded(req.into_body(), MAX_XML_BODY).await.is_ok();
    let mut r = StatusCode::MOVED_PERMANENTLY.into_response();
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(path::ROOT));
    if !drained {
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

async fn serve<P: Provider>(State(provider): State<P>, req: Request) -> Response {
    if req.method() == Method::OPTIONS {
        return handler::options();
    }
    let (mut parts, body) = req.into_parts();
    // The body is read before the login is checked: a client sends it along with its first
    // (unauthenticated) try, and closing the connection on an unread body would reset it
    // before the client reads the 401.
    let is_put = parts.method == Method::PUT;
    let limit = if is_put {
        props::MAX_RESOURCE_SIZE
    } else {
        MAX_XML_BODY
    };
    let body = match read_bounded(body, limit).await {
        Ok(b) => b,
        Err(status) if is_put && status == StatusCode::PAYLOAD_TOO_LARGE => {
            let cal = parts.uri.path().starts_with("/dav/calendars/");
            return error::too_large(cal).into_response();
        }
        Err(status) => {
            let msg = format!(
                "Der Inhalt der Anfrage ist zu groß oder abgebrochen (höchstens {} KiB).",
                limit / 1024
            );
            return (status, msg).into_response();
        }
    };
    let store = match provider.store(&mut parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let req = DavRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        headers: parts.headers,
        body,
    };
    let mut resp = handle(&store, &req).await;
    if req.method == Method::HEAD {
        *resp.body_mut() = Body::empty();
    }
    resp
}

/// The whole body, or 413 once it passes `limit` (400 when it breaks off).
async fn read_bounded(body: Body, limit: usize) -> Result<axum::body::Bytes, StatusCode> {
    let limited = http_body_util::Limited::new(body, limit);
    match limited.collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(StatusCode::PAYLOAD_TOO_LARGE),
        Err(_) => Err(StatusCode::BAD_REQUEST),
    }
}
