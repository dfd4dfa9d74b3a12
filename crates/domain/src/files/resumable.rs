//! Resumable uploads (the model of the tus protocol): a login announces a file and its
//! length, sends the content in as many pieces as its connection allows and, after a
//! break, asks where it left off. Pieces are staged in this node's upload directory; the
//! last piece moves the content into the store through the ordinary upload, which decides
//! rights, name and quota once more.
//!
//! The Safe takes no resumable uploads: its content must never rest unsealed on disk.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use schulhof_store::uploads::{self, UploadRow};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use uuid::Uuid;

use schulhof_store::files as store;

use super::write::owner_of;
use super::{FileEntry, Placement};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// An unfinished upload is dropped this long after it was announced.
const LIFETIME: Duration = Duration::hours(24);
/// A staged file without its row is left over (a crash between the two) after this long.
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
const COPY_CHUNK: usize = 1 << 20;

/// This node's staging directory, and the uploads a request is appending to right now.
#[derive(Debug)]
pub(crate) struct Staging {
    dir: PathBuf,
    busy: Mutex<HashSet<Uuid>>,
}

impl Staging {
    pub(crate) fn open(dir: PathBuf) -> std::io::Result<Arc<Staging>> {
        std::fs::create_dir_all(&dir)?;
        Ok(Arc::new(Staging {
            dir,
            busy: Mutex::default(),
        }))
    }

    fn path(&self, id: Uuid) -> PathBuf {
        self.dir.join(id.simple().to_string())
    }

    /// Claims the upload for one request; a second one at the same time must wait.
    fn claim(self: &Arc<Self>, id: Uuid) -> Result<Claim, DomainError> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        if !busy.insert(id) {
            return Err(DomainError::Busy {
                retry_after_secs: 5,
            });
        }
        Ok(Claim {
            staging: self.clone(),
            id,
        })
    }
}

/// Held while a request appends; released however the request ends.
#[derive(Debug)]
struct Claim {
    staging: Arc<Staging>,
    id: Uuid,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut busy = self.staging.busy.lock().unwrap_or_else(|p| p.into_inner());
        busy.remove(&self.id);
    }
}

/// Where an upload stands.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UploadStatus {
    pub id: Uuid,
    pub name: String,
    /// Bytes received and kept so far.
    pub offset: u64,
    pub length: u64,
    pub expires_at: DateTime<Utc>,
}

impl UploadStatus {
    fn of(row: &UploadRow, offset: u64) -> UploadStatus {
        UploadStatus {
            id: row.id,
            name: row.name.clone(),
            offset,
            length: row.length.max(0) as u64,
            expires_at: row.expires_at,
        }
    }
}

/// One request's piece of an upload, written at the offset the upload had reached.
#[derive(Debug)]
pub struct UploadPiece {
    row: UploadRow,
    offset: u64,
    file: BufWriter<tokio::fs::File>,
    _claim: Claim,
}

impl UploadPiece {
    /// Appends bytes; more than the announced length is refused.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), DomainError> {
        let end = self.offset + bytes.len() as u64;
        if end > self.row.length.max(0) as u64 {
            return Err(DomainError::invalid(
                "content",
                format!(
                    "Mehr Daten als angekündigt: die Datei hat {} Bytes.",
                    self.row.length
                ),
            ));
        }
        self.file.write_all(bytes).await.map_err(io_error)?;
        self.offset = end;
        Ok(())
    }
}

/// What a piece achieved: the upload goes on, or the file is complete and stored.
#[derive(Debug)]
pub enum Appended {
    Partial(UploadStatus),
    Done(UploadStatus, Box<FileEntry>),
}

fn io_error(e: std::io::Error) -> DomainError {
    DomainError::Internal(format!("upload staging: {e}"))
}

async fn staged_len(path: &Path) -> Result<Option<u64>, DomainError> {
    match tokio::fs::metadata(path).await {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(e)),
    }
}

impl Platform {
    /// Announces an upload of `length` bytes as `at.name` into `at.folder`: rights, name
    /// and quota are checked now, so a refused upload costs the client no transfer.
    pub async fn upload_announce(
        &self,
        actor: &Actor,
        at: Placement<'_>,
        mime: Option<&str>,
        length: u64,
    ) -> Result<UploadStatus, DomainError> {
        if at.folder.area.is_safe() {
            return Err(DomainError::invalid(
                "folder",
                "Im Safe werden Dateien in einem Stück hochgeladen.",
            ));
        }
        let (name, replaced) = self.upload_target(actor, &at).await?;
        let instance = actor.token.instance();
        let user = actor.token.user();
        let now = self.now();
        let row = UploadRow {
            id: Uuid::now_v7(),
            user_id: user,
            folder_id: at.folder.node().id,
            name,
            mime: mime.map(str::to_owned),
            length: i64::try_from(length)
                .map_err(|_| DomainError::invalid("length", "Die Datei ist zu groß."))?,
            expires_at: now + LIFETIME,
        };
        // Reserve the room under the quota lock: announcements made at the same time on
        // other nodes see each other's reservations (the school's and the login's).
        let mut tx = self.db.begin().await?;
        store::lock_quota(&mut tx, instance).await?;
        let room = self
            .quota_left_in(&mut tx, actor, owner_of(at.folder), true)
            .await?
            .saturating_add(replaced);
        if length > room {
            return Err(DomainError::QuotaExceeded(
                "Nicht genug Speicherplatz für diese Datei (angefangene Uploads zählen mit)."
                    .into(),
            ));
        }
        tokio::fs::File::create(self.staging.path(row.id))
            .await
            .map_err(io_error)?;
        uploads::insert(&mut tx, instance, &row, now).await?;
        tx.commit().await?;
        Ok(UploadStatus::of(&row, 0))
    }

