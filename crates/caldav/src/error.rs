//! The one translation of errors into HTTP: statuses, and DAV precondition elements
//! (RFC 4918 §16, RFC 4791 §1.3) with a readable message beside them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::path;
use crate::request::BadRequest;
use crate::store::{CollectionRef, Kind, StoreError};
use crate::xml::write::{error_body, escape};
use crate::xml::{CALDAV, CARDDAV, DAV, Name};

/// Where error messages of our own go inside `d:error`.
const OWN_NS: &str = "urn:schulhof:dav";

#[derive(Debug)]
pub enum DavError {
    Bad(String),
    NotFound,
    Forbidden,
    PreconditionFailed,
    MethodNotAllowed,
    /// A status with a precondition element (and its content) and a message.
    Condition {
        status: StatusCode,
        name: Name,
        inner: String,
        message: String,
    },
    Internal(String),
}

pub type DavResult<T> = Result<T, DavError>;

impl From<BadRequest> for DavError {
    fn from(e: BadRequest) -> Self {
        DavError::Bad(e.0)
    }
}

impl DavError {
    pub fn condition(status: StatusCode, ns: &str, name: &str, message: &str) -> Self {
        DavError::Condition {
            status,
            name: Name::new(ns, name),
            inner: String::new(),
            message: message.to_owned(),
        }
    }

    /// A store refusal in the context of collection `coll`.
    pub fn from_store(e: StoreError, coll: Option<&CollectionRef>) -> Self {
        let cal = coll.is_none_or(|c| c.kind == Kind::Calendar);
        let data_ns = if cal { CALDAV } else { CARDDAV };
        match e {
            StoreError::NotFound => DavError::NotFound,
            StoreError::Forbidden => DavError::Forbidden,
            StoreError::PreconditionFailed => DavError::PreconditionFailed,
            StoreError::Exists => DavError::condition(
                StatusCode::METHOD_NOT_ALLOWED,
                DAV,
                "resource-must-be-null",
                "Das gibt es hier schon.",
            ),
            StoreError::UidConflict(name) => {
                let href = coll.map(|c| path::object_href(c, &name)).unwrap_or(name);
                DavError::Condition {
                    status: StatusCode::CONFLICT,
                    name: Name::new(data_ns, "no-uid-conflict"),
                    inner: format!("<d:href>{}</d:href>", escape(&href)),
                    message: format!("Diese UID ist in dieser Sammlung schon vergeben ({href})."),
                }
            }
            StoreError::InvalidData(m) => {
                let which = if cal {
                    "valid-calendar-data"
                } else {
                    "valid-address-data"
                };
                DavError::condition(StatusCode::FORBIDDEN, data_ns, which, &m)
            }
            StoreError::UnsupportedComponent => DavError::condition(
                StatusCode::FORBIDDEN,
                CALDAV,
                "supported-calendar-component",
                "Dieser Kalender nimmt diese Art von Eintrag nicht an.",
            ),
            StoreError::TooLarge => too_large(cal),
            StoreError::InvalidSyncToken => DavError::condition(
                StatusCode::FORBIDDEN,
                DAV,
                "valid-sync-token",
                "Das Synchronisationsmerkmal ist ungültig oder abgelaufen; bitte neu synchronisieren.",
            ),
            StoreError::Internal(m) => DavError::Internal(m),
        }
    }
}

pub fn too_large(cal: bool) -> DavError {
    DavError::condition(
        StatusCode::FORBIDDEN,
        if cal { CALDAV } else { CARDDAV },
        "max-resource-size",
        &format!(
            "Der Eintrag ist zu groß (höchstens {} KiB).",
            crate::props::MAX_RESOURCE_SIZE / 1024
        ),
    )
}

fn text(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

impl IntoResponse for DavError {
    fn into_response(self) -> Response {
        match self {
            DavError::Bad(m) => text(StatusCode::BAD_REQUEST, &m),
            DavError::NotFound => text(StatusCode::NOT_FOUND, "Nicht gefunden."),
            DavError::Forbidden => text(StatusCode::FORBIDDEN, "Das ist Ihnen nicht erlaubt."),
            DavError::PreconditionFailed => text(
                StatusCode::PRECONDITION_FAILED,
                "Der Eintrag wurde inzwischen geändert (oder gibt es schon / nicht mehr).",
            ),
            DavError::MethodNotAllowed => {
                let mut r = text(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Diese Methode geht hier nicht.",
                );
                r.headers_mut().insert(
                    header::ALLOW,
                    HeaderValue::from_static(crate::handler::ALLOW),
                );
                r
            }
            DavError::Condition {
                status,
                name,
                inner,
                message,
            } => {
                let extra = format!(
                    "<m:message xmlns:m=\"{OWN_NS}\">{}</m:message>",
                    escape(&message)
                );
                let body = error_body(&name, &inner, &extra);
                (
                    status,
                    [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                    body,
                )
                    .into_response()
            }
            DavError::Internal(m) => {
                tracing::error!(error = %m, "CalDAV/CardDAV: internal error");
                text(StatusCode::INTERNAL_SERVER_ERROR, "Interner Fehler.")
            }
        }
    }
}
