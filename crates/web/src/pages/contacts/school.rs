//! `/adressbuch/schule`: the school address book, read-only, generated from the school's
//! people as the caller's account type may see them; with a search and pages. A page costs
//! a few statements however many people it shows.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use schulhof_front::AppState;

use super::book::{ListQuery, page_href};
use super::{fail, page_offset};
use crate::auth::Ready;
use crate::forms::Field;
use crate::layout::Chrome;
use crate::{render, url};

/// People per page.
const PAGE: i64 = 50;

pub struct Row {
    pub name: String,
    pub mail: String,
    pub write_href: String,
    pub kind: &'static str,
    pub groups: String,
}

#[derive(Template)]
#[template(path = "contacts/school.html")]
struct SchoolPage {
    c: Chrome,
    search: Field,
    rows: Vec<Row>,
    /// "123 Einträge".
    count: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// `GET /adressbuch/schule`.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Query(lq): Query<ListQuery>,
) -> Response {
    let tr = r.page.tr();
    let (offset, n) = page_offset(lq.seite, PAGE);
    let q = lq.q.trim().to_owned();
    let page = match state
        .platform
        .school_directory(&r.actor, &q, PAGE, offset)
        .await
    {
        Ok(p) => p,
        Err(e) => return fail(&r, e),
    };
    let rows = page
        .people
        .iter()
        .map(|p| Row {
            name: format!("{} {}", p.first_name, p.last_name),
            write_href: format!("/mail/neu?an={}", url::encode(&p.mail)),
            mail: p.mail.clone(),
            kind: p.account_type.map_or("", |t| tr.account_type(t.as_str())),
            groups: p.groups.join(", "),
        })
        .collect();
    let base = "/adressbuch/schule";
    let view = SchoolPage {
        c: Chrome::new(&r.page, tr.t("contacts.school")).signed_in(&r.page, &r.actor),
        search: Field::new(tr, "school-q", "q", "contacts.search_field")
            .kind("search")
            .value(q.clone()),
        prev_href: (n > 1).then(|| page_href(base, &q, n - 1)),
        next_href: (offset + PAGE < page.total).then(|| page_href(base, &q, n + 1)),
        rows,
        count: tr
            .t("contacts.count")
            .replace("{n}", &page.total.to_string()),
    };
    render::ok(&view)
}
