//! Creating, uploading, renaming, moving and copying folders and files.

use schulhof_authz::files::Area;
use schulhof_authz::files::{self, FileOp, FileRole};
use schulhof_blob::{BlobError, BlobWriter, SealingWriter};
use schulhof_store::Tx;
use schulhof_store::files::{self as store, NewNode};
use schulhof_store::media;
use schulhof_types::NodeId;
use tokio::io::{AsyncRead, AsyncReadExt};
use uuid::Uuid;

use super::locate::locate_in;
use super::names::{check_name, link_upload_key, name_key_in};
use super::{FileEntry, Located};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Where a new entry goes: a folder and a name in it.
#[derive(Clone, Debug)]
pub struct Placement<'a> {
    pub folder: &'a Located,
    pub name: &'a str,
}

/// An upload under way: content streams into the blob store, and only
/// [`Platform::finish_upload`] makes it visible.
#[derive(Debug)]
pub struct PendingUpload {
    folder: NodeId,
    name: String,
    mime: Option<String>,
    writer: Sink,
    mode: UploadMode,
}

/// What an upload does when its name is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UploadMode {
    /// Becomes a new version of the file the caller may write.
    Version,
    /// Refused: only a new file may be made (a new Safe document).
    CreateOnly,
    /// Never meets a name: each upload through an upload-only link is a submission of its
    /// own, so a visitor learns nothing about what is in the folder.
    Apart,
}

/// Where upload content goes: straight into the store, or sealed first (the Safe).
#[derive(Debug)]
enum Sink {
    Plain(BlobWriter),
    Sealed(SealingWriter),
}

impl PendingUpload {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), DomainError> {
        match &mut self.writer {
            Sink::Plain(w) => w.write(bytes).await.map_err(blob_error),
            Sink::Sealed(w) => w.write(bytes).await.map_err(blob_error),
        }
    }

    /// Content bytes received so far.
    pub fn size(&self) -> u64 {
        match &self.writer {
            Sink::Plain(w) => w.size(),
            Sink::Sealed(w) => w.size(),
        }
    }

    async fn finish(self) -> Result<(schulhof_blob::BlobRef, u64), DomainError> {
        let size = self.size();
        let blob = match self.writer {
            Sink::Plain(w) => w.finish().await,
            Sink::Sealed(w) => w.finish().await,
        }
        .map_err(blob_error)?;
        Ok((blob, size))
    }
}

pub(crate) fn blob_error(e: BlobError) -> DomainError {
    match e {
        BlobError::TooLarge { .. } => DomainError::QuotaExceeded(
            "Nicht genug Speicherplatz: das Kontingent ist erschöpft.".into(),
        ),
        other => DomainError::Internal(other.to_string()),
    }
}

/// The owner whose quota pays for content in an area under `folder`.
pub(crate) fn owner_of(folder: &Located) -> Uuid {
    folder.node().owner_id
}

impl Platform {
    /// Creates a folder (coordinators only).
    pub async fn file_mkdir(
        &self,
        actor: &Actor,
        at: Placement<'_>,
    ) -> Result<FileEntry, DomainError> {
        let name = check_name(at.name)?;
        at.folder.check(actor, FileOp::Coordinate)?;
        let parent = at.folder.node();
        if !parent.is_dir {
            return Err(DomainError::invalid("folder", "Das Ziel ist kein Ordner."));
        }
        let id = NodeId::new();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        insert_named(
            &mut tx,
            actor,
            NewNode {
                id,
                parent_id: parent.id,
                area: at.folder.area.as_str().into(),
                owner_id: owner_of(at.folder),
                name_key: name_key_in(parent, Some(actor.token.user()), &name),
                name,
                is_dir: true,
                blob_sha: None,
                size: 0,
                mime: None,
                by: actor.token.user(),
            },
            now,
        )
        .await?;
        if at.folder.area == Area::SafeCommon && parent.parent_id.is_none() {
            // A folder of the common Safe area opens only to whom the Schulleitung names.
            let instance = actor.token.instance();
            store::set_flags(&mut tx, instance, id, false, false).await?;
            for key in [
                "t:fn:schulleitung".to_owned(),
                files::user_key(actor.token.user()),
            ] {
                store::set_grant(
                    &mut tx,
                    instance,
                    id,
                    &key,
                    FileRole::Coordinator.as_i64(),
                    Some(actor.token.user()),
                    now,
                )
                .await?;
            }
        }
        let located = locate_in(&mut tx, actor, id).await?;
        tx.commit().await?;
        located.entry(actor).ok_or(DomainError::NotFound)
    }

