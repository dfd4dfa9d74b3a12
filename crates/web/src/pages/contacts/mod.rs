//! `/adressbuch`: the address books. The own and shared books with their contacts, the
//! read-only school address book, creating, editing and deleting contacts and books,
//! sharing, vCard import (preview, then all or nothing) and export. Every page works with
//! plain links and forms.
//!
//! The pages call the contacts service of the domain, the same one CardDAV uses; it decides
//! who sees which book (a book not shared with the caller answers 404).

pub mod book;
pub mod books;
pub mod contact;
pub mod school;
pub mod settings;
pub mod transfer;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_domain::contacts::{
    AddressBookId, BookAccess, BookInfo, BookKind, ContactId, ContactsError, MAX_IMPORT,
};
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::forms::Failure;
use crate::i18n::Tr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/adressbuch", get(books::show))
        .route("/adressbuch/neu", get(books::new_form).post(books::create))
        .route("/adressbuch/schule", get(school::show))
        .route("/adressbuch/{book}", get(book::show))
        .route(
            "/adressbuch/{book}/einstellungen",
            get(settings::show).post(settings::save),
        )
        .route(
            "/adressbuch/{book}/loeschen",
            get(settings::delete_confirm).post(settings::delete),
        )
        .route(
            "/adressbuch/{book}/neu",
            get(contact::new_form).post(contact::create),
        )
        .route("/adressbuch/{book}/kontakt/{id}", get(contact::show))
        .route(
            "/adressbuch/{book}/kontakt/{id}/bearbeiten",
            get(contact::edit_form).post(contact::update),
        )
        .route(
            "/adressbuch/{book}/kontakt/{id}/loeschen",
            get(contact::delete_confirm).post(contact::delete),
        )
        .route("/adressbuch/{book}/export", get(transfer::export))
        // The file arrives in the form; the preview sends its text back to import it.
        .route(
            "/adressbuch/{book}/import",
            get(transfer::form)
                .post(transfer::preview)
                .layer(DefaultBodyLimit::max(MAX_IMPORT + 64 * 1024)),
        )
        .route(
            "/adressbuch/{book}/import/ausfuehren",
            post(transfer::run).layer(DefaultBodyLimit::max(4 * MAX_IMPORT)),
        )
}

pub fn book_href(id: AddressBookId) -> String {
    format!("/adressbuch/{id}")
}

pub fn contact_href(book: AddressBookId, id: ContactId) -> String {
    format!("/adressbuch/{book}/kontakt/{id}")
}

/// An id from the path; a malformed one is as unknown as a hidden one.
pub(crate) fn parse_book(s: &str) -> Result<AddressBookId, DomainError> {
    s.parse().map_err(|_| DomainError::NotFound)
}

pub(crate) fn parse_contact(s: &str) -> Result<ContactId, DomainError> {
    s.parse().map_err(|_| DomainError::NotFound)
}

/// Redirects to `href` with the flash message `ok`.
pub(crate) fn back_to(href: &str, ok: &str) -> Response {
    let sep = if href.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{href}{sep}ok={ok}")).into_response()
}

/// The name a book shows: the own personal book in the page's words; someone else's
/// personal book with its owner.
pub(crate) fn book_label(tr: Tr, b: &BookInfo) -> String {
    match (b.kind, b.access) {
        (BookKind::Personal, BookAccess::Owner) => tr.t("contacts.personal").to_owned(),
        (BookKind::Personal, _) => format!("{} ({})", tr.t("contacts.personal"), b.owner_name),
        (BookKind::Shared, _) => b.name.clone(),
    }
}

pub(crate) fn access_label(tr: Tr, a: BookAccess) -> &'static str {
    tr.t(match a {
        BookAccess::Owner => "contacts.access.owner",
        BookAccess::Write => "contacts.access.write",
        BookAccess::Read => "contacts.access.read",
    })
}

/// A message of the contacts service (English) in the page's language.
pub(crate) fn message(tr: Tr, m: &str) -> String {
    if let Some(t) = tr.lookup(&format!("contacts.msg.{m}")) {
        return t.to_owned();
    }
    if let Some(n) = m.strip_prefix("the same UID as the vCard in line ") {
        return tr.t("contacts.msg.same_uid").replace("{n}", n);
    }
    if let Some(n) = m
        .strip_prefix("at most ")
        .and_then(|r| r.strip_suffix(" vCards per import"))
    {
        return tr.t("contacts.msg.too_many").replace("{n}", n);
    }
    if m.starts_with("the vCard is too large") {
        return tr.t("contacts.msg.too_large").to_owned();
    }
    tr.message(m)
}

/// "Zeile 3: unlesbare Zeile", or the message alone.
pub(crate) fn line_message(tr: Tr, line: Option<usize>, m: &str) -> String {
    match line {
        Some(n) => format!("{} {n}: {}", tr.t("contacts.import.line"), message(tr, m)),
        None => message(tr, m),
    }
}

/// A refused form: at the input the service names, in the page's language.
pub(crate) fn failure(form: &'static str, tr: Tr, e: ContactsError) -> Failure {
    let local = |field: &'static str, message: String, status: StatusCode| Failure {
        form,
        field: Some(field),
        message,
        status,
    };
    match e {
        ContactsError::InvalidData { line, message } => local(
            "vcard",
            line_message(tr, line, &message),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ContactsError::Domain(DomainError::Invalid { field, message: m }) => {
            local(field, message(tr, &m), StatusCode::UNPROCESSABLE_ENTITY)
        }
        ContactsError::Domain(DomainError::Conflict { field, message: m }) => {
            local(field, message(tr, &m), StatusCode::CONFLICT)
        }
        ContactsError::PreconditionFailed => local(
            "contact",
            tr.t("contacts.changed").to_owned(),
            StatusCode::CONFLICT,
        ),
        other => Failure::from_domain(form, tr, &other.into()),
    }
}

/// The error page for a failed call of the contacts service.
pub(crate) fn fail(r: &Ready, e: ContactsError) -> Response {
    r.fail(e.into())
}

/// `?seite=N` as an offset of `size` rows.
pub(crate) fn page_offset(seite: Option<u32>, size: i64) -> (i64, u32) {
    let n = seite.unwrap_or(1).max(1);
    (i64::from(n - 1) * size, n)
}
