//! The S3-compatible backend: content lives in a bucket under `<prefix><sha[0..2]>/<sha[2..4]>/<sha>`.
//!
//! The content id is known only once the last byte has been hashed. Small contents (up to one
//! part) are kept in memory and stored with a single PUT under their address, which S3 makes
//! visible atomically. Larger contents stream into a temporary object `<prefix>tmp/<uuid>` as a
//! multipart upload (parts of [`PART`] bytes, at most one part in flight while the next one
//! fills), which is then copied to its address and deleted. A failed, aborted or dropped writer
//! aborts the multipart upload and deletes the temporary object, so a content id never shows
//! unfinished content.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, SystemTime};

use bytes::{Buf, Bytes};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    ClientOptions, GetOptions, GetRange, GetResult, MultipartUpload, ObjectStore, ObjectStoreExt,
    PutPayload,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncSeek, ReadBuf};
use tokio::task::JoinHandle;

use crate::{BlobError, BlobWriter, check_id};

/// Size of one part of a multipart upload (S3 wants at least 5 MiB for all but the last).
pub const PART: usize = 8 * 1024 * 1024;

/// Where and how to reach the bucket.
#[derive(Clone)]
pub struct S3Config {
    /// `http(s)://host:port` of an S3-compatible service (path-style requests); `None` for AWS.
    pub endpoint: Option<String>,
    pub bucket: String,
    /// `us-east-1` unless the service needs another.
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Key prefix of everything this store writes (`""` or e.g. `"schulhof/"`).
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &"…")
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// Content-addressed storage in an S3 bucket.
#[derive(Clone)]
pub struct S3Blobs {
    store: Arc<AmazonS3>,
    bucket: Arc<str>,
    /// Normalised: empty or ending in `/`, never starting with one.
    prefix: Arc<str>,
}

impl std::fmt::Debug for S3Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Blobs")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl S3Blobs {
    /// Configures the client; makes no request (see [`S3Blobs::check`]).
    pub fn new(config: S3Config) -> Result<Self, BlobError> {
        // No request may hang: connections that stall for a minute fail (and are retried by
        // object_store). The total limit leaves room for server-side copies of large
        // contents; a download that takes longer is resumed by `S3Reader`.
        let client = ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(10))
            .with_read_timeout(Duration::from_secs(60))
            .with_timeout(Duration::from_secs(600));
        let mut builder = AmazonS3Builder::new()
            .with_client_options(client)
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key)
            .with_secret_access_key(&config.secret_key);
        if let Some(endpoint) = config.endpoint.as_deref().filter(|e| !e.is_empty()) {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        let store = builder.build().map_err(BlobError::from)?;
        let prefix = config.prefix.trim_matches('/');
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        Ok(Self {
            store: Arc::new(store),
            bucket: config.bucket.into(),
            prefix: prefix.into(),
        })
    }

    /// Verifies that the bucket exists and answers to these credentials (one small LIST).
    pub async fn check(&self) -> Result<(), BlobError> {
        let prefix = self.prefix.trim_end_matches('/');
        let prefix = (!prefix.is_empty()).then(|| Path::from(prefix));
        self.store
            .list_with_delimiter(prefix.as_ref())
            .await
            .map_err(BlobError::Store)?;
        Ok(())
    }

    fn key(&self, rest: &str) -> Path {
        Path::from(format!("{}{rest}", self.prefix))
    }

    pub(crate) fn content_path(&self, sha256: &str) -> Result<Path, BlobError> {
        check_id(sha256)?;
        Ok(self.key(&format!("{}/{}/{sha256}", &sha256[..2], &sha256[2..4])))
    }

    async fn exists(&self, path: &Path) -> Result<bool, BlobError> {
        match self.store.head(path).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(BlobError::Store(e)),
        }
    }

    /// A writer for content that arrives in pieces; see [`crate::Blobs::writer`].
    pub async fn writer(&self, limit: u64) -> Result<BlobWriter, BlobError> {
        let sink = S3Sink {
            store: self.clone(),
            tmp: self.key(&format!("tmp/{}", uuid::Uuid::now_v7().simple())),
            buf: Vec::new(),
            upload: None,
            inflight: None,
            done: false,
            hasher: Sha256::new(),
        };
        Ok(BlobWriter::new(crate::Sink::S3(sink), limit))
    }

    /// The stored content, read with ranged GETs from the current position.
    pub async fn open_read(&self, sha256: &str) -> Result<S3Reader, BlobError> {
        let path = self.content_path(sha256)?;
        let meta = self.store.head(&path).await?;
        Ok(S3Reader {
            store: self.store.clone(),
            path,
            size: meta.size,
            pos: 0,
            state: ReadState::Idle,
            progressed: false,
        })
    }

    /// Removes content nothing refers to any more (the caller knows that from the database).
    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        match self.store.delete(&self.content_path(sha256)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(BlobError::Store(e)),
        }
    }

    fn listing(
        &self,
        under: &str,
    ) -> BoxStream<'static, object_store::Result<object_store::ObjectMeta>> {
        let prefix = format!("{}{under}", self.prefix);
        let prefix = prefix.trim_end_matches('/');
        if prefix.is_empty() {
            self.store.list(None)
        } else {
            self.store.list(Some(&Path::from(prefix)))
        }
    }

    /// Ids of the content stored longer ago than `age`.
    pub async fn list_older_than(&self, age: Duration) -> Result<Vec<String>, BlobError> {
        let Some(cutoff) = SystemTime::now().checked_sub(age) else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        let mut objects = self.listing("");
        while let Some(meta) = objects.try_next().await? {
            let Some(rest) = meta.location.as_ref().strip_prefix(&*self.prefix) else {
                continue;
            };
            if let Some(id) = content_id(rest)
                && SystemTime::from(meta.last_modified) <= cutoff
            {
                ids.push(id.to_owned());
            }
        }
        Ok(ids)
    }

    /// Deletes temporary objects older than `age` (left by crashed writers); returns how many.
    /// Unfinished multipart uploads of crashed processes are not visible through this API:
    /// give the bucket a lifecycle rule that aborts incomplete multipart uploads.
    pub async fn delete_temporary_older_than(&self, age: Duration) -> Result<u64, BlobError> {
        let Some(cutoff) = SystemTime::now().checked_sub(age) else {
            return Ok(0);
        };
        let old: Vec<Path> = self
            .listing("tmp/")
            .try_filter_map(|meta| async move {
                Ok((SystemTime::from(meta.last_modified) <= cutoff).then_some(meta.location))
            })
            .try_collect()
            .await?;
        let mut n = 0;
        for path in old {
            match self.store.delete(&path).await {
                Ok(()) => n += 1,
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(BlobError::Store(e)),
            }
        }
        Ok(n)
    }
}

