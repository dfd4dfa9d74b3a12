//! The room's further forms (all work without JavaScript): report, pin, mute, quiet hours,
//! silencing, attachments with their download, the reports of a room, search in the
//! caller's rooms and the school's chat settings. The domain decides every right.

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::chat::attach::{AttachmentBody, AttachmentContent};
use schulhof_domain::chat::{Report, SearchHit};
use schulhof_front::AppState;
use serde::Deserialize;

use super::parse;
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

fn back(id: &str, r: Result<(), DomainError>, ready: &Ready) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/chat/{id}")).into_response(),
        Err(e) => ready.fail(e),
    }
}

#[derive(Deserialize)]
pub(super) struct ReportForm {
    #[serde(default)]
    reason: String,
}

/// `POST /chat/{id}/melden/{seq}`.
pub(super) async fn report(
    State(s): State<AppState>,
    r: Ready,
    Path((id, seq)): Path<(String, i64)>,
    Form(f): Form<ReportForm>,
) -> Response {
    let res = async {
        let room = parse(&id)?;
        s.platform.chat_report(&r.actor, room, seq, &f.reason).await
    };
    let res = res.await;
    back(&id, res, &r)
}

#[derive(Deserialize)]
pub(super) struct PinForm {
    action: String,
}

/// `POST /chat/{id}/anheften/{seq}`: `action` = `pin` or `unpin`.
pub(super) async fn pin(
    State(s): State<AppState>,
    r: Ready,
    Path((id, seq)): Path<(String, i64)>,
    Form(f): Form<PinForm>,
) -> Response {
    let res = async {
        let room = parse(&id)?;
        s.platform
            .chat_pin(&r.actor, room, seq, f.action == "pin")
            .await
    };
    let res = res.await;
    back(&id, res, &r)
}

#[derive(Deserialize)]
pub(super) struct MuteForm {
    login: String,
    minutes: String,
}

/// `POST /chat/{id}/stumm`.
pub(super) async fn mute(
    State(s): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<MuteForm>,
) -> Response {
    let res = async {
        let room = parse(&id)?;
        let minutes = f
            .minutes
            .trim()
            .parse()
            .map_err(|_| DomainError::invalid("minutes", "Bitte eine Dauer wählen."))?;
        s.platform
            .chat_mute(&r.actor, room, &f.login, minutes)
            .await
    };
    let res = res.await;
    back(&id, res, &r)
}

#[derive(Deserialize)]
pub(super) struct QuietForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `POST /chat/{id}/ruhezeit`.
pub(super) async fn quiet(
    State(s): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<QuietForm>,
) -> Response {
    let res = async {
        let room = parse(&id)?;
        s.platform
            .chat_set_quiet(&r.actor, room, &f.from, &f.to)
            .await
    };
    let res = res.await;
    back(&id, res, &r)
}

#[derive(Deserialize)]
pub(super) struct SilenceForm {
    silenced: String,
}

/// `POST /chat/{id}/benachrichtigungen`: `silenced` = `ja` or `nein`.
pub(super) async fn silence(
    State(s): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<SilenceForm>,
) -> Response {
    let res = async {
        let room = parse(&id)?;
        s.platform
            .chat_silence(&r.actor, room, f.silenced == "ja")
            .await
    };
    let res = res.await;
    back(&id, res, &r)
}

