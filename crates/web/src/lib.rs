//! The server-rendered pages: plain HTML forms that work without JavaScript (two small
//! scripts add upload progress to the file manager and the Safe's editor), German by default.
//!
//! Every handler parses the request, calls one domain service and renders the result; the
//! domain decides every right. The session's rights are read here only to choose which
//! links and forms to show.

mod assets;
mod auth;
mod forms;
mod i18n;
mod layout;
mod markdown;
mod pages;
mod render;
mod schools;

mod url;
mod when;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::map_response;
use axum::routing::{get, post};
use schulhof_front::AppState;

use pages::files::{
    self, move_copy as files_move, node as files_node, offers as files_offers,
    share as files_share, trash as files_trash, write as files_write,
};
use pages::import::{self, result as import_result, run as import_run};
use pages::safe::{
    self, editor as safe_editor, node as safe_node, password as safe_password,
    rename as safe_rename,
};
use pages::{
    account, app_passwords, audit, consent, deletion, group_admin, group_detail, home, lang,
    link_visit, links, login, media, mine, password_change, school_year, user_card, user_rights,
    users,
};

/// The page routes; the server merges them next to `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::index))
        .route("/static/{name}", get(assets::serve))
        .route("/sprache", get(lang::switch))
        .route("/oberflaeche", get(pages::ui::show))
        .route("/anmelden", get(login::show).post(login::submit))
        .route("/abmelden", post(login::logout))
        .route(
            "/passwort-vergessen",
            get(pages::password_reset::show).post(pages::password_reset::request),
        )
        .route(
            "/passwort-vergessen/{token}",
            get(pages::password_reset::link).post(pages::password_reset::set),
        )
        .route("/zustimmung", get(consent::show).post(consent::answer))
        .merge(account_routes())
        .merge(admin_routes())
        .merge(import_routes())
        .merge(file_routes())
        .merge(files::bulk::routes())
        .merge(files::handin::routes())
        .merge(files::preview::routes())
        .merge(link_routes())
        .merge(safe_routes())
        .merge(pages::mail::routes())
        .merge(pages::mail::abuse::routes())
        .merge(pages::calendar::routes())
        .merge(pages::contacts::routes())
        .merge(pages::homepage::routes())
        .merge(pages::operator::routes())
        .merge(pages::help::routes())
        .merge(pages::news::routes())
        .merge(pages::chat::routes())
        .merge(pages::conference::routes())
        .merge(pages::oidc::routes())
        .merge(pages::lms::routes())
        .route("/mediathek", get(media::show))
        .route("/mediathek/{id}/herunterladen", get(media::download))
        .route("/mediathek/{id}/favorit", post(media::favourite))
        .route("/gruppen", get(mine::show))
        .route(
            "/gruppen/{id}/passwort/{login}",
            get(mine::reset_confirm).post(mine::reset_password),
        )
}

fn account_routes() -> Router<AppState> {
    Router::new()
        .route("/konto", get(account::show))
        .route(
            "/konto/passwort-setzen",
            get(password_change::forced_form).post(password_change::forced_submit),
        )
        .route("/konto/passwort", post(account::change_password))
        .route("/konto/externe-mail", post(account::external_mail))
        .route(
            "/konto/zustimmung-widerrufen",
            get(account::revoke_confirm).post(account::revoke),
        )
        .route("/konto/ueberall-abmelden", post(account::logout_everywhere))
        .route(
            "/konto/abwesenheit",
            get(pages::account_absence::show).post(pages::account_absence::save),
        )
        .route(
            "/konto/app-passwoerter",
            get(app_passwords::show).post(app_passwords::create),
        )
        .route(
            "/konto/app-passwoerter/{id}/widerrufen",
            post(app_passwords::revoke),
        )
}

fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/verwaltung/benutzer", get(users::list))
        .route(
            "/verwaltung/benutzer/neu",
            get(users::new_form).post(users::create),
        )
        .route("/verwaltung/benutzer/{login}", get(user_card::show))
        .route(
            "/verwaltung/benutzer/{login}/adressen",
            get(pages::mail::admin::addresses).post(pages::mail::admin::add_alias),
        )
        .route(
            "/verwaltung/benutzer/{login}/adressen/entfernen",
            post(pages::mail::admin::remove_alias),
        )
        .route("/verwaltung/mail", get(pages::mail::admin::domains))
        .route(
            "/verwaltung/mail/domains",
            post(pages::mail::admin::add_domain),
        )
        .route(
            "/verwaltung/mail/kontingente",
            post(pages::mail::admin::set_quotas),
        )
        .route(
            "/verwaltung/mail/versandgrenzen",
            post(pages::mail::filter_web::set_limits),
        )
        .route(
            "/verwaltung/mail/domains/entfernen",
            post(pages::mail::admin::remove_domain),
        )
        .route(
            "/verwaltung/mail/quarantaene",
            get(pages::mail::quarantine::list),
        )
        .route(
            "/verwaltung/mail/quarantaene/{id}/loeschen",
            post(pages::mail::quarantine::delete),
        )
        .route(
            "/verwaltung/schule",
            get(pages::school_settings::show).post(pages::school_settings::save),
        )
        .route(
            "/verwaltung/benutzer/{login}/bearbeiten",
            post(user_card::update),
        )
        .route(
            "/verwaltung/benutzer/{login}/aktiv",
            post(user_card::set_active),
        )
        .route(
            "/verwaltung/benutzer/{login}/loeschen",
            get(user_card::delete_confirm).post(user_card::delete),
        )
        .route(
            "/verwaltung/benutzer/{login}/passwort",
            post(user_card::reset_password),
        )
        .route(
            "/verwaltung/benutzer/{login}/rechte",
            post(user_rights::set_right),
        )
        .route(
            "/verwaltung/benutzer/{login}/einwilligung",
            post(pages::user_consent::set),
        )
        .route(
            "/verwaltung/gruppen",
            get(group_admin::list).post(group_admin::create),
        )
        .route("/verwaltung/gruppen/{id}", get(group_detail::show))
        .route(
            "/verwaltung/gruppen/{id}/bearbeiten",
            post(group_detail::update),
        )
        .route(
            "/verwaltung/gruppen/{id}/mitglieder",
            post(group_detail::membership),
        )
        .route(
            "/verwaltung/gruppen/{id}/rechte",
            post(group_detail::set_right),
        )
        .route(
            "/verwaltung/gruppen/{id}/loeschen",
            get(group_admin::delete_confirm).post(group_admin::delete),
        )
        .route("/verwaltung/protokoll", get(audit::show))
        .route("/verwaltung/protokoll.csv", get(audit::export))
        .route("/verwaltung/protokoll/aufbewahren", post(audit::hold))
}

