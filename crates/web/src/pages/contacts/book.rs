//! `/adressbuch/{book}`: the contacts of one book by name, with a search, and what the
//! caller may do there (add, import, export; the owner also the settings).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use schulhof_domain::contacts::{BookAccess, BookInfo, ContactsError};
use schulhof_front::AppState;

use super::{access_label, book_href, book_label, contact_href, fail, page_offset, parse_book};
use crate::auth::Ready;
use crate::forms::Field;
use crate::layout::Chrome;
use crate::{render, url};

/// Contacts per page.
const PAGE: i64 = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    pub seite: Option<u32>,
    /// After an import: how many contacts it added and replaced.
    pub importiert: Option<usize>,
    pub ersetzt: Option<usize>,
}

pub struct Row {
    pub href: String,
    pub name: String,
    pub emails: Vec<String>,
}

#[derive(Template)]
#[template(path = "contacts/book.html")]
struct BookPage {
    c: Chrome,
    book: BookInfo,
    name: String,
    access: &'static str,
    base: String,
    search: Field,
    q: String,
    rows: Vec<Row>,
    caption: String,
    shared_by: String,
    may_write: bool,
    owner: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
    /// The report of an import that just happened.
    imported: Option<String>,
}

/// The link to page `n` of a list at `base` for the search `q`.
pub(crate) fn page_href(base: &str, q: &str, n: u32) -> String {
    if q.is_empty() {
        format!("{base}?seite={n}")
    } else {
        format!("{base}?q={}&seite={n}", url::encode(q))
    }
}

/// `GET /adressbuch/{book}`.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Path(book): Path<String>,
    Query(lq): Query<ListQuery>,
) -> Response {
    match render_book(&state, &r, &book, &lq).await {
        Ok(resp) => resp,
        Err(e) => fail(&r, e),
    }
}

async fn render_book(
    state: &AppState,
    r: &Ready,
    book: &str,
    lq: &ListQuery,
) -> Result<Response, ContactsError> {
    let tr = r.page.tr();
    let id = parse_book(book)?;
    let p = &state.platform;
    let info = p.address_book(&r.actor, id).await?;
    let (offset, n) = page_offset(lq.seite, PAGE);
    let (list, total) = p.contacts(&r.actor, id, &lq.q, PAGE, offset).await?;
    let rows = list
        .into_iter()
        .map(|c| Row {
            href: contact_href(id, c.id),
            name: c.display_name,
            emails: c.emails,
        })
        .collect();
    let base = book_href(id);
    let q = lq.q.trim().to_owned();
    let prev_href = (n > 1).then(|| page_href(&base, &q, n - 1));
    let next_href = (offset + PAGE < total).then(|| page_href(&base, &q, n + 1));
    let name = book_label(tr, &info);
    let caption = format!(
        "{} ({})",
        tr.t("contacts.list_caption").replace("{book}", &name),
        tr.t("contacts.count").replace("{n}", &total.to_string())
    );
    let view = BookPage {
        c: Chrome::new(&r.page, format!("{name} · {}", tr.t("contacts.title")))
            .signed_in(&r.page, &r.actor),
        search: Field::new(tr, "contacts-q", "q", "contacts.search_field")
            .kind("search")
            .value(q.clone()),
        access: access_label(tr, info.access),
        may_write: info.access.may_write(),
        owner: info.access == BookAccess::Owner,
        name,
        base,
        q,
        rows,
        caption,
        shared_by: tr
            .t("contacts.shared_by")
            .replace("{name}", &info.owner_name),
        book: info,
        prev_href,
        next_href,
        imported: lq.importiert.map(|created| {
            tr.t("contacts.import.report")
                .replace("{created}", &created.to_string())
                .replace("{updated}", &lq.ersetzt.unwrap_or(0).to_string())
        }),
    };
    Ok(render::ok(&view))
}
