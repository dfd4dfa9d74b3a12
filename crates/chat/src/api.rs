//! The chat's JSON API. A room the caller may not see answers 404; a refused write 403
//! with the code `chat_write_refused`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use schulhof_domain::chat::{Moderation, RoomId};
use schulhof_front::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ChatError, actor_of};

type Answer = Result<Json<Value>, ChatError>;

fn room_id(s: &str) -> Result<RoomId, ChatError> {
    s.parse()
        .map_err(|_| ChatError::new(StatusCode::NOT_FOUND, "not_found", "Not found."))
}

fn bad_json(e: axum::extract::rejection::JsonRejection) -> ChatError {
    ChatError::new(StatusCode::BAD_REQUEST, "invalid_json", e.body_text())
}

pub async fn rooms(State(s): State<AppState>, h: HeaderMap) -> Answer {
    let actor = actor_of(&s, &h).await?;
    let rooms = s.platform.chat_rooms(&actor).await?;
    Ok(Json(json!({ "rooms": rooms })))
}

pub async fn room(State(s): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Answer {
    let actor = actor_of(&s, &h).await?;
    let room = s.platform.chat_room(&actor, room_id(&id)?).await?;
    Ok(Json(json!(room)))
}

#[derive(Deserialize)]
pub struct After {
    after: Option<i64>,
}

pub async fn messages(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<After>,
) -> Answer {
    let actor = actor_of(&s, &h).await?;
    let room = room_id(&id)?;
    if let Some(after) = q.after {
        // Pollers share the node's read of a room change with the sockets; `seq` is the
        // next cursor, `more` says a page limit was reached.
        let c = s.platform.chat_changes(&actor, room, after, false).await?;
        return Ok(Json(
            json!({ "room": room, "seq": c.upto, "messages": c.messages, "more": c.more }),
        ));
    }
    let messages = s.platform.chat_messages(&actor, room, None).await?;
    let seq = messages
        .iter()
        .map(|m| m.rev)
        .max()
        .or(q.after)
        .unwrap_or(0);
    Ok(Json(
        json!({ "room": room, "seq": seq, "messages": messages }),
    ))
}

#[derive(Deserialize)]
pub struct Text {
    text: String,
    #[serde(default)]
    reply_to: Option<i64>,
}

pub async fn send(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<Text>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ChatError> {
    let actor = actor_of(&s, &h).await?;
    let room = room_id(&id)?;
    let Json(t) = body.map_err(bad_json)?;
    let seq = s
        .platform
        .chat_send(&actor, room, &t.text, t.reply_to)
        .await
        .map_err(ChatError::write)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "room": room, "seq": seq })),
    ))
}

pub async fn edit(
    State(s): State<AppState>,
    h: HeaderMap,
    Path((id, seq)): Path<(String, i64)>,
    body: Result<Json<Text>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(t) = body.map_err(bad_json)?;
    s.platform
        .chat_edit(&actor, room_id(&id)?, seq, &t.text)
        .await
        .map_err(ChatError::write)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(s): State<AppState>,
    h: HeaderMap,
    Path((id, seq)): Path<(String, i64)>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    s.platform
        .chat_delete(&actor, room_id(&id)?, seq)
        .await
        .map_err(ChatError::write)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ReactBody {
    emoji: String,
    #[serde(default = "yes")]
    on: bool,
}

fn yes() -> bool {
    true
}

pub async fn react(
    State(s): State<AppState>,
    h: HeaderMap,
    Path((id, seq)): Path<(String, i64)>,
    body: Result<Json<ReactBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(r) = body.map_err(bad_json)?;
    s.platform
        .chat_react(&actor, room_id(&id)?, seq, &r.emoji, r.on)
        .await
        .map_err(ChatError::write)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ReadBody {
    seq: i64,
}

pub async fn read(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<ReadBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(r) = body.map_err(bad_json)?;
    s.platform.chat_read(&actor, room_id(&id)?, r.seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ModerationBody {
    /// `lock`, `unlock`, `announce_on`, `announce_off`.
    action: String,
}

pub async fn moderate(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<ModerationBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(m) = body.map_err(bad_json)?;
    let step = Moderation::parse(&m.action).ok_or_else(|| {
        ChatError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "action: lock, unlock, announce_on or announce_off",
        )
    })?;
    s.platform
        .chat_moderate(&actor, room_id(&id)?, step)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn open_direct(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(login): Path<String>,
) -> Answer {
    let actor = actor_of(&s, &h).await?;
    let room = s
        .platform
        .chat_open_direct(&actor, &login)
        .await
        .map_err(ChatError::write)?;
    Ok(Json(json!({ "room": room })))
}

#[derive(Deserialize)]
pub struct NewRoomBody {
    name: String,
    #[serde(default)]
    logins: Vec<String>,
}

pub async fn create_room(
    State(s): State<AppState>,
    h: HeaderMap,
    body: Result<Json<NewRoomBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(r) = body.map_err(bad_json)?;
    let room = s
        .platform
        .chat_create_room(&actor, &r.name, &r.logins)
        .await
        .map_err(ChatError::write)?;
    Ok((StatusCode::CREATED, Json(json!({ "room": room }))))
}
