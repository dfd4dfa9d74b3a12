//! Writing mail in the webmail: a draft as the person typed it becomes an RFC 5322 message
//! (built with mail-builder, never by hand), which is sent through the one submission path
//! ([`Platform::mail_submit`]) and filed under "Sent", or kept under "Drafts".
//!
//! Every recipient is checked by the policy before anything leaves, so a refused address
//! (a student writing outside the school) sends nothing to anyone.

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::message_id::MessageId;
use schulhof_types::MailMessageId;

use crate::identity::Actor;
use crate::mail::{FlagOp, Flags, RcptRefused, Special};
use crate::{DomainError, Platform};

mod files;

/// One recipient as typed: an address with an optional display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub name: Option<String>,
    pub addr: String,
}

/// A file attached to a message.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// What the compose form holds.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub from: String,
    pub to: Vec<Recipient>,
    pub cc: Vec<Recipient>,
    pub bcc: Vec<Recipient>,
    pub subject: String,
    pub text: String,
    /// The Message-ID this answers, without angle brackets.
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub attachments: Vec<Attachment>,
}

/// The answer to a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Sent; `filed` is false when the copy did not fit into "Sent" (over quota).
    Sent { filed: bool },
    /// Nothing was sent: these recipients are refused by the policy.
    Refused(Vec<(String, RcptRefused)>),
}

/// Splits a typed list (`a@x.de, Name <b@y.de>; c@z.de`) into recipients; a piece that is
/// not an address is an error naming it, for the field `field`.
pub fn parse_recipients(field: &'static str, typed: &str) -> Result<Vec<Recipient>, DomainError> {
    let mut out: Vec<Recipient> = Vec::new();
    for piece in split_list(typed) {
        let (name, addr) = match (piece.rfind('<'), piece.ends_with('>')) {
            (Some(i), true) => {
                let name = piece[..i].trim().trim_matches('"').trim();
                let name = (!name.is_empty()).then(|| name.to_owned());
                (name, piece[i + 1..piece.len() - 1].trim().to_owned())
            }
            _ => (None, piece.to_owned()),
        };
        if !plausible_address(&addr) {
            return Err(DomainError::invalid(
                field,
                format!("not a mail address: {addr}"),
            ));
        }
        let addr = addr.to_lowercase();
        if !out.iter().any(|r| r.addr == addr) {
            out.push(Recipient { name, addr });
        }
    }
    Ok(out)
}

/// Pieces separated by commas, semicolons or line breaks, outside quotes.
fn split_list(typed: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, ch) in typed.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ',' | ';' | '\n' | '\r' if !quoted => {
                pieces.push(&typed[start..i]);
                start = i + ch.len_utf8();
            }
            _ => {}
        }
    }
    pieces.push(&typed[start..]);
    pieces
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// `local@domain.tld` without spaces, brackets or a second `@`: the shape, not deliverability
/// (the policy and the receiving side decide that).
pub fn plausible_address(addr: &str) -> bool {
    let Some((local, domain)) = addr.split_once('@') else {
        return false;
    };
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"@".contains(c);
    !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !local.chars().any(bad)
        && !domain.chars().any(bad)
}

fn address_of(r: &Recipient) -> Address<'static> {
    match &r.name {
        Some(n) => Address::new_address(Some(n.clone()), r.addr.clone()),
        None => Address::new_address(None::<String>, r.addr.clone()),
    }
}

fn list(rs: &[Recipient]) -> Address<'static> {
    Address::new_list(rs.iter().map(address_of).collect())
}

/// The message as bytes. `with_bcc` keeps the Bcc header (the sender's own copy); the
/// message that travels never carries it.
pub fn build(
    d: &Draft,
    from_name: &str,
    message_id: &str,
    now: DateTime<Utc>,
    with_bcc: bool,
) -> Result<Vec<u8>, DomainError> {
    let mut m = MessageBuilder::new()
        .from(Address::new_address(
            Some(from_name.to_owned()),
            d.from.clone(),
        ))
        .subject(d.subject.clone())
        .message_id(message_id.to_owned())
        .date(now.timestamp())
        .text_body(d.text.replace("\r\n", "\n"));
    if !d.to.is_empty() {
        m = m.to(list(&d.to));
    }
    if !d.cc.is_empty() {
        m = m.cc(list(&d.cc));
    }
    if with_bcc && !d.bcc.is_empty() {
        m = m.bcc(list(&d.bcc));
    }
    if let Some(id) = &d.in_reply_to {
        m = m.in_reply_to(id.clone());
    }
    if !d.references.is_empty() {
        m = m.references(MessageId::new_list(d.references.iter().cloned()));
    }
    for a in &d.attachments {
        m = m.attachment(a.mime.clone(), a.name.clone(), a.bytes.clone());
    }
    m.write_to_vec()
        .map_err(|e| DomainError::Internal(format!("building a message: {e}")))
}

