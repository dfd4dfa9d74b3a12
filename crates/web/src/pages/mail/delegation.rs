//! `/mail/stellvertretung` "Stellvertretung": whom the own mailbox is given to (read, or read
//! and write, optionally send-as), a form to give it and buttons to take it back, the
//! mailboxes given to the viewer, and every grant and revocation (from the audit log).
//! The domain decides who may delegate and to whom; this page only shows and asks.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_authz::mail::MailboxAccess;
use schulhof_domain::DomainError;
use schulhof_domain::mail::delegation::{DelegationEvent, DelegationView};
use schulhof_front::AppState;
use serde::Deserialize;

use super::folder_href;
use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

/// A text of this page in the page's language (`mail.deleg.<key>` of the i18n table).
pub fn text(tr: Tr, key: &str) -> &'static str {
    tr.t(&format!("mail.deleg.{key}"))
}

struct Line {
    name: String,
    login: String,
    access: &'static str,
    send_as: &'static str,
    since: String,
    confidential: bool,
    /// The inbox of a received mailbox.
    href: Option<String>,
}

struct Change {
    at: String,
    what: String,
    by: String,
}

#[derive(Template)]
#[template(path = "mail/delegation.html")]
struct DelegationPage {
    c: Chrome,
    t: Texts,
    given: Vec<Line>,
    received: Vec<Line>,
    history: Vec<Change>,
    error: Option<&'static str>,
    login: String,
}

/// The texts the template shows, looked up once.
struct Texts(Tr);

impl Texts {
    fn t(&self, key: &str) -> &'static str {
        text(self.0, key)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DelegationForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    zugriff: String,
    #[serde(default)]
    senden: Option<String>,
    /// `freigeben` or `entziehen`.
    #[serde(default)]
    aktion: String,
}

fn line(tr: Tr, zone: &Zone, d: DelegationView, href: Option<String>) -> Line {
    Line {
        access: text(tr, d.access),
        send_as: text(tr, if d.send_as { "yes" } else { "no" }),
        since: zone.datetime(tr, d.since),
        name: d.name,
        login: d.login,
        confidential: d.confidential,
        href,
    }
}

fn change(tr: Tr, zone: &Zone, e: DelegationEvent) -> Change {
    let mut what = format!("{}: {}", e.delegate, text(tr, e.what));
    if let Some(a) = e.access.as_deref() {
        what.push_str(&format!(" ({}", text(tr, a)));
        if e.send_as {
            what.push_str(&format!(", {}", text(tr, "send_as")));
        }
        what.push(')');
    }
    Change {
        at: zone.datetime(tr, e.at),
        what,
        by: e.by,
    }
}

async fn render_page(
    state: &AppState,
    r: &Ready,
    error: Option<&'static str>,
    login: &str,
) -> Result<Response, DomainError> {
    let tr = r.page.tr();
    let p = &state.platform;
    let zone = Zone::of(&r.actor);
    let inboxes = p.mail_delegated_folders(&r.actor).await?;
    let inbox_of = |login: &str| {
        let mb = inboxes.iter().find(|m| m.login == login)?;
        let f = mb.folders.iter().find(|f| f.path == "INBOX")?;
        Some(folder_href(f.id))
    };
    let given = p.mail_delegations_given(&r.actor).await?;
    let received = p.mail_delegations_received(&r.actor).await?;
    let history = p.mail_delegation_history(&r.actor).await?;
    let view = DelegationPage {
        c: Chrome::new(&r.page, text(tr, "title")).signed_in(&r.page, &r.actor),
        t: Texts(tr),
        given: given
            .into_iter()
            .map(|d| line(tr, &zone, d, None))
            .collect(),
        received: received
            .into_iter()
            .map(|d| {
                let href = inbox_of(&d.login);
                line(tr, &zone, d, href)
            })
            .collect(),
        history: history.into_iter().map(|e| change(tr, &zone, e)).collect(),
        error,
        login: login.to_owned(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render::html(status, &view))
}

/// `GET /mail/stellvertretung`
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    render_page(&state, &r, None, "")
        .await
        .unwrap_or_else(|e| r.fail(e))
}

/// `POST /mail/stellvertretung`: give the own mailbox to a login, or take it back.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<DelegationForm>,
) -> Response {
    let p = &state.platform;
    let done = if f.aktion == "entziehen" {
        p.mail_revoke_delegation(&r.actor, &f.login).await
    } else {
        let access = if f.zugriff == "write" {
            MailboxAccess::Write
        } else {
            MailboxAccess::Read
        };
        p.mail_delegate(&r.actor, &f.login, access, f.senden.is_some())
            .await
    };
    let error = match done {
        Ok(()) => return Redirect::to("/mail/stellvertretung").into_response(),
        Err(DomainError::NotFound) => "not_found",
        Err(DomainError::Forbidden) => "forbidden",
        Err(DomainError::Denied(schulhof_authz::Denied::OwnLogin)) => "own",
        Err(e) => return r.fail(e),
    };
    render_page(&state, &r, Some(text(r.page.tr(), error)), &f.login)
        .await
        .unwrap_or_else(|e| r.fail(e))
}
