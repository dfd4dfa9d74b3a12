//! The one way a message enters mailboxes: SMTP delivery, IMAP APPEND, webmail sending and
//! system mail (bounces, absence notes) all store the content once and then file it into
//! each mailbox in one transaction, with UID, MODSEQ, usage and the live event.

use chrono::{DateTime, Utc};
use schulhof_store::Backend;
use schulhof_store::mail::folders as folder_store;
use schulhof_store::mail::messages::{self as store, FiledOne, MessageRow, TrafficLine};
use schulhof_store::mail::traffic;
use schulhof_types::{MailFolderId, MailMessageId};

use super::bus::MailEvent;
use super::folders::ensure_standard;
use super::parse::{Summary, summarise};
use super::view::Change;
use super::{Flags, Mailbox, UidFlags, u32_of};
use crate::{DomainError, Platform};

/// A message's content, stored durably and read once.
pub(crate) struct Content {
    pub blob_sha: String,
    pub size: u64,
    pub summary: Summary,
}

/// One mailbox a message goes into.
pub(crate) struct Target {
    pub mb: Mailbox,
    /// `None`: the inbox.
    pub folder: Option<MailFolderId>,
    pub flags: Flags,
    pub quota: u64,
    /// The address it was sent to, for the traffic data (`None`: no traffic data, e.g. an
    /// own copy put into a folder).
    pub rcpt: Option<String>,
}

/// How a message arrived, for the traffic data: direction ("in", "local") and envelope sender.
pub(crate) struct Arrival<'a> {
    pub direction: &'a str,
    pub mail_from: &'a str,
}

/// Where a message was filed: (UIDVALIDITY, UID) of its folder.
pub(crate) type Filed = Result<(u32, u32), DomainError>;

fn over_quota() -> DomainError {
    DomainError::QuotaExceeded("Das Postfach ist voll: das Kontingent ist erschöpft.".into())
}

/// The row of `content` filed into `folder` of the target's mailbox under (UID, MODSEQ).
fn message_row(
    content: &Content,
    t: &Target,
    folder: MailFolderId,
    (uid, modseq): (i64, i64),
    received_at: DateTime<Utc>,
) -> MessageRow {
    let s = &content.summary;
    MessageRow {
        id: MailMessageId(uuid::Uuid::now_v7()),
        owner: t.mb.owner,
        folder,
        uid,
        modseq,
        blob_sha: content.blob_sha.clone(),
        size: content.size as i64,
        received_at,
        sent_at: s.sent_at,
        flags: t.flags.to_row(),
        subject: s.subject.clone(),
        from_addr: s.from_addr.clone(),
        from_name: s.from_name.clone(),
        to_addrs: s.to.clone(),
        cc_addrs: s.cc.clone(),
        message_id: s.message_id.clone(),
        has_attachments: s.has_attachments,
        preview: s.preview.clone(),
    }
}

impl Platform {
    /// Stores a message's content (fsynced by the blob store before this returns) and
    /// reads its envelope. Larger than the installation's limit: refused.
    pub(crate) async fn mail_store_content(&self, raw: &[u8]) -> Result<Content, DomainError> {
        let max = self.config.mail.max_message;
        if raw.len() as u64 > max {
            return Err(DomainError::invalid(
                "message",
                format!("the message is larger than {} MB", max / (1024 * 1024)),
            ));
        }
        let stored = self
            .blobs
            .put(raw, max)
            .await
            .map_err(|e| DomainError::Internal(format!("storing a message: {e}")))?;
        let summary = summarise(raw);
        Ok(Content {
            blob_sha: stored.sha256,
            size: stored.size,
            summary,
        })
    }

