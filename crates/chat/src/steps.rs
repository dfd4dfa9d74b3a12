//! The JSON API of moderation steps (mute, pin, reports, quiet hours), per-room silencing,
//! search and attachments. Decisions are the domain's; a room one may not see is 404.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use schulhof_domain::chat::RoomId;
use schulhof_domain::chat::attach::AttachmentBody;
use schulhof_front::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ChatError, actor_of};

fn room_id(s: &str) -> Result<RoomId, ChatError> {
    s.parse()
        .map_err(|_| ChatError::new(StatusCode::NOT_FOUND, "not_found", "Not found."))
}

fn bad_json(e: JsonRejection) -> ChatError {
    ChatError::new(StatusCode::BAD_REQUEST, "invalid_json", e.body_text())
}

#[derive(Deserialize)]
pub struct MuteBody {
    login: String,
    /// 0 lifts the mute.
    minutes: i64,
}

pub async fn mute(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<MuteBody>, JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(b) = body.map_err(bad_json)?;
    s.platform
        .chat_mute(&actor, room_id(&id)?, &b.login, b.minutes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct PinBody {
    #[serde(default = "yes")]
    on: bool,
}

fn yes() -> bool {
    true
}

pub async fn pin(
    State(s): State<AppState>,
    h: HeaderMap,
    Path((id, seq)): Path<(String, i64)>,
    body: Result<Json<PinBody>, JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(b) = body.map_err(bad_json)?;
    s.platform
        .chat_pin(&actor, room_id(&id)?, seq, b.on)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ReportBody {
    #[serde(default)]
    reason: String,
}

pub async fn report(
    State(s): State<AppState>,
    h: HeaderMap,
    Path((id, seq)): Path<(String, i64)>,
    body: Result<Json<ReportBody>, JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(b) = body.map_err(bad_json)?;
    s.platform
        .chat_report(&actor, room_id(&id)?, seq, &b.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn reports(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let reports = s.platform.chat_reports(&actor, room_id(&id)?).await?;
    Ok(Json(json!({ "reports": reports })))
}

#[derive(Deserialize)]
pub struct SilenceBody {
    silenced: bool,
}

pub async fn silence(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<SilenceBody>, JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(b) = body.map_err(bad_json)?;
    s.platform
        .chat_silence(&actor, room_id(&id)?, b.silenced)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct QuietBody {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn quiet(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<QuietBody>, JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(b) = body.map_err(bad_json)?;
    s.platform
        .chat_set_quiet(&actor, room_id(&id)?, &b.from, &b.to)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn search(
    State(s): State<AppState>,
    h: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let hits = s.platform.chat_search(&actor, &q.q).await?;
    Ok(Json(json!({ "hits": hits })))
}

/// `POST …/attachments`: a multipart form with `file`, optional `text` and `voice=1`.
pub async fn attach(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<(StatusCode, Json<Value>), ChatError> {
    let actor = actor_of(&s, &h).await?;
    let room = room_id(&id)?;
    let up = schulhof_front::upload::read(form, "file")
        .await
        .map_err(|e| ChatError::new(e.status(), "invalid_upload", "The upload failed."))?;
    let file = up.file.as_ref().ok_or_else(|| {
        ChatError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "file: missing",
        )
    })?;
    let limit = schulhof_domain::chat::attach::MAX_ATTACHMENT as u64;
    let too_big = file.temp.as_file().metadata().map(|m| m.len() > limit);
    if too_big.unwrap_or(true) {
        return Err(ChatError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "The file is too large.",
        ));
    }
    // The form spooled the file to a temporary file; from there it streams in, sealed.
    let input = tokio::fs::File::open(file.temp.path()).await.map_err(|e| {
        ChatError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    })?;
    let voice = up.get("voice") == "1";
    let seq = s
        .platform
        .chat_attach_from(&actor, room, &file.name, input, voice, up.get("text"))
        .await
        .map_err(ChatError::write)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "room": room, "seq": seq })),
    ))
}

/// `GET …/messages/{seq}/attachment`: the content, for the room's members only.
pub async fn attachment(
    State(s): State<AppState>,
    h: HeaderMap,
    Path((id, seq)): Path<(String, i64)>,
) -> Result<Response, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let a = s
        .platform
        .chat_attachment(&actor, room_id(&id)?, seq)
        .await?;
    let size = u64::try_from(a.size).unwrap_or(0);
    Ok(match a.body {
        // Sealed: unsealed as it streams, never cached (like the Safe's documents).
        AttachmentBody::Sealed(plain) => {
            schulhof_front::files::download_stream(&a.name, size, Some(&a.content_type), plain)
        }
        // Stored before sealing: as it is, with ranges.
        AttachmentBody::Plain(reader) => {
            let what = schulhof_front::files::Download {
                name: &a.name,
                size,
                mime: Some(&a.content_type),
                etag: &a.etag,
            };
            schulhof_front::files::download_as(&what, reader, &h).await
        }
    })
}