    /// Starts an upload of `name` into a folder: checks the rights and the name before a
    /// byte is read, and limits the content to what the quotas leave.
    pub async fn begin_upload(
        &self,
        actor: &Actor,
        at: Placement<'_>,
        mime: Option<&str>,
    ) -> Result<PendingUpload, DomainError> {
        let (left, name) = self.upload_room(actor, &at).await?;
        self.begin_upload_named(actor, at.folder, name, mime, left)
            .await
    }

    /// Opens the blob writer of an upload whose name and room were decided.
    async fn begin_upload_named(
        &self,
        actor: &Actor,
        folder: &Located,
        name: String,
        mime: Option<&str>,
        left: u64,
    ) -> Result<PendingUpload, DomainError> {
        // Sealing adds 16 bytes per 64 KiB: the plain size is what the quota counts.
        let raw = self
            .blobs
            .writer(left.saturating_add(left / 4096 + 64))
            .await
            .map_err(blob_error)?;
        let writer = if folder.area.is_safe() {
            let key = self.school_key(actor.token.instance()).await?;
            Sink::Sealed(SealingWriter::new(raw, key).await.map_err(blob_error)?)
        } else {
            Sink::Plain(raw)
        };
        Ok(PendingUpload {
            folder: folder.node().id,
            name,
            mime: mime.map(str::to_owned),
            writer,
            mode: UploadMode::Version,
        })
    }

    /// Whether `name` may be written into the folder (a new file, or a new version of one
    /// the caller may write), how many bytes its content may have, and the name as stored.
    async fn upload_room(
        &self,
        actor: &Actor,
        at: &Placement<'_>,
    ) -> Result<(u64, String), DomainError> {
        let (name, replaced) = self.upload_target(actor, at).await?;
        let mut c = self.db.read().await?;
        let left = self
            .quota_left_in(&mut c, actor, owner_of(at.folder), false)
            .await?;
        Ok((left.saturating_add(replaced), name))
    }

    /// Whether `name` may be written into the folder: the name as stored, and the bytes an
    /// existing file of the caller's with that name would give back (its content and
    /// versions, which give way when the quota is short, see `finish_upload`).
    pub(crate) async fn upload_target(
        &self,
        actor: &Actor,
        at: &Placement<'_>,
    ) -> Result<(String, u64), DomainError> {
        let name = check_name(at.name)?;
        let parent = at.folder.node();
        if !parent.is_dir {
            return Err(DomainError::invalid("folder", "Das Ziel ist kein Ordner."));
        }
        let keys = files::subject_keys(&actor.token);
        let mut c = self.db.read().await?;
        let existing = store::child_by_name(
            &mut c,
            actor.token.instance(),
            parent.id,
            &name_key_in(parent, Some(actor.token.user()), &name),
            &keys,
        )
        .await?;
        drop(c);
        let replaced = match existing.as_ref().filter(|r| !r.is_dir) {
            Some(r) => {
                let mut c = self.db.read().await?;
                let versions = store::versions_size(&mut c, actor.token.instance(), r.id).await?;
                (r.size.max(0) + versions.max(0)) as u64
            }
            None => 0,
        };
        match existing {
            Some(row) if row.is_dir => {
                return Err(DomainError::conflict(
                    "name",
                    "Es gibt hier schon einen Ordner mit diesem Namen.",
                ));
            }
            Some(row) => {
                let mut rows = at.folder.rows.clone();
                rows.push(row);
                let file = Located {
                    area: at.folder.area,
                    rows,
                    viewer: at.folder.viewer,
                    guest: at.folder.guest,
                };
                // A file one cannot see must not be overwritten; it answers like a name clash.
                file.check(actor, FileOp::Write).map_err(|e| match e {
                    DomainError::NotFound => DomainError::conflict(
                        "name",
                        "Eine Datei mit diesem Namen gibt es hier schon.",
                    ),
                    e => e,
                })?;
            }
            None => {
                at.folder.check(actor, FileOp::Write)?;
            }
        }
        Ok((name, replaced))
    }

