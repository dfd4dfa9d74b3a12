//! The filters on the two ways mail comes in: sent by a login (webmail, SMTP submission:
//! rate limit, virus scanner) and taken from outside (the MX: virus scanner, spam filter).
//! [`super::super::submit`] calls these just before the content is stored.

use std::borrow::Cow;

use schulhof_store::mail::folders as folder_store;
use schulhof_types::{InstanceId, UserId};

use super::quarantine::{HeldFor, LocalSender};
use super::{Arrival, Screened};
use crate::identity::Actor;
use crate::mail::auth::SmtpClient;
use crate::mail::folders::ensure_standard;
use crate::mail::ingest::Target;
use crate::mail::submit::InboundRcpt;
use crate::{DomainError, Platform};

/// What became of a message from outside.
pub(crate) enum Inbound<'r> {
    /// Deliver this; `spam`: into the Spam folder.
    Deliver { raw: Cow<'r, [u8]>, spam: bool },
    /// Held back in the quarantine; the recipients were told.
    Held,
}

fn malware(name: &str) -> DomainError {
    DomainError::invalid(
        "message",
        format!("the message contains malware ({name}); it was held back and not delivered"),
    )
}

impl Platform {
    /// A message a login sends: its `addressed` recipients (as given: a group list counts
    /// once) counted against the outgoing limit, then scanned for malware. Malware is held
    /// back for every recipient and the sending refused.
    pub(crate) async fn mail_screen_submit<'r>(
        &self,
        a: &Actor,
        mail_from: &str,
        addressed: usize,
        users: &[(InstanceId, UserId, String)],
        foreign: &[String],
        raw: &'r [u8],
    ) -> Result<Cow<'r, [u8]>, DomainError> {
        self.mail_rate_check(a, addressed).await?;
        let rcpts: Vec<String> = users
            .iter()
            .map(|u| u.2.clone())
            .chain(foreign.iter().cloned())
            .collect();
        let arrival = Arrival {
            direction: "local",
            mail_from,
            rcpts: &rcpts,
            ip: None,
            helo: "",
            user: Some(&a.user.login),
        };
        match self.mail_screen(raw, &arrival).await? {
            Screened::Deliver { raw: Some(r), .. } => Ok(Cow::Owned(r)),
            Screened::Deliver { raw: None, .. } => Ok(Cow::Borrowed(raw)),
            Screened::Malware(name) => {
                let mut held: Vec<HeldFor> = users
                    .iter()
                    .map(|(instance, user, address)| HeldFor {
                        instance: *instance,
                        user: Some(*user),
                        address: address.clone(),
                    })
                    .collect();
                held.extend(foreign.iter().map(|address| HeldFor {
                    instance: a.token.instance(),
                    user: None,
                    address: address.clone(),
                }));
                let sender = LocalSender {
                    instance: a.token.instance(),
                    user: a.user.id,
                };
                self.mail_hold(raw, &name, "local", mail_from, Some(sender), &held)
                    .await?;
                Err(malware(&name))
            }
        }
    }

    /// A message from outside: scanned for malware (held back, recipients told) and spam
    /// (marked); rspamd's `reject` refuses it.
    pub(crate) async fn mail_screen_inbound<'r>(
        &self,
        client: Option<&SmtpClient>,
        mail_from: &str,
        rcpts: &[InboundRcpt],
        raw: &'r [u8],
    ) -> Result<Inbound<'r>, DomainError> {
        let addresses: Vec<String> = rcpts.iter().map(|r| r.address.clone()).collect();
        let arrival = Arrival {
            direction: "in",
            mail_from,
            rcpts: &addresses,
            ip: client.map(|c| c.ip),
            helo: client.map_or("", |c| c.helo.as_str()),
            user: None,
        };
        match self.mail_screen(raw, &arrival).await? {
            Screened::Deliver { raw: r, spam } => Ok(Inbound::Deliver {
                raw: r.map_or(Cow::Borrowed(raw), Cow::Owned),
                spam,
            }),
            Screened::Malware(name) => {
                let held: Vec<HeldFor> = rcpts
                    .iter()
                    .map(|r| HeldFor {
                        instance: r.instance,
                        user: Some(r.user),
                        address: r.address.clone(),
                    })
                    .collect();
                self.mail_hold(raw, &name, "in", mail_from, None, &held)
                    .await?;
                Ok(Inbound::Held)
            }
        }
    }

    /// Points the targets at their mailbox's Spam folder (made with the standard folders
    /// if the mailbox has none yet).
    pub(crate) async fn mail_to_junk(&self, targets: &mut [Target]) -> Result<(), DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        for t in targets.iter_mut() {
            ensure_standard(&mut tx, t.mb, now).await?;
            let junk =
                folder_store::id_by_special(&mut tx, t.mb.instance, t.mb.owner, "junk").await?;
            // No Spam folder (cannot happen for standard folders): the inbox, still marked.
            t.folder = junk.or(t.folder);
        }
        tx.commit().await?;
        Ok(())
    }
}