fn file_routes() -> Router<AppState> {
    Router::new()
        .route("/dateien", get(files::overview))
        .route("/dateien/papierkorb", get(files_trash::show))
        .route("/dateien/angebote/{id}", post(files_offers::decide))
        .route(
            "/verwaltung/schulfreigaben",
            get(files_offers::settings).post(files_offers::save_settings),
        )
        .route(
            "/dateien/papierkorb/{id}/wiederherstellen",
            post(files_trash::restore),
        )
        .route(
            "/dateien/papierkorb/{id}/endgueltig-loeschen",
            get(files_trash::purge_confirm).post(files_trash::purge),
        )
        .route("/dateien/{id}", get(files_node::show))
        .route("/dateien/{id}/herunterladen", get(files::download))
        .route("/dateien/{id}/ordner", post(files_write::mkdir))
        // Uploads stream into the store and are limited by the quotas, not by a body limit.
        .route(
            "/dateien/{id}/hochladen",
            post(files_write::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/dateien/{id}/umbenennen",
            get(files_write::rename_form).post(files_write::rename),
        )
        .route(
            "/dateien/{id}/verschieben",
            get(files_move::show).post(files_move::apply),
        )
        .route(
            "/dateien/{id}/loeschen",
            get(files_write::delete_confirm).post(files_write::delete),
        )
        .route(
            "/dateien/{id}/versionen/{version}/wiederherstellen",
            post(files_write::restore_version),
        )
        .route("/dateien/{id}/freigaben", post(files_share::share))
        .route("/dateien/{id}/rechte", post(files_share::rights))
        .route("/dateien/{id}/links", post(links::create))
        .route("/dateien/{id}/metadaten", post(media::save_meta))
}

/// Share links: the owners' list, and what visitors without a login open under `/l/`.
fn link_routes() -> Router<AppState> {
    Router::new()
        .route("/links", get(links::list))
        .route("/links/{id}/widerrufen", post(links::revoke))
        .route("/l/{token}", get(link_visit::show).post(link_visit::unlock))
        .route("/l/{token}/herunterladen", get(link_visit::download))
        .route(
            "/l/{token}/hochladen",
            post(link_visit::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/l/{token}/n/{node}", get(link_visit::show_below))
        .route(
            "/l/{token}/n/{node}/herunterladen",
            get(link_visit::download_below),
        )
}

/// The Daten-Safe. Nothing of it may stay in a cache.
fn safe_routes() -> Router<AppState> {
    Router::new()
        .route("/safe", get(safe::start))
        .route("/bestaetigungen", get(pages::four_eyes::list))
        .route(
            "/bestaetigungen/{id}/bestaetigen",
            post(pages::four_eyes::confirm),
        )
        .route(
            "/bestaetigungen/{id}/ablehnen",
            post(pages::four_eyes::reject),
        )
        .route("/benachrichtigungen", get(pages::notifications::list))
        .route(
            "/benachrichtigungen/alle-gelesen",
            post(pages::notifications::read_all),
        )
        .route(
            "/benachrichtigungen/einstellungen",
            get(pages::notifications::settings::show).post(pages::notifications::settings::save),
        )
        .route("/benachrichtigungen/{id}", get(pages::notifications::open))
        .route(
            "/benachrichtigungen/{id}/gelesen",
            post(pages::notifications::read_one),
        )
        .route("/safe/oeffnen", post(safe::unlock))
        .route("/safe/sperren", post(safe::lock))
        .route(
            "/safe/passwoerter",
            get(safe::passwords).post(safe::generate),
        )
        .route("/safe/passwoerter/briefe", post(safe::letters))
        .route(
            "/safe/passwort",
            get(safe_password::show).post(safe_password::change),
        )
        .route("/safe/papierkorb", get(safe_node::trash))
        .route(
            "/safe/papierkorb/{id}/wiederherstellen",
            post(safe_node::restore),
        )
        .route("/safe/{id}", get(safe_node::show))
        .route("/safe/{id}/herunterladen", get(safe_node::download))
        .route("/safe/{id}/ordner", post(safe_node::mkdir))
        .route("/safe/{id}/dokument", post(safe_node::new_document))
        .route(
            "/safe/{id}/hochladen",
            post(safe_node::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/safe/{id}/loeschen",
            get(safe_node::delete_confirm).post(safe_node::delete),
        )
        .route(
            "/safe/{id}/versionen/{version}/wiederherstellen",
            post(safe_node::restore_version),
        )
        .route(
            "/safe/{id}/umbenennen",
            get(safe_rename::rename_form).post(safe_rename::rename),
        )
        .route("/safe/{id}/freigaben", post(safe_node::share))
        .route("/safe/{id}/bearbeiten", get(safe_editor::edit))
        // The editor's HTML, form-encoded: up to the service's 4 MB limit and then some.
        .route(
            "/safe/{id}/speichern",
            post(safe_editor::save).layer(DefaultBodyLimit::max(
                3 * schulhof_domain::safe_docs::MAX_DOCUMENT + 64 * 1024,
            )),
        )
        .layer(map_response(safe::no_store))
}

fn import_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/verwaltung/import",
            get(import::show)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(schulhof_front::upload::MAX_BODY)),
        )
        .route("/verwaltung/import/{id}", get(import_run::show))
        .route("/verwaltung/import/{id}/spalten", post(import_run::remap))
        .route(
            "/verwaltung/import/{id}/ausfuehren",
            post(import_run::apply),
        )
        .route(
            "/verwaltung/import/{id}/protokoll.zip",
            get(import_result::protocol),
        )
        .route(
            "/verwaltung/import/{id}/briefe",
            post(import_result::letters),
        )
        .route(
            "/verwaltung/loeschfristen",
            get(deletion::show).post(deletion::save_periods),
        )
        .route(
            "/verwaltung/loeschfristen/bestaetigen",
            post(deletion::confirm),
        )
        .route(
            "/verwaltung/schuljahr",
            get(school_year::show).post(school_year::change),
        )
}

/// The "page not found" page, for the server to use as its fallback for non-API paths.
pub use pages::errors::not_found as fallback;

#[cfg(test)]
mod tests;
