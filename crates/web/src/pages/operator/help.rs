//! `/betrieb/forum` and `/betrieb/tickets`: support and operator-admins moderate the help
//! network's forums (hidden topics and posts stay visible here, marked) and answer the
//! schools' tickets. The domain decides (the DPO gets 403) and audits every step; the
//! pages reuse the views of `/hilfe/forum` and `/hilfe/tickets`.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::help::forum::{FORUMS, Moderation};
use schulhof_domain::help::tickets::TicketStatus;
use schulhof_front::AppState;
use serde::Deserialize;
use uuid::Uuid;

use super::Operator;
use crate::forms::Failure;
use crate::pages::help::forum::{
    ForumPage, ForumsPage, Moderate, PageQuery, TopicPage, forum_links, pager, post_views,
    topic_rows,
};
use crate::pages::help::tickets::{
    TicketPage, TicketsPage, message_views, reply_form, status_label, ticket_row,
};
use crate::render;

const FORUM: &str = "/betrieb/forum";
const TICKETS: &str = "/betrieb/tickets";

fn parse(id: &str) -> Result<Uuid, DomainError> {
    id.parse().map_err(|_| DomainError::NotFound)
}

/// `GET /betrieb/forum`: the forums. Only moderators get this far in the domain's calls,
/// so the index asks the first forum to find out.
pub async fn forums(State(state): State<AppState>, o: Operator) -> Response {
    if let Err(e) = state
        .platform
        .operator_forum(&o.actor, FORUMS[0].slug)
        .await
    {
        return o.fail(e);
    }
    let tr = o.page.tr();
    render::ok(&ForumsPage {
        c: o.chrome(tr.t("help.forum.title")),
        forums: forum_links(FORUM),
    })
}

/// `GET /betrieb/forum/{slug}`: every topic, hidden ones marked.
pub async fn forum(
    State(state): State<AppState>,
    o: Operator,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = o.page.tr();
    let page = q.seite;
    match state
        .platform
        .operator_forum_page(&o.actor, &slug, page)
        .await
    {
        Ok((forum, topics)) => render::ok(&ForumPage {
            c: o.chrome(forum.name),
            back: FORUM.into(),
            forum,
            topics: topic_rows(FORUM, tr, &topics.items),
            pager: pager(&format!("{FORUM}/{}", forum.slug), page, topics.more),
            form: None,
            action: String::new(),
        }),
        Err(e) => o.fail(e),
    }
}

/// `GET /betrieb/forum/thema/{id}`: the posts with hide/show, the topic's tools.
pub async fn topic(
    State(state): State<AppState>,
    o: Operator,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = o.page.tr();
    let id = match parse(&id) {
        Ok(id) => id,
        Err(e) => return o.fail(e),
    };
    let page = q.seite;
    let (topic, posts) = match state.platform.operator_topic_page(&o.actor, id, page).await {
        Ok(x) => x,
        Err(e) => return o.fail(e),
    };
    let view = TopicPage {
        c: o.chrome(&topic.title),
        back: format!("{FORUM}/{}", topic.forum.slug),
        forum_name: topic.forum.name,
        title: topic.title,
        locked: topic.locked,
        hidden: topic.hidden,
        posts: post_views(tr, &posts.items),
        pager: pager(&format!("{FORUM}/thema/{id}"), page, posts.more),
        reply: None,
        action: format!("{FORUM}/thema/{id}"),
        moderate: Some(Moderate {
            base: FORUM.into(),
            forums: FORUMS
                .iter()
                .map(|f| (f.slug, f.name, f.slug == topic.forum.slug))
                .collect(),
        }),
    };
    render::ok(&view)
}

#[derive(Deserialize, Default)]
pub struct ModerationSent {
    #[serde(default)]
    aktion: String,
    #[serde(default)]
    forum: String,
}

/// `POST /betrieb/forum/thema/{id}`: lock, unlock, hide, show or move.
pub async fn moderate(
    State(state): State<AppState>,
    o: Operator,
    Path(id): Path<String>,
    Form(s): Form<ModerationSent>,
) -> Response {
    let id = match parse(&id) {
        Ok(id) => id,
        Err(e) => return o.fail(e),
    };
    let m = match s.aktion.as_str() {
        "sperren" => Moderation {
            locked: Some(true),
            ..Default::default()
        },
        "entsperren" => Moderation {
            locked: Some(false),
            ..Default::default()
        },
        "verbergen" => Moderation {
            hidden: Some(true),
            ..Default::default()
        },
        "zeigen" => Moderation {
            hidden: Some(false),
            ..Default::default()
        },
        "verschieben" => Moderation {
            forum: Some(s.forum),
            ..Default::default()
        },
        _ => return o.fail(DomainError::invalid("aktion", "Unbekannte Aktion.")),
    };
    match state
        .platform
        .operator_moderate_topic(&o.actor, id, m, &o.addr)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("{FORUM}/thema/{id}?ok=op_forum_moderated")).into_response()
        }
        Err(e) => o.fail(e),
    }
}

