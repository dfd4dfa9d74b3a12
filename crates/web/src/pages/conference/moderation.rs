//! The moderators' side of the guests' waiting room, on the conference page: who waits
//! (admit or refuse), the open guest links (revoke), a new link (shown once). Plain forms
//! that work without JavaScript; `conference.js` sends the same forms in the background
//! and reloads the waiting list from `/chat/{id}/konferenz/warteraum` (JSON), so a guest
//! who arrives on another node shows up too: the waiting room lives in the database.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::Duration;
use schulhof_domain::DomainError;
use schulhof_domain::chat::RoomId;
use schulhof_domain::conference::GuestView;
use schulhof_front::AppState;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::links::absolute_url;
use crate::render;
use crate::when::Zone;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/chat/{id}/konferenz/warteraum", get(waiting))
        .route("/chat/{id}/konferenz/warteraum/{guest}", post(decide))
        .route("/chat/{id}/konferenz/gastlinks", post(create_link))
        .route(
            "/chat/{id}/konferenz/gastlinks/{link}/widerrufen",
            post(revoke),
        )
}

/// What the conference page shows moderators of guests.
pub struct GuestsPanel {
    pub waiting: Vec<GuestView>,
    /// Open links: (id, expiry as ISO, expiry for people).
    pub links: Vec<(Uuid, String, String)>,
}

/// The panel when the caller manages the room's guests (else `None`: nothing shown).
pub(super) async fn panel(state: &AppState, r: &Ready, room: RoomId) -> Option<GuestsPanel> {
    if state.platform.conference_is_external() {
        return None;
    }
    let waiting = state
        .platform
        .conference_waiting(&r.actor, room)
        .await
        .ok()?;
    let links = state
        .platform
        .conference_guest_links(&r.actor, room)
        .await
        .ok()?;
    let zone = Zone::of(&r.actor);
    let tr = r.page.tr();
    let links = links
        .into_iter()
        .map(|l| {
            let iso = l.expires_at.to_rfc3339();
            (l.id, iso, zone.datetime(tr, l.expires_at))
        })
        .collect();
    Some(GuestsPanel { waiting, links })
}

fn back(room: RoomId) -> Response {
    Redirect::to(&format!("/chat/{room}/konferenz#gaeste")).into_response()
}

fn parse(id: &str) -> Result<RoomId, DomainError> {
    id.parse::<RoomId>().map_err(|_| DomainError::NotFound)
}

#[derive(serde::Serialize)]
struct Waiting {
    waiting: Vec<GuestView>,
}

/// `GET /chat/{id}/konferenz/warteraum`: who waits, as JSON (moderators only).
async fn waiting(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let result = async {
        let room = parse(&id)?;
        state.platform.conference_waiting(&r.actor, room).await
    };
    match result.await {
        Ok(waiting) => Json(Waiting { waiting }).into_response(),
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
struct Decision {
    entscheidung: String,
}

/// `POST /chat/{id}/konferenz/warteraum/{guest}`: `entscheidung=einlassen|abweisen`.
async fn decide(
    State(state): State<AppState>,
    r: Ready,
    Path((id, guest)): Path<(String, String)>,
    Form(d): Form<Decision>,
) -> Response {
    let result = async {
        let room = parse(&id)?;
        let guest = guest.parse::<Uuid>().map_err(|_| DomainError::NotFound)?;
        let admit = match d.entscheidung.as_str() {
            "einlassen" => true,
            "abweisen" => false,
            _ => {
                return Err(DomainError::invalid(
                    "entscheidung",
                    "einlassen or abweisen",
                ));
            }
        };
        state
            .platform
            .conference_admit(&r.actor, room, guest, admit)
            .await?;
        Ok(room)
    };
    match result.await {
        Ok(room) => back(room),
        Err(e) => r.fail(e),
    }
}

#[derive(Template)]
#[template(path = "conference/guest_link.html")]
struct LinkCreated {
    c: Chrome,
    room: String,
    url: String,
    expires: String,
    expires_iso: String,
}

#[derive(Deserialize)]
struct NewLink {
    stunden: String,
}

/// `POST /chat/{id}/konferenz/gastlinks`: a new link, valid `stunden` hours; its address is
/// shown on the answer page only.
async fn create_link(
    State(state): State<AppState>,
    r: Ready,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<NewLink>,
) -> Response {
    let result = async {
        let room = parse(&id)?;
        let hours: i64 = f
            .stunden
            .trim()
            .parse()
            .map_err(|_| DomainError::invalid("stunden", "a number of hours"))?;
        let valid = Duration::try_hours(hours)
            .ok_or_else(|| DomainError::invalid("stunden", "a number of hours"))?;
        let link = state
            .platform
            .conference_guest_link(&r.actor, room, valid)
            .await?;
        Ok((room, link))
    };
    let (room, link) = match result.await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let path = format!("/konferenz/gast/{}", link.secret);
    let page = LinkCreated {
        c: Chrome::new(&r.page, tr.t("guest.link_created")).signed_in(&r.page, &r.actor),
        room: room.to_string(),
        url: absolute_url(&state, &headers, &path),
        expires: Zone::of(&r.actor).datetime(tr, link.expires_at),
        expires_iso: link.expires_at.to_rfc3339(),
    };
    let mut resp = render::ok(&page);
    // The secret is on this page only: never stored by the browser.
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

/// `POST /chat/{id}/konferenz/gastlinks/{link}/widerrufen`.
async fn revoke(
    State(state): State<AppState>,
    r: Ready,
    Path((id, link)): Path<(String, String)>,
) -> Response {
    let result = async {
        let room = parse(&id)?;
        let link = link.parse::<Uuid>().map_err(|_| DomainError::NotFound)?;
        state
            .platform
            .conference_guest_revoke(&r.actor, room, link)
            .await?;
        Ok(room)
    };
    match result.await {
        Ok(room) => back(room),
        Err(e) => r.fail(e),
    }
}
