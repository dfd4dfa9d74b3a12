//! The school's chat settings (default quiet hours, deletion period), the sweep that
//! releases messages held for quiet hours and deletes messages past the deletion period.

use chrono::Duration;
use schulhof_authz::{ManageSchoolSettings, check};
use schulhof_store::chat::RoomId;
use schulhof_store::chat::messages as msgs;
use schulhof_store::chat::rooms;
use schulhof_store::chat::upkeep::{self as store, ChatSettings};
use schulhof_store::to_us;
use schulhof_types::InstanceId;

use super::ChatSignal;
use super::messages::open_text;
use super::steps::parse_quiet;
use crate::audit;
use crate::identity::Actor;
use crate::notify::quiet::hhmm;
use crate::{DomainError, Platform};

/// The longest deletion period a school may set (ten years), and the shortest (a week).
const MAX_RETENTION_DAYS: i64 = 3650;
const MIN_RETENTION_DAYS: i64 = 7;
/// Held messages released per sweep step.
const RELEASE_BATCH: i64 = 200;

/// The school's chat settings as its admin's page shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchoolChatSettings {
    /// Default quiet hours of every room (`"22:00"`, `"07:00"`).
    pub quiet: Option<(String, String)>,
    pub retention_days: Option<i64>,
}

impl Platform {
    pub async fn chat_school_settings(
        &self,
        actor: &Actor,
    ) -> Result<SchoolChatSettings, DomainError> {
        check(&actor.token, ManageSchoolSettings)?;
        let mut c = self.db.read().await?;
        let s = store::settings(&mut c, actor.token.instance()).await?;
        Ok(SchoolChatSettings {
            quiet: s.quiet.map(|(f, t)| (hhmm(f as u32), hhmm(t as u32))),
            retention_days: s.retention_days,
        })
    }

    /// Sets the school's default quiet hours (both empty: none) and deletion period in
    /// days (empty: messages are kept); audited.
    pub async fn chat_set_school_settings(
        &self,
        actor: &Actor,
        quiet_from: &str,
        quiet_to: &str,
        retention_days: Option<i64>,
    ) -> Result<(), DomainError> {
        check(&actor.token, ManageSchoolSettings)?;
        let quiet = parse_quiet(quiet_from, quiet_to)?;
        if let Some(d) = retention_days
            && !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&d)
        {
            return Err(DomainError::invalid(
                "retention_days",
                format!("Zwischen {MIN_RETENTION_DAYS} und {MAX_RETENTION_DAYS} Tagen."),
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let settings = ChatSettings {
            quiet,
            retention_days,
        };
        store::set_settings(&mut tx, actor.token.instance(), settings).await?;
        let detail = serde_json::json!({
            "quiet_from": quiet_from.trim(), "quiet_to": quiet_to.trim(),
            "retention_days": retention_days,
        });
        audit::admin_action(&mut tx, actor, now, "chat_settings", "chat", Some(detail)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Releases the messages whose quiet hours ended (each at a new sequence number of its
    /// room, announced, its mentions notified now). How many. Any node may run it: a row
    /// is released once, under the room's lock.
    pub async fn system_chat_release(&self) -> Result<usize, DomainError> {
        let now = to_us(self.now());
        let due = store::system_due_held(&mut self.db.read().await?, now, RELEASE_BATCH).await?;
        let mut done = 0;
        for (instance, room, seq) in due {
            if self.release_one(instance, room, seq, now).await? {
                done += 1;
            }
        }
        Ok(done)
    }

    async fn release_one(
        &self,
        instance: InstanceId,
        room: RoomId,
        seq: i64,
        now: i64,
    ) -> Result<bool, DomainError> {
        let key = self.school_key(instance).await?;
        let mut tx = self.db.begin().await?;
        let rev = rooms::next_seq(&mut tx, instance, room).await?;
        // Read after taking the room's lock: another node may have released it already.
        let Some(m) = msgs::find(&mut tx, instance, room, seq).await? else {
            return Ok(false);
        };
        if m.visible_from.is_none_or(|v| v > now) {
            return Ok(false);
        }
        store::release(&mut tx, instance, room, seq, rev).await?;
        if let Some(author) = m.author
            && m.deleted_at.is_none()
        {
            let text = open_text(&key, &m.body)?;
            let name = &m.author_name;
            self.chat_mentions(&mut tx, instance, room, seq, author, name, &text, &[])
                .await?;
        }
        let signal = ChatSignal {
            instance,
            room,
            seq: rev,
            typing: None,
        };
        tx.commit().await?;
        self.chat_bus.committed(&self.db, signal);
        Ok(true)
    }

    /// Deletes the messages older than their school's deletion period. How many.
    pub async fn system_chat_retention(&self) -> Result<u64, DomainError> {
        let now = self.now();
        let schools = store::system_retention(&mut self.db.read().await?).await?;
        let mut total = 0;
        for (instance, days) in schools {
            let cutoff = now - Duration::days(days);
            let mut tx = self.db.begin().await?;
            total += store::delete_older(&mut tx, instance, to_us(cutoff)).await?;
            // Their mentions go too (made with the message or at its release, so never
            // before it): the centre shows nothing of what is deleted.
            let mention = crate::notify::Kind::ChatMention.as_str();
            schulhof_store::notify::withdraw_older(&mut tx, instance, mention, to_us(cutoff))
                .await?;
            tx.commit().await?;
        }
        Ok(total)
    }
}
