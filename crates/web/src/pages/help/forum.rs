//! `/hilfe/forum`: the help network's forums, where teachers and staff of every school
//! meet. The forums, one forum's topics with the form for a new topic, and one topic with
//! its posts and the answer form. Of an author the pages show name and school only. The
//! views are shared with the operators' moderation pages (`/betrieb/forum`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::help::forum::{FORUMS, Forum, Post, Topic};
use schulhof_front::AppState;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

/// A forum as the index lists it.
pub struct ForumLink {
    pub href: String,
    pub name: &'static str,
    pub description: &'static str,
}

pub fn forum_links(base: &str) -> Vec<ForumLink> {
    FORUMS
        .iter()
        .map(|f| ForumLink {
            href: format!("{base}/{}", f.slug),
            name: f.name,
            description: f.description,
        })
        .collect()
}

/// A topic line of a forum page.
pub struct TopicRow {
    pub href: String,
    pub title: String,
    pub by: String,
    pub when: String,
    pub posts: i64,
    pub locked: bool,
    pub hidden: bool,
}

pub fn topic_rows(base: &str, tr: Tr, topics: &[Topic]) -> Vec<TopicRow> {
    topics
        .iter()
        .map(|t| TopicRow {
            href: format!("{base}/thema/{}", t.id),
            title: t.title.clone(),
            by: by(&t.author_name, &t.school_name),
            when: Zone::berlin().datetime(tr, t.last_post),
            posts: t.posts,
            locked: t.locked,
            hidden: t.hidden,
        })
        .collect()
}

/// "Name (Schule)": all a reader learns of an author.
pub fn by(name: &str, school: &str) -> String {
    match (name.is_empty(), school.is_empty()) {
        (true, _) => "–".to_owned(),
        (false, true) => name.to_owned(),
        (false, false) => format!("{name} ({school})"),
    }
}

/// A post of a topic page; the plain text split into paragraphs (escaped by the template).
pub struct PostView {
    pub id: String,
    pub by: String,
    pub when: String,
    pub paragraphs: Vec<String>,
    pub hidden: bool,
}

pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn post_views(tr: Tr, posts: &[Post]) -> Vec<PostView> {
    posts
        .iter()
        .map(|p| PostView {
            id: p.id.to_string(),
            by: by(&p.author_name, &p.school_name),
            when: Zone::berlin().datetime(tr, p.at),
            paragraphs: paragraphs(&p.body),
            hidden: p.hidden,
        })
        .collect()
}

/// Links to the neighbouring pages of a long forum or topic (`?seite=N`, from 0).
#[derive(Default)]
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
}

pub fn pager(href: &str, page: u32, more: bool) -> Pager {
    let at = |n: u32| match n {
        0 => href.to_owned(),
        n => format!("{href}?seite={n}"),
    };
    Pager {
        prev: page.checked_sub(1).map(at),
        next: more.then(|| at(page + 1)),
    }
}

/// `?seite=N`: which page of a forum or topic.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub seite: u32,
}

#[derive(Template)]
#[template(path = "help/forums.html")]
pub struct ForumsPage {
    pub c: Chrome,
    pub forums: Vec<ForumLink>,
}

#[derive(Template)]
#[template(path = "help/forum.html")]
pub struct ForumPage {
    pub c: Chrome,
    pub back: String,
    pub forum: &'static Forum,
    pub topics: Vec<TopicRow>,
    pub pager: Pager,
    /// The new-topic form (readers only, not moderators).
    pub form: Option<FormView>,
    pub action: String,
}

#[derive(Deserialize, Default)]
pub struct Sent {
    #[serde(default)]
    titel: String,
    #[serde(default)]
    text: String,
}

fn topic_form(tr: Tr, s: &Sent, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "topic-title", "titel", "help.forum.field.title")
            .value(s.titel.clone())
            .required()
            .answers(&["title"]),
        Field::new(tr, "topic-text", "text", "help.forum.field.text")
            .kind("textarea")
            .value(s.text.clone())
            .hint(tr, "help.forum.field.text.hint")
            .required()
            .answers(&["body"]),
    ];
    FormView::new("topic", fields, failure)
}