/// `xx/yy/<sha>` with matching directories, else `None`.
pub(crate) fn content_id(rest: &str) -> Option<&str> {
    let mut parts = rest.split('/');
    let (a, b, id) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || check_id(id).is_err() || a != &id[..2] || b != &id[2..4] {
        return None;
    }
    Some(id)
}

/// The S3 side of a [`crate::BlobWriter`].
#[derive(Debug)]
pub(crate) struct S3Sink {
    store: S3Blobs,
    tmp: Path,
    /// The part being filled (all of a small content).
    buf: Vec<u8>,
    /// Started once more than one part arrives.
    upload: Option<Box<dyn MultipartUpload>>,
    inflight: Option<JoinHandle<object_store::Result<()>>>,
    /// Finished or cleaned up: nothing left for `Drop`.
    done: bool,
    hasher: Sha256,
}

impl S3Sink {
    pub(crate) async fn write(&mut self, mut bytes: &[u8]) -> Result<(), BlobError> {
        self.hasher.update(bytes);
        while !bytes.is_empty() {
            // A full part is sent only once more follows, so the last part is never empty
            // and content of up to one part is stored with a single PUT.
            if self.buf.len() == PART {
                self.send_part().await?;
            }
            let take = (PART - self.buf.len()).min(bytes.len());
            let need = self.buf.len() + take;
            if self.buf.capacity() < need {
                // Grow by doubling, but never beyond one part.
                let want = (self.buf.capacity() * 2).max(need).clamp(64 * 1024, PART);
                self.buf.reserve_exact(want - self.buf.len());
            }
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        Ok(())
    }

    async fn send_part(&mut self) -> Result<(), BlobError> {
        if self.upload.is_none() {
            self.upload = Some(self.store.store.put_multipart(&self.tmp).await?);
        }
        self.wait_inflight().await?;
        let part = std::mem::replace(&mut self.buf, Vec::with_capacity(PART));
        if let Some(upload) = self.upload.as_mut() {
            self.inflight = Some(tokio::spawn(upload.put_part(PutPayload::from(part))));
        }
        Ok(())
    }

    async fn wait_inflight(&mut self) -> Result<(), BlobError> {
        if let Some(part) = self.inflight.take() {
            part.await.map_err(io::Error::other)??;
        }
        Ok(())
    }

    /// Stores the content under its SHA-256, which it returns.
    pub(crate) async fn finish(mut self) -> Result<String, BlobError> {
        let sha256 = crate::hex(&std::mem::take(&mut self.hasher).finalize());
        let result = self.place(&sha256).await;
        if result.is_err() {
            self.cleanup().await;
        }
        self.done = true;
        result.map(|()| sha256)
    }

    async fn place(&mut self, sha256: &str) -> Result<(), BlobError> {
        let target = self.store.content_path(sha256)?;
        if self.upload.is_none() {
            if !self.store.exists(&target).await? {
                let body = PutPayload::from(std::mem::take(&mut self.buf));
                self.store.store.put(&target, body).await?;
            }
            return Ok(());
        }
        self.wait_inflight().await?;
        let last = PutPayload::from(std::mem::take(&mut self.buf));
        if let Some(upload) = self.upload.as_mut() {
            upload.put_part(last).await?;
            upload.complete().await?;
        }
        // From here on the temporary object exists; `upload` stays set so that a failure or
        // cancellation still deletes it.
        if !self.store.exists(&target).await? {
            self.store.store.copy(&self.tmp, &target).await?;
        }
        // The content is stored; a temporary object that stays behind is harmless and
        // removed by `delete_temporary_older_than`.
        let _ = self.store.store.delete(&self.tmp).await;
        Ok(())
    }

    /// Aborts the multipart upload and deletes the temporary object.
    pub(crate) async fn abort(mut self) {
        self.cleanup().await;
        self.done = true;
    }

    async fn cleanup(&mut self) {
        cleanup(
            self.store.clone(),
            self.tmp.clone(),
            self.upload.take(),
            self.inflight.take(),
        )
        .await;
    }
}

async fn cleanup(
    store: S3Blobs,
    tmp: Path,
    upload: Option<Box<dyn MultipartUpload>>,
    inflight: Option<JoinHandle<object_store::Result<()>>>,
) {
    // Let a part in flight end first, or it could land after the abort.
    if let Some(part) = inflight {
        let _ = part.await;
    }
    if let Some(mut upload) = upload {
        let _ = upload.abort().await;
    }
    let _ = store.store.delete(&tmp).await;
}

impl Drop for S3Sink {
    fn drop(&mut self) {
        if self.done || (self.upload.is_none() && self.inflight.is_none()) {
            // Nothing was sent (small contents are only stored by `finish`).
            return;
        }
        let job = cleanup(
            self.store.clone(),
            self.tmp.clone(),
            self.upload.take(),
            self.inflight.take(),
        );
        // Best effort: without a runtime the bucket's lifecycle rule has to do it.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(job);
        }
    }
}