    /// Starts an upload that may only create a new file: a visitor of an upload link
    /// neither sees nor replaces what is there.
    pub async fn begin_upload_new(
        &self,
        actor: &Actor,
        at: Placement<'_>,
        mime: Option<&str>,
    ) -> Result<PendingUpload, DomainError> {
        let keys = files::subject_keys(&actor.token);
        let name = check_name(at.name)?;
        let mut c = self.db.read().await?;
        let taken = store::child_by_name(
            &mut c,
            actor.token.instance(),
            at.folder.node().id,
            &name_key_in(at.folder.node(), Some(actor.token.user()), &name),
            &keys,
        )
        .await?
        .is_some();
        drop(c);
        if taken {
            return Err(DomainError::conflict(
                "name",
                "Eine Datei mit diesem Namen gibt es hier schon.",
            ));
        }
        let mut up = self.begin_upload(actor, at, mime).await?;
        up.mode = UploadMode::CreateOnly;
        Ok(up)
    }

    /// Starts an upload through an upload-only link: always a new entry of its own, even
    /// when the name is taken, so that no answer tells a visitor what the folder holds.
    pub async fn begin_link_upload(
        &self,
        actor: &Actor,
        at: Placement<'_>,
        mime: Option<&str>,
    ) -> Result<PendingUpload, DomainError> {
        let name = check_name(at.name)?;
        if !at.folder.node().is_dir {
            return Err(DomainError::invalid("folder", "Das Ziel ist kein Ordner."));
        }
        at.folder.check(actor, FileOp::Write)?;
        let mut c = self.db.read().await?;
        let left = self
            .quota_left_in(&mut c, actor, owner_of(at.folder), false)
            .await?;
        drop(c);
        let mut up = self
            .begin_upload_named(actor, at.folder, name, mime, left)
            .await?;
        up.mode = UploadMode::Apart;
        Ok(up)
    }

    /// Makes a complete upload visible: a new file, or a new version of the existing one.
    pub async fn finish_upload(
        &self,
        actor: &Actor,
        upload: PendingUpload,
    ) -> Result<FileEntry, DomainError> {
        let (folder_id, name, mime, mode) = (
            upload.folder,
            upload.name.clone(),
            upload.mime.clone(),
            upload.mode,
        );
        let (blob, plain_size) = upload.finish().await?;
        let upload = FinishedUpload {
            folder: folder_id,
            name,
            mime,
            mode,
        };
        let mut tx = self.db.begin().await?;
        // The folder could have changed while the content streamed in: decide again.
        let folder = locate_in(&mut tx, actor, upload.folder).await?;
        let keys = files::subject_keys(&actor.token);
        let instance = actor.token.instance();
        let id = NodeId::new();
        let key = match upload.mode {
            UploadMode::Apart => link_upload_key(id, &upload.name),
            _ => name_key_in(folder.node(), Some(actor.token.user()), &upload.name),
        };
        let existing = match upload.mode {
            UploadMode::Apart => None,
            _ => store::child_by_name(&mut tx, instance, folder.node().id, &key, &keys).await?,
        };
        let mime = upload.mime.or_else(|| guess_mime(&upload.name));
        let size = plain_size as i64;
        let id = match existing {
            Some(_) if upload.mode == UploadMode::CreateOnly => {
                return Err(DomainError::conflict(
                    "name",
                    "Eine Datei mit diesem Namen gibt es hier schon.",
                ));
            }
            Some(row) if row.is_dir => {
                return Err(DomainError::conflict(
                    "name",
                    "Es gibt hier schon einen Ordner mit diesem Namen.",
                ));
            }
            Some(row) => {
                let mut rows = folder.rows.clone();
                rows.push(row.clone());
                Located {
                    area: folder.area,
                    rows,
                    viewer: folder.viewer,
                    guest: folder.guest,
                }
                .check(actor, FileOp::Write)?;
                let owner = owner_of(&folder);
                if self
                    .make_room_for_version(&mut tx, actor, owner, &row, size)
                    .await?
                {
                    store::set_content(
                        &mut tx,
                        instance,
                        row.id,
                        &blob.sha256,
                        size,
                        mime.as_deref(),
                        actor.token.user(),
                        self.now(),
                    )
                    .await?;
                } else {
                    self.check_quota_in(&mut tx, actor, owner, size - row.size)
                        .await?;
                    store::replace_content(
                        &mut tx,
                        instance,
                        row.id,
                        &blob.sha256,
                        size,
                        actor.token.user(),
                        self.now(),
                    )
                    .await?;
                }
                row.id
            }
            None => {
                folder.check(actor, FileOp::Write)?;
                self.check_quota_in(&mut tx, actor, owner_of(&folder), size)
                    .await?;
                insert_named(
                    &mut tx,
                    actor,
                    NewNode {
                        id,
                        parent_id: folder.node().id,
                        area: folder.area.as_str().into(),
                        owner_id: owner_of(&folder),
                        name: upload.name.clone(),
                        name_key: key,
                        is_dir: false,
                        blob_sha: Some(blob.sha256.clone()),
                        size,
                        mime: mime.clone(),
                        by: actor.token.user(),
                    },
                    self.now(),
                )
                .await?;
                id
            }
        };
        if !folder.area.is_safe() {
            // The index job extracts the new content's text (never the Safe's).
            media::queue_text(&mut tx, instance, id, &blob.sha256, self.now()).await?;
        }
        let located = locate_in(&mut tx, actor, id).await?;
        tx.commit().await?;
        located.entry(actor).ok_or(DomainError::NotFound)
    }

