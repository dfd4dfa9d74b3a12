//! `/benachrichtigungen`: the notification centre. Newest first, unread marked; opening one
//! marks it read and leads to its object; plain forms mark one or all read (no JavaScript
//! needed). The settings are in [`settings`].

pub mod settings;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use schulhof_domain::DomainError;
use schulhof_domain::notify::Notification;
use schulhof_domain::notify::words::fill;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

pub const PATH: &str = "/benachrichtigungen";

/// A notification in the reader's language: `notify.<kind>` with its parameters filled in.
pub fn note_text(tr: Tr, n: &Notification) -> String {
    let mut params = n.params.clone();
    // An answer to an invitation is a code (`accepted`); the page words it.
    if let Some(a) = params.get("answer").and_then(|a| a.as_str()) {
        let key = format!("notify.answer.{}", a.to_ascii_lowercase());
        if let Some(t) = tr.lookup(&key) {
            params["answer"] = t.into();
        }
    }
    // A variant (e.g. a case that ended without result) has words of its own.
    let variant = params
        .get("variant")
        .and_then(|v| v.as_str())
        .and_then(|v| tr.lookup(&format!("notify.{}.{v}", n.kind)));
    let template = variant
        .or_else(|| tr.lookup(&format!("notify.{}", n.kind)))
        .unwrap_or_else(|| tr.t("notify.other"));
    fill(template, &params)
}

struct Row {
    id: String,
    text: String,
    at: String,
    at_iso: String,
    read: bool,
}

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    any_unread: bool,
    /// The link to the next, older page.
    older: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    /// Microseconds since the epoch: show notifications older than this.
    vor: Option<i64>,
}

/// `GET /benachrichtigungen`.
pub async fn list(State(state): State<AppState>, r: Ready, Query(q): Query<ListQuery>) -> Response {
    let tr = r.page.tr();
    let before = q.vor.and_then(DateTime::<Utc>::from_timestamp_micros);
    let notes = match state.platform.notifications_before(&r.actor, before).await {
        Ok(n) => n,
        Err(e) => return r.fail(e),
    };
    let zone = Zone::of(&r.actor);
    let full = notes.len() as i64 >= schulhof_domain::notify::PAGE;
    let older = full
        .then(|| {
            notes
                .last()
                .map(|n| format!("{PATH}?vor={}", n.at.timestamp_micros()))
        })
        .flatten();
    let rows: Vec<Row> = notes
        .iter()
        .map(|n| Row {
            id: n.id.to_string(),
            text: note_text(tr, n),
            at: zone.datetime(tr, n.at),
            at_iso: n.at.to_rfc3339(),
            read: n.read,
        })
        .collect();
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("notify.title")).signed_in(&r.page, &r.actor),
        any_unread: r.actor.unread_notifications > 0 || rows.iter().any(|r| !r.read),
        rows,
        older,
    };
    render::ok(&view)
}

fn parse(id: &str) -> Result<uuid::Uuid, DomainError> {
    id.parse().map_err(|_| DomainError::NotFound)
}

/// `GET /benachrichtigungen/{id}`: marks it read and leads to its object.
pub async fn open(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let id = match parse(&id) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    match state.platform.open_notification(&r.actor, id).await {
        Ok(link) => Redirect::to(&link).into_response(),
        Err(e) => r.fail(e),
    }
}

/// `POST /benachrichtigungen/{id}/gelesen`.
pub async fn read_one(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let id = match parse(&id) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    match state.platform.read_notification(&r.actor, id).await {
        Ok(()) => Redirect::to(&format!("{PATH}?ok=note_read")).into_response(),
        Err(e) => r.fail(e),
    }
}

/// `POST /benachrichtigungen/alle-gelesen`.
pub async fn read_all(State(state): State<AppState>, r: Ready) -> Response {
    match state.platform.read_notifications(&r.actor).await {
        Ok(()) => Redirect::to(&format!("{PATH}?ok=notes_read")).into_response(),
        Err(e) => r.fail(e),
    }
}
