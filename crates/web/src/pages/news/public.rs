//! Without login: `/schule/<nr>/neuigkeiten/<id>` (a public item that is visible now) and
//! `/schule/<nr>/neuigkeiten/datei/<file>` (its pictures and attachments; those of
//! restricted items only with a session that may read them). No cookie is set here.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schulhof_domain::DomainError;
use schulhof_front::AppState;

use crate::auth::optional_session;

use super::item::{FileLink, file_links};
use super::parse_id;
use crate::layout::{Chrome, Page};
use crate::pages::errors;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "news/public_item.html")]
struct PublicItemPage {
    c: Chrome,
    school: String,
    home_href: String,
    title: String,
    body: String,
    date: String,
    images: Vec<FileLink>,
    attachments: Vec<FileLink>,
    feed_href: String,
}

fn public_html(view: &PublicItemPage) -> Response {
    match view.render() {
        // Public and the same for everyone: caches may keep it briefly.
        Ok(body) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "public, max-age=60")],
            axum::response::Html(body),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /schule/{nr}/neuigkeiten/{id}`.
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((nr, id)): Path<(String, String)>,
) -> Response {
    let fail = |e: DomainError| errors::domain_error(&page, None, &e);
    let Some(id) = parse_id(&id) else {
        return fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let (item, school) = match p.public_news_item(&nr, id).await {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let files = p.news_files(None, &nr, id).await.unwrap_or_default();
    let (images, attachments) = file_links(&nr, &files);
    let tr = page.tr();
    let view = PublicItemPage {
        c: Chrome::new(&page, format!("{} · {school}", item.title)),
        home_href: format!("/schule/{nr}/"),
        feed_href: format!("/schule/{nr}/feed.atom"),
        school,
        date: Zone::berlin().date(tr, item.from),
        title: item.title,
        body: item.body,
        images,
        attachments,
    };
    public_html(&view)
}

/// `GET /schule/{nr}/neuigkeiten/datei/{file}`.
pub async fn file(
    State(state): State<AppState>,
    Path((nr, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Ok(file) = uuid::Uuid::parse_str(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let actor = optional_session(&state, &headers)
        .await
        .filter(|s| s.gate.is_none())
        .map(|s| s.actor);
    let content = match state
        .platform
        .news_file_content(actor.as_ref(), &nr, file)
        .await
    {
        Ok(c) => c,
        Err(DomainError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "news file");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let disposition = if content.mime.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let name: String = content
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-_ ".contains(*c))
        .collect();
    let cache = if actor.is_some() {
        "private, max-age=300"
    } else {
        "public, max-age=300"
    };
    let mut res = Response::new(Body::from_stream(content.reader.into_stream(content.size)));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(content.size));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