    /// Files stored content into every target in one transaction. A target over its quota
    /// gets an error and the others their message.
    ///
    /// The commit is fsynced before this returns (`begin_durable`): SMTP answers `250` and
    /// IMAP APPEND `OK` only after it, as the content was fsynced before.
    pub(crate) async fn mail_ingest(
        &self,
        content: &Content,
        targets: &[Target],
        received_at: DateTime<Utc>,
        arrival: Option<Arrival<'_>>,
    ) -> Result<Vec<Filed>, DomainError> {
        // One message into one folder (APPEND, an own copy, mail to one person whose inbox
        // exists): on PostgreSQL one statement instead of a transaction.
        if let [t] = targets
            && self.db.backend() == Backend::Postgres
        {
            let inbox = match t.folder {
                Some(_) => None,
                None => {
                    let mut c = self.db.read().await?;
                    folder_store::id_by_special(&mut c, t.mb.instance, t.mb.owner, "inbox").await?
                }
            };
            if let Some(folder) = t.folder.or(inbox) {
                let line = arrival
                    .as_ref()
                    .zip(t.rcpt.as_deref())
                    .map(|(a, rcpt)| TrafficLine {
                        id: uuid::Uuid::now_v7(),
                        direction: a.direction,
                        sender: a.mail_from,
                        recipient: rcpt,
                        message_id: &content.summary.message_id,
                        subject: &content.summary.subject,
                    });
                let one = self.file_one_at_once(content, t, folder, received_at, line.as_ref());
                match one.await? {
                    Some(filed) => return Ok(vec![filed]),
                    // Given: gone. The inbox: deleted a moment ago; the transaction makes it.
                    None if t.folder.is_some() => return Err(DomainError::NotFound),
                    None => {}
                }
            }
        }
        let s = &content.summary;
        let size = content.size as i64;
        let mut tx = self.db.begin_durable().await?;
        let mut filed: Vec<Option<Filed>> = targets.iter().map(|_| None).collect();
        let mut events = Vec::new();
        let mut added = Vec::new();
        // Rows are locked in one order (by mailbox) in every ingest: two deliveries to the
        // same mailboxes at once on PostgreSQL then wait for each other instead of deadlocking.
        let mut order: Vec<usize> = (0..targets.len()).collect();
        order.sort_by_key(|&i| (targets[i].mb.instance, targets[i].mb.owner));
        for i in order {
            let t = &targets[i];
            // The quota check and the new use in one statement. It comes first: its row is
            // the mailbox's lock, so a concurrent first delivery that makes the standard
            // folders has committed them before this one looks.
            let quota = i64::try_from(t.quota).unwrap_or(i64::MAX);
            if !store::add_usage_within(&mut tx, t.mb.instance, t.mb.owner, size, quota).await? {
                filed[i] = Some(Err(over_quota()));
                continue;
            }
            let folder = match t.folder {
                Some(f) => f,
                None => ensure_standard(&mut tx, t.mb, received_at).await?,
            };
            let (uid, modseq, validity) =
                folder_store::take_uids(&mut tx, t.mb.instance, folder, 1).await?;
            let row = message_row(content, t, folder, (uid, modseq), received_at);
            store::insert(&mut tx, t.mb.instance, &row).await?;
            filed[i] = Some(Ok((validity as u32, uid as u32)));
            added.push((
                folder,
                UidFlags {
                    uid: u32_of(uid),
                    modseq: modseq.max(0) as u64,
                    flags: t.flags.clone(),
                },
            ));
            if let (Some(a), Some(rcpt)) = (&arrival, &t.rcpt) {
                traffic::record(
                    &mut tx,
                    t.mb.instance,
                    uuid::Uuid::now_v7(),
                    received_at,
                    a.direction,
                    a.mail_from,
                    rcpt,
                    &s.message_id,
                    size,
                    &s.subject,
                )
                .await?;
            }
            events.push(MailEvent {
                instance: t.mb.instance,
                owner: t.mb.owner,
                folder,
                origin: 0,
            });
        }
        if !events.is_empty() {
            store::put_text(&mut tx, &content.blob_sha, &s.text).await?;
        }
        tx.commit().await?;
        self.mail_bus.committed(&self.db, &events);
        // This node's copies of the folders take the new messages without reading them.
        let bytes = u32::try_from(size.max(0)).unwrap_or(u32::MAX);
        for (folder, m) in &added {
            let to = i64::try_from(m.modseq).unwrap_or(i64::MAX);
            self.mail_bus
                .views
                .advance(*folder, to, Change::Added(m, bytes));
        }
        Ok(filed.into_iter().flatten().collect())
    }

    /// PostgreSQL: [`store::insert_one_within_quota`] — quota, UID, row, text and traffic
    /// line in one statement, durable when it returns (the server commits it
    /// synchronously). `None`: the folder is gone, nothing changed.
    async fn file_one_at_once(
        &self,
        content: &Content,
        t: &Target,
        folder: MailFolderId,
        received_at: DateTime<Utc>,
        traffic: Option<&TrafficLine<'_>>,
    ) -> Result<Option<Filed>, DomainError> {
        let row = message_row(content, t, folder, (0, 0), received_at);
        let quota = i64::try_from(t.quota).unwrap_or(i64::MAX);
        let mut c = self.db.read().await?;
        let filed = store::insert_one_within_quota(
            &mut c,
            t.mb.instance,
            &row,
            quota,
            &content.summary.text,
            traffic,
        )
        .await?;
        drop(c);
        let (uid, modseq, validity) = match filed {
            Some(FiledOne::Filed(uid, modseq, validity)) => (uid, modseq, validity),
            Some(FiledOne::OverQuota) => return Ok(Some(Err(over_quota()))),
            Some(FiledOne::NoFolder) | None => return Ok(None),
        };
        self.mail_bus.committed(
            &self.db,
            &[MailEvent {
                instance: t.mb.instance,
                owner: t.mb.owner,
                folder,
                origin: 0,
            }],
        );
        let added = UidFlags {
            uid: u32_of(uid),
            modseq: modseq.max(0) as u64,
            flags: t.flags.clone(),
        };
        let bytes = u32::try_from(content.size).unwrap_or(u32::MAX);
        self.mail_bus
            .views
            .advance(folder, modseq, Change::Added(&added, bytes));
        Ok(Some(Ok((validity as u32, uid as u32))))
    }

    /// Live mail events of every mailbox (subscribers filter by owner).
    pub fn mail_events(&self) -> tokio::sync::broadcast::Receiver<MailEvent> {
        self.mail_bus.subscribe()
    }
}