pub async fn index(State(state): State<AppState>, r: Ready) -> Response {
    if let Err(e) = state.platform.help_forums(&r.actor) {
        return r.fail(e);
    }
    let tr = r.page.tr();
    render::ok(&ForumsPage {
        c: Chrome::new(&r.page, tr.t("help.forum.title")).signed_in(&r.page, &r.actor),
        forums: forum_links("/hilfe/forum"),
    })
}

async fn forum_page(
    state: &AppState,
    r: &Ready,
    slug: &str,
    page: u32,
    s: &Sent,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let (forum, topics) = match state.platform.help_forum_page(&r.actor, slug, page).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let view = ForumPage {
        c: Chrome::new(&r.page, forum.name).signed_in(&r.page, &r.actor),
        back: "/hilfe/forum".into(),
        forum,
        topics: topic_rows("/hilfe/forum", tr, &topics.items),
        pager: pager(&format!("/hilfe/forum/{}", forum.slug), page, topics.more),
        form: Some(topic_form(tr, s, failure)),
        action: format!("/hilfe/forum/{}", forum.slug),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn forum(
    State(state): State<AppState>,
    r: Ready,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    forum_page(&state, &r, &slug, q.seite, &Sent::default(), None).await
}

pub async fn open(
    State(state): State<AppState>,
    r: Ready,
    Path(slug): Path<String>,
    Form(s): Form<Sent>,
) -> Response {
    match state
        .platform
        .help_open_topic(&r.actor, &slug, &s.titel, &s.text)
        .await
    {
        Ok(id) => {
            Redirect::to(&format!("/hilfe/forum/thema/{id}?ok=help_topic_opened")).into_response()
        }
        Err(e @ DomainError::Invalid { .. }) => {
            let f = Failure::from_domain("topic", r.page.tr(), &e);
            forum_page(&state, &r, &slug, 0, &s, Some(&f)).await
        }
        Err(e) => r.fail(e),
    }
}

#[derive(Template)]
#[template(path = "help/topic.html")]
pub struct TopicPage {
    pub c: Chrome,
    pub back: String,
    pub forum_name: &'static str,
    pub title: String,
    pub locked: bool,
    pub hidden: bool,
    pub posts: Vec<PostView>,
    pub pager: Pager,
    /// The answer form, unless the topic is locked (readers only).
    pub reply: Option<FormView>,
    pub action: String,
    /// The moderation tools (operators only): the form's base address and the forums.
    pub moderate: Option<Moderate>,
}

pub struct Moderate {
    pub base: String,
    pub forums: Vec<(&'static str, &'static str, bool)>,
}

fn reply_form(tr: Tr, text: &str, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "reply-text", "text", "help.forum.field.reply")
            .kind("textarea")
            .value(text.to_owned())
            .required()
            .answers(&["body"]),
    ];
    FormView::new("reply", fields, failure)
}

async fn topic_page(
    state: &AppState,
    r: &Ready,
    id: &str,
    page: u32,
    text: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let Ok(id) = id.parse::<Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    let (topic, posts) = match state.platform.help_topic_page(&r.actor, id, page).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let view = TopicPage {
        c: Chrome::new(&r.page, topic.title.clone()).signed_in(&r.page, &r.actor),
        back: format!("/hilfe/forum/{}", topic.forum.slug),
        forum_name: topic.forum.name,
        title: topic.title,
        locked: topic.locked,
        hidden: topic.hidden,
        posts: post_views(tr, &posts.items),
        pager: pager(&format!("/hilfe/forum/thema/{id}"), page, posts.more),
        reply: (!topic.locked).then(|| reply_form(tr, text, failure)),
        action: format!("/hilfe/forum/thema/{id}"),
        moderate: None,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn topic(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    topic_page(&state, &r, &id, q.seite, "", None).await
}

#[derive(Deserialize, Default)]
pub struct ReplySent {
    #[serde(default)]
    text: String,
}

pub async fn reply(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(s): Form<ReplySent>,
) -> Response {
    let Ok(topic) = id.parse::<Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.help_reply(&r.actor, topic, &s.text).await {
        Ok(()) => {
            Redirect::to(&format!("/hilfe/forum/thema/{topic}?ok=help_replied")).into_response()
        }
        Err(e @ DomainError::Invalid { .. }) => {
            let f = Failure::from_domain("reply", r.page.tr(), &e);
            topic_page(&state, &r, &id, 0, &s.text, Some(&f)).await
        }
        Err(e) => r.fail(e),
    }
}
