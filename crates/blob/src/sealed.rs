//! Sealed content for the Daten-Safe: AES-256-GCM over chunks of 64 KiB, so a document is
//! encrypted and decrypted while it streams, never whole in memory.
//!
//! Layout: `SHS1`, an 8-byte random nonce prefix, then the chunks. Chunk `i` is sealed with
//! the nonce `prefix ‖ i (u32, big endian)` and the associated data `[1]` for the last chunk,
//! `[0]` otherwise, so chunks can be neither reordered, dropped nor cut off at the end.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use bytes::Bytes;
use futures_util::Stream;
use rand::RngCore;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::{BlobError, BlobRef, BlobWriter};

const MAGIC: &[u8; 4] = b"SHS1";
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;

/// A 256-bit key (per school).
#[derive(Clone)]
pub struct SealKey(pub [u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

impl SealKey {
    pub fn random() -> SealKey {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        SealKey(k)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }

    /// Seals a short value in one piece (a school key under the master key).
    pub fn seal_small(&self, plain: &[u8]) -> Result<Vec<u8>, BlobError> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let mut buf = plain.to_vec();
        self.cipher()
            .encrypt_in_place(&Nonce::from(nonce), b"key", &mut buf)
            .map_err(|_| BlobError::Sealed)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(out)
    }

    pub fn open_small(&self, sealed: &[u8]) -> Result<Vec<u8>, BlobError> {
        if sealed.len() < 12 + TAG {
            return Err(BlobError::Sealed);
        }
        let (nonce, body) = sealed.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| BlobError::Sealed)?;
        let mut buf = body.to_vec();
        self.cipher()
            .decrypt_in_place(&Nonce::from(nonce), b"key", &mut buf)
            .map_err(|_| BlobError::Sealed)?;
        Ok(buf)
    }
}

fn nonce(prefix: &[u8; 8], i: u32) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..8].copy_from_slice(prefix);
    n[8..].copy_from_slice(&i.to_be_bytes());
    n
}

/// Seals what is written into a blob writer.
#[derive(Debug)]
pub struct SealingWriter {
    inner: BlobWriter,
    key: SealKey,
    prefix: [u8; 8],
    index: u32,
    buf: Vec<u8>,
    plain_size: u64,
}

impl SealingWriter {
    pub async fn new(mut inner: BlobWriter, key: SealKey) -> Result<Self, BlobError> {
        let mut prefix = [0u8; 8];
        rand::rng().fill_bytes(&mut prefix);
        inner.write(MAGIC).await?;
        inner.write(&prefix).await?;
        Ok(Self {
            inner,
            key,
            prefix,
            index: 0,
            buf: Vec::with_capacity(CHUNK + TAG),
            plain_size: 0,
        })
    }

    /// Plain bytes written so far.
    pub fn size(&self) -> u64 {
        self.plain_size
    }

