//! `/chat`: the caller's rooms with unread counts, one room with its messages and a form
//! that sends without JavaScript; `chat.js` goes live over `/api/v1/chat/socket`. The
//! domain decides every right; a room one may not see is 404.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_domain::chat::{ChatMessage, Moderation, RoomId, RoomView};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

mod steps;

pub fn routes() -> Router<AppState> {
    let upload = axum::extract::DefaultBodyLimit::max(
        schulhof_domain::chat::attach::MAX_ATTACHMENT + 64 * 1024,
    );
    Router::new()
        .route("/chat", get(list))
        .route("/chat/suche", get(steps::search))
        .route(
            "/chat/einstellungen",
            get(steps::settings).post(steps::save_settings),
        )
        .route("/chat/{id}", get(room).post(send))
        .route("/chat/{id}/melden/{seq}", post(steps::report))
        .route("/chat/{id}/anheften/{seq}", post(steps::pin))
        .route("/chat/{id}/stumm", post(steps::mute))
        .route("/chat/{id}/ruhezeit", post(steps::quiet))
        .route("/chat/{id}/benachrichtigungen", post(steps::silence))
        .route("/chat/{id}/anhang", post(steps::attach).layer(upload))
        .route("/chat/{id}/anhang/{seq}", get(steps::download))
        .route("/chat/{id}/meldungen", get(steps::reports))
        .route("/chat/{id}/moderation", post(moderate))
        .route("/chat/{id}/loeschen/{seq}", post(delete))
}

/// A line of the room list.
struct RoomLine {
    href: String,
    name: String,
    kind: &'static str,
    unread: i64,
}

#[derive(Template)]
#[template(path = "chat/list.html")]
struct ListPage {
    c: Chrome,
    rooms: Vec<RoomLine>,
}

fn kind_label(tr: Tr, kind: &str) -> &'static str {
    match kind {
        "group" => tr.t("chat.kind.group"),
        "direct" => tr.t("chat.kind.direct"),
        _ => tr.t("chat.kind.adhoc"),
    }
}

/// `GET /chat`.
async fn list(State(state): State<AppState>, r: Ready) -> Response {
    let rooms = match state.platform.chat_rooms(&r.actor).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("chat.title")).signed_in(&r.page, &r.actor),
        rooms: rooms
            .into_iter()
            .map(|x| RoomLine {
                href: format!("/chat/{}", x.id),
                kind: kind_label(tr, x.kind),
                name: x.name,
                unread: x.unread,
            })
            .collect(),
    };
    render::ok(&view)
}

