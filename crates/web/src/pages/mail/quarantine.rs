//! `/verwaltung/mail/quarantaene`: messages the virus scanner held back, for the school's
//! admin — envelope, subject and finding, never the content. A held message is never
//! delivered (so there is no "release"); the admin deletes one, and the retention job
//! deletes each after 30 days. The domain decides who may see and delete.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::mail::filter::HeldMessage;
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

pub const PATH: &str = "/verwaltung/mail/quarantaene";

struct Row {
    id: String,
    held_at: String,
    direction: &'static str,
    mail_from: String,
    rcpt: String,
    subject: String,
    finding: String,
    size: String,
}

#[derive(Template)]
#[template(path = "mail/admin_quarantine.html")]
struct Page {
    c: Chrome,
    rows: Vec<Row>,
    /// The virus scanner runs (else nothing can be held).
    scanner_on: bool,
}

fn direction_key(d: &str) -> &'static str {
    match d {
        "in" => "quar.dir_in",
        "out" => "quar.dir_out",
        _ => "quar.dir_local",
    }
}

/// `GET /verwaltung/mail/quarantaene`
pub async fn list(State(state): State<AppState>, r: Ready) -> Response {
    let (tr, zone) = (r.page.tr(), Zone::of(&r.actor));
    let held = match state.platform.mail_quarantine(&r.actor).await {
        Ok(h) => h,
        Err(e) => return r.fail(e),
    };
    let row = |h: HeldMessage| Row {
        id: h.id.to_string(),
        held_at: zone.datetime(tr, h.held_at),
        direction: tr.t(direction_key(&h.direction)),
        mail_from: if h.mail_from.is_empty() {
            "<>".into()
        } else {
            h.mail_from
        },
        rcpt: h.rcpt,
        subject: h.subject,
        finding: h.finding,
        size: format!("{} kB", h.size.div_ceil(1000)),
    };
    let view = Page {
        c: Chrome::new(&r.page, tr.t("quar.title")).signed_in(&r.page, &r.actor),
        rows: held.into_iter().map(row).collect(),
        scanner_on: state.platform.mail_filter_status().virus_scanner,
    };
    render::ok(&view)
}

/// `POST /verwaltung/mail/quarantaene/{id}/loeschen`
pub async fn delete(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let result: Result<(), DomainError> = async {
        let id = uuid::Uuid::parse_str(&id).map_err(|_| DomainError::NotFound)?;
        state.platform.mail_quarantine_delete(&r.actor, id).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("{PATH}?ok=held_deleted")).into_response(),
        Err(e) => r.fail(e),
    }
}
