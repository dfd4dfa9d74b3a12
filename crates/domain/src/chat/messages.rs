//! Writing and reading messages. Each change takes the room's next sequence number in its
//! transaction, is committed, and only then announced on the bus.

use std::collections::BTreeMap;

use schulhof_authz::chat::{PostMessage, RoomFacts, WriteRoom, held_in_quiet_hours};
use schulhof_authz::check;
use schulhof_blob::SealKey;
use schulhof_store::chat::RoomId;
use schulhof_store::chat::messages::{self as store, MessageRow, NewMessage, Viewer};
use schulhof_store::chat::moderation;
use schulhof_store::chat::rooms::{self, RoomRow};
use schulhof_store::{Tx, from_us, to_us};
use schulhof_types::UserId;

use super::{Attachment, ChatMessage, ChatSignal, MAX_TEXT, MUTED, Reaction};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The most changes one fetch returns; clients continue from the last `rev` they got.
pub(crate) const PAGE: i64 = 500;
/// A room's first view.
const LATEST: i64 = 100;

/// A message text: not blank, not too long, no control characters but line breaks and tabs.
pub(crate) fn checked_text(text: &str) -> Result<&str, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DomainError::invalid("text", "Die Nachricht ist leer."));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(DomainError::invalid("text", "Die Nachricht ist zu lang."));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(DomainError::invalid(
            "text",
            "Die Nachricht enthält Steuerzeichen.",
        ));
    }
    Ok(t)
}

fn checked_emoji(e: &str) -> Result<&str, DomainError> {
    if e.is_empty()
        || e.chars().count() > 8
        || e.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(DomainError::invalid("emoji", "Keine gültige Reaktion."));
    }
    Ok(e)
}

pub(crate) fn seal(key: &SealKey, text: &str) -> Result<Vec<u8>, DomainError> {
    key.seal_small(text.as_bytes())
        .map_err(|e| DomainError::Internal(e.to_string()))
}

/// One open change of a room: its transaction, facts and the school's key.
pub(crate) struct Change {
    pub tx: Tx,
    pub facts: RoomFacts,
    /// The room with its settings and the caller's mute.
    pub row: RoomRow,
    pub key: SealKey,
    pub room: RoomId,
    pub last: i64,
}

impl Platform {
    pub fn chat_bus(&self) -> &super::ChatBus {
        &self.chat_bus
    }

    /// Opens a change of `room` for the caller (after the policy saw its facts).
    pub(crate) async fn chat_begin(
        &self,
        actor: &Actor,
        room: RoomId,
    ) -> Result<Change, DomainError> {
        // The key first: making it may need a transaction of its own.
        let key = self.school_key(actor.token.instance()).await?;
        let mut tx = self.db.begin().await?;
        let (row, facts) = self.chat_facts(&mut tx, actor, room).await?;
        Ok(Change {
            tx,
            facts,
            row,
            key,
            room,
            last: 0,
        })
    }

    /// The room's next sequence number within the change.
    pub(crate) async fn chat_next(
        &self,
        ch: &mut Change,
        instance: schulhof_types::InstanceId,
    ) -> Result<i64, DomainError> {
        ch.last = rooms::next_seq(&mut ch.tx, instance, ch.room).await?;
        Ok(ch.last)
    }

    /// Commits a change and announces it (with the commit on PostgreSQL, after it on SQLite).
    pub(crate) async fn chat_commit(&self, actor: &Actor, ch: Change) -> Result<(), DomainError> {
        let signal = ChatSignal {
            instance: actor.token.instance(),
            room: ch.room,
            seq: ch.last,
            typing: None,
        };
        ch.tx.commit().await?;
        self.chat_bus.committed(&self.db, signal);
        Ok(())
    }

    /// Writes a message (optionally a reply to message `reply_to` of the room). A pupil's
    /// message in quiet hours is stored but held until they end; members mentioned as
    /// `@login` are notified (unless they silenced the room).
    pub async fn chat_send(
        &self,
        actor: &Actor,
        room: RoomId,
        text: &str,
        reply_to: Option<i64>,
    ) -> Result<i64, DomainError> {
        let text = checked_text(text)?;
        let mut ch = self.chat_begin(actor, room).await?;
        let seq = self.chat_post(actor, &mut ch, text, reply_to).await?;
        self.chat_commit(actor, ch).await?;
        Ok(seq)
    }

