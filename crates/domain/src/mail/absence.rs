//! The absence note: an automatic reply for a period, optionally naming a substitute of the
//! school. It follows RFC 3834: at most once per sender and period, never to lists, bulk
//! mail, automatic mail or senders that cannot or do not want to be answered.

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use mail_parser::{Message, MessageParser};
use schulhof_store::AsConn;
use schulhof_store::mail::absence::{self as store, AbsenceRow};
use schulhof_store::mail::addresses;
use schulhof_store::users;
use schulhof_types::UserId;
use serde::Serialize;

use super::Mailbox;
use super::folders::mailbox_of;
use crate::identity::Actor;
use crate::{DomainError, Platform};

const MAX_SUBJECT: usize = 200;
const MAX_BODY: usize = 10_000;
/// The longest period a note may cover.
const MAX_DAYS: i64 = 366;

/// The substitute named in the reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Substitute {
    pub id: UserId,
    pub name: String,
    pub mail: String,
}

/// The own absence note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AbsenceNote {
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub subject: String,
    pub body: String,
    pub substitute: Option<Substitute>,
}

/// What the owner enters. `substitute`: login or mail address of a person of the school.
#[derive(Clone, Debug)]
pub struct AbsenceInput<'a> {
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub subject: &'a str,
    pub body: &'a str,
    pub substitute: Option<&'a str>,
}

/// An automatic reply, for the ingest to deliver like any message of `mail_from`.
#[derive(Clone, Debug)]
pub struct AutoReply {
    /// The absent person's address: envelope sender and From.
    pub mail_from: String,
    /// Whom it answers (the envelope sender of the incoming message).
    pub rcpt: String,
    pub raw: Vec<u8>,
}

fn check_input(i: &AbsenceInput<'_>) -> Result<(), DomainError> {
    if i.ends <= i.starts {
        return Err(DomainError::invalid(
            "ends",
            "the end must be after the start",
        ));
    }
    if i.ends - i.starts > chrono::Duration::days(MAX_DAYS) {
        return Err(DomainError::invalid(
            "ends",
            "a note covers at most one year",
        ));
    }
    let subject = i.subject.trim();
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
        return Err(DomainError::invalid(
            "reply_subject",
            "must have 1 to 200 characters",
        ));
    }
    if subject.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "reply_subject",
            "must not contain control characters",
        ));
    }
    if i.body.trim().is_empty() || i.body.chars().count() > MAX_BODY {
        return Err(DomainError::invalid(
            "reply_text",
            "must have 1 to 10000 characters",
        ));
    }
    Ok(())
}

impl Platform {
    /// The own absence note, if one is set (also when its period is over or to come).
    pub async fn my_absence(&self, a: &Actor) -> Result<Option<AbsenceNote>, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let Some(row) = store::get(&mut c, mb.instance, mb.owner).await? else {
            return Ok(None);
        };
        let substitute = match row.substitute {
            Some(s) => users::get(&mut c, mb.instance, s)
                .await?
                .map(|u| Substitute {
                    id: u.id,
                    name: format!("{} {}", u.first_name, u.last_name),
                    mail: u.mail,
                }),
            None => None,
        };
        Ok(Some(AbsenceNote {
            starts: row.starts,
            ends: row.ends,
            subject: row.subject,
            body: row.body,
            substitute,
        }))
    }

    /// Sets the own absence note. Senders answered under an earlier period get the new one.
    pub async fn set_my_absence(
        &self,
        a: &Actor,
        input: &AbsenceInput<'_>,
    ) -> Result<(), DomainError> {
        let mb = mailbox_of(a)?;
        check_input(input)?;
        let mut tx = self.db.begin().await?;
        let substitute = match input.substitute.map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => {
                let u = users::find_by_login_or_mail(&mut tx, mb.instance, &name.to_lowercase())
                    .await?
                    .filter(|u| u.active && u.kind != "function" && u.id != mb.owner)
                    .ok_or_else(|| {
                        DomainError::invalid("substitute", "no such person at this school")
                    })?;
                Some(u.id)
            }
            None => None,
        };
        let row = AbsenceRow {
            starts: input.starts,
            ends: input.ends,
            subject: input.subject.trim().to_owned(),
            body: input.body.trim_end().to_owned(),
            substitute,
            updated_at: self.now(),
        };
        store::set(&mut tx, mb.instance, mb.owner, &row).await?;
        Ok(tx.commit().await?)
    }

    /// Removes the own absence note.
    pub async fn clear_my_absence(&self, a: &Actor) -> Result<(), DomainError> {
        let mb = mailbox_of(a)?;
        let mut tx = self.db.begin().await?;
        store::clear(&mut tx, mb.instance, mb.owner).await?;
        Ok(tx.commit().await?)
    }

    /// The automatic reply to a message `mail_from` sent to `recipient`, when the recipient
    /// is absent now and RFC 3834 allows one; noted in `c`, so each sender gets it once per
    /// period. The ingest calls this for every local recipient and delivers what it returns.
    pub(crate) async fn absence_reply(
        &self,
        c: &mut impl AsConn,
        recipient: Mailbox,
        mail_from: &str,
        incoming: &[u8],
    ) -> Result<Option<AutoReply>, DomainError> {
        let now = self.now();
        let Some(note) = store::get(c, recipient.instance, recipient.owner).await? else {
            return Ok(None);
        };
        if now < note.starts || now >= note.ends || !answerable_sender(mail_from) {
            return Ok(None);
        }
        let Some(msg) = MessageParser::default().parse_headers(incoming) else {
            return Ok(None);
        };
        if !may_answer(&msg) {
            return Ok(None);
        }
        let Some(me) = users::get(c, recipient.instance, recipient.owner).await? else {
            return Ok(None);
        };
        let mut own = addresses::aliases_of(c, recipient.instance, me.id).await?;
        own.push(me.mail.to_lowercase());
        // RFC 3834 §3.1.1: answer only mail addressed to the person, not Bcc or list copies.
        if !addressed_to(&msg, &own) {
            return Ok(None);
        }
        let sender = mail_from.trim().to_lowercase();
        if !store::note_reply(c, recipient.instance, me.id, &sender, note.starts, now).await? {
            return Ok(None);
        }
        let substitute = match note.substitute {
            Some(s) => users::get(c, recipient.instance, s).await?,
            None => None,
        };
        let name = format!("{} {}", me.first_name, me.last_name);
        let sub = substitute.map(|u| (format!("{} {}", u.first_name, u.last_name), u.mail));
        let raw = build_reply(&msg, (&name, &me.mail), &sender, &note, sub, now)?;
        Ok(Some(AutoReply {
            mail_from: me.mail.clone(),
            rcpt: sender,
            raw,
        }))
    }
}

