//! Muting members, pinning messages, reports to the room's moderators, silencing a room's
//! notifications, a room's quiet hours and mentions. Every moderator's step is a notice in
//! the room and an audit row, in the same transaction.

use chrono::{DateTime, Duration, Utc};
use schulhof_authz::chat::{ModerateRoom, MuteMember, ReportMessage, SeeRoom, moderates};
use schulhof_authz::check;
use schulhof_store::chat::RoomId;
use schulhof_store::chat::messages as msgs;
use schulhof_store::chat::moderation as store;
use schulhof_store::chat::rooms;
use schulhof_store::chat::upkeep;
use schulhof_store::{AsConn, from_us, to_us, users};
use schulhof_types::InstanceId;
use serde::Serialize;

use super::messages::open_text;
use crate::audit::{self, Event};
use crate::identity::{Actor, principal_of};
use crate::notify::{self, Kind, quiet};
use crate::{DomainError, Platform};

/// The longest mute: a school week.
pub const MAX_MUTE_MINUTES: i64 = 7 * 24 * 60;
/// Mentions notified per message, at most (a list of logins is no broadcast).
const MAX_MENTIONS: usize = 5;

/// The start of a message's text that its mention notifications show.
fn preview(text: &str) -> String {
    text.chars().take(120).collect()
}

/// How pages show an attachment of this content type.
pub(crate) fn attachment_kind(content_type: &str) -> &'static str {
    if content_type.starts_with("image/") {
        "image"
    } else if content_type.starts_with("audio/") {
        "audio"
    } else {
        "file"
    }
}

/// The `@login` words of a text, lower-cased, each once.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || ",;:!?()".contains(c)) {
        let Some(login) = word.strip_prefix('@') else {
            continue;
        };
        let login = login.trim_end_matches('.').to_lowercase();
        let ok = !login.is_empty()
            && login.len() <= 64
            && login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if ok && !out.contains(&login) {
            out.push(login);
        }
    }
    out
}

/// One report as the room's moderators see it.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub seq: i64,
    pub reporter: String,
    pub reason: String,
    pub created: DateTime<Utc>,
    pub author: String,
    /// The reported text (empty once deleted).
    pub text: String,
}