/// `POST /chat/{id}/anhang`: a multipart form with `file`, `text` and `voice=1` for a
/// recording (chat.js sends recordings here too). The file streams into the blob store,
/// sealed as it arrives.
pub(super) async fn attach(
    State(s): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let too_big = || DomainError::invalid("file", "Die Datei ist zu groß.");
    let Ok(mut form) = form else {
        return r.fail(too_big());
    };
    let room = match parse(&id) {
        Ok(room) => room,
        Err(e) => return r.fail(e),
    };
    // The route's body limit caps the request (a little above the domain's own limit).
    let (mut name, mut up, mut voice, mut text) = (String::new(), None, false, String::new());
    loop {
        match form.next_field().await {
            Ok(Some(mut f)) => match f.name().unwrap_or("") {
                "file" if up.is_none() => {
                    name = f.file_name().unwrap_or("").to_owned();
                    let mut pending = match s.platform.chat_attach_begin(&r.actor, room).await {
                        Ok(p) => p,
                        Err(e) => return r.fail(e),
                    };
                    loop {
                        match f.chunk().await {
                            Ok(Some(b)) => {
                                if let Err(e) = pending.write(&b).await {
                                    return r.fail(e);
                                }
                            }
                            Ok(None) => break,
                            Err(_) => return r.fail(too_big()),
                        }
                    }
                    up = Some(pending);
                }
                "voice" => voice = f.text().await.is_ok_and(|v| v == "1"),
                "text" => text = f.text().await.unwrap_or_default(),
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return r.fail(too_big()),
        }
    }
    let res = async {
        let up = up
            .filter(|u| u.size() > 0 || !name.is_empty())
            .ok_or_else(|| DomainError::invalid("file", "Bitte eine Datei auswählen."))?;
        s.platform
            .chat_attach_finish(&r.actor, up, &name, voice, &text)
            .await
    };
    match res.await {
        Ok(seq) => Redirect::to(&format!("/chat/{id}#m-{seq}")).into_response(),
        Err(e) => r.fail(e),
    }
}

/// `GET /chat/{id}/anhang/{seq}`: members only; 404 for everyone else.
pub(super) async fn download(
    State(s): State<AppState>,
    r: Ready,
    h: HeaderMap,
    Path((id, seq)): Path<(String, i64)>,
) -> Response {
    let res = async {
        let room = parse(&id)?;
        s.platform.chat_attachment(&r.actor, room, seq).await
    };
    match res.await {
        Ok(a) => send_attachment(a, &h).await,
        Err(e) => r.fail(e),
    }
}

/// An attachment's content: a sealed one unsealed as it streams (never cached, like the
/// Safe's), an older plain one with ranges.
async fn send_attachment(a: AttachmentContent, h: &HeaderMap) -> Response {
    let size = u64::try_from(a.size).unwrap_or(0);
    match a.body {
        AttachmentBody::Sealed(plain) => {
            schulhof_front::files::download_stream(&a.name, size, Some(&a.content_type), plain)
        }
        AttachmentBody::Plain(reader) => {
            let what = schulhof_front::files::Download {
                name: &a.name,
                size,
                mime: Some(&a.content_type),
                etag: &a.etag,
            };
            schulhof_front::files::download_as(&what, reader, h).await
        }
    }
}

#[derive(Template)]
#[template(path = "chat/reports.html")]
struct ReportsPage {
    c: Chrome,
    back: String,
    reports: Vec<(Report, String)>,
}

/// `GET /chat/{id}/meldungen`: the room's reports, for its moderators.
pub(super) async fn reports(
    State(s): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let res = async {
        let room = parse(&id)?;
        s.platform.chat_reports(&r.actor, room).await
    };
    let list = match res.await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let page = ReportsPage {
        c: Chrome::new(&r.page, tr.t("chat.reports")).signed_in(&r.page, &r.actor),
        back: format!("/chat/{id}"),
        reports: list
            .into_iter()
            .map(|x| {
                let when = zone.datetime(tr, x.created);
                (x, when)
            })
            .collect(),
    };
    render::ok(&page)
}

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "chat/search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    searched: bool,
    hits: Vec<(SearchHit, String)>,
}

/// `GET /chat/suche?q=…`.
pub(super) async fn search(
    State(s): State<AppState>,
    r: Ready,
    Query(q): Query<SearchQuery>,
) -> Response {
    let searched = !q.q.trim().is_empty();
    let hits = if searched {
        match s.platform.chat_search(&r.actor, &q.q).await {
            Ok(x) => x,
            Err(e) => return r.fail(e),
        }
    } else {
        Vec::new()
    };
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let page = SearchPage {
        c: Chrome::new(&r.page, tr.t("chat.search")).signed_in(&r.page, &r.actor),
        q: q.q,
        searched,
        hits: hits
            .into_iter()
            .map(|h| {
                let when = zone.datetime(tr, h.created);
                (h, when)
            })
            .collect(),
    };
    render::ok(&page)
}

#[derive(Template)]
#[template(path = "chat/settings.html")]
struct SettingsPage {
    c: Chrome,
    from: String,
    to: String,
    days: String,
}

/// `GET /chat/einstellungen`: the school's default quiet hours and deletion period.
pub(super) async fn settings(State(s): State<AppState>, r: Ready) -> Response {
    let now = match s.platform.chat_school_settings(&r.actor).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let (from, to) = now.quiet.unwrap_or_default();
    let tr = r.page.tr();
    let page = SettingsPage {
        c: Chrome::new(&r.page, tr.t("chat.settings")).signed_in(&r.page, &r.actor),
        from,
        to,
        days: now
            .retention_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
    };
    render::ok(&page)
}

#[derive(Deserialize)]
pub(super) struct SettingsForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    days: String,
}

/// `POST /chat/einstellungen`.
pub(super) async fn save_settings(
    State(s): State<AppState>,
    r: Ready,
    Form(f): Form<SettingsForm>,
) -> Response {
    let res = async {
        let days = match f.days.trim() {
            "" => None,
            d => Some(d.parse().map_err(|_| {
                DomainError::invalid("retention_days", "Bitte eine Zahl von Tagen angeben.")
            })?),
        };
        s.platform
            .chat_set_school_settings(&r.actor, &f.from, &f.to, days)
            .await
    };
    match res.await {
        Ok(()) => Redirect::to("/chat/einstellungen").into_response(),
        Err(e) => r.fail(e),
    }
}
