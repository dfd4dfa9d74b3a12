//! Attachments: a file, a picture or a voice message recorded in the browser, one per
//! message. The content goes to the blob store and counts against the sender's quota; its
//! type is decided by its first bytes, never by the name or the client's claim. Only the
//! room's members download it (404 for everyone else).

use schulhof_blob::BlobReader;
use schulhof_store::chat::RoomId;
use schulhof_store::chat::upkeep::{self as store, AttachmentRow};
use schulhof_store::to_us;

use super::messages::checked_text;
use crate::homepage::images::image_type;
use crate::identity::Actor;
use crate::lms::assignments::audio_type;
use crate::{DomainError, Platform};

/// The largest attachment, and the largest voice message.
pub const MAX_ATTACHMENT: usize = 20 * 1024 * 1024;
pub const MAX_VOICE: usize = 10 * 1024 * 1024;

/// A downloadable attachment: its row and content.
pub struct AttachmentContent {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// The content's hash: changes with the content.
    pub etag: String,
    pub reader: BlobReader,
}

/// The content type by the first bytes: pictures and recordings as themselves, a PDF as
/// one, anything else a download. A voice message must be a recording.
pub fn attachment_type(bytes: &[u8], voice: bool) -> Result<&'static str, DomainError> {
    if voice {
        return audio_type(bytes).ok_or_else(|| {
            DomainError::invalid("file", "Das ist keine Aufnahme (WebM, MP4 oder Ogg).")
        });
    }
    Ok(image_type(bytes)
        .or_else(|| audio_type(bytes))
        .unwrap_or(if bytes.starts_with(b"%PDF-") {
            "application/pdf"
        } else {
            "application/octet-stream"
        }))
}

/// The last segment of a file name, printable, at most 200 characters.
fn clean_name(name: &str, voice: bool) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    match (clean.is_empty(), voice) {
        (true, true) => "Sprachnachricht".into(),
        (true, false) => "Datei".into(),
        _ => clean,
    }
}

impl Platform {
    /// Sends a message with an attachment (and an optional text).
    pub async fn chat_attach(
        &self,
        actor: &Actor,
        room: RoomId,
        name: &str,
        bytes: &[u8],
        voice: bool,
        text: &str,
    ) -> Result<i64, DomainError> {
        if bytes.is_empty() {
            return Err(DomainError::invalid("file", "Die Datei ist leer."));
        }
        let max = if voice { MAX_VOICE } else { MAX_ATTACHMENT };
        if bytes.len() > max {
            return Err(DomainError::invalid("file", "Die Datei ist zu groß."));
        }
        let content_type = attachment_type(bytes, voice)?;
        let text = if text.trim().is_empty() {
            ""
        } else {
            checked_text(text)?
        };
        // Rights first (a stranger stores nothing), then the content, then the rows.
        self.chat_facts(&mut self.db.read().await?, actor, room)
            .await?;
        let blob = self
            .blobs
            .put(bytes, bytes.len() as u64)
            .await
            .map_err(crate::files::blob_error)?;
        let mut ch = self.chat_begin(actor, room).await?;
        let size = bytes.len() as i64;
        self.check_quota_in(&mut ch.tx, actor, actor.token.user().0, size)
            .await?;
        let seq = self.chat_post(actor, &mut ch, text, None).await?;
        let row = AttachmentRow {
            sha: blob.sha256,
            name: clean_name(name, voice),
            content_type: content_type.into(),
            size,
        };
        let instance = actor.token.instance();
        store::insert_attachment(&mut ch.tx, instance, room, seq, &row, actor.token.user()).await?;
        self.chat_commit(actor, ch).await?;
        Ok(seq)
    }

    /// The attachment of message `seq`, for members who see the message.
    pub async fn chat_attachment(
        &self,
        actor: &Actor,
        room: RoomId,
        seq: i64,
    ) -> Result<AttachmentContent, DomainError> {
        let mut c = self.db.read().await?;
        self.chat_facts(&mut c, actor, room).await?;
        let now = to_us(self.now());
        let a = store::attachment(
            &mut c,
            actor.token.instance(),
            room,
            seq,
            actor.token.user(),
            now,
        )
        .await?
        .ok_or(DomainError::NotFound)?;
        drop(c);
        let reader = self
            .blobs
            .open_read(&a.sha.clone())
            .await
            .map_err(crate::files::blob_error)?;
        Ok(AttachmentContent {
            name: a.name,
            content_type: a.content_type,
            size: a.size,
            etag: a.sha,
            reader,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(
            attachment_type(b"\x89PNG\r\n\x1a\nxx", false).ok(),
            Some("image/png")
        );
        assert_eq!(attachment_type(b"OggS....", true).ok(), Some("audio/ogg"));
        assert!(attachment_type(b"<svg onload=x>", true).is_err());
        assert_eq!(
            attachment_type(b"<svg onload=x>", false).ok(),
            Some("application/octet-stream")
        );
        assert_eq!(clean_name("../../etc/passwd", false), "passwd");
        assert_eq!(clean_name("", true), "Sprachnachricht");
    }
}
