//! `/`: the start page with the login form for visitors, the home screen for the signed-in.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::identity::Actor;
use schulhof_domain::notify::Notification;
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
    notifications: Vec<String>,
    requests: bool,
}

pub async fn index(State(state): State<AppState>, page: Page, headers: HeaderMap) -> Response {
    match optional_session(&state, &headers).await {
        None => login::form_page(&state, &page).await,
        Some(s) => match s.gate {
            Some(gate) => Redirect::to(gate_path(gate)).into_response(),
            None => {
                // Notifications are a courtesy here: the page shows without them.
                let notes = state
                    .platform
                    .my_notifications(&s.actor)
                    .await
                    .unwrap_or_default();
                home(&page, &s.actor, notes)
            }
        },
    }
}

/// An unread notification in the reader's language.
fn note_text(tr: crate::i18n::Tr, n: &Notification) -> String {
    let by = n.params["by"].as_str().unwrap_or("");
    tr.t(&format!("notify.{}", n.kind)).replace("{by}", by)
}

fn home(page: &Page, actor: &Actor, notes: Vec<Notification>) -> Response {
    let tr = page.tr();
    let c = Chrome::new(page, tr.t("home.title")).signed_in(page, actor);
    let welcome = tr
        .t("home.welcome")
        .replace("{name}", &display_name(tr, actor));
    let tiles = areas(tr, actor, "");
    let notifications = notes
        .iter()
        .filter(|n| !n.read)
        .map(|n| note_text(tr, n))
        .collect();
    // Function accounts confirm or follow four-eyes requests.
    let requests = actor.token.principal().function_role().is_some();
    render::ok(&HomePage {
        c,
        welcome,
        tiles,
        notifications,
        requests,
    })
}
