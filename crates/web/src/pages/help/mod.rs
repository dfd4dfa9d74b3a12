//! `/hilfe`: the documentation and FAQ of the help network. The index with a full-text
//! search, one page rendered from its Markdown, and `/hilfe/kontext?pfad=…`, which every
//! page's "Hilfe" link uses to land on the page that explains where the reader is.

pub mod blog;
pub mod forum;
pub mod tickets;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::Field;
use crate::layout::Chrome;
use crate::{markdown, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hilfe", get(index))
        .route("/hilfe/kontext", get(context))
        .route("/hilfe/blog", get(blog::list))
        .route("/hilfe/blog/{id}", get(blog::show))
        .route("/hilfe/forum", get(forum::index))
        .route("/hilfe/forum/{slug}", get(forum::forum).post(forum::open))
        .route(
            "/hilfe/forum/thema/{id}",
            get(forum::topic).post(forum::reply),
        )
        .route("/hilfe/tickets", get(tickets::list).post(tickets::open))
        .route(
            "/hilfe/tickets/{id}",
            get(tickets::show).post(tickets::reply),
        )
        .route("/hilfe/tickets/{id}/schliessen", post(tickets::close))
        .route("/hilfe/{slug}", get(page))
}

pub struct Entry {
    pub href: String,
    pub title: String,
    pub excerpt: String,
}

#[derive(Template)]
#[template(path = "help/index.html")]
struct IndexPage {
    c: Chrome,
    search: Field,
    entries: Vec<Entry>,
    /// "3 Treffer für „Safe“", when searching.
    found: Option<String>,
    /// The network's other parts the reader may use.
    forum: bool,
    tickets: bool,
    blog: bool,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /hilfe` and `GET /hilfe?q=…`.
async fn index(State(state): State<AppState>, r: Ready, Query(sq): Query<SearchQuery>) -> Response {
    let tr = r.page.tr();
    let q = sq.q.trim().chars().take(200).collect::<String>();
    let (entries, found) = if q.is_empty() {
        match state.platform.help_pages(&r.actor).await {
            Ok(pages) => (
                pages
                    .into_iter()
                    .map(|p| Entry {
                        href: format!("/hilfe/{}", p.slug),
                        title: p.title,
                        excerpt: String::new(),
                    })
                    .collect(),
                None,
            ),
            Err(e) => return r.fail(e),
        }
    } else {
        match state.platform.help_search(&r.actor, &q).await {
            Ok(hits) => {
                let found = tr
                    .t("help.found")
                    .replace("{n}", &hits.len().to_string())
                    .replace("{q}", &q);
                let entries = hits
                    .into_iter()
                    .map(|h| Entry {
                        href: format!("/hilfe/{}", h.page.slug),
                        title: h.page.title,
                        excerpt: h.excerpt,
                    })
                    .collect();
                (entries, Some(found))
            }
            Err(e) => return r.fail(e),
        }
    };
    let view = IndexPage {
        c: Chrome::new(&r.page, tr.t("help.title")).signed_in(&r.page, &r.actor),
        search: Field::new(tr, "help-q", "q", "help.search_field")
            .kind("search")
            .value(q),
        entries,
        found,
        forum: state.platform.help_forums(&r.actor).is_ok(),
        tickets: state.platform.help_may_open_ticket(&r.actor),
        blog: state.platform.help_may_read_blog(&r.actor),
    };
    render::ok(&view)
}

#[derive(Template)]
#[template(path = "help/page.html")]
struct HelpPageView {
    c: Chrome,
    /// The page's Markdown as HTML; raw HTML in it stays text.
    body: String,
}

/// `GET /hilfe/{slug}`.
async fn page(State(state): State<AppState>, r: Ready, Path(slug): Path<String>) -> Response {
    match state.platform.help_page(&r.actor, &slug).await {
        Ok(p) => {
            let view = HelpPageView {
                c: Chrome::new(&r.page, p.title).signed_in(&r.page, &r.actor),
                body: markdown::render(&p.body),
            };
            render::ok(&view)
        }
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
pub struct ContextQuery {
    #[serde(default)]
    pfad: String,
}

/// `GET /hilfe/kontext?pfad=/mail/ordner/…`: the page that explains the path, or the index.
async fn context(
    State(state): State<AppState>,
    r: Ready,
    Query(cq): Query<ContextQuery>,
) -> Response {
    let path = cq.pfad.split(['?', '#']).next().unwrap_or("/");
    match state.platform.help_for_path(&r.actor, path).await {
        Ok(Some(p)) => Redirect::to(&format!("/hilfe/{}", p.slug)).into_response(),
        Ok(None) => Redirect::to("/hilfe").into_response(),
        Err(e) => r.fail(e),
    }
}
