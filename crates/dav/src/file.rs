//! Open files: reading streams from the blob store; writing streams into a pending upload
//! that becomes visible only when the client has sent everything.

use std::io::SeekFrom;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use dav_server::fs::{DavFile, DavMetaData, FsError, FsFuture};
use schulhof_domain::Platform;
use schulhof_domain::files::PendingUpload;
use schulhof_domain::identity::Actor;
use tokio::io::AsyncSeekExt;

use crate::fs::fs_error;
use crate::meta::Meta;

/// The most a single read hands to the server at once: large, so that a download is few
/// trips to the disk and few body chunks (local content comes in pieces of this size).
pub(crate) const MAX_READ: usize = 2 << 20;

#[derive(Debug)]
pub struct ReadFile {
    /// Behind a mutex only to be `Sync` (object-storage readers are not); accessed through
    /// `&mut self`, so it never blocks.
    pub file: std::sync::Mutex<schulhof_domain::files::BlobReader>,
    pub meta: Meta,
}

impl DavFile for ReadFile {
    fn metadata(&'_ mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let m: Box<dyn DavMetaData> = Box::new(self.meta.clone());
        Box::pin(async move { Ok(m) })
    }
    fn write_buf(&'_ mut self, _: Box<dyn Buf + Send>) -> FsFuture<'_, ()> {
        Box::pin(async { Err(FsError::Forbidden) })
    }
    fn write_bytes(&'_ mut self, _: Bytes) -> FsFuture<'_, ()> {
        Box::pin(async { Err(FsError::Forbidden) })
    }
    fn read_bytes(&'_ mut self, count: usize) -> FsFuture<'_, Bytes> {
        Box::pin(async move {
            let file = self.file.get_mut().map_err(|_| FsError::GeneralFailure)?;
            file.chunk(count.min(MAX_READ)).await.map_err(io_error)
        })
    }
    fn seek(&'_ mut self, pos: SeekFrom) -> FsFuture<'_, u64> {
        Box::pin(async move {
            let file = self.file.get_mut().map_err(|_| FsError::GeneralFailure)?;
            file.seek(pos).await.map_err(io_error)
        })
    }
    fn flush(&'_ mut self) -> FsFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }
}

pub struct WriteFile {
    pub platform: Platform,
    pub actor: Arc<Actor>,
    /// Behind a mutex only to be `Sync` (object-storage uploads are not); accessed through
    /// `&mut self`, so it never blocks.
    pub upload: std::sync::Mutex<Option<PendingUpload>>,
    pub meta: Meta,
}

impl WriteFile {
    fn upload(&mut self) -> Result<&mut Option<PendingUpload>, FsError> {
        self.upload.get_mut().map_err(|_| FsError::GeneralFailure)
    }
}

impl std::fmt::Debug for WriteFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteFile")
            .field("meta", &self.meta)
            .finish()
    }
}

impl DavFile for WriteFile {
    fn metadata(&'_ mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let mut m = self.meta.clone();
        if let Ok(Some(u)) = self.upload() {
            m.len = u.size();
        }
        let m: Box<dyn DavMetaData> = Box::new(m);
        Box::pin(async move { Ok(m) })
    }
    fn write_buf(&'_ mut self, mut buf: Box<dyn Buf + Send>) -> FsFuture<'_, ()> {
        Box::pin(async move {
            let up = self.upload()?.as_mut().ok_or(FsError::GeneralFailure)?;
            while buf.has_remaining() {
                let chunk = buf.chunk();
                let n = chunk.len();
                up.write(chunk).await.map_err(|e| fs_error(&e))?;
                buf.advance(n);
            }
            Ok(())
        })
    }
    fn write_bytes(&'_ mut self, bytes: Bytes) -> FsFuture<'_, ()> {
        Box::pin(async move {
            let up = self.upload()?.as_mut().ok_or(FsError::GeneralFailure)?;
            up.write(&bytes).await.map_err(|e| fs_error(&e))
        })
    }
    fn read_bytes(&'_ mut self, _: usize) -> FsFuture<'_, Bytes> {
        Box::pin(async { Err(FsError::Forbidden) })
    }
    fn seek(&'_ mut self, pos: SeekFrom) -> FsFuture<'_, u64> {
        // Writes only append; partial updates (Content-Range) are not supported.
        Box::pin(async move {
            let at = self.upload()?.as_ref().map_or(0, PendingUpload::size);
            match pos {
                SeekFrom::Start(n) if n == at => Ok(at),
                SeekFrom::Current(0) | SeekFrom::End(0) => Ok(at),
                _ => Err(FsError::NotImplemented),
            }
        })
    }
    fn flush(&'_ mut self) -> FsFuture<'_, ()> {
        Box::pin(async move {
            if let Some(up) = self.upload()?.take() {
                let e = self
                    .platform
                    .finish_upload(&self.actor, up)
                    .await
                    .map_err(|e| fs_error(&e))?;
                self.meta = Meta::of(&e);
            }
            Ok(())
        })
    }
}

fn io_error(e: std::io::Error) -> FsError {
    tracing::error!(error = %e, "reading stored content failed");
    FsError::GeneralFailure
}