    pub async fn write(&mut self, mut bytes: &[u8]) -> Result<(), BlobError> {
        self.plain_size += bytes.len() as u64;
        while !bytes.is_empty() {
            // A full chunk is sealed only once more follows, so the last one can be marked.
            if self.buf.len() == CHUNK {
                self.seal_chunk(false).await?;
            }
            let take = (CHUNK - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        Ok(())
    }

    async fn seal_chunk(&mut self, last: bool) -> Result<(), BlobError> {
        let n = nonce(&self.prefix, self.index);
        self.key
            .cipher()
            .encrypt_in_place(&Nonce::from(n), &[u8::from(last)], &mut self.buf)
            .map_err(|_| BlobError::Sealed)?;
        self.inner.write(&self.buf).await?;
        self.buf.clear();
        self.index = self.index.checked_add(1).ok_or(BlobError::Sealed)?;
        Ok(())
    }

    /// Seals the last chunk and stores the whole. The returned size is the sealed size.
    pub async fn finish(mut self) -> Result<BlobRef, BlobError> {
        self.seal_chunk(true).await?;
        self.inner.finish().await
    }
}

/// The plain content of sealed stored content, chunk by chunk.
pub fn open_sealed(
    file: impl AsyncRead + Unpin + Send + 'static,
    key: SealKey,
) -> impl Stream<Item = Result<Bytes, BlobError>> + Send + 'static {
    struct State<R> {
        file: R,
        key: SealKey,
        prefix: Option<[u8; 8]>,
        index: u32,
        buf: Vec<u8>,
        done: bool,
    }
    let state = State {
        file,
        key,
        prefix: None,
        index: 0,
        buf: Vec::with_capacity(CHUNK + TAG + 1),
        done: false,
    };
    futures_util::stream::try_unfold(state, |mut s| async move {
        if s.done {
            return Ok(None);
        }
        let prefix = match s.prefix {
            Some(p) => p,
            None => {
                let mut head = [0u8; 12];
                s.file
                    .read_exact(&mut head)
                    .await
                    .map_err(|_| BlobError::Sealed)?;
                if &head[..4] != MAGIC {
                    return Err(BlobError::Sealed);
                }
                let mut p = [0u8; 8];
                p.copy_from_slice(&head[4..]);
                s.prefix = Some(p);
                p
            }
        };
        // Read one chunk plus one byte: if nothing follows, this chunk is the last.
        let want = CHUNK + TAG + 1;
        while s.buf.len() < want {
            let mut tmp = vec![0u8; want - s.buf.len()];
            let n = s.file.read(&mut tmp).await?;
            if n == 0 {
                break;
            }
            s.buf.extend_from_slice(&tmp[..n]);
        }
        let last = s.buf.len() < want;
        let take = if last { s.buf.len() } else { CHUNK + TAG };
        let rest = s.buf.split_off(take);
        let mut chunk = std::mem::replace(&mut s.buf, rest);
        let n = nonce(&prefix, s.index);
        s.key
            .cipher()
            .decrypt_in_place(&Nonce::from(n), &[u8::from(last)], &mut chunk)
            .map_err(|_| BlobError::Sealed)?;
        s.index = s.index.checked_add(1).ok_or(BlobError::Sealed)?;
        s.done = last;
        Ok(Some((Bytes::from(chunk), s)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LocalBlobs;
    use futures_util::TryStreamExt;

    async fn roundtrip(len: usize) {
        let dir = tempfile::tempdir().expect("dir");
        let blobs = LocalBlobs::open(dir.path()).await.expect("open");
        let key = SealKey::random();
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut w = SealingWriter::new(blobs.writer(u64::MAX).await.expect("writer"), key.clone())
            .await
            .expect("sealer");
        for piece in data.chunks(7_000) {
            w.write(piece).await.expect("write");
        }
        assert_eq!(w.size(), len as u64);
        let r = w.finish().await.expect("finish");
        let stored = tokio::fs::read(blobs.path_of(&r.sha256).expect("path"))
            .await
            .expect("stored");
        assert!(
            !stored
                .windows(64.min(len.max(1)))
                .any(|w| len >= 64 && w == &data[..64]),
            "never stored in plain"
        );
        let back: Vec<Bytes> =
            open_sealed(blobs.open_read(&r.sha256).await.expect("read"), key.clone())
                .try_collect()
                .await
                .expect("open");
        assert_eq!(back.concat(), data, "length {len}");
        let wrong = open_sealed(
            blobs.open_read(&r.sha256).await.expect("read"),
            SealKey::random(),
        );
        assert!(
            wrong.try_collect::<Vec<Bytes>>().await.is_err(),
            "another school's key opens nothing"
        );
        // Cut off after the first chunk: detected, not silently shortened.
        if len > CHUNK {
            let cut = &stored[..12 + CHUNK + TAG];
            let r = open_sealed(std::io::Cursor::new(cut.to_vec()), key)
                .try_collect::<Vec<Bytes>>()
                .await;
            assert!(r.is_err(), "a truncated document must not open");
        }
    }

    #[tokio::test]
    async fn sealed_content_round_trips_and_resists_tampering() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5] {
            roundtrip(len).await;
        }
        let k = SealKey::random();
        let s = k.seal_small(b"school key").expect("seal");
        assert_eq!(k.open_small(&s).expect("open"), b"school key");
        assert!(SealKey::random().open_small(&s).is_err());
    }
}
