//! Previews of files in the browser: images, PDFs, text and Markdown as they are; office
//! documents as a PDF that LibreOffice makes in the background ([`worker`]), where the
//! operator installed it, and cached per content. The same read check as the download
//! applies; Safe documents are not previewed here.

mod convert;
mod kind;
mod worker;

use schulhof_authz::files::FileOp;
use schulhof_blob::BlobReader;
use schulhof_store::files::previews::{self as store, PreviewState};
use tokio::io::AsyncReadExt;

pub use convert::{TIME_LIMIT, find_soffice};
pub use kind::{IMAGE_MAX, Kind, OFFICE_MAX, PDF_MAX, TEXT_SHOWN, extension, kind_of, kind_sized};

use super::{Located, blob_error};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// What the preview page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Preview {
    /// Nothing to show: the file is downloaded.
    None,
    /// The content as an image.
    Image,
    /// The content drawn by pdf.js.
    Pdf,
    /// The beginning of the text (`truncated` when there is more).
    Text { text: String, truncated: bool },
    /// Markdown source, to be rendered without raw HTML.
    Markdown { text: String, truncated: bool },
    /// An office document whose PDF is being made.
    Converting,
    /// An office document whose PDF is ready (the content is that PDF).
    Converted,
}

/// The bytes behind a preview: the file itself (images, PDFs) or the PDF made of it.
pub struct PreviewContent {
    pub reader: BlobReader,
    /// Always a harmless type: an image type, or `application/pdf`.
    pub mime: &'static str,
    pub size: u64,
    /// Changes with the content.
    pub etag: String,
}

impl Platform {
    /// Whether office documents can be previewed on this installation.
    pub fn previews_office(&self) -> bool {
        self.config.soffice.is_some()
    }

    /// The preview of a file the caller may read; an office document without its PDF yet
    /// is queued for conversion.
    pub async fn file_preview(
        &self,
        actor: &Actor,
        file: &Located,
    ) -> Result<Preview, DomainError> {
        let sha = previewable(actor, file)?;
        let node = file.node();
        let size = node.size.max(0) as u64;
        Ok(match kind_sized(&node.name, node.mime.as_deref(), size) {
            Kind::None => Preview::None,
            Kind::Image(_) => Preview::Image,
            Kind::Pdf => Preview::Pdf,
            Kind::Text => {
                let (text, truncated) = self.text_of(sha).await?;
                Preview::Text { text, truncated }
            }
            Kind::Markdown => {
                let (text, truncated) = self.text_of(sha).await?;
                Preview::Markdown { text, truncated }
            }
            Kind::Office => self.office_preview(actor, file, sha).await?,
        })
    }

    /// The bytes of an image or PDF preview; `NotFound` for other kinds and for office
    /// documents whose PDF is not ready.
    pub async fn file_preview_content(
        &self,
        actor: &Actor,
        file: &Located,
    ) -> Result<PreviewContent, DomainError> {
        let sha = previewable(actor, file)?;
        let node = file.node();
        let size = node.size.max(0) as u64;
        let (sha, mime) = match kind_sized(&node.name, node.mime.as_deref(), size) {
            Kind::Image(mime) => (sha.to_owned(), mime),
            Kind::Pdf => (sha.to_owned(), "application/pdf"),
            Kind::Office if self.previews_office() => {
                let mut c = self.db.read().await?;
                match store::state(&mut c, file.school(actor), sha).await? {
                    Some(PreviewState::Done { pdf_sha }) => (pdf_sha, "application/pdf"),
                    _ => return Err(DomainError::NotFound),
                }
            }
            _ => return Err(DomainError::NotFound),
        };
        let reader = self.blobs.open_read(&sha).await.map_err(blob_error)?;
        Ok(PreviewContent {
            size: reader.size(),
            etag: format!("p-{}", &sha[..16.min(sha.len())]),
            reader,
            mime,
        })
    }

    async fn office_preview(
        &self,
        actor: &Actor,
        file: &Located,
        sha: &str,
    ) -> Result<Preview, DomainError> {
        if !self.previews_office() {
            return Ok(Preview::None);
        }
        let school = file.school(actor);
        let mut c = self.db.read().await?;
        let state = store::state(&mut c, school, sha).await?;
        drop(c);
        Ok(match state {
            Some(PreviewState::Done { .. }) => Preview::Converted,
            Some(PreviewState::Failed) => Preview::None,
            Some(PreviewState::Pending) => Preview::Converting,
            None => {
                let Some(ext) = extension(&file.node().name) else {
                    return Ok(Preview::None);
                };
                let mut tx = self.db.begin().await?;
                store::request(&mut tx, school, sha, &ext, self.now()).await?;
                tx.commit().await?;
                Preview::Converting
            }
        })
    }

    /// The beginning of a text file, as UTF-8 (or Latin-1 where it is not UTF-8).
    async fn text_of(&self, sha: &str) -> Result<(String, bool), DomainError> {
        let reader = self.blobs.open_read(sha).await.map_err(blob_error)?;
        let truncated = reader.size() > TEXT_SHOWN;
        let mut bytes = Vec::new();
        reader
            .take(TEXT_SHOWN)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| DomainError::Internal(format!("reading a preview: {e}")))?;
        Ok((decode_text(bytes), truncated))
    }
}

/// The content of a file the caller may read, outside the Safe.
fn previewable<'a>(actor: &Actor, file: &'a Located) -> Result<&'a str, DomainError> {
    file.check(actor, FileOp::Read)?;
    if file.area.is_safe() {
        return Err(DomainError::NotFound);
    }
    file.node().blob_sha.as_deref().ok_or(DomainError::NotFound)
}

/// UTF-8 without a byte order mark, cut at the last whole character; text that is not UTF-8
/// is read as Latin-1 (older Windows files).
fn decode_text(mut bytes: Vec<u8>) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match std::str::from_utf8(&bytes) {
        Ok(_) => {}
        Err(e) if e.error_len().is_none() => bytes.truncate(e.valid_up_to()),
        Err(_) => return bytes.iter().map(|&b| char::from(b)).collect(),
    }
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_a_whole_character_and_latin1_is_read() {
        assert_eq!(decode_text("Grüße".as_bytes().to_vec()), "Grüße");
        let mut cut = "Grüße".as_bytes().to_vec();
        cut.truncate(3);
        assert_eq!(decode_text(cut), "Gr");
        assert_eq!(decode_text(b"\xEF\xBB\xBFhallo".to_vec()), "hallo");
        assert_eq!(decode_text(b"Gr\xfc\xdfe".to_vec()), "Grüße");
    }
}
