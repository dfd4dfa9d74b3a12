//! `/betrieb/blog`: support and operator-admins write, change and delete the help network's
//! blog posts; the list and a post reuse the readers' views of `/hilfe/blog`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_front::AppState;
use serde::Deserialize;
use uuid::Uuid;

use super::Operator;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::pages::help::blog::{BlogPage, post_view};
use crate::pages::help::forum::{PageQuery, pager};
use crate::render;

const BASE: &str = "/betrieb/blog";

#[derive(Template)]
#[template(path = "operator/blog_edit.html")]
struct EditPage {
    c: crate::layout::Chrome,
    heading: String,
    form: FormView,
    action: String,
    delete: Option<String>,
}

/// `GET /betrieb/blog`.
pub async fn list(
    State(state): State<AppState>,
    o: Operator,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = o.page.tr();
    match state.platform.operator_blog(&o.actor, q.seite).await {
        Ok(posts) => render::ok(&BlogPage {
            c: o.chrome(tr.t("help.blog.title")),
            posts: posts.items.iter().map(|p| post_view(BASE, tr, p)).collect(),
            pager: pager(BASE, q.seite, posts.more),
            new_href: Some(format!("{BASE}/neu")),
        }),
        Err(e) => o.fail(e),
    }
}

#[derive(Deserialize, Default)]
pub struct Sent {
    #[serde(default)]
    titel: String,
    #[serde(default)]
    text: String,
}

fn form(tr: Tr, s: &Sent, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "blog-title", "titel", "op.guides.field_title")
            .value(s.titel.clone())
            .required()
            .answers(&["title"]),
        Field::new(tr, "blog-text", "text", "help.forum.field.text")
            .kind("textarea")
            .value(s.text.clone())
            .hint(tr, "help.forum.field.text.hint")
            .required()
            .answers(&["body"]),
    ];
    FormView::new("blog", fields, failure)
}

fn edit_page(o: &Operator, id: Option<Uuid>, s: &Sent, failure: Option<&Failure>) -> Response {
    let tr = o.page.tr();
    let heading = match id {
        Some(_) => tr.t("help.blog.edit"),
        None => tr.t("help.blog.new"),
    }
    .to_owned();
    let view = EditPage {
        c: o.chrome(&heading),
        heading,
        form: form(tr, s, failure),
        action: id.map_or(BASE.to_owned(), |id| format!("{BASE}/{id}")),
        delete: id.map(|id| format!("{BASE}/{id}/loeschen")),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

fn parse(id: &str) -> Result<Uuid, DomainError> {
    id.parse().map_err(|_| DomainError::NotFound)
}

/// `GET /betrieb/blog/neu`.
pub async fn new(State(state): State<AppState>, o: Operator) -> Response {
    if let Err(e) = state.platform.operator_blog(&o.actor, 0).await {
        return o.fail(e);
    }
    edit_page(&o, None, &Sent::default(), None)
}

/// `GET /betrieb/blog/{id}`: the post's edit form.
pub async fn edit(State(state): State<AppState>, o: Operator, Path(id): Path<String>) -> Response {
    let post = match parse(&id) {
        Ok(id) => state.platform.operator_blog_post(&o.actor, id).await,
        Err(e) => Err(e),
    };
    match post {
        Ok(p) => {
            let s = Sent {
                titel: p.title,
                text: p.body,
            };
            edit_page(&o, Some(p.id), &s, None)
        }
        Err(e) => o.fail(e),
    }
}

async fn save_as(state: &AppState, o: &Operator, id: Option<Uuid>, s: Sent) -> Response {
    match state
        .platform
        .operator_save_blog_post(&o.actor, id, &s.titel, &s.text, &o.addr)
        .await
    {
        Ok(_) => Redirect::to(&format!("{BASE}?ok=op_blog_saved")).into_response(),
        Err(e @ DomainError::Invalid { .. }) => {
            let f = Failure::from_domain("blog", o.page.tr(), &e);
            edit_page(o, id, &s, Some(&f))
        }
        Err(e) => o.fail(e),
    }
}

/// `POST /betrieb/blog`: publishes a new post.
pub async fn create(State(state): State<AppState>, o: Operator, Form(s): Form<Sent>) -> Response {
    save_as(&state, &o, None, s).await
}

/// `POST /betrieb/blog/{id}`: saves a change.
pub async fn save(
    State(state): State<AppState>,
    o: Operator,
    Path(id): Path<String>,
    Form(s): Form<Sent>,
) -> Response {
    match parse(&id) {
        Ok(id) => save_as(&state, &o, Some(id), s).await,
        Err(e) => o.fail(e),
    }
}

/// `POST /betrieb/blog/{id}/loeschen`.
pub async fn delete(
    State(state): State<AppState>,
    o: Operator,
    Path(id): Path<String>,
) -> Response {
    let done = match parse(&id) {
        Ok(id) => {
            state
                .platform
                .operator_delete_blog_post(&o.actor, id, &o.addr)
                .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Redirect::to(&format!("{BASE}?ok=op_blog_deleted")).into_response(),
        Err(e) => o.fail(e),
    }
}
