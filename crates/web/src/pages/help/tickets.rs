//! `/hilfe/tickets`: writing to support and following one's own tickets. The form records
//! the browser and operating system from the request's User-Agent (no script needed); the
//! ticket page shows the number to quote, the state and the conversation, and lets the
//! person answer or close. The views are shared with the support pages (`/betrieb/tickets`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::help::tickets::{Ticket, TicketMessage, TicketStatus};
use schulhof_front::AppState;
use serde::Deserialize;
use uuid::Uuid;

use super::forum::paragraphs;
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

/// A ticket as a list line or a page head.
pub struct TicketRow {
    pub href: String,
    pub number: String,
    pub subject: String,
    pub status: &'static str,
    pub school: String,
    pub person: String,
    pub client: String,
    pub created: String,
    pub updated: String,
}

pub fn status_label(tr: Tr, s: TicketStatus) -> &'static str {
    tr.t(&format!("help.ticket.status.{}", s.as_str()))
}

pub fn ticket_row(base: &str, tr: Tr, t: &Ticket) -> TicketRow {
    let z = Zone::berlin();
    TicketRow {
        href: format!("{base}/{}", t.id),
        number: t.number.clone(),
        subject: t.subject.clone(),
        status: status_label(tr, t.status),
        school: format!("{} ({})", t.school_name, t.school_number),
        person: t.user_name.clone(),
        client: t.client.clone(),
        created: z.datetime(tr, t.created),
        updated: z.datetime(tr, t.updated),
    }
}

pub struct MessageView {
    pub from_support: bool,
    pub by: String,
    pub when: String,
    pub paragraphs: Vec<String>,
}

pub fn message_views(tr: Tr, msgs: &[TicketMessage]) -> Vec<MessageView> {
    msgs.iter()
        .map(|m| MessageView {
            from_support: m.from_support,
            by: if m.from_support {
                tr.t("help.ticket.support").to_owned()
            } else {
                m.author_name.clone()
            },
            when: Zone::berlin().datetime(tr, m.at),
            paragraphs: paragraphs(&m.body),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "help/tickets.html")]
pub struct TicketsPage {
    pub c: Chrome,
    pub rows: Vec<TicketRow>,
    /// The new-ticket form (persons only).
    pub form: Option<FormView>,
    /// Support's status filter: (value, label, current).
    pub filters: Vec<(&'static str, &'static str, bool)>,
    pub support: bool,
}

#[derive(Deserialize, Default)]
pub struct Sent {
    #[serde(default)]
    betreff: String,
    #[serde(default)]
    text: String,
}

fn new_form(tr: Tr, s: &Sent, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "ticket-subject", "betreff", "help.ticket.field.subject")
            .value(s.betreff.clone())
            .required()
            .answers(&["subject"]),
        Field::new(tr, "ticket-text", "text", "help.ticket.field.text")
            .kind("textarea")
            .value(s.text.clone())
            .hint(tr, "help.ticket.field.text.hint")
            .required()
            .answers(&["body"]),
    ];
    FormView::new("ticket", fields, failure)
}

async fn list_page(state: &AppState, r: &Ready, s: &Sent, failure: Option<&Failure>) -> Response {
    let tr = r.page.tr();
    let tickets = match state.platform.help_tickets(&r.actor).await {
        Ok(t) => t,
        Err(e) => return r.fail(e),
    };
    let view = TicketsPage {
        c: Chrome::new(&r.page, tr.t("help.ticket.title")).signed_in(&r.page, &r.actor),
        rows: tickets
            .iter()
            .map(|t| ticket_row("/hilfe/tickets", tr, t))
            .collect(),
        form: Some(new_form(tr, s, failure)),
        filters: vec![],
        support: false,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn list(State(state): State<AppState>, r: Ready) -> Response {
    list_page(&state, &r, &Sent::default(), None).await
}

pub async fn open(
    State(state): State<AppState>,
    r: Ready,
    headers: HeaderMap,
    Form(s): Form<Sent>,
) -> Response {
    let client = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match state
        .platform
        .help_open_ticket(&r.actor, &s.betreff, &s.text, client)
        .await
    {
        Ok((id, _)) => {
            Redirect::to(&format!("/hilfe/tickets/{id}?ok=help_ticket_opened")).into_response()
        }
        Err(e @ DomainError::Invalid { .. }) => {
            let f = Failure::from_domain("ticket", r.page.tr(), &e);
            list_page(&state, &r, &s, Some(&f)).await
        }
        Err(e) => r.fail(e),
    }
}

#[derive(Template)]
#[template(path = "help/ticket.html")]
pub struct TicketPage {
    pub c: Chrome,
    pub back: String,
    pub t: TicketRow,
    pub closed: bool,
    pub messages: Vec<MessageView>,
    pub reply: FormView,
    pub action: String,
    /// Where the person closes the ticket; support closes with the answer form instead.
    pub close_action: Option<String>,
    pub support: bool,
}

pub fn reply_form(tr: Tr, text: &str, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "ticket-reply", "text", "help.ticket.field.reply")
            .kind("textarea")
            .value(text.to_owned())
            .answers(&["body"]),
    ];
    FormView::new("reply", fields, failure)
}

async fn ticket_page(
    state: &AppState,
    r: &Ready,
    id: &str,
    text: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let Ok(id) = id.parse::<Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    let (t, msgs) = match state.platform.help_ticket(&r.actor, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let title = format!("{} – {}", t.number, t.subject);
    let closed = t.status == TicketStatus::Closed;
    let view = TicketPage {
        c: Chrome::new(&r.page, title).signed_in(&r.page, &r.actor),
        back: "/hilfe/tickets".into(),
        t: ticket_row("/hilfe/tickets", tr, &t),
        closed,
        messages: message_views(tr, &msgs),
        reply: reply_form(tr, text, failure),
        action: format!("/hilfe/tickets/{id}"),
        close_action: (!closed).then(|| format!("/hilfe/tickets/{id}/schliessen")),
        support: false,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    ticket_page(&state, &r, &id, "", None).await
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
    let Ok(ticket) = id.parse::<Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .help_ticket_reply(&r.actor, ticket, &s.text)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/hilfe/tickets/{ticket}?ok=help_ticket_replied")).into_response()
        }
        Err(e @ DomainError::Invalid { .. }) => {
            let f = Failure::from_domain("reply", r.page.tr(), &e);
            ticket_page(&state, &r, &id, &s.text, Some(&f)).await
        }
        Err(e) => r.fail(e),
    }
}

pub async fn close(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Ok(ticket) = id.parse::<Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.help_ticket_close(&r.actor, ticket).await {
        Ok(()) => {
            Redirect::to(&format!("/hilfe/tickets/{ticket}?ok=help_ticket_closed")).into_response()
        }
        Err(e) => r.fail(e),
    }
}
