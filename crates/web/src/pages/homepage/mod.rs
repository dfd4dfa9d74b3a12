//! The school's public start page (`/schule/<nr>/`, its sub-pages, pictures and the tile
//! bar script), and its editor for holders of homepage.admin (`/verwaltung/startseite`).

mod editor;
mod public;
mod tiles;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use schulhof_domain::homepage::images::MAX_IMAGE;
use schulhof_front::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/schule/{nr}", get(public::to_slash))
        .route("/schule/{nr}/", get(public::start))
        .route("/schule/{nr}/seite/{slug}", get(public::sub_page))
        .route("/schule/{nr}/bild/{id}", get(public::image))
        .route("/schule/{nr}/kacheln.js", get(tiles::script))
        .route(
            "/verwaltung/startseite",
            get(editor::show).post(editor::save_settings),
        )
        .route(
            "/verwaltung/startseite/seiten/neu",
            get(editor::new_page).post(editor::create_page),
        )
        .route(
            "/verwaltung/startseite/seiten/{id}",
            get(editor::edit_page).post(editor::update_page),
        )
        .route(
            "/verwaltung/startseite/seiten/{id}/loeschen",
            get(editor::delete_confirm).post(editor::delete_page),
        )
        // A picture plus the form around it; larger pictures get the domain's clear error
        // up to twice the limit, beyond that the upload is cut off.
        .route(
            "/verwaltung/startseite/bilder",
            post(editor::upload).layer(DefaultBodyLimit::max(2 * MAX_IMAGE + 64 * 1024)),
        )
        .route(
            "/verwaltung/startseite/bilder/{id}/loeschen",
            post(editor::delete_image),
        )
}

/// Whether the editor is offered to `token` (the domain decides again on every page).
pub fn offered(token: &schulhof_authz::AccessToken) -> bool {
    schulhof_authz::check(
        token,
        schulhof_authz::homepage::EditHomepage {
            instance: token.instance(),
        },
    )
    .is_ok()
}