    /// The caller's upload and how far it got; anyone else's answers `NotFound`.
    pub async fn upload_status(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<UploadStatus, DomainError> {
        let row = self.upload_row(actor, id).await?;
        let offset = staged_len(&self.staging.path(id))
            .await?
            .ok_or(DomainError::NotFound)?;
        Ok(UploadStatus::of(&row, offset))
    }

    /// Opens a piece at `offset`, which must be where the upload stands.
    pub async fn upload_piece(
        &self,
        actor: &Actor,
        id: Uuid,
        offset: u64,
    ) -> Result<UploadPiece, DomainError> {
        let row = self.upload_row(actor, id).await?;
        let claim = self.staging.claim(id)?;
        let path = self.staging.path(id);
        let at = staged_len(&path).await?.ok_or(DomainError::NotFound)?;
        if at != offset {
            return Err(DomainError::conflict(
                "offset",
                format!("Der Upload steht bei Byte {at}, nicht bei {offset}."),
            ));
        }
        let file = tokio::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .await
            .map_err(io_error)?;
        Ok(UploadPiece {
            row,
            offset,
            file: BufWriter::with_capacity(COPY_CHUNK, file),
            _claim: claim,
        })
    }

    /// Keeps what the piece received (also when its transfer broke off) and, once the
    /// content is complete, stores the file. A complete upload the store refuses (rights
    /// gone, quota, name taken meanwhile) is dropped with that error.
    pub async fn upload_keep(
        &self,
        actor: &Actor,
        piece: UploadPiece,
    ) -> Result<Appended, DomainError> {
        let UploadPiece {
            row,
            offset,
            mut file,
            _claim,
        } = piece;
        file.flush().await.map_err(io_error)?;
        file.get_ref().sync_data().await.map_err(io_error)?;
        drop(file);
        let status = UploadStatus::of(&row, offset);
        if offset < status.length {
            return Ok(Appended::Partial(status));
        }
        let stored = self.store_staged(actor, &row).await;
        if !matches!(stored, Err(DomainError::Internal(_))) {
            self.upload_drop(actor.token.instance(), row.id).await?;
        }
        Ok(Appended::Done(status, Box::new(stored?)))
    }

    /// Gives up an upload: its row and what was staged go.
    pub async fn upload_cancel(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        self.upload_row(actor, id).await?;
        let _claim = self.staging.claim(id)?;
        self.upload_drop(actor.token.instance(), id).await
    }

    async fn upload_row(&self, actor: &Actor, id: Uuid) -> Result<UploadRow, DomainError> {
        let mut c = self.db.read().await?;
        let row = uploads::get(&mut c, actor.token.instance(), actor.token.user(), id)
            .await?
            .ok_or(DomainError::NotFound)?;
        if row.expires_at < self.now() {
            return Err(DomainError::NotFound);
        }
        Ok(row)
    }

    async fn upload_drop(
        &self,
        instance: schulhof_types::InstanceId,
        id: Uuid,
    ) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        uploads::delete(&mut tx, instance, id).await?;
        tx.commit().await?;
        remove_staged(&self.staging.path(id)).await
    }

    /// Moves the staged content into the store as an ordinary upload.
    async fn store_staged(&self, actor: &Actor, row: &UploadRow) -> Result<FileEntry, DomainError> {
        let folder = self.locate(actor, row.folder_id).await?;
        let mut pending = self
            .begin_upload(
                actor,
                Placement {
                    folder: &folder,
                    name: &row.name,
                },
                row.mime.as_deref(),
            )
            .await?;
        let mut staged = tokio::fs::File::open(self.staging.path(row.id))
            .await
            .map_err(io_error)?;
        let mut buf = vec![0u8; COPY_CHUNK];
        loop {
            let n = staged.read(&mut buf).await.map_err(io_error)?;
            if n == 0 {
                break;
            }
            pending.write(&buf[..n]).await?;
        }
        self.finish_upload(actor, pending).await
    }

    /// Drops expired uploads of every school and staged files left without a row.
    pub async fn system_expire_uploads(&self) -> Result<usize, DomainError> {
        let mut tx = self.db.begin().await?;
        let expired = uploads::system_take_expired(&mut tx, self.now()).await?;
        tx.commit().await?;
        for id in &expired {
            remove_staged(&self.staging.path(*id)).await?;
        }
        let mut removed = expired.len();
        let mut dir = tokio::fs::read_dir(&self.staging.dir)
            .await
            .map_err(io_error)?;
        while let Some(entry) = dir.next_entry().await.map_err(io_error)? {
            let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(|n| Uuid::parse_str(n).ok())
            else {
                continue;
            };
            let old = entry
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > ORPHAN_AGE);
            let mut c = self.db.read().await?;
            if old && !uploads::system_exists(&mut c, id).await? {
                drop(c);
                remove_staged(&entry.path()).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

async fn remove_staged(path: &Path) -> Result<(), DomainError> {
    match tokio::fs::remove_file(path).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(e)),
    }
}