/// One message as the page shows it.
struct Line {
    seq: i64,
    author: String,
    when: String,
    text: String,
    notice: Option<&'static str>,
    deleted: bool,
    edited: bool,
    reply: Option<String>,
    reactions: String,
    delete_href: Option<String>,
    pinned: bool,
    /// Held for quiet hours (shown to its author only): until when.
    pending: Option<String>,
    /// The attachment: (href, name, kind `image`/`audio`/`file`).
    attachment: Option<(String, String, &'static str)>,
    /// Others' messages may be reported.
    may_report: bool,
}

#[derive(Template)]
#[template(path = "chat/room.html")]
struct RoomPage {
    c: Chrome,
    room: RoomView,
    lines: Vec<Line>,
    /// Why the form is missing, when it is.
    readonly: Option<&'static str>,
    seq: i64,
    script: String,
    /// Pinned messages among those shown: (seq, author, text).
    pins: Vec<(i64, String, String)>,
    muted_until: Option<String>,
    retention: Option<String>,
}

fn line(tr: Tr, zone: &Zone, room: &RoomView, m: ChatMessage) -> Line {
    let notice = m.notice.as_deref().map(|n| match n {
        "removed" => tr.t("chat.notice.removed"),
        "locked" => tr.t("chat.notice.locked"),
        "unlocked" => tr.t("chat.notice.unlocked"),
        "announce_on" => tr.t("chat.notice.announce_on"),
        "muted" => tr.t("chat.notice.muted"),
        "unmuted" => tr.t("chat.notice.unmuted"),
        "pinned" => tr.t("chat.notice.pinned"),
        "unpinned" => tr.t("chat.notice.unpinned"),
        "quiet_hours" => tr.t("chat.notice.quiet_hours"),
        _ => tr.t("chat.notice.announce_off"),
    });
    let may_delete =
        !m.deleted && notice.is_none() && ((m.mine && room.may_write) || room.moderator);
    let live = !m.deleted && notice.is_none();
    Line {
        seq: m.seq,
        author: m.author_name,
        when: zone.datetime(tr, m.created),
        notice,
        deleted: m.deleted,
        edited: m.edited,
        reply: m
            .reply_to
            .map(|s| tr.t("chat.reply_to").replace("{seq}", &s.to_string())),
        reactions: m
            .reactions
            .iter()
            .map(|x| format!("{} {}", x.emoji, x.count))
            .collect::<Vec<_>>()
            .join(" · "),
        delete_href: may_delete.then(|| format!("/chat/{}/loeschen/{}", room.id, m.seq)),
        pinned: m.pinned,
        pending: m.pending_until.map(|t| zone.datetime(tr, t)),
        attachment: m.attachment.filter(|_| live).map(|a| {
            let href = format!("/chat/{}/anhang/{}", room.id, m.seq);
            (href, a.name, a.kind)
        }),
        may_report: live && !m.mine,
        text: m.text,
    }
}

fn parse(id: &str) -> Result<RoomId, DomainError> {
    id.parse().map_err(|_| DomainError::NotFound)
}

/// `GET /chat/{id}`: the newest messages; viewing them marks them read.
async fn room(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let p = &state.platform;
    let loaded = async {
        let id = parse(&id)?;
        let room = p.chat_room(&r.actor, id).await?;
        let messages = p.chat_messages(&r.actor, id, None).await?;
        p.chat_read(&r.actor, id, room.last_seq).await?;
        Ok::<_, DomainError>((room, messages))
    };
    let (room, messages) = match loaded.await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let readonly = (!room.may_write).then(|| {
        if room.muted_until.is_some() {
            tr.t("chat.muted")
        } else if room.locked {
            tr.t("chat.locked")
        } else if room.announce {
            tr.t("chat.announce")
        } else {
            tr.t("chat.readonly")
        }
    });
    let seq = messages
        .iter()
        .map(|m| m.rev)
        .max()
        .unwrap_or(0)
        .max(room.last_seq);
    let pins = messages
        .iter()
        .filter(|m| m.pinned && !m.deleted)
        .map(|m| (m.seq, m.author_name.clone(), m.text.clone()))
        .collect();
    let view = RoomPage {
        pins,
        muted_until: room.muted_until.map(|t| zone.datetime(tr, t)),
        retention: room
            .retention_days
            .map(|d| tr.t("chat.retention").replace("{n}", &d.to_string())),
        c: Chrome::new(&r.page, &room.name).signed_in(&r.page, &r.actor),
        lines: messages
            .into_iter()
            .map(|m| line(tr, &zone, &room, m))
            .collect(),
        readonly,
        seq,
        script: crate::assets::href("chat.js"),
        room,
    };
    render::ok(&view)
}

#[derive(Deserialize)]
struct SendForm {
    text: String,
}

/// `POST /chat/{id}`: sends and shows the room again.
async fn send(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<SendForm>,
) -> Response {
    let sent = async {
        let room = parse(&id)?;
        state
            .platform
            .chat_send(&r.actor, room, &f.text, None)
            .await
    };
    match sent.await {
        Ok(seq) => Redirect::to(&format!("/chat/{id}#m-{seq}")).into_response(),
        Err(e) => r.fail(e),
    }
}

#[derive(Deserialize)]
struct ModerationForm {
    action: String,
}

/// `POST /chat/{id}/moderation`: lock, unlock, announcement mode on or off.
async fn moderate(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<ModerationForm>,
) -> Response {
    let done = async {
        let room = parse(&id)?;
        let step =
            Moderation::parse(&f.action).ok_or_else(|| DomainError::invalid("action", "?"))?;
        state.platform.chat_moderate(&r.actor, room, step).await
    };
    match done.await {
        Ok(()) => Redirect::to(&format!("/chat/{id}")).into_response(),
        Err(e) => r.fail(e),
    }
}

/// `POST /chat/{id}/loeschen/{seq}`: the author or a moderator deletes a message.
async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path((id, seq)): Path<(String, i64)>,
) -> Response {
    let done = async {
        let room = parse(&id)?;
        state.platform.chat_delete(&r.actor, room, seq).await
    };
    match done.await {
        Ok(()) => Redirect::to(&format!("/chat/{id}")).into_response(),
        Err(e) => r.fail(e),
    }
}
