//! The JSON API under `/api/v1`: parse, call one service, map the result.

mod account;
mod admin_groups;
mod admin_users;
mod app_passwords;
mod audit;
mod error;
mod extract;
mod files;
mod files_content;
mod files_offers;
mod files_rights;
mod four_eyes;
mod imports;
mod links;
mod lms;
mod lms_handin;
mod lms_work;
mod mail;
mod media;
mod news;
mod openapi;
mod openapi_files;
mod session;
mod uploads;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, any, delete, get, head, options, post, put};
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
        .route("/api/v1/me/notifications", get(four_eyes::notifications))
        .route(
            "/api/v1/me/notifications/read",
            post(four_eyes::read_notifications),
        )
        .route("/api/v1/requests", get(four_eyes::requests))
        .route("/api/v1/requests/{id}/confirm", post(four_eyes::confirm))
        .route("/api/v1/requests/{id}/reject", post(four_eyes::reject))
        .route(
            "/api/v1/users/{login}/safe-password-reset",
            post(four_eyes::request_safe_password),
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
        .route("/api/v1/mail/delegations", get(mail::list))
        .route("/api/v1/courses", get(lms::courses))
        .route("/api/v1/courses/{id}", get(lms_work::course))
        .route("/api/v1/me/due", get(lms_work::due))
        .route("/api/v1/assignments/{id}", get(lms_work::assignment))
        .route(
            "/api/v1/assignments/{id}/submission",
            put(lms_work::hand_in),
        )
        .route(
            "/api/v1/assignments/{id}/submission/files",
            post(lms_handin::hand_in_files).layer(DefaultBodyLimit::max(lms_handin::BODY_LIMIT)),
        )
        .route("/api/v1/news", get(news::list))
        .route("/api/v1/news/{id}", get(news::show))
        .route(
            "/api/v1/mail/delegations/{login}",
            put(mail::put).delete(mail::delete),
        )
        .route(
            "/api/v1/mail/confidential",
            get(mail::confidential_list).post(mail::confidential_create),
        )
        .route(
            "/api/v1/mail/confidential/{account}/holders/{login}",
            put(mail::holder_put).delete(mail::holder_delete),
        )
        .merge(files_router())
        // Unknown API paths answer in JSON; everything else falls to the pages' 404.
        .route("/api/{*rest}", any(error::not_found))
}

/// Uploads stream into the blob store, so their routes lift axum's default 2 MB body limit
/// (the multipart extractor applies it); the quotas bound them instead.
fn streamed(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.layer(DefaultBodyLimit::disable())
}

/// The cloud file manager. Static segments (`trash`) win over node ids.
fn files_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/storage", get(files::storage))
        .route(
            "/api/v1/me/app-passwords",
            get(app_passwords::list).post(app_passwords::create),
        )
        .route(
            "/api/v1/me/app-passwords/{id}",
            delete(app_passwords::revoke),
        )
        .route("/api/v1/files", get(files::overview))
        .route("/api/v1/files/trash", get(files::trash))
        .route("/api/v1/files/offers", get(files_offers::list))
        .route(
            "/api/v1/files/offers/{id}/accept",
            post(files_offers::accept),
        )
        .route(
            "/api/v1/files/offers/{id}/decline",
            post(files_offers::decline),
        )
        .route(
            "/api/v1/school/cross-sharing",
            get(files_offers::setting).put(files_offers::set_setting),
        )
        .route("/api/v1/files/trash/{id}", delete(files::purge))
        .route("/api/v1/files/trash/{id}/restore", post(files::restore))
        .route(
            "/api/v1/files/{id}",
            get(files::show).patch(files::update).delete(files::delete),
        )
        .route("/api/v1/files/{id}/folders", post(files::mkdir))
        .route("/api/v1/files/{id}/copy", post(files::copy))
        .route(
            "/api/v1/files/{id}/content",
            streamed(get(files_content::download).put(files_content::put_content)),
        )
        .route(
            "/api/v1/files/{id}/upload",
            streamed(post(files_content::upload)),
        )
        .route("/api/v1/files/{id}/versions", get(files_content::versions))
        .route(
            "/api/v1/files/{id}/versions/{version}/restore",
            post(files_content::restore_version),
        )
        .route(
            "/api/v1/files/{id}/grants",
            get(files_rights::list).post(files_rights::grant),
        )
        .route(
            "/api/v1/files/{id}/grants/{key}",
            delete(files_rights::revoke),
        )
        .route("/api/v1/files/{id}/inherit", put(files_rights::set_inherit))
        .route(
            "/api/v1/files/{id}/links",
            get(links::of_node).post(links::create),
        )
        .route("/api/v1/links", get(links::mine))
        .route("/api/v1/links/{id}", delete(links::revoke))
        .route(
            "/api/v1/files/{id}/meta",
            get(media::meta).put(media::set_meta),
        )
        .route("/api/v1/media", get(media::search))
        .route("/api/v1/media/favourites", get(media::favourites))
        .route(
            "/api/v1/media/favourites/{id}",
            put(media::add_favourite).delete(media::remove_favourite),
        )
        .route("/api/v1/media/{id}/content", get(media::content))
        .route(
            "/api/v1/files/{id}/drop-box",
            put(files_rights::set_drop_box),
        )
        .route(
            "/api/v1/uploads",
            options(uploads::discover).post(uploads::create),
        )
        .route(
            "/api/v1/uploads/{id}",
            streamed(
                head(uploads::status)
                    .patch(uploads::append)
                    .delete(uploads::cancel),
            ),
        )
}