/// `POST /betrieb/forum/beitrag/{id}`: hide or show a post.
pub async fn post(
    State(state): State<AppState>,
    o: Operator,
    Path(id): Path<String>,
    Form(s): Form<ModerationSent>,
) -> Response {
    let id = match parse(&id) {
        Ok(id) => id,
        Err(e) => return o.fail(e),
    };
    let hidden = s.aktion != "zeigen";
    match state
        .platform
        .operator_hide_post(&o.actor, id, hidden, &o.addr)
        .await
    {
        Ok(topic) => {
            Redirect::to(&format!("{FORUM}/thema/{topic}?ok=op_forum_moderated")).into_response()
        }
        Err(e) => o.fail(e),
    }
}

#[derive(Deserialize, Default)]
pub struct StatusQuery {
    #[serde(default)]
    status: String,
}

/// `GET /betrieb/tickets?status=open|answered|closed|alle`: open ones unless asked.
pub async fn tickets(
    State(state): State<AppState>,
    o: Operator,
    Query(q): Query<StatusQuery>,
) -> Response {
    let tr = o.page.tr();
    let wanted = if q.status.is_empty() {
        "open"
    } else {
        q.status.as_str()
    };
    let status = TicketStatus::parse(wanted);
    let list = match state.platform.operator_tickets(&o.actor, status).await {
        Ok(l) => l,
        Err(e) => return o.fail(e),
    };
    let mut filters: Vec<(&'static str, &'static str, bool)> = [
        TicketStatus::Open,
        TicketStatus::Answered,
        TicketStatus::Closed,
    ]
    .into_iter()
    .map(|s| (s.as_str(), status_label(tr, s), status == Some(s)))
    .collect();
    filters.push(("alle", tr.t("help.ticket.status.all"), status.is_none()));
    render::ok(&TicketsPage {
        c: o.chrome(tr.t("help.ticket.title")),
        rows: list.iter().map(|t| ticket_row(TICKETS, tr, t)).collect(),
        form: None,
        filters,
        support: true,
    })
}

async fn ticket_page(
    state: &AppState,
    o: &Operator,
    id: Uuid,
    text: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = o.page.tr();
    let (t, msgs) = match state.platform.operator_ticket(&o.actor, id).await {
        Ok(x) => x,
        Err(e) => return o.fail(e),
    };
    let view = TicketPage {
        c: o.chrome(&format!("{} – {}", t.number, t.subject)),
        back: TICKETS.into(),
        closed: t.status == TicketStatus::Closed,
        t: ticket_row(TICKETS, tr, &t),
        messages: message_views(tr, &msgs),
        reply: reply_form(tr, text, failure),
        action: format!("{TICKETS}/{id}"),
        close_action: None,
        support: true,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/tickets/{id}`.
pub async fn ticket(
    State(state): State<AppState>,
    o: Operator,
    Path(id): Path<String>,
) -> Response {
    match parse(&id) {
        Ok(id) => ticket_page(&state, &o, id, "", None).await,
        Err(e) => o.fail(e),
    }
}

#[derive(Deserialize, Default)]
pub struct AnswerSent {
    #[serde(default)]
    text: String,
    #[serde(default)]
    schliessen: String,
}

/// `POST /betrieb/tickets/{id}`: answer, and close if ticked.
pub async fn answer(
    State(state): State<AppState>,
    o: Operator,
    Path(id): Path<String>,
    Form(s): Form<AnswerSent>,
) -> Response {
    let id = match parse(&id) {
        Ok(id) => id,
        Err(e) => return o.fail(e),
    };
    let close = s.schliessen == "ja";
    match state
        .platform
        .operator_ticket_reply(&o.actor, id, &s.text, close, &o.addr)
        .await
    {
        Ok(()) => Redirect::to(&format!("{TICKETS}/{id}?ok=op_ticket_answered")).into_response(),
        Err(e @ DomainError::Invalid { .. }) => {
            let f = Failure::from_domain("reply", o.page.tr(), &e);
            ticket_page(&state, &o, id, &s.text, Some(&f)).await
        }
        Err(e) => o.fail(e),
    }
}
