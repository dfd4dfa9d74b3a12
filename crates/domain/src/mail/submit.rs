//! Sending (webmail and SMTP submission) and receiving from outside (SMTP on the MX): every
//! recipient decided by the one policy, local recipients filed at once through the ingest
//! path, the rest queued to leave.

use schulhof_authz::check;
use schulhof_authz::mail::{Origin, ReceiveMail, Recipient, SendMail};
use schulhof_store::mail::{absence as absence_store, addresses, messages, queue};
use schulhof_store::users::UserRow;
use schulhof_store::{AsConn, groups};
use schulhof_types::{InstanceId, UserId};

use super::absence::AutoReply;
use super::address::{Dest, normalise, resolve, user_row};
use super::folders::mailbox_of;
use super::ingest::{Arrival, Filed, Target};
use super::{Flags, Mailbox};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Why a recipient is refused (SMTP: 550 5.1.1 and 550 5.7.1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RcptRefused {
    #[error("no such address: {0}")]
    Unknown(String),
    #[error("not allowed to write to {0}")]
    NotAllowed(String),
    #[error("not a mail address: {0}")]
    Malformed(String),
    /// The service could not decide now; try again later (SMTP 451).
    #[error("temporarily unable to check {0}")]
    Temporary(String),
    /// The recipient's mailbox has no room for the message (SMTP 452 4.2.2 at RCPT: the
    /// owner may make room, so the sender's server tries again).
    #[error("mailbox full: {0}")]
    MailboxFull(String),
}

/// A recipient accepted from outside.
#[derive(Clone, Debug)]
pub struct InboundRcpt {
    pub address: String,
    pub instance: InstanceId,
    pub user: UserId,
    /// The mailbox's quota in bytes as read at RCPT, so that delivery reads nothing more
    /// per recipient (it checks the use against it in its own transaction).
    pub(crate) quota: u64,
}

/// What happened to a sent message.
#[derive(Clone, Debug, Default)]
pub struct SubmitReport {
    /// Logins of the school (and of other schools here) that got it.
    pub delivered: usize,
    /// Recipients at other domains, queued to leave.
    pub queued: usize,
    /// Recipients whose mailbox was full.
    pub over_quota: Vec<String>,
}

/// A recipient after the policy: whose mailbox(es), or another domain.
enum Accepted {
    /// The members of a list (active logins, with their account type).
    Users(Vec<Receiver>),
    /// One person of the school (not a list).
    Person(Receiver),
    Foreign,
}

/// A login of the school that may receive the message, with its account type (which sets
/// its quota).
struct Receiver {
    instance: InstanceId,
    user: UserId,
    kind: String,
}

impl Platform {
    /// Whether the actor may write to `rcpt` (the compose form): as
    /// [`Self::mail_check_rcpt_sized`] for a message of unknown size.
    pub async fn mail_check_rcpt(&self, a: &Actor, rcpt: &str) -> Result<(), RcptRefused> {
        self.mail_check_rcpt_sized(a, rcpt, 0).await
    }

    /// Whether the actor may write to `rcpt` (SMTP RCPT) a message of `size` bytes (SMTP's
    /// declared SIZE, 0 if unknown): a person of the school whose mailbox has no room for it
    /// is refused now rather than bounced later. Lists are not: their members' mailboxes
    /// are decided at delivery.
    pub async fn mail_check_rcpt_sized(
        &self,
        a: &Actor,
        rcpt: &str,
        size: u64,
    ) -> Result<(), RcptRefused> {
        let checked = async {
            Ok::<_, DomainError>(match self.accept_rcpt(a, rcpt).await? {
                Ok(Accepted::Person(r)) => {
                    let mut c = self.db.read().await?;
                    self.room_at_rcpt(&mut c, (r.instance, r.user), rcpt, size)
                        .await?
                        .map(|_| ())
                }
                Ok(_) => Ok(()),
                Err(r) => Err(r),
            })
        };
        match checked.await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "checking a recipient");
                Err(RcptRefused::Temporary(rcpt.to_owned()))
            }
        }
    }

    async fn accept_rcpt(
        &self,
        a: &Actor,
        rcpt: &str,
    ) -> Result<Result<Accepted, RcptRefused>, DomainError> {
        let refuse = || Ok(Err(RcptRefused::NotAllowed(rcpt.to_owned())));
        if normalise(rcpt).is_none() {
            return Ok(Err(RcptRefused::Malformed(rcpt.to_owned())));
        }
        mailbox_of(a)?;
        let own = a.token.instance();
        let mut c = self.db.read().await?;
        match resolve(&mut c, rcpt).await? {
            Dest::Unknown => Ok(Err(RcptRefused::Unknown(rcpt.to_owned()))),
            Dest::Foreign => match check(&a.token, SendMail(Recipient::Outside)) {
                Ok(_) => Ok(Ok(Accepted::Foreign)),
                Err(_) => refuse(),
            },
            Dest::List { instance, group } => {
                if instance != own || check(&a.token, SendMail(Recipient::List(group))).is_err() {
                    return refuse();
                }
                let members = groups::members(&mut c, instance, group).await?;
                let users = members
                    .into_iter()
                    .filter(|m| m.active && m.id != a.user.id)
                    .map(|m| Receiver {
                        instance,
                        user: m.id,
                        kind: m.kind,
                    })
                    .collect();
                Ok(Ok(Accepted::Users(users)))
            }
            // Another school here is outside, as if it were another domain: the message
            // leaves through the queue, and that school decides at delivery.
            Dest::User { instance, .. } if instance != own => {
                match check(&a.token, SendMail(Recipient::Outside)) {
                    Ok(_) => Ok(Ok(Accepted::Foreign)),
                    Err(_) => refuse(),
                }
            }
            Dest::User { instance, user } => {
                if check(&a.token, SendMail(Recipient::SameSchool)).is_err() {
                    return refuse();
                }
                match self
                    .receiver(&mut c, instance, user, Origin::SameSchool)
                    .await?
                {
                    Some(r) => Ok(Ok(Accepted::Person(r))),
                    None => refuse(),
                }
            }
        }
    }

    /// Whether the mailbox of `user` has room for `size` more bytes: what it holds and the
    /// school's quota for its account type in one statement. Delivery checks again (and
    /// alone decides): this only spares the sender a bounce. With room: the quota.
    async fn room_at_rcpt(
        &self,
        c: &mut impl AsConn,
        (instance, user): (InstanceId, UserId),
        rcpt: &str,
        size: u64,
    ) -> Result<Result<u64, RcptRefused>, DomainError> {
        let Some((kind, used, set)) = messages::use_of(c, instance, user).await? else {
            return Ok(Err(RcptRefused::Unknown(rcpt.to_owned())));
        };
        let quota = self.mail_quota_from(&kind, set);
        let used = used.max(0) as u64;
        let fits = match size {
            0 => used < quota,
            _ => used.saturating_add(size) <= quota,
        };
        Ok(match fits {
            true => Ok(quota),
            false => Err(RcptRefused::MailboxFull(rcpt.to_owned())),
        })
    }

    /// The login if it may receive mail of this origin (decided on its own token).
    async fn receiver(
        &self,
        c: &mut impl AsConn,
        instance: InstanceId,
        user: UserId,
        origin: Origin,
    ) -> Result<Option<Receiver>, DomainError> {
        let Some(r) = self.system_actor_for(c, instance, user).await? else {
            return Ok(None);
        };
        let may = check(&r.token, ReceiveMail(origin)).is_ok();
        Ok(may.then_some(Receiver {
            instance,
            user,
            kind: r.user.kind,
        }))
    }

    /// Sends a message: `mail_from` must be an own address, as must the From header; every
    /// recipient is checked first, and one refusal refuses the whole message.
    pub async fn mail_submit(
        &self,
        a: &Actor,
        mail_from: &str,
        rcpts: &[String],
        raw: &[u8],
    ) -> Result<SubmitReport, DomainError> {
        let mb = mailbox_of(a)?;
        let own = self.mail_own_addresses(a).await?;
        let from = normalise(mail_from).map(|(l, d)| format!("{l}@{d}"));
        if !from.as_ref().is_some_and(|f| own.contains(f)) {
            return Err(DomainError::invalid(
                "from",
                "the sender must be one of your own addresses",
            ));
        }
        if rcpts.is_empty() {
            return Err(DomainError::invalid("to", "the message has no recipient"));
        }
        let mut users: Vec<(InstanceId, UserId, String)> = Vec::new();
        let mut kinds: Vec<String> = Vec::new();
        let mut foreign: Vec<String> = Vec::new();
        for r in rcpts {
            let us = match self.accept_rcpt(a, r).await? {
                Ok(Accepted::Users(us)) => us,
                Ok(Accepted::Person(p)) => vec![p],
                Ok(Accepted::Foreign) => {
                    foreign.push(r.trim().to_owned());
                    continue;
                }
                Err(refused) => return Err(DomainError::invalid("to", refused.to_string())),
            };
            for p in us {
                if !users.iter().any(|x| x.1 == p.user) {
                    users.push((p.instance, p.user, r.trim().to_lowercase()));
                    kinds.push(p.kind);
                }
            }
        }
        // Rate limit and virus scanner (issue 17), before anything is stored.
        let screened = self
            .mail_screen_submit(
                a,
                from.as_deref().unwrap_or_default(),
                rcpts.len(),
                &users,
                &foreign,
                raw,
            )
            .await?;
        let raw: &[u8] = &screened;
        let content = self.mail_store_content(raw).await?;
        let header_from = &content.summary.from_addr;
        if !header_from.is_empty() && !own.contains(header_from) {
            return Err(DomainError::invalid(
                "from",
                "the From header must be one of your own addresses",
            ));
        }
        let from = from.unwrap_or_default();
        let now = self.now();
        let mut report = SubmitReport::default();
        let mut targets = Vec::with_capacity(users.len());
        {
            // Every recipient was read as active by the policy's check; the quota is set
            // per account type: read once per type.
            let mut c = self.db.read().await?;
            let mut quotas: Vec<(InstanceId, &str, u64)> = Vec::new();
            for ((instance, user, rcpt), kind) in users.iter().zip(&kinds) {
                let known = quotas.iter().find(|q| q.0 == *instance && q.1 == kind);
                let quota = match known {
                    Some(q) => q.2,
                    None => {
                        let set = addresses::quota_of(&mut c, *instance, kind).await?;
                        let q = self.mail_quota_from(kind, set);
                        quotas.push((*instance, kind, q));
                        q
                    }
                };
                let mb = Mailbox {
                    instance: *instance,
                    owner: *user,
                };
                targets.push(Target {
                    mb,
                    folder: None,
                    flags: Flags::default(),
                    quota,
                    rcpt: Some(rcpt.clone()),
                });
            }
        }
        let arrival = Arrival {
            direction: "local",
            mail_from: &from,
        };
        let filed = self
            .mail_ingest(&content, &targets, now, Some(arrival))
            .await?;
        self.absence_replies(&targets, &filed, &from, raw).await;
        for (t, f) in targets.iter().zip(&filed) {
            match f {
                Ok(_) => report.delivered += 1,
                Err(_) => report.over_quota.push(t.rcpt.clone().unwrap_or_default()),
            }
        }
        self.bounce_full(mb.instance, Some(mb.owner), &from, &report.over_quota, raw)
            .await;
        if !foreign.is_empty() {
            let mut tx = self.db.begin_durable().await?;
            for rcpt in &foreign {
                let s = &content.summary;
                queue::enqueue(
                    &mut tx,
                    uuid::Uuid::now_v7(),
                    mb.instance,
                    Some(mb.owner),
                    &from,
                    rcpt,
                    &content.blob_sha,
                    content.size as i64,
                    now,
                )
                .await?;
                schulhof_store::mail::traffic::record(
                    &mut tx,
                    mb.instance,
                    uuid::Uuid::now_v7(),
                    now,
                    "out",
                    &from,
                    rcpt,
                    &s.message_id,
                    content.size as i64,
                    &s.subject,
                )
                .await?;
            }
            tx.commit().await?;
            report.queued = foreign.len();
        }
        Ok(report)
    }

    /// Whether mail from outside may go to `rcpt` (SMTP RCPT on the MX): as
    /// [`Self::mail_inbound_rcpt_sized`] for a message of unknown size.
    pub async fn mail_inbound_rcpt(&self, rcpt: &str) -> Result<InboundRcpt, RcptRefused> {
        self.mail_inbound_rcpt_sized(rcpt, 0).await
    }

    /// Whether mail from outside of `size` bytes (SMTP's declared SIZE, 0 if unknown) may go
    /// to `rcpt`; a mailbox without room for it is refused at once (452 4.2.2).
    pub async fn mail_inbound_rcpt_sized(
        &self,
        rcpt: &str,
        size: u64,
    ) -> Result<InboundRcpt, RcptRefused> {
        let refused = || RcptRefused::NotAllowed(rcpt.to_owned());
        let Some((l, d)) = normalise(rcpt) else {
            return Err(RcptRefused::Malformed(rcpt.to_owned()));
        };
        let inner = async {
            let mut c = self.db.read().await?;
            Ok::<_, DomainError>(match resolve(&mut c, rcpt).await? {
                Dest::User { instance, user } => {
                    if self
                        .receiver(&mut c, instance, user, Origin::Outside)
                        .await?
                        .is_some()
                    {
                        self.room_at_rcpt(&mut c, (instance, user), rcpt, size)
                            .await?
                            .map(|quota| InboundRcpt {
                                address: format!("{l}@{d}"),
                                instance,
                                user,
                                quota,
                            })
                    } else {
                        Err(refused())
                    }
                }
                Dest::Unknown => Err(RcptRefused::Unknown(rcpt.to_owned())),
                // Lists are for the school itself; other domains are not relayed.
                Dest::List { .. } | Dest::Foreign => Err(refused()),
            })
        };
        match inner.await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "checking an inbound recipient");
                Err(RcptRefused::Temporary(rcpt.to_owned()))
            }
        }
    }

    /// Files mail from outside into the inboxes of recipients accepted by
    /// [`Platform::mail_inbound_rcpt`]. Returns, per recipient, whether it was filed (a full
    /// mailbox refuses).
    pub async fn mail_deliver_inbound(
        &self,
        mail_from: &str,
        rcpts: &[InboundRcpt],
        raw: &[u8],
    ) -> Result<Vec<Result<(), DomainError>>, DomainError> {
        self.mail_deliver_inbound_via(None, mail_from, rcpts, raw, false)
            .await
    }

    /// [`Platform::mail_deliver_inbound`] with the SMTP client that handed it over (for the
    /// spam filter). Malware is held back (every recipient counts as served); spam, and
    /// mail `junk` already marks (a DMARC quarantine failure), is filed in the Spam folder.
    pub(crate) async fn mail_deliver_inbound_via(
        &self,
        client: Option<&super::auth::SmtpClient>,
        mail_from: &str,
        rcpts: &[InboundRcpt],
        raw: &[u8],
        junk: bool,
    ) -> Result<Vec<Result<(), DomainError>>, DomainError> {
        let (screened, spam) = match self
            .mail_screen_inbound(client, mail_from, rcpts, raw)
            .await?
        {
            super::filter::Inbound::Deliver { raw, spam } => (raw, spam),
            super::filter::Inbound::Held => return Ok(rcpts.iter().map(|_| Ok(())).collect()),
        };
        let raw: &[u8] = &screened;
        let content = self.mail_store_content(raw).await?;
        // Each recipient's quota came with its acceptance at RCPT: nothing to read here.
        let mut targets: Vec<Target> = rcpts
            .iter()
            .map(|r| Target {
                mb: Mailbox {
                    instance: r.instance,
                    owner: r.user,
                },
                folder: None,
                flags: Flags::default(),
                quota: r.quota,
                rcpt: Some(r.address.clone()),
            })
            .collect();
        if spam || junk {
            self.mail_to_junk(&mut targets).await?;
        }
        let arrival = Arrival {
            direction: "in",
            mail_from,
        };
        let filed = self
            .mail_ingest(&content, &targets, self.now(), Some(arrival))
            .await?;
        self.absence_replies(&targets, &filed, mail_from, raw).await;
        Ok(filed.into_iter().map(|f| f.map(|_| ())).collect())
    }

    /// Files a message of the platform itself (a bounce, an absence note) into a login's
    /// inbox, bypassing the rights of senders but not the quota.
    pub async fn mail_system_deliver(
        &self,
        instance: InstanceId,
        user: UserId,
        raw: &[u8],
    ) -> Result<(), DomainError> {
        let content = self.mail_store_content(raw).await?;
        let quota = {
            let mut c = self.db.read().await?;
            let row = user_row(&mut c, instance, user)
                .await?
                .ok_or(DomainError::NotFound)?;
            self.mail_quota_of(&mut c, instance, &row).await?
        };
        let mb = Mailbox {
            instance,
            owner: user,
        };
        let t = Target {
            mb,
            folder: None,
            flags: Flags::default(),
            quota,
            rcpt: None,
        };
        let mut filed = self.mail_ingest(&content, &[t], self.now(), None).await?;
        filed
            .pop()
            .unwrap_or_else(|| Err(DomainError::Internal("nothing filed".into())))
            .map(|_| ())
    }

    /// Files one message of the platform itself into the inboxes of several logins of one
    /// school (invitations by mail): one stored content, one transaction; bypassing the
    /// rights of senders but not each quota. Per login, whether it was filed.
    pub(crate) async fn mail_system_deliver_many(
        &self,
        instance: InstanceId,
        users: &[&UserRow],
        raw: &[u8],
    ) -> Result<Vec<Result<(), DomainError>>, DomainError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let content = self.mail_store_content(raw).await?;
        let mut targets = Vec::with_capacity(users.len());
        {
            let mut c = self.db.read().await?;
            // The quota is set per account type: read once per type.
            let mut quotas: Vec<(&str, u64)> = Vec::new();
            for u in users {
                let quota = match quotas.iter().find(|q| q.0 == u.kind) {
                    Some(q) => q.1,
                    None => {
                        let q = self.mail_quota_of(&mut c, instance, u).await?;
                        quotas.push((&u.kind, q));
                        q
                    }
                };
                targets.push(Target {
                    mb: Mailbox {
                        instance,
                        owner: u.id,
                    },
                    folder: None,
                    flags: Flags::default(),
                    quota,
                    rcpt: None,
                });
            }
        }
        let filed = self
            .mail_ingest(&content, &targets, self.now(), None)
            .await?;
        Ok(filed.into_iter().map(|f| f.map(|_| ())).collect())
    }

    /// Sends the absence notes the delivered message calls for. A failure here is logged:
    /// the message itself is delivered already.
    async fn absence_replies(
        &self,
        targets: &[Target],
        filed: &[Filed],
        mail_from: &str,
        raw: &[u8],
    ) {
        let mut replies = Vec::new();
        let noted = async {
            if !super::absence::answerable_sender(mail_from) {
                return Ok(());
            }
            // Who is away is one read outside a transaction; only they are looked at closer.
            let owners: Vec<_> = targets
                .iter()
                .zip(filed)
                .filter(|(_, f)| f.is_ok())
                .map(|(t, _)| (t.mb.instance, t.mb.owner))
                .collect();
            let away = {
                let mut c = self.db.read().await?;
                absence_store::current_among(&mut c, &owners, self.now()).await?
            };
            if away.is_empty() {
                return Ok(());
            }
            let mut tx = self.db.begin().await?;
            for t in targets {
                if away.contains(&(t.mb.instance, t.mb.owner))
                    && let Some(r) = self.absence_reply(&mut tx, t.mb, mail_from, raw).await?
                {
                    replies.push((t.mb, r));
                }
            }
            tx.commit().await?;
            Ok::<_, DomainError>(())
        };
        if let Err(e) = noted.await {
            tracing::warn!(error = %e, "absence notes");
            return;
        }
        for (mb, r) in replies {
            if let Err(e) = self.send_auto_reply(mb, &r).await {
                tracing::warn!(error = %e, "sending an absence note");
            }
        }
    }

    /// Delivers an automatic reply from `mb`: locally at once, outside through the queue when
    /// the absent person may write outside. No bounce comes back for it.
    async fn send_auto_reply(&self, mb: Mailbox, r: &AutoReply) -> Result<(), DomainError> {
        let dest = {
            let mut c = self.db.read().await?;
            resolve(&mut c, &r.rcpt).await?
        };
        match dest {
            Dest::User { instance, user } => self.mail_system_deliver(instance, user, &r.raw).await,
            Dest::Foreign => {
                let mut c = self.db.read().await?;
                let Some(me) = self.system_actor_for(&mut c, mb.instance, mb.owner).await? else {
                    return Ok(());
                };
                drop(c);
                if check(&me.token, SendMail(Recipient::Outside)).is_err() {
                    return Ok(());
                }
                let content = self.mail_store_content(&r.raw).await?;
                let mut tx = self.db.begin().await?;
                queue::enqueue(
                    &mut tx,
                    uuid::Uuid::now_v7(),
                    mb.instance,
                    None,
                    &r.mail_from,
                    &r.rcpt,
                    &content.blob_sha,
                    content.size as i64,
                    self.now(),
                )
                .await?;
                Ok(tx.commit().await?)
            }
            Dest::List { .. } | Dest::Unknown => Ok(()),
        }
    }

    /// Tells the sender that these recipients' mailboxes were full: into the own inbox for a
    /// sender of this school, through the queue for a sender outside. Never for an empty
    /// envelope sender (a bounce itself).
    async fn bounce_full(
        &self,
        instance: InstanceId,
        sender: Option<UserId>,
        mail_from: &str,
        full: &[String],
        raw: &[u8],
    ) {
        if full.is_empty() || normalise(mail_from).is_none() {
            return;
        }
        let sent = async {
            let domain = {
                let mut c = self.db.read().await?;
                schulhof_store::instances::get(&mut c, instance)
                    .await?
                    .map(|i| i.mail_domain)
                    .unwrap_or_default()
            };
            let now = self.now();
            for rcpt in full {
                let f = super::outbound::dsn::Failure {
                    reporting_domain: &domain,
                    mail_from,
                    rcpt,
                    diagnostic: "552 5.2.2 mailbox full",
                    permanent: true,
                    arrived: now,
                };
                let dsn = super::outbound::dsn::build(&f, raw, now)?;
                match sender {
                    Some(u) => self.mail_system_deliver(instance, u, &dsn).await?,
                    None => {
                        let content = self.mail_store_content(&dsn).await?;
                        let mut tx = self.db.begin().await?;
                        queue::enqueue(
                            &mut tx,
                            uuid::Uuid::now_v7(),
                            instance,
                            None,
                            "",
                            mail_from,
                            &content.blob_sha,
                            content.size as i64,
                            now,
                        )
                        .await?;
                        tx.commit().await?;
                    }
                }
            }
            Ok::<_, DomainError>(())
        };
        if let Err(e) = sent.await {
            tracing::warn!(error = %e, "bouncing mail for full mailboxes");
        }
    }
}