    /// The common part of a text message and one with an attachment, within the change.
    pub(crate) async fn chat_post(
        &self,
        actor: &Actor,
        ch: &mut Change,
        text: &str,
        reply_to: Option<i64>,
    ) -> Result<i64, DomainError> {
        let instance = actor.token.instance();
        let room = ch.room;
        let now = to_us(self.now());
        let muted = ch.row.extra.muted_until.filter(|u| *u > now);
        if let Err(e) = check(
            &actor.token,
            PostMessage {
                room: ch.facts,
                muted: muted.is_some(),
            },
        ) {
            return Err(match muted {
                Some(u) if check(&actor.token, WriteRoom(ch.facts)).is_ok() => {
                    DomainError::Conflict {
                        field: MUTED,
                        message: format!(
                            "Du bist in diesem Raum stummgeschaltet bis {}.",
                            from_us(u)
                                .with_timezone(&actor.time_zone)
                                .format("%d.%m.%Y %H:%M")
                        ),
                    }
                }
                _ => e.into(),
            });
        }
        if let Some(r) = reply_to
            && store::find(&mut ch.tx, instance, room, r).await?.is_none()
        {
            return Err(DomainError::invalid(
                "reply_to",
                "Diese Nachricht gibt es nicht.",
            ));
        }
        let seq = self.chat_next(ch, instance).await?;
        let body = seal(&ch.key, text)?;
        let terms = super::search::index_terms(&ch.key, text);
        let m = NewMessage {
            seq,
            author: actor.token.user(),
            notice: None,
            body: &body,
            reply_to,
            search: Some(&terms),
        };
        store::insert(&mut ch.tx, instance, room, &m, now).await?;
        let held = if held_in_quiet_hours(&actor.token, &ch.facts) {
            super::quiet_end(actor, &ch.row, now)
        } else {
            None
        };
        match held {
            // Mentions of a held message are sent when it is released.
            Some(until) => moderation::hold(&mut ch.tx, instance, room, seq, until).await?,
            None => {
                let by = format!("{} {}", actor.user.first_name, actor.user.last_name);
                let (author, none) = (actor.token.user(), &[]);
                self.chat_mentions(&mut ch.tx, instance, room, seq, author, &by, text, none)
                    .await?
            }
        }
        // Writing marks everything before as read.
        store::mark_read(&mut ch.tx, instance, room, actor.token.user(), seq).await?;
        Ok(seq)
    }

    /// Changes the text of the caller's own message. Mentions it no longer holds are taken
    /// back (mailed or not), kept ones show the new text, new ones notified; a held
    /// message's wait for its release.
    pub async fn chat_edit(
        &self,
        actor: &Actor,
        room: RoomId,
        seq: i64,
        text: &str,
    ) -> Result<(), DomainError> {
        let text = checked_text(text)?;
        let instance = actor.token.instance();
        let mut ch = self.chat_begin(actor, room).await?;
        check(&actor.token, WriteRoom(ch.facts))?;
        let m = store::find(&mut ch.tx, instance, room, seq)
            .await?
            .ok_or(DomainError::NotFound)?;
        if m.author != Some(actor.token.user()) || m.notice.is_some() || m.deleted_at.is_some() {
            return Err(DomainError::Forbidden);
        }
        let rev = self.chat_next(&mut ch, instance).await?;
        let body = seal(&ch.key, text)?;
        let terms = super::search::index_terms(&ch.key, text);
        let now = to_us(self.now());
        store::edit(&mut ch.tx, instance, room, seq, rev, &body, &terms, now).await?;
        if m.visible_from.is_none_or(|v| v <= now) {
            let old = open_text(&ch.key, &m.body)?;
            let by = format!("{} {}", actor.user.first_name, actor.user.last_name);
            let (author, was) = (actor.token.user(), super::mentions(&old));
            self.chat_unmention(&mut ch.tx, instance, room, seq, &old, Some(text))
                .await?;
            self.chat_mentions(&mut ch.tx, instance, room, seq, author, &by, text, &was)
                .await?;
        }
        self.chat_commit(actor, ch).await
    }

    /// Adds (`on`) or takes back a reaction.
    pub async fn chat_react(
        &self,
        actor: &Actor,
        room: RoomId,
        seq: i64,
        emoji: &str,
        on: bool,
    ) -> Result<(), DomainError> {
        let emoji = checked_emoji(emoji)?;
        let instance = actor.token.instance();
        let mut ch = self.chat_begin(actor, room).await?;
        check(&actor.token, WriteRoom(ch.facts))?;
        let m = store::find(&mut ch.tx, instance, room, seq)
            .await?
            .ok_or(DomainError::NotFound)?;
        if m.deleted_at.is_some() || m.notice.is_some() {
            return Err(DomainError::Forbidden);
        }
        let rev = self.chat_next(&mut ch, instance).await?;
        store::react(
            &mut ch.tx,
            instance,
            room,
            seq,
            rev,
            actor.token.user(),
            emoji,
            on,
        )
        .await?;
        self.chat_commit(actor, ch).await
    }

