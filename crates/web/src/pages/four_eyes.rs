//! `/bestaetigungen`: four-eyes requests. The Schulleitung (or whoever may be the second
//! person) confirms or rejects pending ones; the requester sees their state. Plain forms,
//! no JavaScript needed. A confirmed Safe password reset shows the new password to the
//! confirming Schulleitung only.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::four_eyes::RequestView;
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::safe::{password_shown, secret_shown};
use crate::render;

pub const PATH: &str = "/bestaetigungen";

struct Row {
    id: String,
    kind: String,
    target: String,
    requester: String,
    at: String,
    state: String,
    decided_by: String,
    may_decide: bool,
}

#[derive(Template)]
#[template(path = "four_eyes.html")]
struct RequestsPage {
    c: Chrome,
    rows: Vec<Row>,
}

fn row(tr: Tr, zone: crate::when::Zone, v: RequestView) -> Row {
    Row {
        id: v.id.to_string(),
        kind: tr.t(&format!("four_eyes.kind.{}", v.kind)).to_owned(),
        target: v.target,
        requester: v.requester,
        at: zone.datetime(tr, v.created_at),
        state: tr.t(&format!("four_eyes.state.{}", v.state)).to_owned(),
        decided_by: v.decided_by.unwrap_or_default(),
        may_decide: v.may_decide,
    }
}

/// `GET /bestaetigungen`.
pub async fn list(State(state): State<AppState>, r: Ready) -> Response {
    let tr = r.page.tr();
    match state.platform.four_eyes_requests(&r.actor).await {
        Ok(list) => {
            let view = RequestsPage {
                c: Chrome::new(&r.page, tr.t("four_eyes.title")).signed_in(&r.page, &r.actor),
                rows: list
                    .into_iter()
                    .map(|v| row(tr, crate::when::Zone::of(&r.actor), v))
                    .collect(),
            };
            render::ok(&view)
        }
        Err(e) => r.fail(e),
    }
}

fn parse(id: &str) -> Result<uuid::Uuid, DomainError> {
    id.parse().map_err(|_| DomainError::NotFound)
}

/// `POST /bestaetigungen/{id}/bestaetigen`.
pub async fn confirm(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let id = match parse(&id) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    match state.platform.confirm_request(&r.actor, id).await {
        Ok(done) => match (done.safe_password, done.initial_password) {
            (Some(password), _) => password_shown(&r, done.target, password),
            (None, Some(password)) => secret_shown(
                &r,
                "four_eyes.initial_password_shown",
                "field.password",
                done.target,
                password,
            ),
            (None, None) => Redirect::to(&format!("{PATH}?ok=request_confirmed")).into_response(),
        },
        Err(e) => r.fail(e),
    }
}

/// `POST /bestaetigungen/{id}/ablehnen`.
pub async fn reject(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let id = match parse(&id) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    match state.platform.reject_request(&r.actor, id).await {
        Ok(()) => Redirect::to(&format!("{PATH}?ok=request_rejected")).into_response(),
        Err(e) => r.fail(e),
    }
}