/// The display name of the actor, for the From header.
fn sender_name(a: &Actor) -> String {
    format!("{} {}", a.user.first_name, a.user.last_name)
}

/// A new Message-ID in the sender's domain.
fn new_message_id(from: &str) -> String {
    let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    format!("{}@{domain}", uuid::Uuid::now_v7().simple())
}

impl Platform {
    /// The From must be one of the actor's own addresses (the submission checks again).
    async fn compose_own_from(&self, a: &Actor, from: &str) -> Result<String, DomainError> {
        let from = from.trim().to_lowercase();
        let own = self.mail_own_addresses(a).await?;
        if own.iter().any(|o| o.eq_ignore_ascii_case(&from)) {
            Ok(from)
        } else {
            Err(DomainError::invalid(
                "mail_from",
                "not one of your addresses",
            ))
        }
    }

    fn compose_check_size(&self, raw: &[u8]) -> Result<(), DomainError> {
        if raw.len() as u64 > self.config.mail.max_message {
            return Err(DomainError::invalid(
                "mail_attachments",
                "the message is too large",
            ));
        }
        Ok(())
    }

    /// Sends a draft: every recipient is checked first (one refused, none is sent), then the
    /// message goes through the submission path and a copy (with Bcc) is filed under Sent.
    /// `answers` gets the \Answered flag; `previous` (the draft it came from) is removed.
    pub async fn mail_send(
        &self,
        a: &Actor,
        draft: &Draft,
        answers: Option<MailMessageId>,
        previous: Option<MailMessageId>,
    ) -> Result<SendOutcome, DomainError> {
        let mut d = draft.clone();
        d.from = self.compose_own_from(a, &d.from).await?;
        let rcpts: Vec<String> =
            d.to.iter()
                .chain(&d.cc)
                .chain(&d.bcc)
                .map(|r| r.addr.clone())
                .collect();
        if rcpts.is_empty() {
            return Err(DomainError::invalid("mail_to", "must not be empty"));
        }
        let mut refused = Vec::new();
        for r in &rcpts {
            if let Err(why) = self.mail_check_rcpt(a, r).await {
                refused.push((r.clone(), why));
            }
        }
        if !refused.is_empty() {
            return Ok(SendOutcome::Refused(refused));
        }
        let now = self.now();
        let id = new_message_id(&d.from);
        let name = sender_name(a);
        let wire = build(&d, &name, &id, now, false)?;
        self.compose_check_size(&wire)?;
        let copy = build(&d, &name, &id, now, true)?;
        self.mail_submit(a, &d.from, &rcpts, &wire).await?;
        let sent = self.mail_special(a, Special::Sent).await?;
        let seen = Flags {
            seen: true,
            ..Flags::default()
        };
        let filed = match self.mail_append(a, sent, &copy, &seen, Some(now)).await {
            Ok(_) => true,
            Err(DomainError::QuotaExceeded(_)) => false,
            Err(e) => return Err(e),
        };
        if let Some(original) = answers {
            self.mail_set_flag(a, original, FlagOp::Add, answered())
                .await?;
        }
        if let Some(old) = previous {
            self.discard_replaced(a, old).await?;
        }
        Ok(SendOutcome::Sent { filed })
    }