    /// Whether the old content of `row` can stay as a version beside `size` new bytes:
    /// versions count toward the quota, so the file's oldest ones give way while it is
    /// short. False when even without any version there is no room for keeping one.
    async fn make_room_for_version(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        owner: Uuid,
        row: &store::NodeRow,
        size: i64,
    ) -> Result<bool, DomainError> {
        loop {
            match self.check_quota_in(tx, actor, owner, size).await {
                Ok(()) => return Ok(true),
                Err(DomainError::QuotaExceeded(_)) => {
                    if !store::drop_oldest_version(tx, actor.token.instance(), row.id).await? {
                        return Ok(false);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Replaces a file's content with a finished upload without keeping a version.
    pub(crate) async fn finish_replace(
        &self,
        actor: &Actor,
        file: &Located,
        upload: PendingUpload,
    ) -> Result<FileEntry, DomainError> {
        file.check(actor, FileOp::Write)?;
        let node = file.node();
        let (blob, plain) = upload.finish().await?;
        let mut tx = self.db.begin().await?;
        self.check_quota_in(&mut tx, actor, node.owner_id, plain as i64 - node.size)
            .await?;
        store::replace_content(
            &mut tx,
            actor.token.instance(),
            node.id,
            &blob.sha256,
            plain as i64,
            actor.token.user(),
            self.now(),
        )
        .await?;
        let located = locate_in(&mut tx, actor, node.id).await?;
        tx.commit().await?;
        located.entry(actor).ok_or(DomainError::NotFound)
    }

    /// Uploads everything `input` yields as `name` into a folder.
    pub async fn file_upload(
        &self,
        actor: &Actor,
        at: Placement<'_>,
        mime: Option<&str>,
        mut input: impl AsyncRead + Unpin,
    ) -> Result<FileEntry, DomainError> {
        let mut up = self.begin_upload(actor, at, mime).await?;
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
        self.finish_upload(actor, up).await
    }

    /// The content of a file, to stream (and seek in for ranges).
    pub async fn file_open(
        &self,
        actor: &Actor,
        file: &Located,
    ) -> Result<schulhof_blob::BlobReader, DomainError> {
        file.check(actor, FileOp::Read)?;
        if file.area.is_safe() {
            return Err(DomainError::invalid(
                "file",
                "Safe-Dokumente werden nur im Safe geöffnet.",
            ));
        }
        let sha = file.node().blob_sha.as_deref().ok_or_else(|| {
            DomainError::invalid("file", "Ein Ordner hat keinen Inhalt zum Herunterladen.")
        })?;
        self.blobs.open_read(sha).await.map_err(blob_error)
    }
}

/// What is left of an upload once its content is stored.
struct FinishedUpload {
    folder: NodeId,
    name: String,
    mime: Option<String>,
    mode: UploadMode,
}

/// Inserts a node; a live sibling of the same name is a clear conflict.
pub(super) async fn insert_named(
    tx: &mut Tx,
    actor: &Actor,
    n: NewNode,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    map_name_clash(store::insert(tx, actor.token.instance(), &n, now).await)
}

pub(super) fn map_name_clash(r: Result<(), schulhof_store::StoreError>) -> Result<(), DomainError> {
    match r {
        Err(e) if e.is_unique_violation() => Err(DomainError::conflict(
            "name",
            "Ein Eintrag mit diesem Namen existiert hier schon.",
        )),
        other => Ok(other?),
    }
}

/// A MIME type from the file name, for downloads and the Mediathek.
pub(crate) fn guess_mime(name: &str) -> Option<String> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    let m = match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "zip" => "application/zip",
        "csv" => "text/csv; charset=utf-8",
        _ => return None,
    };
    Some(m.into())
}
