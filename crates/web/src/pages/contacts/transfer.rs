//! vCard files: `/adressbuch/{book}/export` downloads a book as .vcf; `/adressbuch/{book}/import`
//! takes a file and shows its preview (problems by line, nothing stored); the preview's
//! button sends the text back to `…/import/ausfuehren`, which stores all cards or none.
//! Nothing is kept between the two steps on the server.

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use schulhof_domain::contacts::{
    AddressBookId, BookInfo, ContactsError, ImportPreview, LineError, MAX_IMPORT,
};
use schulhof_front::AppState;

use super::{book_href, book_label, fail, line_message, message, parse_book};
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::render;

/// `GET /adressbuch/{book}/export`: the stored texts, one after the other.
pub async fn export(State(state): State<AppState>, r: Ready, Path(book): Path<String>) -> Response {
    let id = match parse_book(&book) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    let p = &state.platform;
    let (info, vcf) = match (
        p.address_book(&r.actor, id).await,
        p.address_book_export(&r.actor, id).await,
    ) {
        (Ok(info), Ok(vcf)) => (info, vcf),
        (Err(e), _) | (_, Err(e)) => return fail(&r, e),
    };
    let name = format!("{}.vcf", book_label(r.page.tr(), &info));
    let mut resp = (StatusCode::OK, vcf).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/vcard; charset=utf-8"),
    );
    schulhof_front::files::mark_user_content(h, Some(&name));
    resp
}

pub struct CardRow {
    pub line: usize,
    pub name: String,
    pub emails: String,
    pub state: &'static str,
}

pub struct ErrorRow {
    pub line: usize,
    pub message: String,
}

#[derive(Template)]
#[template(path = "contacts/import.html")]
struct ImportPage {
    c: Chrome,
    name: String,
    base: String,
    form: FormView,
    cards: Vec<CardRow>,
    cards_heading: String,
    errors: Vec<ErrorRow>,
    /// The file's bytes in base64, sent back by the import button (base64 keeps every
    /// byte, where a browser would turn line ends in a form value into CRLF).
    content: Option<String>,
}

struct Shown {
    cards: Vec<CardRow>,
    errors: Vec<ErrorRow>,
    content: Option<String>,
}

impl Shown {
    fn none() -> Shown {
        Shown {
            cards: Vec::new(),
            errors: Vec::new(),
            content: None,
        }
    }
}

fn error_rows(tr: crate::i18n::Tr, errors: Vec<LineError>) -> Vec<ErrorRow> {
    errors
        .into_iter()
        .map(|e| ErrorRow {
            line: e.line,
            message: message(tr, &e.message),
        })
        .collect()
}

async fn page(
    state: &AppState,
    r: &Ready,
    id: AddressBookId,
    shown: Shown,
    failure: Option<Failure>,
) -> Response {
    let tr = r.page.tr();
    let info: BookInfo = match state.platform.address_book(&r.actor, id).await {
        Ok(b) if b.access.may_write() => b,
        Ok(_) => return fail(r, ContactsError::Forbidden),
        Err(e) => return fail(r, e),
    };
    let field = Field::new(tr, "import-file", "datei", "contacts.import.file")
        .kind("file")
        .attr("accept", ".vcf,.vcard,text/vcard,text/x-vcard")
        .hint(tr, "contacts.import.hint")
        .required()
        .answers(&["file", "vcard"]);
    let view = ImportPage {
        c: Chrome::new(&r.page, tr.t("contacts.import.title")).signed_in(&r.page, &r.actor),
        name: book_label(tr, &info),
        base: book_href(id),
        form: FormView::new("import", vec![field], failure.as_ref()),
        cards_heading: tr
            .t("contacts.import.cards")
            .replace("{n}", &shown.cards.len().to_string()),
        cards: shown.cards,
        errors: shown.errors,
        content: shown.content,
    };
    let status = failure.map_or(StatusCode::OK, |f| f.status);
    render::html(status, &view)
}