    /// Moves the caller's read marker to `seq` (never back). Not announced: only the
    /// caller's own unread counts change.
    pub async fn chat_read(
        &self,
        actor: &Actor,
        room: RoomId,
        seq: i64,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let (r, _) = self.chat_facts(&mut tx, actor, room).await?;
        store::mark_read(
            &mut tx,
            instance,
            room,
            actor.token.user(),
            seq.clamp(0, r.last_seq),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tells the room's open clients that the caller is typing (stored nowhere).
    pub async fn chat_typing(&self, actor: &Actor, room: RoomId) -> Result<(), DomainError> {
        let mut c = self.db.read().await?;
        let (_, facts) = self.chat_facts(&mut c, actor, room).await?;
        drop(c);
        check(&actor.token, WriteRoom(facts))?;
        let signal = ChatSignal {
            instance: actor.token.instance(),
            room,
            seq: 0,
            typing: Some(actor.token.user()),
        };
        self.chat_bus.ephemeral(&self.db, signal).await;
        Ok(())
    }

    /// Messages of a room: without `after` the newest ones, with it every message new or
    /// changed since that sequence number (oldest change first, at most 500: continue from
    /// the last `rev`).
    pub async fn chat_messages(
        &self,
        actor: &Actor,
        room: RoomId,
        after: Option<i64>,
    ) -> Result<Vec<ChatMessage>, DomainError> {
        let instance = actor.token.instance();
        let key = self.school_key(instance).await?;
        let mut c = self.db.read().await?;
        self.chat_facts(&mut c, actor, room).await?;
        let viewer = Viewer {
            user: actor.token.user(),
            now: to_us(self.now()),
        };
        let rows = match after {
            Some(a) => store::changed_after(&mut c, instance, room, a.max(0), PAGE, viewer).await?,
            None => store::latest(&mut c, instance, room, LATEST, viewer).await?,
        };
        let (from, to) = rows.iter().fold((i64::MAX, i64::MIN), |(lo, hi), m| {
            (lo.min(m.seq), hi.max(m.seq))
        });
        let mut reactions: BTreeMap<i64, BTreeMap<String, (usize, bool)>> = BTreeMap::new();
        if !rows.is_empty() {
            for (seq, emoji, user) in store::reactions(&mut c, instance, room, from, to).await? {
                let e = reactions.entry(seq).or_default().entry(emoji).or_default();
                e.0 += 1;
                e.1 |= user == actor.token.user();
            }
        }
        rows.into_iter()
            .map(|m| {
                let r = reactions.remove(&m.seq).unwrap_or_default();
                message(Some(actor.token.user()), &key, m, r)
            })
            .collect()
    }
}

/// A sealed body's text; empty for an empty body (deleted messages, plain notices).
pub(crate) fn open_text(key: &SealKey, body: &[u8]) -> Result<String, DomainError> {
    if body.is_empty() {
        return Ok(String::new());
    }
    let plain = key
        .open_small(body)
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    String::from_utf8(plain).map_err(|e| DomainError::Internal(e.to_string()))
}

/// A message as `me` sees it (`None`: nobody in particular, every `mine` false).
pub(crate) fn message(
    me: Option<UserId>,
    key: &SealKey,
    m: MessageRow,
    reactions: BTreeMap<String, (usize, bool)>,
) -> Result<ChatMessage, DomainError> {
    let text = open_text(key, &m.body)?;
    Ok(ChatMessage {
        seq: m.seq,
        rev: m.rev,
        mine: me.is_some() && m.author == me,
        author: m.author,
        author_name: m.author_name,
        notice: m.notice,
        text,
        reply_to: m.reply_to,
        created: from_us(m.created_at),
        edited: m.edited_at.is_some(),
        deleted: m.deleted_at.is_some(),
        reactions: reactions
            .into_iter()
            .map(|(emoji, (count, mine))| Reaction { emoji, count, mine })
            .collect(),
        pending_until: m.visible_from.map(from_us),
        pinned: m.pinned_at.is_some(),
        attachment: m.attachment.map(|(name, content_type, size)| Attachment {
            kind: super::steps::attachment_kind(&content_type),
            name,
            content_type,
            size,
        }),
    })
}
