//! Deleting messages and moderating rooms. A moderator's step (removing someone else's
//! message, locking, announcement mode) is audited and shown in the room as a notice.

use schulhof_authz::chat::{ModerateRoom, WriteRoom};
use schulhof_authz::check;
use schulhof_store::chat::RoomId;
use schulhof_store::chat::messages::{self as store, NewMessage};
use schulhof_store::chat::rooms;
use schulhof_store::to_us;

use super::messages::Change;
use crate::audit::{self, Event};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A moderator's switch of a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderation {
    /// Read-only except for moderators.
    Lock,
    Unlock,
    /// Only moderators write (a standing announcement room).
    AnnounceOn,
    AnnounceOff,
}

impl Moderation {
    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::Lock => "locked",
            Moderation::Unlock => "unlocked",
            Moderation::AnnounceOn => "announce_on",
            Moderation::AnnounceOff => "announce_off",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "locked" | "lock" => Some(Moderation::Lock),
            "unlocked" | "unlock" => Some(Moderation::Unlock),
            "announce_on" => Some(Moderation::AnnounceOn),
            "announce_off" => Some(Moderation::AnnounceOff),
            _ => None,
        }
    }
}

impl Platform {
    /// Deletes a message: the author its own (while it may write), a moderator any. Its
    /// mention notifications are taken back, mailed or not.
    pub async fn chat_delete(
        &self,
        actor: &Actor,
        room: RoomId,
        seq: i64,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let me = actor.token.user();
        let mut ch = self.chat_begin(actor, room).await?;
        let m = store::find(&mut ch.tx, instance, room, seq)
            .await?
            .ok_or(DomainError::NotFound)?;
        if m.deleted_at.is_some() || m.notice.is_some() {
            return Err(DomainError::NotFound);
        }
        let own = m.author == Some(me);
        if own {
            check(&actor.token, WriteRoom(ch.facts))?;
        } else {
            check(&actor.token, ModerateRoom(ch.facts))?;
        }
        let rev = self.chat_next(&mut ch, instance).await?;
        let now = to_us(self.now());
        store::delete(&mut ch.tx, instance, room, seq, rev, me, now).await?;
        // Its mentions go with it (a held message has none yet).
        if m.visible_from.is_none_or(|v| v <= now) {
            let old = super::messages::open_text(&ch.key, &m.body)?;
            self.chat_unmention(&mut ch.tx, instance, room, seq, &old, None)
                .await?;
        }
        // A deleted message keeps no file: its blob is collected once nothing refers to it.
        schulhof_store::chat::upkeep::delete_attachment(&mut ch.tx, instance, room, seq).await?;
        if !own {
            let detail = serde_json::json!({ "seq": seq, "author": m.author_name });
            self.chat_notice(&mut ch, actor, "removed", Some(detail))
                .await?;
        }
        self.chat_commit(actor, ch).await
    }

    /// Locks or unlocks a room, or switches its announcement mode.
    pub async fn chat_moderate(
        &self,
        actor: &Actor,
        room: RoomId,
        step: Moderation,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let mut ch = self.chat_begin(actor, room).await?;
        check(&actor.token, ModerateRoom(ch.facts))?;
        let (mut locked, mut announce) = (ch.facts.locked, ch.facts.announce);
        match step {
            Moderation::Lock => locked = true,
            Moderation::Unlock => locked = false,
            Moderation::AnnounceOn => announce = true,
            Moderation::AnnounceOff => announce = false,
        }
        if (locked, announce) == (ch.facts.locked, ch.facts.announce) {
            return Ok(());
        }
        rooms::set_flags(&mut ch.tx, instance, room, locked, announce).await?;
        self.chat_notice(&mut ch, actor, step.as_str(), None)
            .await?;
        self.chat_commit(actor, ch).await
    }

    /// Puts a moderation notice into the room and the audit log, in the change.
    async fn chat_notice(
        &self,
        ch: &mut Change,
        actor: &Actor,
        notice: &str,
        detail: Option<serde_json::Value>,
    ) -> Result<(), DomainError> {
        self.chat_notice_with(ch, actor, notice, detail, "").await
    }

    /// A moderation notice with a line shown with it in the room (whom it concerns, until
    /// when), sealed like a message's text.
    pub(crate) async fn chat_notice_with(
        &self,
        ch: &mut Change,
        actor: &Actor,
        notice: &str,
        detail: Option<serde_json::Value>,
        shown: &str,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let now = self.now();
        let seq = self.chat_next(ch, instance).await?;
        let body = if shown.is_empty() {
            Vec::new()
        } else {
            super::messages::seal(&ch.key, shown)?
        };
        let m = NewMessage {
            seq,
            author: actor.token.user(),
            notice: Some(notice),
            body: &body,
            reply_to: None,
            search: None,
        };
        store::insert(&mut ch.tx, instance, ch.room, &m, to_us(now)).await?;
        let object = ch.room.to_string();
        let action = format!("chat.{notice}");
        audit::record(
            &mut ch.tx,
            instance,
            now,
            Event {
                kind: "chat",
                actor: Some(actor.token.user()),
                holder: actor.user.holder_id,
                action: &action,
                object: Some(&object),
                client_addr: None,
                detail,
            },
        )
        .await
    }
}