/// `GET /adressbuch/{book}/import`.
pub async fn form(State(state): State<AppState>, r: Ready, Path(book): Path<String>) -> Response {
    match parse_book(&book) {
        Ok(id) => page(&state, &r, id, Shown::none(), None).await,
        Err(e) => r.fail(e),
    }
}

/// Why the upload could not be read.
enum Upload {
    Missing,
    TooLarge,
}

/// The bytes of the form's file, at most [`MAX_IMPORT`].
async fn read_file(form: Result<Multipart, MultipartRejection>) -> Result<Vec<u8>, Upload> {
    let mut form = form.map_err(|_| Upload::Missing)?;
    while let Ok(Some(mut field)) = form.next_field().await {
        if field.name() != Some("datei") {
            continue;
        }
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_IMPORT {
                        return Err(Upload::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(_) => return Err(Upload::Missing),
            }
        }
        return if bytes.is_empty() {
            Err(Upload::Missing)
        } else {
            Ok(bytes)
        };
    }
    Err(Upload::Missing)
}

fn preview_shown(tr: crate::i18n::Tr, preview: ImportPreview, bytes: &[u8]) -> Shown {
    let importable = preview.importable();
    Shown {
        cards: preview
            .cards
            .into_iter()
            .map(|c| CardRow {
                line: c.line,
                name: c.display_name,
                emails: c.emails.join(", "),
                state: tr.t(if c.replaces {
                    "contacts.import.replaces"
                } else {
                    "contacts.import.new"
                }),
            })
            .collect(),
        errors: error_rows(tr, preview.errors),
        content: importable.then(|| BASE64.encode(bytes)),
    }
}

/// `POST /adressbuch/{book}/import`: the preview of the uploaded file.
pub async fn preview(
    State(state): State<AppState>,
    r: Ready,
    Path(book): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let tr = r.page.tr();
    let id = match parse_book(&book) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    let bytes = match read_file(form).await {
        Ok(b) => b,
        Err(u) => {
            let key = match u {
                Upload::Missing => "contacts.import.no_file",
                Upload::TooLarge => "contacts.import.too_large",
            };
            let failure = Failure::local("import", "file", tr.t(key));
            return page(&state, &r, id, Shown::none(), Some(failure)).await;
        }
    };
    match state
        .platform
        .contact_import_preview(&r.actor, id, &bytes)
        .await
    {
        Ok(p) => page(&state, &r, id, preview_shown(tr, p, &bytes), None).await,
        Err(e @ (ContactsError::NotFound | ContactsError::Forbidden)) => fail(&r, e),
        Err(e) => {
            let failure = Failure {
                form: "import",
                field: Some("file"),
                message: match &e {
                    ContactsError::TooLarge { .. } => tr.t("contacts.import.too_large").to_owned(),
                    ContactsError::InvalidData { line, message } => {
                        line_message(tr, *line, message)
                    }
                    _ => return fail(&r, e),
                },
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            page(&state, &r, id, Shown::none(), Some(failure)).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RunForm {
    #[serde(default)]
    pub inhalt: String,
}

/// `POST /adressbuch/{book}/import/ausfuehren`: stores every card of the text, or none.
pub async fn run(
    State(state): State<AppState>,
    r: Ready,
    Path(book): Path<String>,
    Form(f): Form<RunForm>,
) -> Response {
    let tr = r.page.tr();
    let id = match parse_book(&book) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    let Ok(bytes) = BASE64.decode(f.inhalt.trim()) else {
        let failure = Failure::local("import", "file", tr.t("contacts.import.no_file"));
        return page(&state, &r, id, Shown::none(), Some(failure)).await;
    };
    match state.platform.contact_import(&r.actor, id, &bytes).await {
        Ok(report) if report.errors.is_empty() => axum::response::Redirect::to(&format!(
            "{}?importiert={}&ersetzt={}",
            book_href(id),
            report.created,
            report.updated
        ))
        .into_response(),
        Ok(report) => {
            let shown = Shown {
                errors: error_rows(tr, report.errors),
                ..Shown::none()
            };
            page(&state, &r, id, shown, None).await
        }
        Err(e) => fail(&r, e),
    }
}
