//! Due dates for calendar programs: `GET /kurse/faelligkeiten` explains the CalDAV calendar
//! "Fälligkeiten" and offers the `.ics` download and a private subscription address (shown
//! once, revocable); `GET /kurse-abo/{secret}` is the feed, without a login. What the dates
//! are is the domain's ([`schulhof_domain::Platform::lms_due_ics`]).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kurse/faelligkeiten", get(show))
        .route("/kurse/faelligkeiten.ics", get(download))
        .route("/kurse/faelligkeiten/abo", post(subscribe))
        .route("/kurse/faelligkeiten/abo/widerrufen", post(revoke))
        .route("/kurse-abo/{secret}", get(feed))
}

#[derive(Template)]
#[template(path = "lms/course/due_feed.html")]
struct FeedPage {
    c: Chrome,
    /// The CalDAV address of the caller's calendars.
    caldav: String,
    /// When the caller's address was made.
    since: Option<String>,
    /// The new address, this once.
    address: Option<String>,
}

fn origin(headers: &HeaderMap, secure: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}", if secure { "https" } else { "http" })
}

async fn page(
    state: &AppState,
    r: &Ready,
    headers: &HeaderMap,
    address: Option<String>,
) -> Response {
    let since = match state.platform.lms_due_subscription(&r.actor).await {
        Ok(s) => s,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let view = FeedPage {
        c: Chrome::new(&r.page, tr.t("lms.feed.title")).signed_in(&r.page, &r.actor),
        caldav: format!(
            "{}/dav/calendars/{}/faelligkeiten/",
            origin(headers, state.secure_cookies),
            r.actor.user.login
        ),
        since: since.map(|t| zone.datetime(tr, t)),
        address,
    };
    let mut resp = render::ok(&view);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `GET /kurse/faelligkeiten`.
async fn show(State(state): State<AppState>, r: Ready, headers: HeaderMap) -> Response {
    page(&state, &r, &headers, None).await
}

/// `GET /kurse/faelligkeiten.ics`: the caller's due dates as a file.
async fn download(State(state): State<AppState>, r: Ready) -> Response {
    match state.platform.lms_due_ics(&r.actor).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"faelligkeiten.ics\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/faelligkeiten/abo`: a new address, shown this once.
async fn subscribe(State(state): State<AppState>, r: Ready, headers: HeaderMap) -> Response {
    match state.platform.lms_due_subscribe(&r.actor).await {
        Ok(secret) => {
            let address = format!(
                "{}/kurse-abo/{secret}",
                origin(&headers, state.secure_cookies)
            );
            page(&state, &r, &headers, Some(address)).await
        }
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/faelligkeiten/abo/widerrufen`: the address stops working at once.
async fn revoke(State(state): State<AppState>, r: Ready) -> Response {
    match state.platform.lms_due_unsubscribe(&r.actor).await {
        Ok(()) => Redirect::to("/kurse/faelligkeiten?ok=cal_sub_revoked").into_response(),
        Err(e) => r.fail(e),
    }
}

/// `GET /kurse-abo/{secret}`: an unknown or revoked secret is 404.
async fn feed(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    match state.platform.lms_due_feed(&secret).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(DomainError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => schulhof_front::error_info(&e).status.into_response(),
    }
}
