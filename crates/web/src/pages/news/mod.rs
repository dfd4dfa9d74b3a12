//! `/neuigkeiten`: the news that concern me, one item, the editor (new, edit with preview,
//! publish, delete, pictures and attachments) and the authors' list with drafts; and the
//! public side without login: `/schule/<nr>/neuigkeiten/<id>` and the feeds
//! `/schule/<nr>/feed.rss|atom|json`. The domain decides every right; a hidden item is 404.

pub mod card;
pub mod editor;
pub mod feed;
pub mod item;
pub mod list;
pub mod public;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use schulhof_domain::news::{MAX_ATTACHMENT, NewsId, NewsItem, NewsState};
use schulhof_front::AppState;

use crate::i18n::Tr;
use crate::when::Zone;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/neuigkeiten", get(list::show))
        .route("/neuigkeiten/verfasst", get(list::written))
        .route(
            "/neuigkeiten/neu",
            get(editor::new_form).post(editor::create),
        )
        .route("/neuigkeiten/{id}", get(item::show))
        .route(
            "/neuigkeiten/{id}/bearbeiten",
            get(editor::edit_form).post(editor::update),
        )
        .route(
            "/neuigkeiten/{id}/loeschen",
            get(editor::delete_confirm).post(editor::delete),
        )
        .route(
            "/neuigkeiten/{id}/dateien",
            post(editor::upload).layer(DefaultBodyLimit::max(MAX_ATTACHMENT as usize + 256 * 1024)),
        )
        .route(
            "/neuigkeiten/{id}/dateien/{file}/entfernen",
            post(editor::remove_file),
        )
        .route("/schule/{nr}/neuigkeiten/{id}", get(public::show))
        .route("/schule/{nr}/neuigkeiten/datei/{file}", get(public::file))
        .route("/schule/{nr}/feed.rss", get(feed::rss))
        .route("/schule/{nr}/feed.atom", get(feed::atom))
        .route("/schule/{nr}/feed.json", get(feed::json))
}

/// An id from the path; a malformed one is as unknown as a hidden one.
pub fn parse_id(s: &str) -> Option<NewsId> {
    s.parse().ok()
}

pub fn item_href(id: NewsId) -> String {
    format!("/neuigkeiten/{id}")
}

/// One line of a list.
pub struct Row {
    pub href: String,
    pub title: String,
    pub summary: String,
    pub when: String,
    pub author: String,
    pub unread: bool,
    /// "Entwurf", "geplant", … for the authors' list; empty for readers.
    pub state: &'static str,
    pub audience: &'static str,
    pub edit_href: Option<String>,
}

pub fn state_label(tr: Tr, s: NewsState) -> &'static str {
    tr.t(&format!("news.state.{}", s.as_str()))
}

pub fn row(tr: Tr, zone: &Zone, n: &NewsItem, with_state: bool) -> Row {
    Row {
        href: item_href(n.id),
        title: n.title.clone(),
        summary: n.summary.clone(),
        when: zone.date(tr, n.from),
        author: n.author_name.clone(),
        unread: !n.read,
        state: if with_state {
            state_label(tr, n.state)
        } else {
            ""
        },
        audience: tr.t(if n.public {
            "news.public"
        } else {
            "news.restricted"
        }),
        edit_href: n
            .may_edit
            .then(|| format!("/neuigkeiten/{}/bearbeiten", n.id)),
    }
}
