//! The JSON API under `/api/v1`: parse, call one service, map the result.

mod account;
mod admin_groups;
mod admin_users;
mod audit;
mod error;
mod extract;
mod imports;
mod openapi;
mod session;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post, put};
use schulhof_front::AppState;

pub use error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/rights", get(account::matrix))
        .route(
            "/api/v1/session",
            post(session::login).delete(session::logout),
        )
        .route("/api/v1/me", get(account::me))
        .route("/api/v1/me/password", post(account::change_password))
        .route(
            "/api/v1/me/external-mail",
            put(account::set_external_mail).delete(account::delete_external_mail),
        )
        .route(
            "/api/v1/me/logout-everywhere",
            post(account::logout_everywhere),
        )
        .route(
            "/api/v1/consent",
            get(account::consent_texts)
                .post(account::give_consent)
                .delete(account::revoke_consent),
        )
        .route("/api/v1/consent/texts", post(account::publish_consent))
        .route(
            "/api/v1/users",
            get(admin_users::list).post(admin_users::create),
        )
        .route(
            "/api/v1/users/{login}",
            get(admin_users::card)
                .patch(admin_users::update)
                .delete(admin_users::delete),
        )
        .route(
            "/api/v1/users/{login}/activate",
            post(admin_users::activate),
        )
        .route(
            "/api/v1/users/{login}/deactivate",
            post(admin_users::deactivate),
        )
        .route(
            "/api/v1/users/{login}/password",
            post(admin_users::reset_password),
        )
        .route(
            "/api/v1/users/{login}/rights/{right}",
            put(admin_users::grant).delete(admin_users::revoke),
        )
        .route(
            "/api/v1/groups",
            get(admin_groups::list).post(admin_groups::create),
        )
        .route(
            "/api/v1/groups/{id}",
            get(admin_groups::detail)
                .patch(admin_groups::update)
                .delete(admin_groups::delete),
        )
        .route(
            "/api/v1/groups/{id}/members/{login}",
            put(admin_groups::add_member).delete(admin_groups::remove_member),
        )
        .route(
            "/api/v1/groups/{id}/rights/{right}",
            put(admin_groups::grant).delete(admin_groups::revoke),
        )
        .route("/api/v1/audit", get(audit::log))
        .route(
            "/api/v1/audit/holds",
            get(audit::holds).post(audit::place_hold),
        )
        .route(
            "/api/v1/imports",
            get(imports::list)
                .post(imports::upload)
                .layer(DefaultBodyLimit::max(schulhof_front::upload::MAX_BODY)),
        )
        .route("/api/v1/imports/{id}", get(imports::show))
        .route("/api/v1/imports/{id}/apply", post(imports::apply))
        .route("/api/v1/imports/{id}/protocol", get(imports::protocol))
        .route("/api/v1/deletion", get(imports::deletion))
        .route("/api/v1/deletion/periods", put(imports::set_periods))
        .route("/api/v1/deletion/confirm", post(imports::confirm))
        .route("/api/v1/school-year", post(imports::school_year))
        // Unknown API paths answer in JSON; everything else falls to the pages' 404.
        .route("/api/{*rest}", any(error::not_found))
}
