//! `/konferenz/gast/{secret}`: the page of a guest invited by link (the parents' evening),
//! without a login. The guest gives a name and waits; the browser keeps the guest's pass in
//! a cookie (`schulhof_guest`, HttpOnly), which later opens the guest socket. While waiting
//! the page says so (aria-live) and `conference.js` asks `…/stand` every few seconds; once
//! a moderator admits the guest it joins the conference over the guest socket. Without
//! JavaScript a button asks again. An unknown, expired or revoked link is 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use schulhof_domain::DomainError;
use schulhof_domain::conference::{GuestAt, GuestState};
use schulhof_front::{AppState, GUEST_COOKIE};
use serde::Deserialize;

use crate::layout::{Chrome, Page};
use crate::pages::errors;
use crate::render;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/konferenz/gast/{secret}", get(page).post(arrive))
        .route("/konferenz/gast/{secret}/stand", get(stand))
}

#[derive(Template)]
#[template(path = "conference/guest.html")]
struct GuestPage {
    c: Chrome,
    action: String,
    /// Empty while the name is asked for.
    state_url: String,
    status_key: &'static str,
    name: String,
    error: String,
    refused: bool,
    // What the shared conference markup needs.
    room: String,
    socket: String,
    script: String,
    may_start: bool,
    live: bool,
}

/// Secrets are URL-safe base64; anything else cannot be one.
fn plausible(secret: &str) -> bool {
    (20..=100).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl GuestPage {
    fn new(page: &Page, secret: &str) -> GuestPage {
        GuestPage {
            c: Chrome::new(page, page.tr().t("guest.title")),
            action: format!("/konferenz/gast/{secret}"),
            state_url: String::new(),
            status_key: "guest.waiting",
            name: String::new(),
            error: String::new(),
            refused: false,
            room: String::new(),
            socket: "/api/v1/conference/guest/socket".into(),
            script: crate::assets::href("conference.js"),
            may_start: false,
            live: false,
        }
    }
}

/// The guest behind this browser's pass, if they came through this very link.
async fn guest_here(state: &AppState, jar: &CookieJar, link: uuid::Uuid) -> Option<GuestAt> {
    let pass = jar.get(GUEST_COOKIE)?.value().to_owned();
    let at = state.platform.conference_guest_at(&pass).await.ok()?;
    (at.link == link).then_some(at)
}

async fn open(state: &AppState, secret: &str) -> Result<uuid::Uuid, DomainError> {
    if !plausible(secret) {
        return Err(DomainError::NotFound);
    }
    state.platform.conference_guest_link_opens(secret).await
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    super::with_media(resp)
}

/// `GET /konferenz/gast/{secret}`: the name form, or where this browser's guest stands.
async fn page(
    State(state): State<AppState>,
    page: Page,
    jar: CookieJar,
    Path(secret): Path<String>,
) -> Response {
    let link = match open(&state, &secret).await {
        Ok(l) => l,
        Err(e) => return errors::domain_error(&page, None, &e),
    };
    let mut p = GuestPage::new(&page, &secret);
    if let Some(at) = guest_here(&state, &jar, link).await {
        p.state_url = format!("/konferenz/gast/{secret}/stand");
        p.name = at.guest.name;
        p.room = at.room.to_string();
        p.refused = at.guest.state == GuestState::Refused;
        if at.guest.state == GuestState::Admitted {
            p.status_key = "guest.admitted";
        }
    }
    no_store(render::ok(&p))
}

#[derive(Deserialize)]
struct Arrival {
    name: String,
}

/// `POST /konferenz/gast/{secret}`: the guest gives a name and enters the waiting room.
async fn arrive(
    State(state): State<AppState>,
    page: Page,
    jar: CookieJar,
    Path(secret): Path<String>,
    Form(f): Form<Arrival>,
) -> Response {
    if let Err(e) = open(&state, &secret).await {
        return errors::domain_error(&page, None, &e);
    }
    match state
        .platform
        .conference_guest_arrive(&secret, &f.name)
        .await
    {
        Ok(pass) => {
            let cookie = Cookie::build((GUEST_COOKIE, pass.pass))
                .path("/")
                .http_only(true)
                .secure(state.secure_cookies)
                .same_site(SameSite::Lax)
                .build();
            let to = format!("/konferenz/gast/{secret}");
            (jar.add(cookie), Redirect::to(&to)).into_response()
        }
        Err(DomainError::Invalid { .. }) => {
            let mut p = GuestPage::new(&page, &secret);
            p.name = f.name.chars().take(80).collect();
            p.error = page.tr().t("guest.name_needed").into();
            no_store(render::html(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => errors::domain_error(&page, None, &e),
    }
}

#[derive(serde::Serialize)]
struct Stand {
    state: GuestState,
}

#[derive(serde::Serialize)]
struct Closed {
    state: &'static str,
}

/// `GET /konferenz/gast/{secret}/stand`: `{"state": "waiting"|"admitted"|"refused"}` for
/// this browser's guest; 404 once the link closed (or without a pass for it).
async fn stand(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(secret): Path<String>,
) -> Response {
    let here = match open(&state, &secret).await {
        Ok(link) => guest_here(&state, &jar, link).await,
        Err(_) => None,
    };
    let mut resp = match here {
        Some(at) => Json(Stand {
            state: at.guest.state,
        })
        .into_response(),
        None => (StatusCode::NOT_FOUND, Json(Closed { state: "closed" })).into_response(),
    };
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}