impl Platform {
    /// Notifies the members mentioned in message `seq`'s `text` (not the author, not who
    /// silenced the room, not the logins in `skip`: notified before), through the one
    /// notification mechanism, in the message's transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn chat_mentions(
        &self,
        c: &mut impl AsConn,
        instance: InstanceId,
        room: RoomId,
        seq: i64,
        author: schulhof_types::UserId,
        by: &str,
        text: &str,
        skip: &[String],
    ) -> Result<(), DomainError> {
        let logins = mentions(text);
        if logins.iter().take(MAX_MENTIONS).all(|l| skip.contains(l)) {
            return Ok(());
        }
        let Some(r) = rooms::find(c, instance, room).await? else {
            return Ok(());
        };
        let params = serde_json::json!({
            "by": by, "room": r.name, "room_id": room.to_string(),
            "seq": seq.to_string(), "text": preview(text),
        });
        for login in logins.iter().take(MAX_MENTIONS) {
            if !skip.contains(login)
                && let Some(u) = store::mentionable(c, instance, room, login, author).await?
                && let Some(row) = users::get(c, instance, u).await?
            {
                notify::notify(c, &row, Kind::ChatMention, params.clone(), self.now()).await?;
            }
        }
        Ok(())
    }

    /// Takes back the mention notifications of message `seq` whose `@login` left its text
    /// (`now`: the edited text; `None`: deleted), mailed or not, and shows the edited text
    /// in those that stay.
    pub(crate) async fn chat_unmention(
        &self,
        c: &mut impl AsConn,
        instance: InstanceId,
        room: RoomId,
        seq: i64,
        was: &str,
        now: Option<&str>,
    ) -> Result<(), DomainError> {
        let still = now.map(mentions).unwrap_or_default();
        let (mut gone, mut kept) = (Vec::new(), Vec::new());
        for login in mentions(was).iter().take(MAX_MENTIONS) {
            if let Some(u) = users::find_by_login(c, instance, login).await? {
                match still.contains(login) {
                    true => kept.push(u),
                    false => gone.push(u),
                }
            }
        }
        let (room_id, seq) = (room.to_string(), seq.to_string());
        let about = [("room_id", room_id.as_str()), ("seq", seq.as_str())];
        notify::withdraw(c, &gone, Kind::ChatMention, &about).await?;
        if let Some(text) = now.filter(|t| preview(t) != preview(was)) {
            notify::refresh(c, &kept, Kind::ChatMention, &about, "text", &preview(text)).await?;
        }
        Ok(())
    }

    /// Mutes a member for `minutes` (0 lifts the mute): its messages are refused until then.
    pub async fn chat_mute(
        &self,
        actor: &Actor,
        room: RoomId,
        login: &str,
        minutes: i64,
    ) -> Result<(), DomainError> {
        if !(0..=MAX_MUTE_MINUTES).contains(&minutes) {
            return Err(DomainError::invalid(
                "minutes",
                "Stummschalten geht für höchstens eine Woche.",
            ));
        }
        let instance = actor.token.instance();
        let mut ch = self.chat_begin(actor, room).await?;
        let target = users::find_by_login(&mut ch.tx, instance, &login.trim().to_lowercase())
            .await?
            .ok_or(DomainError::NotFound)?;
        let (member, opener) = rooms::place(&mut ch.tx, instance, room, target.id).await?;
        let target_moderates = moderates(principal_of(&target)?, ch.facts.kind, member, opener);
        check(
            &actor.token,
            MuteMember {
                room: ch.facts,
                target_member: member,
                target_moderates,
            },
        )?;
        let until = self.now() + Duration::minutes(minutes);
        store::set_mute(
            &mut ch.tx,
            instance,
            room,
            target.id,
            to_us(until),
            actor.token.user(),
        )
        .await?;
        let name = format!("{} {}", target.first_name, target.last_name);
        let (notice, shown) = if minutes == 0 {
            ("unmuted", name.clone())
        } else {
            let local = until
                .with_timezone(&actor.time_zone)
                .format("%d.%m.%Y %H:%M");
            ("muted", format!("{name} ({local})"))
        };
        let detail = serde_json::json!({ "user": target.login, "minutes": minutes });
        self.chat_notice_with(&mut ch, actor, notice, Some(detail), &shown)
            .await?;
        self.chat_commit(actor, ch).await
    }

    /// Pins (`on`) or unpins a message of the room.
    pub async fn chat_pin(
        &self,
        actor: &Actor,
        room: RoomId,
        seq: i64,
        on: bool,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let mut ch = self.chat_begin(actor, room).await?;
        check(&actor.token, ModerateRoom(ch.facts))?;
        let m = msgs::find(&mut ch.tx, instance, room, seq)
            .await?
            .filter(|m| m.notice.is_none() && m.deleted_at.is_none())
            .ok_or(DomainError::NotFound)?;
        if m.pinned_at.is_some() == on {
            return Ok(());
        }
        let rev = self.chat_next(&mut ch, instance).await?;
        let at = on.then(|| to_us(self.now()));
        store::set_pin(&mut ch.tx, instance, room, seq, rev, at).await?;
        let notice = if on { "pinned" } else { "unpinned" };
        let shown = open_text(&ch.key, &m.body)?
            .chars()
            .take(80)
            .collect::<String>();
        let detail = serde_json::json!({ "seq": seq });
        self.chat_notice_with(&mut ch, actor, notice, Some(detail), &shown)
            .await?;
        self.chat_commit(actor, ch).await
    }

    /// Reports a message to the room's moderators (audited; the room is not told who).
    pub async fn chat_report(
        &self,
        actor: &Actor,
        room: RoomId,
        seq: i64,
        reason: &str,
    ) -> Result<(), DomainError> {
        let reason = reason.trim();
        if reason.chars().count() > 500 || reason.chars().any(|c| c.is_control() && c != '\n') {
            return Err(DomainError::invalid("reason", "Der Grund ist zu lang."));
        }
        let instance = actor.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (_, facts) = self.chat_facts(&mut tx, actor, room).await?;
        check(&actor.token, ReportMessage(facts))?;
        let viewer = msgs::Viewer {
            user: actor.token.user(),
            now: to_us(now),
        };
        msgs::find(&mut tx, instance, room, seq)
            .await?
            .filter(|m| {
                m.notice.is_none()
                    && m.deleted_at.is_none()
                    && (m.visible_from.is_none_or(|v| v <= viewer.now)
                        || m.author == Some(viewer.user))
            })
            .ok_or(DomainError::NotFound)?;
        let me = actor.token.user();
        if store::insert_report(&mut tx, instance, room, seq, me, reason, to_us(now)).await? {
            let object = room.to_string();
            let detail = serde_json::json!({ "seq": seq, "reason": reason });
            audit::record(
                &mut tx,
                instance,
                now,
                Event {
                    kind: "chat",
                    actor: Some(me),
                    holder: actor.user.holder_id,
                    action: "chat.reported",
                    object: Some(&object),
                    client_addr: None,
                    detail: Some(detail),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The reports of a room, for its moderators.
    pub async fn chat_reports(
        &self,
        actor: &Actor,
        room: RoomId,
    ) -> Result<Vec<Report>, DomainError> {
        let instance = actor.token.instance();
        let key = self.school_key(instance).await?;
        let mut c = self.db.read().await?;
        let (_, facts) = self.chat_facts(&mut c, actor, room).await?;
        check(&actor.token, ModerateRoom(facts))?;
        store::reports(&mut c, instance, room)
            .await?
            .into_iter()
            .map(|r| {
                Ok(Report {
                    seq: r.seq,
                    reporter: r.reporter_name,
                    reason: r.reason,
                    created: from_us(r.created_at),
                    author: r.author_name,
                    text: open_text(&key, &r.body)?,
                })
            })
            .collect()
    }

    /// Silences (no notifications) or unsilences a room for the caller.
    pub async fn chat_silence(
        &self,
        actor: &Actor,
        room: RoomId,
        silenced: bool,
    ) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let (_, facts) = self.chat_facts(&mut tx, actor, room).await?;
        check(&actor.token, SeeRoom(facts))?;
        let (instance, me) = (actor.token.instance(), actor.token.user());
        store::set_silenced(&mut tx, instance, room, me, silenced).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a room's quiet hours (`"22:00"`, `"07:00"`); both empty: the school's
    /// default; equal: none in this room. A moderator's step, shown and audited.
    pub async fn chat_set_quiet(
        &self,
        actor: &Actor,
        room: RoomId,
        from: &str,
        to: &str,
    ) -> Result<(), DomainError> {
        let quiet = parse_quiet(from, to)?;
        let instance = actor.token.instance();
        let mut ch = self.chat_begin(actor, room).await?;
        check(&actor.token, ModerateRoom(ch.facts))?;
        upkeep::set_room_quiet(&mut ch.tx, instance, room, quiet).await?;
        let shown = match quiet {
            Some((f, t)) if f != t => {
                format!("{}–{}", quiet::hhmm(f as u32), quiet::hhmm(t as u32))
            }
            Some(_) => "–".to_owned(),
            None => String::new(),
        };
        let detail = serde_json::json!({ "from": from.trim(), "to": to.trim() });
        self.chat_notice_with(&mut ch, actor, "quiet_hours", Some(detail), &shown)
            .await?;
        self.chat_commit(actor, ch).await
    }
}

/// Two times of day, both empty (`None`) or both valid.
pub(crate) fn parse_quiet(from: &str, to: &str) -> Result<Option<(i64, i64)>, DomainError> {
    if from.trim().is_empty() && to.trim().is_empty() {
        return Ok(None);
    }
    match (quiet::parse_hhmm(from), quiet::parse_hhmm(to)) {
        (Some(f), Some(t)) => Ok(Some((i64::from(f), i64::from(t)))),
        _ => Err(DomainError::invalid(
            "quiet",
            "Ruhezeiten als Uhrzeiten wie 22:00 und 07:00 angeben.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_logins_after_an_at() {
        assert_eq!(
            mentions("Hallo @Anna und @ben.k, @anna! mail@x.de @ @a$b"),
            ["anna", "ben.k"]
        );
        assert!(mentions("keine").is_empty());
    }
}