/// Streams stored content with ranged GETs; a seek drops the running GET and the next read
/// starts a new one at the new position. A GET that breaks off after delivering something
/// (a timeout during a long download) is resumed where it stopped.
pub struct S3Reader {
    store: Arc<AmazonS3>,
    path: Path,
    size: u64,
    pos: u64,
    state: ReadState,
    /// Bytes arrived since the running GET started: if it breaks off, a new one resumes.
    progressed: bool,
}

enum ReadState {
    Idle,
    Opening(BoxFuture<'static, object_store::Result<GetResult>>),
    Streaming {
        body: BoxStream<'static, object_store::Result<Bytes>>,
        chunk: Bytes,
    },
}

impl std::fmt::Debug for S3Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Reader")
            .field("path", &self.path)
            .field("size", &self.size)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl S3Reader {
    /// Size of the content in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
}

impl AsyncRead for S3Reader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.pos >= this.size || buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            match &mut this.state {
                ReadState::Idle => {
                    let store = this.store.clone();
                    let path = this.path.clone();
                    let options = GetOptions::default()
                        .with_range(Some(GetRange::Bounded(this.pos..this.size)));
                    this.state = ReadState::Opening(
                        async move { store.get_opts(&path, options).await }.boxed(),
                    );
                    this.progressed = false;
                }
                ReadState::Opening(get) => match ready!(get.poll_unpin(cx)) {
                    Ok(response) => {
                        this.state = ReadState::Streaming {
                            body: response.into_stream(),
                            chunk: Bytes::new(),
                        }
                    }
                    Err(e) => {
                        this.state = ReadState::Idle;
                        return Poll::Ready(Err(io_error(e)));
                    }
                },
                ReadState::Streaming { body, chunk } => {
                    if !chunk.is_empty() {
                        let n = chunk.len().min(buf.remaining());
                        buf.put_slice(&chunk[..n]);
                        chunk.advance(n);
                        this.pos += n as u64;
                        this.progressed = true;
                        return Poll::Ready(Ok(()));
                    }
                    let failure = match ready!(body.poll_next_unpin(cx)) {
                        Some(Ok(next)) => {
                            *chunk = next;
                            continue;
                        }
                        Some(Err(e)) => io_error(e),
                        None => io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "object storage ended the content early",
                        ),
                    };
                    this.state = ReadState::Idle;
                    if !this.progressed {
                        // The next read tries again with a new GET.
                        return Poll::Ready(Err(failure));
                    }
                }
            }
        }
    }
}

impl AsyncSeek for S3Reader {
    fn start_seek(self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        let target = match position {
            io::SeekFrom::Start(n) => Some(n),
            io::SeekFrom::End(d) => this.size.checked_add_signed(d),
            io::SeekFrom::Current(d) => this.pos.checked_add_signed(d),
        }
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a negative or overflowing position",
            )
        })?;
        if target == this.pos {
            return Ok(());
        }
        match &mut this.state {
            // A short skip forward within the bytes at hand keeps the running GET.
            ReadState::Streaming { chunk, .. }
                if target > this.pos && target - this.pos <= chunk.len() as u64 =>
            {
                chunk.advance((target - this.pos) as usize);
            }
            state => *state = ReadState::Idle,
        }
        this.pos = target;
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Poll::Ready(Ok(self.pos))
    }
}

fn io_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        e => io::Error::other(e),
    }
}
