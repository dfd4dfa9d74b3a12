//! `/adressbuch`: the caller's books (the personal one first) and the school address book;
//! `/adressbuch/neu`: a further book to fill and share.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use schulhof_domain::contacts::BookAccess;
use schulhof_front::AppState;
use schulhof_types::RightId;

use super::{access_label, back_to, book_href, book_label, fail, failure};
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::render;

/// One book in the list.
pub struct Row {
    pub href: String,
    pub name: String,
    pub owner: String,
    pub access: &'static str,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "contacts/books.html")]
struct BooksPage {
    c: Chrome,
    rows: Vec<Row>,
    school: bool,
}

/// `GET /adressbuch`.
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    let tr = r.page.tr();
    let books = match state.platform.address_books(&r.actor).await {
        Ok(b) => b,
        Err(e) => return fail(&r, e),
    };
    let rows = books
        .iter()
        .map(|b| Row {
            href: book_href(b.id),
            name: book_label(tr, b),
            owner: if b.access == BookAccess::Owner {
                String::new()
            } else {
                b.owner_name.clone()
            },
            access: access_label(tr, b.access),
            count: b.count,
        })
        .collect();
    let view = BooksPage {
        c: Chrome::new(&r.page, tr.t("contacts.title")).signed_in(&r.page, &r.actor),
        rows,
        school: r.actor.token.has(RightId::ContactsSchool),
    };
    render::ok(&view)
}

#[derive(Template)]
#[template(path = "contacts/book_new.html")]
struct NewBookPage {
    c: Chrome,
    form: FormView,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct BookForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub beschreibung: String,
}

pub(crate) fn book_fields(r: &Ready, f: &BookForm, failure: Option<&Failure>) -> FormView {
    let tr = r.page.tr();
    FormView::new(
        "book",
        vec![
            Field::new(tr, "book-name", "name", "contacts.book.name")
                .value(f.name.clone())
                .required(),
            Field::new(
                tr,
                "book-description",
                "beschreibung",
                "contacts.book.description",
            )
            .kind("textarea")
            .value(f.beschreibung.clone())
            .answers(&["description"]),
        ],
        failure,
    )
}

fn new_page(r: &Ready, f: &BookForm, failure: Option<Failure>) -> Response {
    let tr = r.page.tr();
    let view = NewBookPage {
        c: Chrome::new(&r.page, tr.t("contacts.new_book")).signed_in(&r.page, &r.actor),
        form: book_fields(r, f, failure.as_ref()),
    };
    match failure {
        Some(f) => render::html(f.status, &view),
        None => render::ok(&view),
    }
}

/// `GET /adressbuch/neu`.
pub async fn new_form(r: Ready) -> Response {
    new_page(&r, &BookForm::default(), None)
}

/// `POST /adressbuch/neu`.
pub async fn create(State(state): State<AppState>, r: Ready, Form(f): Form<BookForm>) -> Response {
    match state
        .platform
        .address_book_create(&r.actor, &f.name, &f.beschreibung)
        .await
    {
        Ok(b) => back_to(&book_href(b.id), "book_created"),
        Err(e) => {
            let failure = failure("book", r.page.tr(), e);
            new_page(&r, &f, Some(failure))
        }
    }
}