/// Senders nobody answers: the empty (bounce) sender, mailer daemons, no-reply addresses.
pub(super) fn answerable_sender(mail_from: &str) -> bool {
    let s = mail_from.trim().trim_matches(['<', '>']).to_lowercase();
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if domain.is_empty() {
        return false;
    }
    let local = local.replace(['-', '_', '.'], "");
    !matches!(
        local.as_str(),
        "mailerdaemon" | "postmaster" | "noreply" | "donotreply" | "listserv" | "majordomo"
    ) && !local.ends_with("request")
        && !local.starts_with("owner")
        && !local.starts_with("bounce")
}

/// RFC 3834 §2: no reply to lists, bulk or junk mail, or automatic mail.
fn may_answer(msg: &Message<'_>) -> bool {
    let raw = msg.raw_message();
    let text = |name: &str| {
        let h = msg
            .headers()
            .iter()
            .find(|h| h.name().eq_ignore_ascii_case(name))?;
        let v = raw.get(h.offset_start() as usize..h.offset_end() as usize)?;
        Some(String::from_utf8_lossy(v).trim().to_ascii_lowercase())
    };
    if let Some(v) = text("Auto-Submitted")
        && !v.starts_with("no")
    {
        return false;
    }
    if let Some(v) = text("Precedence")
        && matches!(v.as_str(), "bulk" | "list" | "junk")
    {
        return false;
    }
    let list_header = msg.headers().iter().any(|h| {
        let n = h.name().to_ascii_lowercase();
        n.starts_with("list-") || n == "x-auto-response-suppress" || n == "x-autoreply"
    });
    !list_header
}

/// Whether To or Cc names one of the recipient's addresses.
fn addressed_to(msg: &Message<'_>, own: &[String]) -> bool {
    [msg.to(), msg.cc()]
        .into_iter()
        .flatten()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .any(|a| own.iter().any(|o| o.eq_ignore_ascii_case(a)))
}

fn build_reply(
    msg: &Message<'_>,
    me: (&str, &str),
    to: &str,
    note: &AbsenceRow,
    substitute: Option<(String, String)>,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, DomainError> {
    let mut text = note.body.clone();
    if let Some((name, mail)) = &substitute {
        text.push_str(&format!("\r\n\r\nVertretung / Substitute: {name} <{mail}>"));
    }
    let mut b = MessageBuilder::new()
        .from((me.0.to_owned(), me.1.to_owned()))
        .to(to.to_owned())
        .subject(note.subject.clone())
        .date(now.timestamp())
        .header("Auto-Submitted", Raw::new("auto-replied"))
        .header("Precedence", Raw::new("bulk"))
        .text_body(text);
    if let Some(id) = msg.message_id() {
        b = b.in_reply_to(id.to_owned()).references(id.to_owned());
    }
    b.write_to_vec()
        .map_err(|e| DomainError::Internal(format!("building an absence reply: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(extra: &str) -> Vec<u8> {
        format!("From: a@example.org\r\nTo: b@x.nrw.schule\r\n{extra}Subject: s\r\n\r\nbody\r\n")
            .into_bytes()
    }

    fn allowed(extra: &str) -> bool {
        let raw = headers(extra);
        let m = MessageParser::default()
            .parse_headers(&raw[..])
            .expect("parse");
        may_answer(&m)
    }

    #[test]
    fn lists_bulk_and_automatic_mail_get_no_reply() {
        assert!(allowed(""));
        assert!(allowed("Auto-Submitted: no\r\n"));
        assert!(!allowed("Auto-Submitted: auto-replied\r\n"));
        assert!(!allowed("Auto-Submitted: auto-generated\r\n"));
        assert!(!allowed("Precedence: bulk\r\n"));
        assert!(!allowed("Precedence: list\r\n"));
        assert!(!allowed("Precedence: junk\r\n"));
        assert!(allowed("Precedence: normal\r\n"));
        assert!(!allowed("List-Id: <klasse.example.org>\r\n"));
        assert!(!allowed("List-Unsubscribe: <mailto:x@y>\r\n"));
    }

    #[test]
    fn empty_and_daemon_senders_get_no_reply() {
        assert!(answerable_sender("anna@example.org"));
        assert!(!answerable_sender(""));
        assert!(!answerable_sender("<>"));
        assert!(!answerable_sender("MAILER-DAEMON@example.org"));
        assert!(!answerable_sender("no-reply@example.org"));
        assert!(!answerable_sender("noreply@example.org"));
        assert!(!answerable_sender("do_not_reply@example.org"));
        assert!(!answerable_sender("list-request@example.org"));
        assert!(!answerable_sender("owner-list@example.org"));
    }
}
