//! Reading Safe content and the online editor: documents are sanitised rich text (HTML),
//! written and read inside the Safe so sensitive data never has to leave it.

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use schulhof_authz::files::FileOp;
use schulhof_authz::{check, safe::UseSafeEditor};
use schulhof_blob::open_sealed;
use schulhof_store::files as store;

use crate::files::{FileEntry, Located, Placement};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The largest document the editor opens or saves.
pub const MAX_DOCUMENT: usize = 4 * 1024 * 1024;
/// Saves by the same writer within this time replace the content instead of adding a
/// version, so autosave does not bury the history.
const COALESCE: chrono::Duration = chrono::Duration::minutes(10);

mod shape;

pub use shape::MAX_NESTING;

/// Keeps formatting (headings, emphasis, lists, tables, links) and drops everything
/// active: scripts, styles, event handlers, foreign URLs schemes. CPU work on outside
/// input: callers on the runtime use [`sanitize_checked`].
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_tags(["u", "s", "mark"])
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Bounds a document in size and depth (cheap, linear) and only then sanitises it, on the
/// blocking pool so a large document never holds up a runtime worker.
pub async fn sanitize_checked(html: String, field: &'static str) -> Result<String, DomainError> {
    check_shape(&html, field)?;
    tokio::task::spawn_blocking(move || sanitize(&html))
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))
}

/// Refuses a document larger than [`MAX_DOCUMENT`] or nested deeper than [`MAX_NESTING`].
pub fn check_shape(html: &str, field: &'static str) -> Result<(), DomainError> {
    if html.len() > MAX_DOCUMENT {
        return Err(DomainError::invalid(
            field,
            "Das Dokument ist zu groß (höchstens 4 MB).",
        ));
    }
    if shape::nesting(html, MAX_NESTING) > MAX_NESTING {
        return Err(DomainError::invalid(
            field,
            "Das Dokument ist zu tief verschachtelt (höchstens 200 Ebenen).",
        ));
    }
    Ok(())
}

impl Platform {
    /// Whether the policy lets the caller use the online editor at all (opening a document
    /// also needs reading it, saving writing it).
    pub fn safe_may_use_editor(&self, safe: &Actor) -> bool {
        check(&safe.token, UseSafeEditor).is_ok()
    }

    /// The plain content of a Safe file, streamed and unsealed chunk by chunk.
    pub async fn safe_read(
        &self,
        safe: &Actor,
        file: &Located,
    ) -> Result<impl Stream<Item = Result<Bytes, DomainError>> + Send + 'static, DomainError> {
        if !safe.safe || !file.area.is_safe() {
            return Err(DomainError::NotFound);
        }
        file.check(safe, FileOp::Read)?;
        let sha = file
            .node()
            .blob_sha
            .clone()
            .ok_or_else(|| DomainError::invalid("file", "Ein Ordner hat keinen Inhalt."))?;
        let key = self.school_key(safe.token.instance()).await?;
        let f = self
            .blobs
            .open_read(&sha)
            .await
            .map_err(crate::files::blob_error)?;
        Ok(open_sealed(f, key).map(|r| r.map_err(crate::files::blob_error)))
    }

    /// A document for the editor.
    pub async fn safe_doc_load(&self, safe: &Actor, file: &Located) -> Result<String, DomainError> {
        check(&safe.token, UseSafeEditor)?;
        if file.node().size as usize > MAX_DOCUMENT {
            return Err(DomainError::invalid(
                "file",
                "Das Dokument ist zu groß für den Editor.",
            ));
        }
        let chunks: Vec<Bytes> = self.safe_read(safe, file).await?.try_collect().await?;
        let text = String::from_utf8(chunks.concat())
            .map_err(|_| DomainError::invalid("file", "Das ist kein Textdokument des Editors."))?;
        // Uploaded .html files never reach the editor unsanitised.
        sanitize_checked(text, "file").await
    }

    /// Creates an empty document (`<name>.html`) in a Safe folder.
    pub async fn safe_doc_create(
        &self,
        safe: &Actor,
        folder: &Located,
        title: &str,
    ) -> Result<FileEntry, DomainError> {
        if !safe.safe || !folder.area.is_safe() {
            return Err(DomainError::NotFound);
        }
        check(&safe.token, UseSafeEditor)?;
        let title = title.trim();
        if title.is_empty() {
            return Err(DomainError::invalid(
                "name",
                "Das Dokument braucht einen Titel.",
            ));
        }
        let name = if title.to_lowercase().ends_with(".html") {
            title.to_owned()
        } else {
            format!("{title}.html")
        };
        let mut up = self
            .begin_upload_new(
                safe,
                Placement {
                    folder,
                    name: &name,
                },
                Some("text/html; charset=utf-8"),
            )
            .await?;
        up.write(b"<p></p>").await?;
        self.finish_upload(safe, up).await
    }

    /// Saves the editor's content (sanitised) as the document's new content.
    pub async fn safe_doc_save(
        &self,
        safe: &Actor,
        file: &Located,
        html: &str,
    ) -> Result<FileEntry, DomainError> {
        if !safe.safe || !file.area.is_safe() {
            return Err(DomainError::NotFound);
        }
        check(&safe.token, UseSafeEditor)?;
        check_shape(html, "content")?;
        file.check(safe, FileOp::Write)?;
        let clean = sanitize_checked(html.to_owned(), "content").await?;
        let folder = file.parent().ok_or(DomainError::NotFound)?;
        let node = file.node();
        let instance = safe.token.instance();
        let mut c = self.db.read().await?;
        let last = store::last_write(&mut c, instance, node.id).await?;
        drop(c);
        let now = self.now();
        let coalesce =
            last.is_some_and(|(by, at)| by == Some(safe.token.user()) && now - at < COALESCE);
        if !coalesce {
            let mut up = self
                .begin_upload(
                    safe,
                    Placement {
                        folder: &folder,
                        name: &node.name,
                    },
                    Some("text/html; charset=utf-8"),
                )
                .await?;
            up.write(clean.as_bytes()).await?;
            return self.finish_upload(safe, up).await;
        }
        // Same writer, shortly after: replace without a new version.
        let mut up = self
            .begin_upload(
                safe,
                Placement {
                    folder: &folder,
                    name: &node.name,
                },
                Some("text/html; charset=utf-8"),
            )
            .await?;
        up.write(clean.as_bytes()).await?;
        self.finish_replace(safe, file, up).await
    }
}
