//! Mail of the platform itself: notifications to the external address of a login (the
//! outbox that [`crate::notify`] fills) and links such as a password reset. Each becomes a
//! plain-text message in the queue from the school's `noreply` address; a bounce of it goes
//! nowhere.

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use schulhof_store::mail::queue;
use schulhof_store::{AsConn, instances};
use schulhof_types::InstanceId;

use crate::{DomainError, Platform};

/// Notification mails handed to the queue per run.
const NOTICES_PER_RUN: i64 = 100;

/// The German and English wording of a notification (as the platform shows it).
fn wording(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "password_reset" => (
            "Ihr Passwort wurde von {by} zurückgesetzt.",
            "Your password was reset by {by}.",
        ),
        "private_hold" => (
            "Eigene Dateien und Daten-Safe sind gesperrt, bis eine zweite Person den Reset durch {by} bestätigt.",
            "Own files and the Data Safe are closed until a second person confirms the reset by {by}.",
        ),
        "hold_released" => (
            "{by} hat den Passwort-Reset bestätigt; Eigene Dateien und Safe sind wieder offen.",
            "{by} confirmed the password reset; own files and the Safe are open again.",
        ),
        "safe_password_requested" => (
            "{by} hat ein neues Safe-Passwort für Sie beantragt; die Schulleitung entscheidet.",
            "{by} asked for a new Safe password for you; the Schulleitung decides.",
        ),
        "safe_password_reset" => (
            "{by} hat Ihnen ein neues Safe-Passwort erzeugt.",
            "{by} generated a new Safe password for you.",
        ),
        "safe_password_request_rejected" => (
            "{by} hat den Antrag auf ein neues Safe-Passwort abgelehnt.",
            "{by} rejected the request for a new Safe password.",
        ),
        "schulleitung_created" => (
            "Ein Schulleitungskonto ist eingerichtet.",
            "A Schulleitung account has been set up.",
        ),
        "schulleitung_holder_changed" => (
            "Der Inhaber des Schulleitungskontos wurde geändert.",
            "The holder of the Schulleitung account has changed.",
        ),
        "mailbox_inspection" => (
            "Schulleitung und Personalvertretung haben gemeinsam Einsicht in Ihr Postfach genommen; Einzelheiten in der Benachrichtigung auf der Plattform.",
            "The Schulleitung and the staff council opened your mailbox together; details are in the notification on the platform.",
        ),
        _ => (
            "Es gibt eine neue Benachrichtigung für Sie.",
            "There is a new notification for you.",
        ),
    }
}

/// The text of a notification mail.
pub(crate) fn notice_text(kind: &str, params: &str) -> String {
    let params: serde_json::Value = serde_json::from_str(params).unwrap_or_default();
    let by = params.get("by").and_then(|v| v.as_str()).unwrap_or("?");
    let (de, en) = wording(kind);
    format!(
        "{}\r\n\r\n{}\r\n\r\n-- \r\nDiese Nachricht wurde automatisch verschickt. / This message was sent automatically.\r\n",
        de.replace("{by}", by),
        en.replace("{by}", by)
    )
}

impl Platform {
    /// Queues a plain-text message of the platform to an external address, in `c`.
    pub(crate) async fn queue_system_mail(
        &self,
        c: &mut impl AsConn,
        instance: InstanceId,
        to: &str,
        subject: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let inst = instances::get(c, instance)
            .await?
            .ok_or(DomainError::NotFound)?;
        let from = format!("noreply@{}", inst.mail_domain);
        let raw = MessageBuilder::new()
            .from((format!("Schulhof {}", inst.name), from.clone()))
            .to(to.to_owned())
            .subject(subject.to_owned())
            .date(now.timestamp())
            .header("Auto-Submitted", Raw::new("auto-generated"))
            .text_body(text.to_owned())
            .write_to_vec()
            .map_err(|e| DomainError::Internal(format!("building a mail: {e}")))?;
        let content = self.mail_store_content(&raw).await?;
        let id = uuid::Uuid::now_v7();
        queue::enqueue(
            c,
            id,
            instance,
            None,
            &from,
            to,
            &content.blob_sha,
            content.size as i64,
            now,
        )
        .await?;
        Ok(())
    }

    /// Hands waiting notification mails to the queue and marks them sent.
    pub(crate) async fn queue_notices(&self, now: DateTime<Utc>) -> Result<usize, DomainError> {
        let mut tx = self.db.begin().await?;
        let rows = queue::pending_notices(&mut tx, NOTICES_PER_RUN).await?;
        for r in &rows {
            let text = notice_text(&r.kind, &r.params);
            let subject = "Benachrichtigung / Notification";
            self.queue_system_mail(&mut tx, r.instance, &r.to, subject, &text, now)
                .await?;
            queue::notice_sent(&mut tx, r.instance, r.id, now).await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_who_acted() {
        let t = notice_text("password_reset", r#"{"by":"admin"}"#);
        assert!(t.starts_with("Ihr Passwort wurde von admin zurückgesetzt."));
        assert!(t.contains("Your password was reset by admin."));
        assert!(notice_text("unknown", "").contains("neue Benachrichtigung"));
    }
}
