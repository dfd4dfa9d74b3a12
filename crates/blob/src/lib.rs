//! File contents (files, Safe documents, mail bodies), stored by the SHA-256 of their bytes.
//!
//! Content arrives as a stream and is hashed while it is written to a temporary file in the
//! same directory; only a complete upload is renamed into place, so a failed or cancelled
//! upload is never visible. Equal contents are stored once, so copies and versions cost
//! nothing. This is the local-directory backend; object storage comes behind the same API.

mod sealed;

pub use sealed::{SealKey, SealingWriter, open_sealed};

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the content is larger than the allowed {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("no such content")]
    NotFound,
    #[error("invalid content id")]
    BadId,
    #[error("sealed content cannot be opened (wrong key or damaged)")]
    Sealed,
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

/// The address of stored content: its SHA-256 in hex, and its size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRef {
    pub sha256: String,
    pub size: u64,
}

/// Content-addressed storage in a local directory.
#[derive(Clone, Debug)]
pub struct LocalBlobs {
    root: PathBuf,
}

const CHUNK: usize = 64 * 1024;

impl LocalBlobs {
    pub async fn open(root: impl Into<PathBuf>) -> Result<Self, BlobError> {
        let root = root.into();
        tokio::fs::create_dir_all(root.join("tmp")).await?;
        Ok(Self { root })
    }

    pub(crate) fn path_of(&self, sha256: &str) -> Result<PathBuf, BlobError> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(BlobError::BadId);
        }
        Ok(self
            .root
            .join(&sha256[..2])
            .join(&sha256[2..4])
            .join(sha256))
    }

    /// Creates the directories of a new store synchronously, for start-up code.
    pub fn open_sync(root: impl Into<PathBuf>) -> Result<Self, BlobError> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self { root })
    }

    /// Stores everything `input` yields, at most `limit` bytes. Memory use is one chunk.
    pub async fn put(
        &self,
        mut input: impl AsyncRead + Unpin,
        limit: u64,
    ) -> Result<BlobRef, BlobError> {
        let mut w = self.writer(limit).await?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = input.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            w.write(&buf[..n]).await?;
        }
        w.finish().await
    }

    /// A writer for content that arrives in pieces (a WebDAV PUT). Dropped unfinished, it
    /// leaves nothing behind.
    pub async fn writer(&self, limit: u64) -> Result<BlobWriter, BlobError> {
        let tmp = self
            .root
            .join("tmp")
            .join(uuid::Uuid::now_v7().simple().to_string());
        let file = tokio::fs::File::create(&tmp).await?;
        Ok(BlobWriter {
            store: self.clone(),
            tmp: Some(tmp),
            file: Some(file),
            hasher: Sha256::new(),
            size: 0,
            limit,
        })
    }

    /// Renames a complete temporary file into its content address (or drops it when the
    /// same content is already stored).
    async fn place(&self, tmp: &Path, sha256: &str) -> Result<(), BlobError> {
        let target = self.path_of(sha256)?;
        if tokio::fs::try_exists(&target).await? {
            tokio::fs::remove_file(tmp).await?;
            return Ok(());
        }
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(tmp, &target).await?;
        Ok(())
    }

    /// The stored content, to stream (and seek in, for range requests).
    pub async fn open_read(&self, sha256: &str) -> Result<tokio::fs::File, BlobError> {
        match tokio::fs::File::open(self.path_of(sha256)?).await {
            Ok(f) => Ok(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(BlobError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes content nothing refers to any more (the caller knows that from the database).
    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        match tokio::fs::remove_file(self.path_of(sha256)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// Content being written: hashed on the way, renamed into place by [`BlobWriter::finish`].
#[derive(Debug)]
pub struct BlobWriter {
    store: LocalBlobs,
    tmp: Option<PathBuf>,
    file: Option<tokio::fs::File>,
    hasher: Sha256,
    size: u64,
    limit: u64,
}

impl BlobWriter {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), BlobError> {
        self.size += bytes.len() as u64;
        if self.size > self.limit {
            return Err(BlobError::TooLarge { limit: self.limit });
        }
        self.hasher.update(bytes);
        match self.file.as_mut() {
            Some(f) => Ok(f.write_all(bytes).await?),
            None => Err(BlobError::NotFound),
        }
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Makes the content durable and visible under its address.
    pub async fn finish(mut self) -> Result<BlobRef, BlobError> {
        let mut file = self.file.take().ok_or(BlobError::NotFound)?;
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let sha256: String = std::mem::take(&mut self.hasher)
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let tmp = self.tmp.take().ok_or(BlobError::NotFound)?;
        if let Err(e) = self.store.place(&tmp, &sha256).await {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(BlobRef {
            sha256,
            size: self.size,
        })
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            // Unfinished: the upload failed or was cancelled.
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn temp_files(b: &LocalBlobs) -> usize {
        let mut n = 0;
        let mut dir = tokio::fs::read_dir(b.root.join("tmp"))
            .await
            .expect("tmp dir");
        while dir.next_entry().await.expect("entry").is_some() {
            n += 1;
        }
        n
    }

    #[tokio::test]
    async fn stores_streams_by_content_and_reads_them_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let b = LocalBlobs::open(dir.path()).await.expect("open");
        let data = vec![7u8; 3 * CHUNK + 17];
        let r = b.put(&data[..], 1 << 20).await.expect("put");
        assert_eq!(r.size, data.len() as u64);
        assert_eq!(
            r.sha256,
            Sha256::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let again = b.put(&data[..], 1 << 20).await.expect("put twice");
        assert_eq!(again, r, "same content, same address, stored once");
        let mut back = Vec::new();
        b.open_read(&r.sha256)
            .await
            .expect("open")
            .read_to_end(&mut back)
            .await
            .expect("read");
        assert_eq!(back, data);
        assert_eq!(temp_files(&b).await, 0);
        b.delete(&r.sha256).await.expect("delete");
        assert!(matches!(
            b.open_read(&r.sha256).await,
            Err(BlobError::NotFound)
        ));
    }

    #[tokio::test]
    async fn too_large_or_failing_uploads_leave_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let b = LocalBlobs::open(dir.path()).await.expect("open");
        let data = vec![1u8; 1000];
        assert!(matches!(
            b.put(&data[..], 999).await,
            Err(BlobError::TooLarge { limit: 999 })
        ));
        struct Broken(usize);
        impl AsyncRead for Broken {
            fn poll_read(
                mut self: std::pin::Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                if self.0 == 0 {
                    return std::task::Poll::Ready(Err(std::io::Error::other("connection lost")));
                }
                self.0 -= 1;
                buf.put_slice(&[9u8; 100]);
                std::task::Poll::Ready(Ok(()))
            }
        }
        assert!(matches!(
            b.put(Broken(5), 1 << 20).await,
            Err(BlobError::Io(_))
        ));
        assert_eq!(temp_files(&b).await, 0);
        assert!(matches!(
            b.open_read("../../etc/passwd").await,
            Err(BlobError::BadId)
        ));
    }
}
