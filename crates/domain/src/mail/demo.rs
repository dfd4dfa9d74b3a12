//! A few messages for the demo school, so the teacher's and the student's inboxes are not
//! empty on a first look: sent through the ordinary services, as those logins.

use super::compose::{Draft, Recipient};
use crate::identity::Actor;
use crate::{DomainError, Platform};

const TO_STUDENT: &str = "Hallo Sophie,\n\nbitte bearbeite bis Donnerstag das Arbeitsblatt \
zur Bruchrechnung (es liegt im Ordner der Klasse).\n\nViele Grüße\nLena Lehmann\n";
const TO_TEACHER: &str = "Hallo Frau Lehmann,\n\nbei Aufgabe 3 weiß ich nicht, wie ich anfangen \
soll. Können Sie mir einen Tipp geben?\n\nViele Grüße\nSophie\n";
const FROM_PARENTS: &str = "From: Familie Beispiel <eltern.beispiel@example.org>\r\n\
To: {to}\r\nSubject: Elternabend am Donnerstag\r\n\
Message-ID: <demo-elternabend@example.org>\r\nDate: Mon, 30 Nov 2026 18:12:00 +0100\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nSehr geehrte Frau Lehmann,\r\n\r\n\
wir kommen gern zum Elternabend. Gibt es schon eine Tagesordnung?\r\n\r\n\
Mit freundlichen Grüßen\r\nFamilie Beispiel\r\n";

fn to(addr: &str) -> Vec<Recipient> {
    vec![Recipient {
        name: None,
        addr: addr.to_owned(),
    }]
}

impl Platform {
    /// Sends the demo messages between the demo teacher and student, and one from parents.
    pub(crate) async fn seed_demo_mail(
        &self,
        teacher: &Actor,
        student: &Actor,
    ) -> Result<(), DomainError> {
        let send = |from: &Actor, rcpt: &str, subject: &str, text: &str| {
            let d = Draft {
                from: from.user.mail.clone(),
                to: to(rcpt),
                subject: subject.into(),
                text: text.into(),
                ..Draft::default()
            };
            let from = from.clone();
            async move { self.mail_send(&from, &d, None, None).await }
        };
        send(
            teacher,
            &student.user.mail,
            "Hausaufgaben bis Donnerstag",
            TO_STUDENT,
        )
        .await?;
        send(
            student,
            &teacher.user.mail,
            "Frage zu Aufgabe 3",
            TO_TEACHER,
        )
        .await?;
        let raw = FROM_PARENTS.replace("{to}", &teacher.user.mail);
        if let Ok(rcpt) = self.mail_inbound_rcpt(&teacher.user.mail).await {
            self.mail_deliver_inbound("eltern.beispiel@example.org", &[rcpt], raw.as_bytes())
                .await?;
        }
        Ok(())
    }
}
