//! File contents (files, Safe documents, mail bodies), stored by the SHA-256 of their bytes.
//!
//! Content arrives as a stream and is hashed while it is written to a temporary file in the
//! same directory; only a complete upload is renamed into place, so a failed or cancelled
//! upload is never visible. Equal contents are stored once, so copies and versions cost
//! nothing. [`Blobs`] is the store: a local directory ([`LocalBlobs`]) or an S3-compatible
//! bucket ([`S3Blobs`]), both behind the same API ([`BlobWriter`], [`BlobReader`]).

mod s3;
mod sealed;

pub use s3::{PART as S3_PART_SIZE, S3Blobs, S3Config, S3Reader};
pub use sealed::{SealKey, SealingWriter, open_sealed};

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncWriteExt, ReadBuf};

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
    #[error("object storage: {0}")]
    Store(object_store::Error),
}

impl From<object_store::Error> for BlobError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => BlobError::NotFound,
            e => BlobError::Store(e),
        }
    }
}

/// A content id is 64 lower-case hex digits.
pub(crate) fn check_id(sha256: &str) -> Result<(), BlobError> {
    if sha256.len() != 64
        || !sha256
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(BlobError::BadId);
    }
    Ok(())
}

/// The content store: a local directory or an S3-compatible bucket.
#[derive(Clone, Debug)]
pub enum Blobs {
    Local(LocalBlobs),
    S3(S3Blobs),
}

impl From<LocalBlobs> for Blobs {
    fn from(b: LocalBlobs) -> Self {
        Blobs::Local(b)
    }
}

impl From<S3Blobs> for Blobs {
    fn from(b: S3Blobs) -> Self {
        Blobs::S3(b)
    }
}

impl Blobs {
    /// A writer for content that arrives in pieces (a WebDAV PUT), at most `limit` bytes.
    /// Dropped unfinished, it leaves nothing visible.
    pub async fn writer(&self, limit: u64) -> Result<BlobWriter, BlobError> {
        match self {
            Blobs::Local(b) => b.writer(limit).await,
            Blobs::S3(b) => b.writer(limit).await,
        }
    }

    /// Stores everything `input` yields, at most `limit` bytes.
    pub async fn put(
        &self,
        input: impl AsyncRead + Unpin,
        limit: u64,
    ) -> Result<BlobRef, BlobError> {
        let w = self.writer(limit).await?;
        w.write_from(input).await
    }

    /// The stored content, to stream and seek in (range requests).
    pub async fn open_read(&self, sha256: &str) -> Result<BlobReader, BlobError> {
        match self {
            Blobs::Local(b) => {
                let file = b.open_read(sha256).await?;
                let size = file.metadata().await?.len();
                Ok(BlobReader(Reader::Local { file, size }))
            }
            Blobs::S3(b) => Ok(BlobReader(Reader::S3(b.open_read(sha256).await?))),
        }
    }

