//! Error pages, and the one place that decides what a failed domain call looks like.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::identity::Actor;
use schulhof_front::error_info;

use crate::layout::{Chrome, Page};
use crate::render;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    heading: &'static str,
    message: String,
}

/// A redirect when the session is missing or held at a gate; otherwise an error page with
/// the status `error_info` assigns.
pub fn domain_error(page: &Page, actor: Option<&Actor>, e: &DomainError) -> Response {
    match e {
        DomainError::SessionEnded => return Redirect::to("/").into_response(),
        DomainError::ConsentRequired => return Redirect::to("/zustimmung").into_response(),
        DomainError::PasswordChangeRequired => {
            return Redirect::to("/konto/passwort-setzen").into_response();
        }
        _ => {}
    }
    let info = error_info(e);
    let message = page.tr().error_text(e, &info);
    error_page(page, actor, info.status, message)
}

pub fn error_page(
    page: &Page,
    actor: Option<&Actor>,
    status: StatusCode,
    message: String,
) -> Response {
    let tr = page.tr();
    let heading = match status {
        StatusCode::NOT_FOUND => tr.t("error.not_found"),
        StatusCode::FORBIDDEN => tr.t("error.forbidden"),
        s if s.is_server_error() => tr.t("error.server"),
        _ => tr.t("error.generic"),
    };
    let mut c = Chrome::new(page, heading);
    if let Some(a) = actor {
        c = c.signed_in(page, a);
    }
    render::html(
        status,
        &ErrorPage {
            c,
            heading,
            message,
        },
    )
}

/// Any path no page answers.
pub async fn not_found(page: Page) -> Response {
    let message = page.tr().t("error.not_found_text").to_owned();
    error_page(&page, None, StatusCode::NOT_FOUND, message)
}
