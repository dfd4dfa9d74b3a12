//! `/`: the start page with the login form for visitors, the home screen for the signed-in.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;

use crate::auth::{gate_path, optional_session};
use crate::layout::{Area, Chrome, Page, areas, display_name};
use crate::pages::login;
use crate::render;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    welcome: String,
    tiles: Vec<Area>,
}

pub async fn index(State(state): State<AppState>, page: Page, headers: HeaderMap) -> Response {
    match optional_session(&state, &headers).await {
        None => login::form_page(&state, &page).await,
        Some(s) => match s.gate {
            Some(gate) => Redirect::to(gate_path(gate)).into_response(),
            None => home(&page, &s.actor),
        },
    }
}

fn home(page: &Page, actor: &Actor) -> Response {
    let tr = page.tr();
    let c = Chrome::new(page, tr.t("home.title")).signed_in(page, actor);
    let welcome = tr
        .t("home.welcome")
        .replace("{name}", &display_name(tr, actor));
    let tiles = areas(tr, actor, "");
    render::ok(&HomePage { c, welcome, tiles })
}
