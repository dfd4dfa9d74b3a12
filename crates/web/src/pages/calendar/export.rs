//! ICS: a calendar as an `.ics` download, private subscription addresses (made, shown once,
//! revoked) and the feed they lead to, and importing an `.ics` file with a preview first
//! and a report after. The domain reads and checks every byte; all or nothing is stored.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::calendar::{CalendarError, MAX_IMPORT, SubscriptionId};
use schulhof_front::AppState;

use super::parse_calendar;
use crate::auth::Ready;
use crate::forms::Failure;
use crate::layout::Chrome;
use crate::render;
use crate::url;
use crate::when::Zone;

/// The body limit of the import's two requests: the file, and the text sent back once more.
pub const IMPORT_BODY: usize = 3 * MAX_IMPORT + 64 * 1024;

#[derive(Template)]
#[template(path = "calendar/import.html")]
struct ImportPage {
    c: Chrome,
    id: String,
    heading: String,
    calendar: String,
    count_text: Option<String>,
    rows: Vec<(String, String)>,
    problems: Vec<String>,
    /// The file's text, sent back with "take over".
    apply_token: Option<String>,
}

/// A file name from a calendar's name: letters and digits, the rest `-`.
fn file_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-');
    if s.is_empty() {
        "kalender".into()
    } else {
        s.to_owned()
    }
}

/// `GET /kalender/{cal}/export.ics`.
pub async fn download(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let cal = match parse_calendar(&id) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let p = &state.platform;
    let (info, text) = match (
        p.calendar(&r.actor, cal).await,
        p.calendar_export(&r.actor, cal).await,
    ) {
        (Ok(i), Ok(t)) => (i, t),
        (Err(e), _) | (_, Err(e)) => return r.fail(e.into()),
    };
    let disposition = format!("attachment; filename=\"{}.ics\"", file_name(&info.name));
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        text,
    )
        .into_response()
}

/// The address of a feed as the browser reached this server.
pub fn feed_url(headers: &HeaderMap, secure: bool, secret: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if secure { "https" } else { "http" };
    format!("{scheme}://{host}/kalender-abo/{secret}")
}

/// `POST /kalender/{cal}/abo`: a new private address, shown this once on the settings page.
pub async fn subscribe(
    State(state): State<AppState>,
    r: Ready,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let cal = match parse_calendar(&id) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    match state.platform.calendar_subscribe(&r.actor, cal).await {
        Ok((_, secret)) => {
            let address = feed_url(&headers, state.secure_cookies, &secret);
            let mut resp = super::settings::page_with(&state, &r, &id, None, Some(address)).await;
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => r.fail(e.into()),
    }
}

/// `POST /kalender/abos/{id}/widerrufen`: the address stops working at once.
pub async fn revoke(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Ok(sub) = uuid::Uuid::parse_str(&id).map(SubscriptionId) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let cal = match p.calendar_subscriptions(&r.actor).await {
        Ok(v) => v.into_iter().find(|s| s.id == sub).map(|s| s.calendar),
        Err(e) => return r.fail(e.into()),
    };
    match p.calendar_unsubscribe(&r.actor, sub).await {
        Ok(()) => match cal {
            Some(c) => Redirect::to(&format!("/kalender/{c}/einstellungen?ok=cal_sub_revoked")),
            None => Redirect::to("/kalender?ok=cal_sub_revoked"),
        }
        .into_response(),
        Err(e) => r.fail(e.into()),
    }
}

/// `GET /kalender-abo/{secret}`: the feed for calendar programs, without a login; an
/// unknown or revoked secret is 404.
pub async fn feed(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    match state.platform.calendar_feed(&secret).await {
        Ok((_, text)) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(CalendarError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            let d: DomainError = e.into();
            let info = schulhof_front::error_info(&d);
            info.status.into_response()
        }
    }
}

/// The bytes of the form's `datei` part, at most the import limit.
async fn file_of(mut form: Multipart) -> Option<Vec<u8>> {
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("datei") {
            let bytes = field.bytes().await.ok()?;
            return (!bytes.is_empty()).then(|| bytes.to_vec());
        }
    }
    None
}

fn import_page(r: &Ready, id: &str, calendar: String, heading: &'static str) -> ImportPage {
    ImportPage {
        c: Chrome::new(&r.page, heading).signed_in(&r.page, &r.actor),
        id: id.to_owned(),
        heading: heading.to_owned(),
        calendar,
        count_text: None,
        rows: Vec::new(),
        problems: Vec::new(),
        apply_token: None,
    }
}

/// `POST /kalender/{cal}/import`: the file checked, what would be taken over, what not.
pub async fn preview(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let cal = match parse_calendar(&id) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let Some(bytes) = file_of(form).await else {
        let fl = Failure::local("import", "datei", tr.t("cal.import.no_file"));
        return super::settings::page_with(&state, &r, &id, Some(&fl), None).await;
    };
    let p = &state.platform;
    let info = match p.calendar(&r.actor, cal).await {
        Ok(i) => i,
        Err(e) => return r.fail(e.into()),
    };
    let pv = match p.calendar_import_preview(&r.actor, cal, &bytes).await {
        Ok(v) => v,
        Err(e @ (CalendarError::NotFound | CalendarError::Forbidden)) => return r.fail(e.into()),
        Err(e) => {
            let fl = Failure::from_domain("import", tr, &e.into());
            let fl = Failure {
                field: Some("datei"),
                ..fl
            };
            return super::settings::page_with(&state, &r, &id, Some(&fl), None).await;
        }
    };
    let mut page = import_page(&r, &id, info.name, tr.t("cal.import.preview"));
    page.count_text = Some(
        tr.t("cal.import.count")
            .replace("{n}", &pv.events.len().to_string()),
    );
    page.rows = pv
        .events
        .into_iter()
        .map(|e| {
            (
                e.summary,
                e.start.map(|s| zone.datetime(tr, s)).unwrap_or_default(),
            )
        })
        .collect();
    page.problems = pv.problems.iter().map(|m| tr.message(m)).collect();
    page.apply_token =
        (!page.rows.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned());
    render::ok(&page)
}

/// `POST /kalender/{cal}/import/ausfuehren`: stores all events or none, then the report.
pub async fn apply(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let tr = r.page.tr();
    let cal = match parse_calendar(&id) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let text = url::query_param(Some(&body), "datei").unwrap_or_default();
    let p = &state.platform;
    let info = match p.calendar(&r.actor, cal).await {
        Ok(i) => i,
        Err(e) => return r.fail(e.into()),
    };
    match p.calendar_import(&r.actor, cal, text.as_bytes()).await {
        Ok(rep) => {
            let mut page = import_page(&r, &id, info.name, tr.t("cal.import.report"));
            page.count_text = Some(
                tr.t("cal.import.done")
                    .replace("{n}", &(rep.created + rep.replaced).to_string()),
            );
            page.problems = rep.problems.iter().map(|m| tr.message(m)).collect();
            render::ok(&page)
        }
        Err(e @ (CalendarError::NotFound | CalendarError::Forbidden)) => r.fail(e.into()),
        Err(e) => {
            let fl = Failure::from_domain("import", tr, &e.into());
            let fl = Failure {
                field: Some("datei"),
                ..fl
            };
            super::settings::page_with(&state, &r, &id, Some(&fl), None).await
        }
    }
}