    /// Keeps a draft under Drafts (replacing `previous`, the draft it was opened from) and
    /// answers its new id.
    pub async fn mail_save_draft(
        &self,
        a: &Actor,
        draft: &Draft,
        previous: Option<MailMessageId>,
    ) -> Result<MailMessageId, DomainError> {
        let mut d = draft.clone();
        d.from = self.compose_own_from(a, &d.from).await?;
        let now = self.now();
        let raw = build(&d, &sender_name(a), &new_message_id(&d.from), now, true)?;
        self.compose_check_size(&raw)?;
        let folder = self.mail_special(a, Special::Drafts).await?;
        let flags = Flags {
            seen: true,
            draft: true,
            ..Flags::default()
        };
        let (_, uid) = self.mail_append(a, folder, &raw, &flags, Some(now)).await?;
        let meta = self.mail_metas(a, folder, &[uid]).await?;
        let id = meta.first().map(|m| m.id).ok_or(DomainError::NotFound)?;
        if let Some(old) = previous.filter(|old| *old != id) {
            self.discard_replaced(a, old).await?;
        }
        Ok(id)
    }

    /// Removes a draft for good (it is replaced or was sent); anything but a draft of the
    /// actor is NotFound.
    pub async fn mail_discard_draft(
        &self,
        a: &Actor,
        id: MailMessageId,
    ) -> Result<(), DomainError> {
        let m = self.mail_message(a, id).await?;
        if !m.flags.draft {
            return Err(DomainError::NotFound);
        }
        let deleted = Flags {
            deleted: true,
            ..Flags::default()
        };
        self.mail_store_flags(a, m.folder, &[m.uid], FlagOp::Add, &deleted, None)
            .await?;
        self.mail_expunge(a, m.folder, Some(&[m.uid])).await?;
        Ok(())
    }

    /// Removes the draft a new one replaces; one already gone (deleted in another window,
    /// or by a mail program) is no reason to fail.
    async fn discard_replaced(&self, a: &Actor, old: MailMessageId) -> Result<(), DomainError> {
        match self.mail_discard_draft(a, old).await {
            Ok(()) | Err(DomainError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Adds or removes flags of one message.
    pub async fn mail_set_flag(
        &self,
        a: &Actor,
        id: MailMessageId,
        op: FlagOp,
        flags: Flags,
    ) -> Result<(), DomainError> {
        let m = self.mail_message(a, id).await?;
        self.mail_store_flags(a, m.folder, &[m.uid], op, &flags, None)
            .await?;
        Ok(())
    }
}

fn answered() -> Flags {
    Flags {
        answered: true,
        ..Flags::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_split_named_and_checked() {
        let r = parse_recipients("mail_to", "a@x.de, \"Lehmann, Lena\" <Lena@Y.de>;\nc@z.de")
            .expect("valid");
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].name.as_deref(), Some("Lehmann, Lena"));
        assert_eq!(r[1].addr, "lena@y.de");
        assert!(parse_recipients("mail_to", "a@x.de, nonsense").is_err());
        assert!(parse_recipients("mail_to", "a b@x.de").is_err());
        assert!(
            parse_recipients("mail_to", " , ")
                .expect("empty")
                .is_empty()
        );
        assert_eq!(
            parse_recipients("mail_to", "a@x.de, A@x.de")
                .expect("dup")
                .len(),
            1
        );
    }

    #[test]
    fn the_travelling_message_has_no_bcc() {
        let d = Draft {
            from: "lena.lehmann@100000.nrw.schule".into(),
            to: vec![Recipient {
                name: None,
                addr: "a@x.de".into(),
            }],
            bcc: vec![Recipient {
                name: None,
                addr: "secret@x.de".into(),
            }],
            subject: "Grüße".into(),
            text: "Hallo".into(),
            in_reply_to: Some("abc@x.de".into()),
            references: vec!["abc@x.de".into()],
            attachments: vec![Attachment {
                name: "a.txt".into(),
                mime: "text/plain".into(),
                bytes: b"Inhalt".to_vec(),
            }],
            ..Draft::default()
        };
        let now = Utc::now();
        let wire = String::from_utf8(build(&d, "Lena Lehmann", "1@x", now, false).expect("built"))
            .expect("utf-8");
        assert!(!wire.contains("secret@x.de"));
        assert!(wire.contains("In-Reply-To: <abc@x.de>"));
        assert!(wire.contains("a.txt"));
        let copy = String::from_utf8(build(&d, "Lena Lehmann", "1@x", now, true).expect("built"))
            .expect("utf-8");
        assert!(copy.contains("secret@x.de"));
    }
}
