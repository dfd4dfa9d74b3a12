//! `/chat/{id}/konferenz`: the video conference of a chat room. The page says whether one
//! runs and whether the caller may start it; `conference.js` does the rest over the chat
//! socket (start/join, media, participant list, moderators' controls). Without JavaScript
//! the page explains that a video conference needs it. The domain decides every right; a
//! room one may not see is 404. Moderators also find the guests' waiting room and the
//! guest links here (`moderation.rs`); guests invited by link have their own page
//! (`guest.rs`).

mod guest;
mod moderation;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_domain::chat::RoomId;
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/chat/{id}/konferenz", get(page))
        .route("/chat/{id}/konferenz/extern", post(external))
        .merge(moderation::routes())
        .merge(guest::routes())
}

#[derive(Template)]
#[template(path = "chat/conference.html")]
struct ConferencePage {
    c: Chrome,
    room: String,
    room_name: String,
    may_start: bool,
    live: bool,
    /// Meetings go to the operator's BigBlueButton or Jitsi: a plain form, no media here.
    external: bool,
    script: String,
    /// The socket `conference.js` speaks to.
    socket: String,
    /// Only the guest page polls a state.
    state_url: String,
    status_key: &'static str,
    /// The waiting room and guest links, for those who manage guests.
    guests: Option<moderation::GuestsPanel>,
}

/// `GET /chat/{id}/konferenz`.
async fn page(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Ok(room) = id.parse::<RoomId>() else {
        return r.fail(DomainError::NotFound);
    };
    let loaded = async {
        let view = state.platform.chat_room(&r.actor, room).await?;
        let status = state.platform.conference_status(&r.actor, room).await?;
        Ok::<_, DomainError>((view, status))
    };
    let (view, status) = match loaded.await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let title = format!("{} – {}", tr.t("conf.title"), view.name);
    let page = ConferencePage {
        c: Chrome::new(&r.page, &title).signed_in(&r.page, &r.actor),
        room: room.to_string(),
        room_name: view.name,
        may_start: status.may_start,
        live: status.live.is_some(),
        external: state.platform.conference_is_external(),
        script: crate::assets::href("conference.js"),
        socket: "/api/v1/chat/socket".into(),
        state_url: String::new(),
        status_key: "",
        guests: moderation::panel(&state, &r, room).await,
    };
    with_media(render::ok(&page))
}

/// `POST /chat/{id}/konferenz/extern`: opens (moderators) or joins the room's meeting in the
/// external conference system and sends the browser there.
async fn external(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Ok(room) = id.parse::<RoomId>() else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .conference_external_enter(&r.actor, room)
        .await
    {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(e) => r.fail(e),
    }
}

/// This page (and only this one) may use camera, microphone and screen capture.
pub(super) fn with_media(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(
            "camera=(self), microphone=(self), display-capture=(self), geolocation=()",
        ),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
        ),
    );
    resp.into_response()
}
