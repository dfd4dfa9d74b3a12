//! File contents (files, Safe documents, mail bodies), stored by the SHA-256 of their bytes.
//!
//! Content arrives as a stream and is hashed while it is written to a temporary file in the
//! same directory; only a complete upload is renamed into place, so a failed or cancelled
//! upload is never visible. Equal contents are stored once, so copies and versions cost
//! nothing. [`Blobs`] is the store: a local directory ([`LocalBlobs`]) or an S3-compatible
//! bucket ([`S3Blobs`]), both behind the same API ([`BlobWriter`], [`BlobReader`]).

mod disk;
mod s3;
mod sealed;

pub use s3::{PART as S3_PART_SIZE, S3Blobs, S3Config, S3Reader};
pub use sealed::{SealKey, SealingWriter, open_sealed};

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, ReadBuf};

use disk::{DiskReader, DiskWriter};

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
                let file = file.into_std().await;
                let reader = DiskReader::open(file, size);
                Ok(BlobReader(Reader::Local(reader)))
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
        let file = tokio::fs::File::create(&tmp).await?.into_std().await;
        let sink = LocalSink {
            store: self.clone(),
            file: Some(DiskWriter::new(file, tmp.clone())),
            tmp: Some(tmp),
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
        let dir = target.parent().ok_or(BlobError::NotFound)?.to_path_buf();
        let new_dir = !tokio::fs::try_exists(&dir).await?;
        if new_dir {
            tokio::fs::create_dir_all(&dir).await?;
        }
        tokio::fs::rename(tmp, &target).await?;
        // The content was fsynced before; the rename lives in the directory, which needs its own
        // fsync (and its parent's when the directory is new) before the caller may answer "stored".
        tokio::task::spawn_blocking(move || {
            sync_dir(&dir)?;
            match dir.parent() {
                Some(parent) if new_dir => sync_dir(parent),
                _ => Ok(()),
            }
        })
        .await
        .map_err(io::Error::other)??;
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

/// Content being written: hashed on the way (by its sink), made visible under its address
/// only by [`BlobWriter::finish`]. Dropped unfinished, it leaves nothing visible and removes
/// its temporary data (for S3 in a spawned task; [`BlobWriter::abort`] waits for it).
#[derive(Debug)]
pub struct BlobWriter {
    sink: Sink,
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
        let sha256 = match self.sink {
            Sink::Local(s) => s.finish().await?,
            Sink::S3(s) => s.finish().await?,
        };
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

fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// A SHA-256 as a content id.
pub(crate) fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
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
    file: Option<DiskWriter>,
}

impl LocalSink {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), BlobError> {
        match self.file.as_mut() {
            Some(f) => Ok(f.write(bytes).await?),
            None => Err(BlobError::NotFound),
        }
    }

    /// Makes the file durable and moves it to its address, which it returns.
    async fn finish(mut self) -> Result<String, BlobError> {
        let file = self.file.take().ok_or(BlobError::NotFound)?;
        let sha256 = hex(&file.finish().await?);
        let tmp = self.tmp.take().ok_or(BlobError::NotFound)?;
        if let Err(e) = self.store.place(&tmp, &sha256).await {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(sha256)
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
    Local(DiskReader),
    S3(S3Reader),
}

impl BlobReader {
    /// Size of the content in bytes.
    pub fn size(&self) -> u64 {
        match &self.0 {
            Reader::Local(r) => r.size(),
            Reader::S3(r) => r.size(),
        }
    }
}

impl BlobReader {
    /// Up to `max` bytes from the current position, without copying when they come from
    /// the local disk; empty at the end.
    pub async fn chunk(&mut self, max: usize) -> io::Result<Bytes> {
        match &mut self.0 {
            Reader::Local(r) => std::future::poll_fn(|cx| r.poll_chunk(cx, max)).await,
            Reader::S3(r) => {
                let mut buf = BytesMut::with_capacity(max);
                r.read_buf(&mut buf).await?;
                Ok(buf.freeze())
            }
        }
    }

    /// The next `len` bytes (or fewer, at the end) as a stream of chunks, for a response body.
    pub fn into_stream(mut self, len: u64) -> impl futures_util::Stream<Item = io::Result<Bytes>> {
        if let Reader::Local(r) = &mut self.0 {
            r.limit(len);
        }
        futures_util::stream::try_unfold((self, len), |(mut reader, left)| async move {
            if left == 0 {
                return Ok(None);
            }
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(disk::PIECE);
            let chunk = reader.chunk(want).await?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let left = left - chunk.len() as u64;
            Ok(Some((chunk, (reader, left))))
        })
    }
}

impl AsyncRead for BlobReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Reader::Local(r) => {
                let chunk = ready!(r.poll_chunk(cx, buf.remaining()))?;
                buf.put_slice(&chunk);
                Poll::Ready(Ok(()))
            }
            Reader::S3(r) => Pin::new(r).poll_read(cx, buf),
        }
    }
}

impl AsyncSeek for BlobReader {
    fn start_seek(self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        match &mut self.get_mut().0 {
            Reader::Local(r) => r.start_seek(position),
            Reader::S3(r) => Pin::new(r).start_seek(position),
        }
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        match &mut self.get_mut().0 {
            Reader::Local(r) => r.poll_seek(cx),
            Reader::S3(r) => Pin::new(r).poll_complete(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use tokio::io::AsyncSeekExt;

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

    /// Large contents go through the pieces, direct I/O and read-ahead: written in odd
    /// sizes, read back whole, from unaligned positions and as a limited stream.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn large_contents_survive_pieces_and_direct_io() {
        use futures_util::TryStreamExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let b = Blobs::from(LocalBlobs::open(dir.path()).await.expect("open"));
        let mut x: u32 = 1;
        let data: Vec<u8> = (0..(64 << 20) + 3 * disk::PIECE + 4097)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let mut w = b.writer(u64::MAX).await.expect("writer");
        for piece in data.chunks(300_007) {
            w.write(piece).await.expect("write");
        }
        let r = w.finish().await.expect("finish");
        assert_eq!(r.sha256, hex(&Sha256::digest(&data)));
        let mut back = Vec::new();
        let mut reader = b.open_read(&r.sha256).await.expect("open");
        reader.read_to_end(&mut back).await.expect("read");
        assert!(back == data, "read back whole");
        for at in [
            0u64,
            1,
            4095,
            disk::PIECE as u64 + 17,
            data.len() as u64 - 5,
        ] {
            let mut reader = b.open_read(&r.sha256).await.expect("open");
            reader.seek(io::SeekFrom::Start(at)).await.expect("seek");
            let len = 3 * disk::PIECE as u64 / 2;
            let got: Vec<Bytes> = reader.into_stream(len).try_collect().await.expect("stream");
            let got = got.concat();
            let end = (at + len).min(data.len() as u64) as usize;
            assert!(got == data[at as usize..end], "range from {at}");
        }
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
