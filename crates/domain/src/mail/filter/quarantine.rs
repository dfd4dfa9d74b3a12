//! Malware held back: the message is kept (content in the blob store, one row per
//! recipient) and never delivered; each local recipient and a local sender get a notice in
//! their inbox saying what was held and why. A sender outside is not told: such senders
//! are mostly forged, and a notice would be backscatter.

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use schulhof_authz::check;
use schulhof_authz::mail_control::ManageQuarantine;
use schulhof_store::mail::filtering::{self as store, Held};
use schulhof_types::{InstanceId, UserId};

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A held message as the school's admin sees it: envelope, subject and finding, never the
/// content.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HeldMessage {
    pub id: uuid::Uuid,
    pub held_at: DateTime<Utc>,
    pub direction: String,
    pub mail_from: String,
    pub rcpt: String,
    pub subject: String,
    pub finding: String,
    pub size: u64,
}

/// A recipient of a held message: a login here (`Some`) or an address elsewhere.
pub(crate) struct HeldFor {
    pub instance: InstanceId,
    pub user: Option<UserId>,
    pub address: String,
}

/// Who sent a held message, when it is a login here.
pub(crate) struct LocalSender {
    pub instance: InstanceId,
    pub user: UserId,
}

/// The German and English notice.
fn notice(subject: &str, from: &str, finding: &str, at: DateTime<Utc>) -> String {
    let at = at.format("%d.%m.%Y %H:%M UTC");
    format!(
        "Eine Nachricht wurde zurückgehalten und nicht zugestellt: der Virenscanner hat \
         Schadsoftware gefunden ({finding}).\r\n\r\nAbsender: {from}\r\nBetreff: {subject}\r\n\
         Zeit: {at}\r\n\r\nÖffnen Sie keine Anhänge, die Sie nicht erwarten. Fragen beantwortet \
         die Administration Ihrer Schule.\r\n\r\n---\r\n\r\nA message was held back and not \
         delivered: the virus scanner found malware ({finding}).\r\n\r\nSender: {from}\r\n\
         Subject: {subject}\r\nTime: {at}\r\n\r\n-- \r\nDiese Nachricht wurde automatisch \
         verschickt. / This message was sent automatically.\r\n"
    )
}

impl Platform {
    /// Holds a message with malware for every recipient and tells those concerned here.
    pub(crate) async fn mail_hold(
        &self,
        raw: &[u8],
        finding: &str,
        direction: &str,
        mail_from: &str,
        sender: Option<LocalSender>,
        rcpts: &[HeldFor],
    ) -> Result<(), DomainError> {
        let content = self.mail_store_content(raw).await?;
        let now = self.now();
        let subject = content.summary.subject.clone();
        let mut tx = self.db.begin().await?;
        for r in rcpts {
            let h = Held {
                id: uuid::Uuid::now_v7(),
                held_at: now,
                direction: direction.to_owned(),
                mail_from: mail_from.to_owned(),
                rcpt_addr: r.address.clone(),
                rcpt_id: r.user,
                sender_id: sender.as_ref().map(|s| s.user),
                blob_sha: content.blob_sha.clone(),
                size: content.size as i64,
                subject: subject.clone(),
                finding: finding.to_owned(),
            };
            store::hold(&mut tx, r.instance, &h).await?;
        }
        tx.commit().await?;
        tracing::warn!(%finding, %direction, recipients = rcpts.len(), "mail held: malware");
        let text = notice(&subject, mail_from, finding, now);
        let mut told: Vec<(InstanceId, UserId)> = rcpts
            .iter()
            .filter_map(|r| r.user.map(|u| (r.instance, u)))
            .collect();
        told.extend(sender.map(|s| (s.instance, s.user)));
        told.sort_by_key(|(i, u)| (i.0, u.0));
        told.dedup();
        for (instance, user) in told {
            // The message is held already; a notice that cannot be filed is only logged.
            if let Err(e) = self.held_notice(instance, user, &text, now).await {
                tracing::warn!(error = %e, "notice of a held message");
            }
        }
        Ok(())
    }

    async fn held_notice(
        &self,
        instance: InstanceId,
        user: UserId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let (domain, to) = {
            let mut c = self.db.read().await?;
            let domain = schulhof_store::instances::get(&mut c, instance)
                .await?
                .map(|i| i.mail_domain)
                .unwrap_or_default();
            let to = schulhof_store::users::get(&mut c, instance, user)
                .await?
                .map(|u| u.mail)
                .unwrap_or_default();
            (domain, to)
        };
        let raw = MessageBuilder::new()
            .from(("Schulhof".to_owned(), format!("noreply@{domain}")))
            .to(to)
            .subject("Nachricht zurückgehalten: Schadsoftware / Message held: malware")
            .date(now.timestamp())
            .header("Auto-Submitted", Raw::new("auto-generated"))
            .text_body(text.to_owned())
            .write_to_vec()
            .map_err(|e| DomainError::Internal(format!("building a notice: {e}")))?;
        self.mail_system_deliver(instance, user, &raw).await
    }

    /// The newest messages held back for the own school (admin). A held message is never
    /// delivered, so there is nothing to release; the retention job deletes it after
    /// [`crate::retention::QUARANTINE_RETENTION`], the admin earlier.
    pub async fn mail_quarantine(&self, a: &Actor) -> Result<Vec<HeldMessage>, DomainError> {
        let grant = check(&a.token, ManageQuarantine)?;
        let mut c = self.db.read().await?;
        let rows = store::held(&mut c, grant.instance(), 200).await?;
        Ok(rows
            .into_iter()
            .map(|h| HeldMessage {
                id: h.id,
                held_at: h.held_at,
                direction: h.direction,
                mail_from: h.mail_from,
                rcpt: h.rcpt_addr,
                subject: h.subject,
                finding: h.finding,
                size: h.size.max(0) as u64,
            })
            .collect())
    }
}

impl Platform {
    /// Deletes a held message of the own school (admin); audited. Its content goes with
    /// the blob collector once no row names it.
    pub async fn mail_quarantine_delete(
        &self,
        a: &Actor,
        id: uuid::Uuid,
    ) -> Result<(), DomainError> {
        let grant = check(&a.token, ManageQuarantine)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if !schulhof_store::mail::quarantine::delete(&mut tx, grant.instance(), id).await? {
            return Err(DomainError::NotFound);
        }
        let detail = serde_json::json!({ "held": id });
        crate::audit::admin_action(
            &mut tx,
            a,
            now,
            "mail.quarantine.delete",
            "quarantine",
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
    }
}
