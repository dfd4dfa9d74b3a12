//! What everyone sees without logging in. Rendered once per school, language and change
//! (the domain keeps the bodies), so a warm page costs no statement. No cookie is read for
//! anything but the language, and none is set.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::calendar::PublicEvent;
use schulhof_domain::homepage::{PageRow, PublicHome};
use schulhof_front::{AppState, Lang};

use crate::i18n::Tr;
use crate::layout::{Chrome, Page};
use crate::pages::errors;
use crate::when::Zone;

/// One news item as the page shows it.
pub struct NewsLine {
    pub title: String,
    pub url: String,
    pub date: String,
    pub summary: String,
}

/// One date as the page shows it.
pub struct DateLine {
    pub title: String,
    pub when: String,
    pub location: String,
}

#[derive(Template)]
#[template(path = "homepage/public.html")]
struct StartPage<'a> {
    c: Chrome,
    home: &'a PublicHome,
    /// The page shown: `None` for the start page itself.
    current: Option<&'a PageRow>,
    dates: Vec<DateLine>,
    news: Vec<NewsLine>,
}

fn when(zone: &Zone, tr: Tr, e: &PublicEvent) -> String {
    if e.all_day {
        let last = e.end - chrono::Duration::days(1);
        let (a, b) = (zone.date(tr, e.start), zone.date(tr, last));
        if a == b || last <= e.start {
            a
        } else {
            format!("{a} – {b}")
        }
    } else {
        format!(
            "{} – {}",
            zone.datetime(tr, e.start),
            zone.datetime(tr, e.end)
        )
    }
}

/// The page as the cache keeps it: for the canonical address, without a flash message.
fn canonical_page(lang: Lang, demo: bool, here: String) -> Page {
    Page {
        lang,
        demo,
        here,
        flash: None,
        du: false,
    }
}

fn render(home: &PublicHome, page: &Page, current: Option<&PageRow>) -> Option<axum::body::Bytes> {
    if home.redirect_url.is_some() {
        return None;
    }
    let tr = page.tr();
    let zone = Zone(home.time_zone);
    let title = current.map_or_else(
        || home.school_name.clone(),
        |p| format!("{} – {}", p.title, home.school_name),
    );
    let mut c = Chrome::new(page, title);
    c.school = Some(home.school_name.clone());
    let view = StartPage {
        c,
        home,
        current,
        dates: home
            .events
            .iter()
            .map(|e| DateLine {
                title: e.title.clone(),
                when: when(&zone, tr, e),
                location: e.location.clone(),
            })
            .collect(),
        news: home
            .news
            .iter()
            .map(|n| NewsLine {
                title: n.title.clone(),
                url: n.url.clone(),
                date: zone.date(tr, n.published),
                summary: n.summary.clone(),
            })
            .collect(),
    };
    match view.render() {
        Ok(s) => Some(axum::body::Bytes::from(s)),
        Err(e) => {
            tracing::error!(error = %e, "rendering the public start page failed");
            None
        }
    }
}

/// The headers of a public page: no cookie, short shared caching, per language.
fn public_html(body: axum::body::Bytes) -> Response {
    let mut r = (StatusCode::OK, Body::from(body)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    r
}

fn failed(page: &Page, e: &DomainError) -> Response {
    match e {
        DomainError::NotFound => errors::error_page(
            page,
            None,
            StatusCode::NOT_FOUND,
            page.tr().t("error.not_found_text").to_owned(),
        ),
        other => errors::domain_error(page, None, other),
    }
}

/// `GET /schule/<nr>`: the start page lives at the address with the slash.
pub async fn to_slash(Path(nr): Path<String>, page: Page) -> Response {
    if nr.is_empty() || nr.len() > 12 || !nr.bytes().all(|b| b.is_ascii_digit()) {
        return errors::not_found(page).await;
    }
    Redirect::permanent(&format!("/schule/{nr}/")).into_response()
}

/// `GET /schule/<nr>/`: the public start page, or the redirect to the school's website.
pub async fn start(State(state): State<AppState>, Path(nr): Path<String>, page: Page) -> Response {
    let canonical = canonical_page(page.lang, state.demo, format!("/schule/{nr}/"));
    let result = state
        .platform
        .public_homepage(&nr, page.lang.code(), |home| render(home, &canonical, None))
        .await;
    respond(&state, &page, result)
}

/// `GET /schule/<nr>/seite/<slug>`: a published page; anything else is not found.
pub async fn sub_page(
    State(state): State<AppState>,
    Path((nr, slug)): Path<(String, String)>,
    page: Page,
) -> Response {
    if slug.is_empty() || slug.len() > 60 {
        return errors::not_found(page).await;
    }
    let canonical = canonical_page(page.lang, state.demo, format!("/schule/{nr}/seite/{slug}"));
    let variant = format!("seite/{slug}.{}", page.lang.code());
    let result = state
        .platform
        .public_homepage(&nr, &variant, |home| {
            home.page(&slug)
                .and_then(|p| render(home, &canonical, Some(p)))
        })
        .await;
    respond(&state, &page, result)
}

fn respond(
    state: &AppState,
    page: &Page,
    result: Result<schulhof_domain::homepage::Cached, DomainError>,
) -> Response {
    let cached = match result {
        Ok(c) => c,
        Err(e) => return failed(page, &e),
    };
    // The demo school's passwords are public: only a server started with --demo shows it.
    if cached.home.demo && !state.demo {
        return failed(page, &DomainError::NotFound);
    }
    if let Some(url) = &cached.home.redirect_url {
        let mut r = Redirect::temporary(url).into_response();
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        return r;
    }
    match cached.body {
        Some(body) => public_html(body),
        None => failed(page, &DomainError::NotFound),
    }
}

/// `GET /schule/<nr>/bild/<id>`: a picture of the start page, for everyone. Its address
/// never changes its content, so browsers keep it long.
pub async fn image(
    State(state): State<AppState>,
    Path((nr, id)): Path<(String, String)>,
    page: Page,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return errors::not_found(page).await;
    };
    let (row, reader) = match state.platform.public_homepage_image(&nr, id).await {
        Ok(x) => x,
        Err(e) => return failed(&page, &e),
    };
    let len = reader.size();
    let mut r = (StatusCode::OK, Body::from_stream(reader.into_stream(len))).into_response();
    let h = r.headers_mut();
    let kind = HeaderValue::from_str(&row.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, kind);
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    r
}
