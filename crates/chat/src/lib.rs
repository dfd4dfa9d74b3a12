//! The chat's front-end: the JSON API under `/api/v1/chat` and the live WebSocket session at
//! `/api/v1/chat/socket`. Both only parse, call the platform's chat services and map the
//! result; every decision is the domain's (and so the one policy's).

mod api;
pub mod conference;
pub mod frame;
mod guest;
mod socket;
mod steps;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use schulhof_domain::DomainError;
use schulhof_domain::identity::Actor;
use schulhof_front::{AppState, SESSION_COOKIE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/chat/rooms", get(api::rooms).post(api::create_room))
        .route("/api/v1/chat/rooms/{id}", get(api::room))
        .route(
            "/api/v1/chat/rooms/{id}/messages",
            get(api::messages).post(api::send),
        )
        .route(
            "/api/v1/chat/rooms/{id}/messages/{seq}",
            patch(api::edit).delete(api::delete),
        )
        .route(
            "/api/v1/chat/rooms/{id}/messages/{seq}/reactions",
            post(api::react),
        )
        .route("/api/v1/chat/rooms/{id}/read", post(api::read))
        .route("/api/v1/chat/rooms/{id}/moderation", post(api::moderate))
        .route("/api/v1/chat/direct/{login}", post(api::open_direct))
        .merge(steps_router())
        .route("/api/v1/chat/socket", get(socket::upgrade))
        .route("/api/v1/conference/guest/socket", get(guest::upgrade))
        .route(
            "/api/v1/admin/users/{login}/av-consent",
            get(conference::get_av_consent).put(conference::put_av_consent),
        )
}

/// Moderation steps, silencing, search and attachments (issue 16, second part).
fn steps_router() -> Router<AppState> {
    let upload = axum::extract::DefaultBodyLimit::max(schulhof_front::upload::MAX_BODY);
    Router::new()
        .route("/api/v1/chat/rooms/{id}/mutes", post(steps::mute))
        .route(
            "/api/v1/chat/rooms/{id}/messages/{seq}/pin",
            post(steps::pin),
        )
        .route(
            "/api/v1/chat/rooms/{id}/messages/{seq}/report",
            post(steps::report),
        )
        .route("/api/v1/chat/rooms/{id}/reports", get(steps::reports))
        .route("/api/v1/chat/rooms/{id}/silence", post(steps::silence))
        .route("/api/v1/chat/rooms/{id}/quiet", post(steps::quiet))
        .route("/api/v1/chat/search", get(steps::search))
        .route(
            "/api/v1/chat/rooms/{id}/attachments",
            post(steps::attach).layer(upload),
        )
        .route(
            "/api/v1/chat/rooms/{id}/messages/{seq}/attachment",
            get(steps::attachment),
        )
}

/// A failure as `{"error": "<stable code>", "message": "…"}`.
pub struct ChatError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ChatError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// A refused write keeps its own stable code (`chat_write_refused`), so clients can tell
    /// it from other refusals.
    fn write(e: DomainError) -> Self {
        match e {
            DomainError::Forbidden | DomainError::Denied(schulhof_authz::Denied::Forbidden) => {
                Self::new(
                    StatusCode::FORBIDDEN,
                    "chat_write_refused",
                    "You may not write in this room.",
                )
            }
            // A muted member: refused for a time, with its own code.
            DomainError::Conflict { field, message } if field == schulhof_domain::chat::MUTED => {
                Self::new(StatusCode::FORBIDDEN, "chat_muted", message)
            }
            e => e.into(),
        }
    }
}

impl From<DomainError> for ChatError {
    fn from(e: DomainError) -> Self {
        let i = schulhof_front::error_info(&e);
        Self::new(i.status, i.code, i.message)
    }
}

impl IntoResponse for ChatError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

/// The session cookie's value in a request's headers.
pub(crate) fn cookie_of(headers: &axum::http::HeaderMap) -> Option<String> {
    let jar = axum_extra::extract::CookieJar::from_headers(headers);
    jar.get(SESSION_COOKIE).map(|c| c.value().to_owned())
}

/// The logged-in login with nothing in the way (consent given, password set).
pub(crate) async fn actor_of(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Actor, DomainError> {
    let cookie = cookie_of(headers).ok_or(DomainError::SessionEnded)?;
    state.platform.session(&cookie).await?.ready()
}
