//! Attachments: a file, a picture or a voice message recorded in the browser, one per
//! message. The content streams into the blob store sealed with the school's key, as the
//! Safe's documents are (pictures are shown from the same content, so their previews are
//! sealed alike), and counts against the sender's quota by its plain size; its type is
//! decided by its first bytes, never by the name or the client's claim. Only the room's
//! members download it (404 for everyone else). Attachments stored before sealing are
//! marked so and stay readable as they are.

use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use schulhof_blob::{BlobReader, SealingWriter, open_sealed};
use schulhof_store::chat::RoomId;
use schulhof_store::chat::upkeep::{self as store, AttachmentRow};
use schulhof_store::to_us;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::messages::checked_text;
use crate::files::blob_error;
use crate::homepage::images::image_type;
use crate::identity::Actor;
use crate::lms::assignments::audio_type;
use crate::{DomainError, Platform};

/// The largest attachment, and the largest voice message.
pub const MAX_ATTACHMENT: usize = 20 * 1024 * 1024;
pub const MAX_VOICE: usize = 10 * 1024 * 1024;

/// The first bytes kept to decide the type.
const HEAD: usize = 64;

/// The plain content of a sealed attachment, unsealed chunk by chunk as it streams.
pub type PlainStream = Pin<Box<dyn Stream<Item = Result<Bytes, DomainError>> + Send>>;

/// How an attachment's content is read.
pub enum AttachmentBody {
    /// Sealed with the school's key: streamed, unsealed as it goes (no ranges).
    Sealed(PlainStream),
    /// Stored before sealing: the blob as it is, seekable for ranges.
    Plain(BlobReader),
}

/// A downloadable attachment: its row and content.
pub struct AttachmentContent {
    pub name: String,
    pub content_type: String,
    /// The plain content's size.
    pub size: i64,
    /// The stored content's hash: changes with the content.
    pub etag: String,
    pub body: AttachmentBody,
}

/// An attachment under way: its content is sealed while it streams in, and only
/// [`Platform::chat_attach_finish`] makes it a message. Dropped unfinished, it leaves
/// nothing visible.
#[derive(Debug)]
pub struct PendingAttachment {
    room: RoomId,
    writer: SealingWriter,
    head: Vec<u8>,
}

impl PendingAttachment {
    /// Seals the next piece of the content; refuses content beyond the largest attachment
    /// (and beyond the quota, through the blob writer's limit).
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), DomainError> {
        if self.writer.size() + bytes.len() as u64 > MAX_ATTACHMENT as u64 {
            return Err(too_large());
        }
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        self.writer.write(bytes).await.map_err(blob_error)
    }

    /// Plain bytes received so far.
    pub fn size(&self) -> u64 {
        self.writer.size()
    }
}

fn too_large() -> DomainError {
    DomainError::invalid("file", "Die Datei ist zu groß.")
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
    /// Starts an attachment for `room`: the caller must see the room (a stranger stores
    /// nothing), and the content may have what the caller's quota leaves.
    pub async fn chat_attach_begin(
        &self,
        actor: &Actor,
        room: RoomId,
    ) -> Result<PendingAttachment, DomainError> {
        let mut c = self.db.read().await?;
        self.chat_facts(&mut c, actor, room).await?;
        let left = self
            .quota_left_in(&mut c, actor, actor.token.user().0, false)
            .await?;
        drop(c);
        let key = self.school_key(actor.token.instance()).await?;
        // Sealing adds 16 bytes per 64 KiB and a header: the plain size is what counts.
        let limit = left.min(MAX_ATTACHMENT as u64);
        let raw = self
            .blobs
            .writer(limit.saturating_add(limit / 4096 + 64))
            .await
            .map_err(blob_error)?;
        let writer = SealingWriter::new(raw, key).await.map_err(blob_error)?;
        Ok(PendingAttachment {
            room,
            writer,
            head: Vec::with_capacity(HEAD),
        })
    }

    /// Makes a complete attachment a message of its room (with an optional text).
    pub async fn chat_attach_finish(
        &self,
        actor: &Actor,
        up: PendingAttachment,
        name: &str,
        voice: bool,
        text: &str,
    ) -> Result<i64, DomainError> {
        let size = up.size();
        if size == 0 {
            return Err(DomainError::invalid("file", "Die Datei ist leer."));
        }
        let max = if voice { MAX_VOICE } else { MAX_ATTACHMENT };
        if size > max as u64 {
            return Err(too_large());
        }
        let content_type = attachment_type(&up.head, voice)?;
        let text = if text.trim().is_empty() {
            ""
        } else {
            checked_text(text)?
        };
        let room = up.room;
        let blob = up.writer.finish().await.map_err(blob_error)?;
        let mut ch = self.chat_begin(actor, room).await?;
        let size = size as i64;
        self.check_quota_in(&mut ch.tx, actor, actor.token.user().0, size)
            .await?;
        let seq = self.chat_post(actor, &mut ch, text, None).await?;
        let row = AttachmentRow {
            sha: blob.sha256,
            name: clean_name(name, voice),
            content_type: content_type.into(),
            size,
            sealed: true,
        };
        let instance = actor.token.instance();
        store::insert_attachment(&mut ch.tx, instance, room, seq, &row, actor.token.user()).await?;
        self.chat_commit(actor, ch).await?;
        Ok(seq)
    }

    /// Sends a message with an attachment whose content `input` yields, streamed and sealed.
    #[allow(clippy::too_many_arguments)]
    pub async fn chat_attach_from(
        &self,
        actor: &Actor,
        room: RoomId,
        name: &str,
        mut input: impl AsyncRead + Unpin,
        voice: bool,
        text: &str,
    ) -> Result<i64, DomainError> {
        let mut up = self.chat_attach_begin(actor, room).await?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = input.read(&mut buf).await.map_err(|e| {
                DomainError::invalid("file", format!("Die Übertragung brach ab: {e}"))
            })?;
            if n == 0 {
                break;
            }
            up.write(&buf[..n]).await?;
        }
        self.chat_attach_finish(actor, up, name, voice, text).await
    }

    /// Sends a message with an attachment held in memory (and an optional text).
    pub async fn chat_attach(
        &self,
        actor: &Actor,
        room: RoomId,
        name: &str,
        bytes: &[u8],
        voice: bool,
        text: &str,
    ) -> Result<i64, DomainError> {
        self.chat_attach_from(actor, room, name, bytes, voice, text)
            .await
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
        let reader = self.blobs.open_read(&a.sha).await.map_err(blob_error)?;
        let body = if a.sealed {
            let key = self.school_key(actor.token.instance()).await?;
            let plain = open_sealed(reader, key).map(|r| r.map_err(blob_error));
            AttachmentBody::Sealed(Box::pin(plain))
        } else {
            AttachmentBody::Plain(reader)
        };
        Ok(AttachmentContent {
            name: a.name,
            content_type: a.content_type,
            size: a.size,
            etag: a.sha,
            body,
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
