//! What one does with a message from its page: mark it read, unread, flagged or not, move it
//! to another folder, or delete it (to the trash; in the trash, for good). Each is a plain
//! form that answers with a redirect and a message.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::mail::{FlagOp, Flags};
use schulhof_front::AppState;

use super::{back_to, folder_href, message_href, parse_folder, parse_message};
use crate::auth::Ready;

#[derive(Debug, Default, serde::Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    pub aktion: String,
}

/// `POST /mail/nachricht/{id}/markieren`: `aktion` is gelesen, ungelesen, markiert or
/// unmarkiert. Marked unread, the reader goes back to the folder (opening the message
/// again would mark it read).
pub async fn mark(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(form): Form<MarkForm>,
) -> Response {
    let result: Result<Response, DomainError> = async {
        let id = parse_message(&id)?;
        let (op, flags) = match form.aktion.as_str() {
            "gelesen" => (
                FlagOp::Add,
                Flags {
                    seen: true,
                    ..Flags::default()
                },
            ),
            "ungelesen" => (
                FlagOp::Remove,
                Flags {
                    seen: true,
                    ..Flags::default()
                },
            ),
            "markiert" => (
                FlagOp::Add,
                Flags {
                    flagged: true,
                    ..Flags::default()
                },
            ),
            "unmarkiert" => (
                FlagOp::Remove,
                Flags {
                    flagged: true,
                    ..Flags::default()
                },
            ),
            _ => return Err(DomainError::NotFound),
        };
        state
            .platform
            .mail_set_flag(&r.actor, id, op, flags)
            .await?;
        if form.aktion == "ungelesen" {
            let m = state.platform.mail_message(&r.actor, id).await?;
            return Ok(back_to(&folder_href(m.folder), "mail_marked"));
        }
        Ok(back_to(&message_href(id), "mail_marked"))
    }
    .await;
    result.unwrap_or_else(|e| r.fail(e))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    pub ziel: String,
}

/// `POST /mail/nachricht/{id}/verschieben`: into another own folder.
pub async fn move_to(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Response {
    let result: Result<Response, DomainError> = async {
        let id = parse_message(&id)?;
        let target = parse_folder(&form.ziel)?;
        let m = state.platform.mail_message(&r.actor, id).await?;
        if m.folder != target {
            state
                .platform
                .mail_move(&r.actor, m.folder, &[m.uid], target)
                .await?;
        }
        Ok(back_to(&folder_href(m.folder), "mail_moved"))
    }
    .await;
    result.unwrap_or_else(|e| r.fail(e))
}

/// `POST /mail/nachricht/{id}/loeschen`: to the trash, or out of the trash for good.
pub async fn delete(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let result: Result<Response, DomainError> = async {
        let id = parse_message(&id)?;
        let m = state.platform.mail_message(&r.actor, id).await?;
        let trash = state
            .platform
            .mail_special(&r.actor, schulhof_domain::mail::Special::Trash)
            .await?;
        state.platform.mail_delete_to_trash(&r.actor, &[id]).await?;
        let ok = if m.folder == trash {
            "mail_purged"
        } else {
            "mail_deleted"
        };
        Ok(back_to(&folder_href(m.folder), ok))
    }
    .await;
    result.unwrap_or_else(|e| r.fail(e))
}
