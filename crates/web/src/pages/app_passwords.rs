//! `/konto/app-passwoerter`: passwords for programs that mount the files over WebDAV
//! (Explorer, Finder, davfs2, rclone), created here, shown once, revocable one by one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::app_passwords::AppPassword;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::render;

#[derive(Template)]
#[template(path = "app_passwords.html")]
struct ListPage {
    c: Chrome,
    items: Vec<Row>,
    form: FormView,
    user: String,
    dav: String,
}

struct Row {
    id: String,
    label: String,
    created: String,
    used: String,
}

#[derive(Template)]
#[template(path = "app_password_created.html")]
struct CreatedPage {
    c: Chrome,
    label: String,
    user: String,
    password: String,
    dav: String,
}

/// The WebDAV address as the browser reached this server.
fn dav_url(headers: &axum::http::HeaderMap, secure: bool) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!(
        "{}://{host}/dav/files/",
        if secure { "https" } else { "http" }
    )
}

async fn list_page(
    state: &AppState,
    r: &Ready,
    headers: &axum::http::HeaderMap,
    label: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let items: Vec<AppPassword> = match state.platform.app_password_list(&r.actor).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    let never = tr.t("apppw.never");
    let zone = crate::when::Zone::of(&r.actor);
    let items = items
        .into_iter()
        .map(|a| Row {
            id: a.id.to_string(),
            label: a.label,
            created: zone.datetime(tr, a.created_at),
            used: a
                .last_used_at
                .map_or_else(|| never.to_owned(), |t| zone.datetime(tr, t)),
        })
        .collect();
    let field = Field::new(tr, "app-label", "label", "apppw.label")
        .value(label)
        .hint(tr, "apppw.label_hint")
        .required()
        .answers(&["label"]);
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("apppw.title")).signed_in(&r.page, &r.actor),
        items,
        form: FormView::new("create", vec![field], failure),
        user: format!("{}@{}", r.actor.user.login, r.actor.school_number),
        dav: dav_url(headers, state.secure_cookies),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    headers: axum::http::HeaderMap,
) -> Response {
    list_page(&state, &r, &headers, "", None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    label: String,
}

pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    headers: axum::http::HeaderMap,
    Form(f): Form<CreateForm>,
) -> Response {
    let tr = r.page.tr();
    match state.platform.app_password_create(&r.actor, &f.label).await {
        Ok(created) => {
            let view = CreatedPage {
                c: Chrome::new(&r.page, tr.t("apppw.created")).signed_in(&r.page, &r.actor),
                label: created.app_password.label,
                user: format!("{}@{}", r.actor.user.login, r.actor.school_number),
                password: created.password,
                dav: dav_url(&headers, state.secure_cookies),
            };
            let mut resp = render::ok(&view);
            resp.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            resp
        }
        Err(e) => {
            let failure = Failure::from_domain("create", tr, &e);
            list_page(&state, &r, &headers, &f.label, Some(&failure)).await
        }
    }
}

pub async fn revoke(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return r.fail(schulhof_domain::DomainError::NotFound);
    };
    match state.platform.app_password_revoke(&r.actor, id).await {
        Ok(()) => Redirect::to("/konto/app-passwoerter?ok=revoked").into_response(),
        Err(e) => r.fail(e),
    }
}
