//! `/hilfe/blog`: the help network's blog, written by support, read by every account type
//! with help.blog.read. Posts are plain text, split into paragraphs and escaped. The views
//! are shared with the console's blog pages (`/betrieb/blog`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::help::blog::BlogPost;
use schulhof_front::AppState;
use uuid::Uuid;

use super::forum::{PageQuery, Pager, pager, paragraphs};
use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

/// A post as the list and its page show it.
pub struct PostView {
    pub href: String,
    pub title: String,
    pub by: String,
    pub when: String,
    pub paragraphs: Vec<String>,
}

pub fn post_view(base: &str, tr: Tr, p: &BlogPost) -> PostView {
    PostView {
        href: format!("{base}/{}", p.id),
        title: p.title.clone(),
        by: p.author.clone(),
        when: Zone::berlin().datetime(tr, p.published),
        paragraphs: paragraphs(&p.body),
    }
}

#[derive(Template)]
#[template(path = "help/blog.html")]
pub struct BlogPage {
    pub c: Chrome,
    pub posts: Vec<PostView>,
    pub pager: Pager,
    /// The console's "new post" link (writers only).
    pub new_href: Option<String>,
}

#[derive(Template)]
#[template(path = "help/blog_post.html")]
pub struct BlogPostPage {
    pub c: Chrome,
    pub back: String,
    pub post: PostView,
    /// The console's edit link (writers only).
    pub edit_href: Option<String>,
}

/// `GET /hilfe/blog?seite=N`.
pub async fn list(State(state): State<AppState>, r: Ready, Query(q): Query<PageQuery>) -> Response {
    let tr = r.page.tr();
    match state.platform.help_blog(&r.actor, q.seite).await {
        Ok(posts) => render::ok(&BlogPage {
            c: Chrome::new(&r.page, tr.t("help.blog.title")).signed_in(&r.page, &r.actor),
            posts: posts
                .items
                .iter()
                .map(|p| post_view("/hilfe/blog", tr, p))
                .collect(),
            pager: pager("/hilfe/blog", q.seite, posts.more),
            new_href: None,
        }),
        Err(e) => r.fail(e),
    }
}

/// `GET /hilfe/blog/{id}`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let tr = r.page.tr();
    let Ok(id) = id.parse::<Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.help_blog_post(&r.actor, id).await {
        Ok(p) => render::ok(&BlogPostPage {
            c: Chrome::new(&r.page, p.title.clone()).signed_in(&r.page, &r.actor),
            back: "/hilfe/blog".into(),
            post: post_view("/hilfe/blog", tr, &p),
            edit_href: None,
        }),
        Err(e) => r.fail(e),
    }
}
