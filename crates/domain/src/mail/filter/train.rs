//! A user's judgement trains the spam filter: marking a message as spam moves it into the
//! Spam folder, marking it as not spam moves it from there into the inbox; either way
//! rspamd learns it (when one is configured).

use schulhof_types::{MailFolderId, MailMessageId};

use crate::identity::Actor;
use crate::mail::Special;
use crate::{DomainError, Platform};

impl Platform {
    /// Marks an own message as spam or not spam; returns the folder it was in.
    pub async fn mail_mark_spam(
        &self,
        a: &Actor,
        id: MailMessageId,
        spam: bool,
    ) -> Result<MailFolderId, DomainError> {
        let m = self.mail_message(a, id).await?;
        let raw = self.mail_blob(&m.content.0).await?;
        let junk = self.mail_special(a, Special::Junk).await?;
        let target = match (spam, m.folder == junk) {
            (true, _) => Some(junk),
            // Not spam, and in the Spam folder: back into the inbox.
            (false, true) => Some(self.mail_special(a, Special::Inbox).await?),
            (false, false) => None,
        };
        if let Some(to) = target.filter(|t| *t != m.folder) {
            self.mail_move(a, m.folder, &[m.uid], to).await?;
        }
        self.mail_train(&raw, spam).await;
        Ok(m.folder)
    }
}