    /// Removes content nothing refers to any more (the caller knows that from the database).
    /// Deleting absent content is no error.
    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        match self {
            Blobs::Local(b) => b.delete(sha256).await,
            Blobs::S3(b) => b.delete(sha256).await,
        }
    }

    /// Ids of the content stored longer ago than `age`: candidates for a garbage collection
    /// of content nothing refers to. (Content stored again later keeps its first date.)
    pub async fn list_older_than(&self, age: Duration) -> Result<Vec<String>, BlobError> {
        match self {
            Blobs::Local(b) => b.list_older_than(age).await,
            Blobs::S3(b) => b.list_older_than(age).await,
        }
    }

    /// Deletes temporary data older than `age` that crashed writers left; returns how much.
    pub async fn delete_temporary_older_than(&self, age: Duration) -> Result<u64, BlobError> {
        match self {
            Blobs::Local(b) => b.delete_temporary_older_than(age).await,
            Blobs::S3(b) => b.delete_temporary_older_than(age).await,
        }
    }
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
        check_id(sha256)?;
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
        input: impl AsyncRead + Unpin,
        limit: u64,
    ) -> Result<BlobRef, BlobError> {
        self.writer(limit).await?.write_from(input).await
    }

    /// A writer for content that arrives in pieces (a WebDAV PUT). Dropped unfinished, it
    /// leaves nothing behind.
    pub async fn writer(&self, limit: u64) -> Result<BlobWriter, BlobError> {
        let tmp = self
            .root
            .join("tmp")
            .join(uuid::Uuid::now_v7().simple().to_string());
        // Network reads arrive in small pieces; each tokio file write is a trip to the
        // blocking pool, so writes are gathered into 1 MiB.
        let file =
            tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::create(&tmp).await?);
        let sink = LocalSink {
            store: self.clone(),
            tmp: Some(tmp),
            file: Some(file),
        };
        Ok(BlobWriter::new(Sink::Local(sink), limit))
    }

    /// Renames a complete temporary file into its content address (or drops it when the
    /// same content is already stored).
    async fn place(&self, tmp: &Path, sha256: &str) -> Result<(), BlobError> {
        let target = self.path_of(sha256)?;
        if tokio::fs::try_exists(&target).await? {
            tokio::fs::remove_file(tmp).await?;
            // Reused content counts as new for the garbage collection's age limit.
            let t = target.clone();
            let _ = tokio::task::spawn_blocking(move || {
                std::fs::File::options()
                    .append(true)
                    .open(&t)
                    .and_then(|f| f.set_modified(SystemTime::now()))
            })
            .await;
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

    /// Ids of the content stored longer ago than `age`.
    pub async fn list_older_than(&self, age: Duration) -> Result<Vec<String>, BlobError> {
        let Some(cutoff) = SystemTime::now().checked_sub(age) else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        for a in subdirs(&self.root).await? {
            for b in subdirs(&a).await? {
                let mut dir = tokio::fs::read_dir(&b).await?;
                while let Some(entry) = dir.next_entry().await? {
                    let path = entry.path();
                    let Some(rel) = path.strip_prefix(&self.root).ok().and_then(|p| p.to_str())
                    else {
                        continue;
                    };
                    let rel = rel.replace(std::path::MAIN_SEPARATOR, "/");
                    let Some(id) = s3::content_id(&rel) else {
                        continue;
                    };
                    let meta = entry.metadata().await?;
                    if meta.is_file() && meta.modified()? <= cutoff {
                        ids.push(id.to_owned());
                    }
                }
            }
        }
        Ok(ids)
    }

    /// Deletes temporary files older than `age` (left by a crash); returns how many.
    pub async fn delete_temporary_older_than(&self, age: Duration) -> Result<u64, BlobError> {
        let Some(cutoff) = SystemTime::now().checked_sub(age) else {
            return Ok(0);
        };
        let mut n = 0;
        let mut dir = tokio::fs::read_dir(self.root.join("tmp")).await?;
        while let Some(entry) = dir.next_entry().await? {
            let meta = entry.metadata().await?;
            if meta.is_file() && meta.modified()? <= cutoff {
                match tokio::fs::remove_file(entry.path()).await {
                    Ok(()) => n += 1,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(n)
    }
}

/// The two-hex-digit subdirectories of a content directory level.
async fn subdirs(dir: &Path) -> Result<Vec<PathBuf>, BlobError> {
    let mut out = Vec::new();
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.len() == 2
            && name
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            && entry.file_type().await?.is_dir()
        {
            out.push(entry.path());
        }
    }
    Ok(out)
}

/// Content being written: hashed on the way, made visible under its address only by
/// [`BlobWriter::finish`]. Dropped unfinished, it leaves nothing visible and removes its
/// temporary data (for S3 in a spawned task; [`BlobWriter::abort`] waits for it).
#[derive(Debug)]
pub struct BlobWriter {
    sink: Sink,
    hasher: Sha256,
    size: u64,
    limit: u64,
    /// A write failed: the stored bytes may no longer match the hash, so nothing is finished.
    failed: bool,
}

#[derive(Debug)]
enum Sink {
    Local(LocalSink),
    S3(s3::S3Sink),
}

impl BlobWriter {
    fn new(sink: Sink, limit: u64) -> Self {
        Self {
            sink,
            hasher: Sha256::new(),
            size: 0,
            limit,
            failed: false,
        }
    }

    /// Appends `bytes`. After an error (`TooLarge` included) the writer only fails: drop or
    /// [`abort`](Self::abort) it.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), BlobError> {
        self.size += bytes.len() as u64;
        if self.size > self.limit {
            return Err(BlobError::TooLarge { limit: self.limit });
        }
        if self.failed {
            return Err(failed_before());
        }
        self.hasher.update(bytes);
        let written = match &mut self.sink {
            Sink::Local(s) => s.write(bytes).await,
            Sink::S3(s) => s.write(bytes).await,
        };
        self.failed = written.is_err();
        written
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Makes the content durable and visible under its address.
    pub async fn finish(self) -> Result<BlobRef, BlobError> {
        if self.size > self.limit {
            return Err(BlobError::TooLarge { limit: self.limit });
        }
        if self.failed {
            return Err(failed_before());
        }
        let sha256: String = self
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        match self.sink {
            Sink::Local(s) => s.finish(&sha256).await?,
            Sink::S3(s) => s.finish(&sha256).await?,
        }
        Ok(BlobRef {
            sha256,
            size: self.size,
        })
    }

    /// Discards what was written and waits until the temporary data is removed.
    pub async fn abort(self) {
        match self.sink {
            Sink::Local(s) => drop(s),
            Sink::S3(s) => s.abort().await,
        }
    }

    async fn write_from(mut self, mut input: impl AsyncRead + Unpin) -> Result<BlobRef, BlobError> {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = input.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            if let Err(e) = self.write(&buf[..n]).await {
                self.abort().await;
                return Err(e);
            }
        }
        self.finish().await
    }
}

fn failed_before() -> BlobError {
    BlobError::Io(io::Error::other(
        "an earlier write into this content failed",
    ))
}

/// The local side of a [`BlobWriter`]: a temporary file in `<root>/tmp`.
#[derive(Debug)]
struct LocalSink {
    store: LocalBlobs,
    tmp: Option<PathBuf>,
    file: Option<tokio::io::BufWriter<tokio::fs::File>>,
}

impl LocalSink {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), BlobError> {
        match self.file.as_mut() {
            Some(f) => Ok(f.write_all(bytes).await?),
            None => Err(BlobError::NotFound),
        }
    }

    async fn finish(mut self, sha256: &str) -> Result<(), BlobError> {
        let mut file = self.file.take().ok_or(BlobError::NotFound)?;
        file.flush().await?;
        file.get_mut().sync_all().await?;
        drop(file);
        let tmp = self.tmp.take().ok_or(BlobError::NotFound)?;
        if let Err(e) = self.store.place(&tmp, sha256).await {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(())
    }
}

impl Drop for LocalSink {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            // Unfinished: the upload failed or was cancelled.
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Stored content to stream, seek in (HTTP range requests) and read.
#[derive(Debug)]
pub struct BlobReader(Reader);

#[derive(Debug)]
enum Reader {
    Local { file: tokio::fs::File, size: u64 },
    S3(S3Reader),
}

impl BlobReader {
    /// Size of the content in bytes.
    pub fn size(&self) -> u64 {
        match &self.0 {
            Reader::Local { size, .. } => *size,
            Reader::S3(r) => r.size(),
        }
    }
}

impl AsyncRead for BlobReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Reader::Local { file, .. } => Pin::new(file).poll_read(cx, buf),
            Reader::S3(r) => Pin::new(r).poll_read(cx, buf),
        }
    }
}

impl AsyncSeek for BlobReader {
    fn start_seek(self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        match &mut self.get_mut().0 {
            Reader::Local { file, .. } => Pin::new(file).start_seek(position),
            Reader::S3(r) => Pin::new(r).start_seek(position),
        }
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        match &mut self.get_mut().0 {
            Reader::Local { file, .. } => Pin::new(file).poll_complete(cx),
            Reader::S3(r) => Pin::new(r).poll_complete(cx),
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
        // A writer that refused once never finishes (its size and hash no longer agree).
        let mut w = b.writer(10).await.expect("writer");
        w.write(b"12345").await.expect("write");
        assert!(matches!(
            w.write(b"678901").await,
            Err(BlobError::TooLarge { limit: 10 })
        ));
        assert!(matches!(w.finish().await, Err(BlobError::TooLarge { .. })));
        assert_eq!(temp_files(&b).await, 0);
        assert!(
            b.list_older_than(Duration::ZERO)
                .await
                .expect("list")
                .is_empty()
        );
        assert!(matches!(
            b.open_read("../../etc/passwd").await,
            Err(BlobError::BadId)
        ));
    }
}
