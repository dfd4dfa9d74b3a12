//! Attachments from the sender's own file areas (Eigene Dateien, the shared areas, what
//! others shared with them): whatever the files policy lets the sender read, found and
//! opened through the file services, so a file they cannot read answers NotFound.
//!
//! Never the Daten-Safe: nothing is ever shared out of the own Safe area (safe.own.share is
//! "—" in the rights matrix), the common area's rights end at the school's Safe, and the
//! file services open Safe documents only inside the Safe. So Safe nodes answer NotFound
//! here even for a sender who unlocked the Safe.

use schulhof_types::NodeId;

use super::Attachment;
use crate::files::{FileEntry, Located};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Bytes read from the blob store at a time.
const CHUNK: usize = 256 * 1024;

/// The error when the chosen files do not fit into one message.
fn too_large() -> DomainError {
    DomainError::invalid("mail_attachments", "the message is too large")
}

impl Platform {
    /// A file the sender may attach: readable by them, a file (not a folder), not in the Safe.
    async fn mail_attachable(&self, a: &Actor, id: NodeId) -> Result<Located, DomainError> {
        let located = self.locate(a, id).await?;
        if located.area.is_safe() || located.node().is_dir || located.entry(a).is_none() {
            return Err(DomainError::NotFound);
        }
        Ok(located)
    }

    /// The chosen files as the compose form lists them (name, size), without their content.
    pub async fn mail_file_choices(
        &self,
        a: &Actor,
        ids: &[NodeId],
    ) -> Result<Vec<FileEntry>, DomainError> {
        let mut out: Vec<FileEntry> = Vec::with_capacity(ids.len());
        for id in ids {
            if out.iter().any(|e| e.id == *id) {
                continue;
            }
            let located = self.mail_attachable(a, *id).await?;
            out.push(located.entry(a).ok_or(DomainError::NotFound)?);
        }
        Ok(out)
    }

    /// Reads the chosen files from the blob store as attachments, a chunk at a time, counting
    /// against `budget` (what the message may still grow by): a file that would not fit stops
    /// the reading with a clear error before it is read whole.
    pub async fn mail_file_attachments(
        &self,
        a: &Actor,
        ids: &[NodeId],
        budget: u64,
    ) -> Result<Vec<Attachment>, DomainError> {
        let mut files = Vec::with_capacity(ids.len());
        let mut planned: u64 = 0;
        for id in ids {
            if files
                .iter()
                .any(|(l, _): &(Located, FileEntry)| l.node().id == *id)
            {
                continue;
            }
            let located = self.mail_attachable(a, *id).await?;
            let entry = located.entry(a).ok_or(DomainError::NotFound)?;
            // The sizes are known before anything is read.
            planned = planned.saturating_add(entry.size);
            if planned > budget {
                return Err(too_large());
            }
            files.push((located, entry));
        }
        let mut out = Vec::with_capacity(files.len());
        let mut used: u64 = 0;
        for (located, entry) in files {
            let mut reader = self.file_open(a, &located).await?;
            let mut bytes = Vec::with_capacity(usize::try_from(reader.size()).unwrap_or(0));
            loop {
                let chunk = reader
                    .chunk(CHUNK)
                    .await
                    .map_err(|e| DomainError::Internal(format!("reading a file to attach: {e}")))?;
                if chunk.is_empty() {
                    break;
                }
                used = used.saturating_add(chunk.len() as u64);
                if used > budget {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            out.push(Attachment {
                name: entry.name,
                mime: entry
                    .mime
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
                bytes,
            });
        }
        Ok(out)
    }
}
