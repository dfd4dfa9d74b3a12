//! Local file I/O in large pieces on the blocking pool, overlapped with the network: while
//! the connection delivers (or sends) one piece, the previous (or next) one is on its way to
//! (or from) the disk. Each trip to the blocking pool costs a thread hand-over, so pieces are
//! large. Large uploads bypass the page cache (direct I/O, where the file system has it):
//! copying a gigabyte into the cache costs more CPU than receiving and hashing it, and the
//! fsync before an upload is acknowledged then has next to nothing left to write. Reads go
//! through the page cache: a class downloading the same film at once reads it from memory.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

/// Bytes gathered before one write, and read at once ahead of the reader.
pub(crate) const PIECE: usize = 2 << 20;
/// Memory and file offsets of direct I/O are multiples of this.
const ALIGN: usize = 4096;

fn gone() -> io::Error {
    io::Error::other("an earlier write into this file failed")
}

fn joined<T>(r: Result<io::Result<T>, tokio::task::JoinError>) -> io::Result<T> {
    r.map_err(io::Error::other)?
}

/// A piece being gathered. Large contents are gathered at a 4 KiB boundary, so that full
/// pieces can be written with direct I/O; small ones in a buffer that grows as needed.
#[derive(Debug, Default)]
struct Piece {
    mem: Vec<u8>,
    start: usize,
    len: usize,
}

impl Piece {
    fn aligned() -> Self {
        let mem = vec![0u8; PIECE + ALIGN];
        let start = mem.as_ptr().align_offset(ALIGN);
        Self { mem, start, len: 0 }
    }

    fn is_aligned(&self) -> bool {
        self.mem.len() == PIECE + ALIGN
    }

    fn is_full(&self) -> bool {
        self.len == PIECE
    }

    fn bytes(&self) -> &[u8] {
        &self.mem[self.start..self.start + self.len]
    }

    /// Takes what fits of `bytes`; returns how much.
    fn push(&mut self, bytes: &[u8]) -> usize {
        let take = (PIECE - self.len).min(bytes.len());
        let (from, to) = (self.start + self.len, self.start + self.len + take);
        if to <= self.mem.len() {
            self.mem[from..to].copy_from_slice(&bytes[..take]);
        } else {
            // Growing: small contents stay small (doubling, up to one piece).
            let want = (self.mem.capacity() * 2).max(to).clamp(64 * 1024, PIECE);
            self.mem.reserve_exact(want - self.mem.len());
            self.mem.extend_from_slice(&bytes[..take]);
        }
        self.len += take;
        take
    }
}

/// A second handle on the file being written, bypassing the page cache; opened with the
/// first full piece.
#[derive(Debug)]
enum Direct {
    Unopened,
    Open(File),
    Unsupported,
}

/// The file and the hash of what was written: on the blocking pool while a piece is written.
#[derive(Debug)]
struct Disk {
    path: PathBuf,
    file: File,
    direct: Direct,
    hasher: Sha256,
    written: u64,
}

impl Disk {
    /// Hashing runs here too, next to the write and off the runtime's threads.
    fn write(&mut self, piece: &Piece) -> io::Result<()> {
        let bytes = piece.bytes();
        self.hasher.update(bytes);
        if !(piece.is_aligned() && piece.is_full() && self.write_direct(bytes)?) {
            self.file.write_all_at(bytes, self.written)?;
        }
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Full pieces of large contents bypass the page cache: copying them into it costs
    /// more CPU than everything else on the way, and they are synced at the end anyway.
    /// Returns whether it was written (not where direct I/O is unsupported).
    fn write_direct(&mut self, bytes: &[u8]) -> io::Result<bool> {
        if matches!(self.direct, Direct::Unopened) {
            self.direct = open_direct(&self.path).map_or(Direct::Unsupported, Direct::Open);
        }
        let Direct::Open(direct) = &self.direct else {
            return Ok(false);
        };
        match direct.write_all_at(bytes, self.written) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                self.direct = Direct::Unsupported;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}

/// A handle for writing with direct I/O (`O_DIRECT`).
#[cfg(target_os = "linux")]
fn open_direct(path: &std::path::Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    File::options()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_: &std::path::Path) -> io::Result<File> {
    Err(io::ErrorKind::Unsupported.into())
}

type Written = io::Result<(Disk, Piece)>;

#[derive(Debug)]
enum WriteState {
    Idle(Disk),
    Writing(JoinHandle<Written>),
    Broken,
}

/// Writes and hashes content into a new file: at most one piece is being written while the
/// next one is gathered.
#[derive(Debug)]
pub(crate) struct DiskWriter {
    /// The piece being gathered.
    piece: Piece,
    state: WriteState,
}

impl DiskWriter {
    /// Writes into `file`, newly created at `path`.
    pub(crate) fn new(file: File, path: PathBuf) -> Self {
        let disk = Disk {
            path,
            file,
            direct: Direct::Unopened,
            hasher: Sha256::new(),
            written: 0,
        };
        Self {
            piece: Piece::default(),
            state: WriteState::Idle(disk),
        }
    }

    pub(crate) async fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            if self.piece.is_full() {
                self.submit().await?;
            }
            let took = self.piece.push(bytes);
            bytes = &bytes[took..];
        }
        Ok(())
    }

    /// Waits for the write under way; hands back the file and, once there, its piece.
    async fn idle(&mut self) -> io::Result<(Disk, Option<Piece>)> {
        match std::mem::replace(&mut self.state, WriteState::Broken) {
            WriteState::Idle(disk) => Ok((disk, None)),
            WriteState::Writing(job) => joined(job.await).map(|(d, p)| (d, Some(p))),
            WriteState::Broken => Err(gone()),
        }
    }

    /// Sends the gathered piece to the disk; the next one is gathered meanwhile.
    async fn submit(&mut self) -> io::Result<()> {
        let (mut disk, spare) = self.idle().await?;
        let next = spare
            .filter(Piece::is_aligned)
            .unwrap_or_else(Piece::aligned);
        let mut piece = std::mem::replace(&mut self.piece, next);
        self.state = WriteState::Writing(tokio::task::spawn_blocking(move || {
            disk.write(&piece)?;
            piece.len = 0;
            Ok((disk, piece))
        }));
        Ok(())
    }

    /// Writes the rest, makes the file durable and returns the SHA-256 of the content.
    pub(crate) async fn finish(mut self) -> io::Result<[u8; 32]> {
        let (mut disk, _) = self.idle().await?;
        let last = std::mem::take(&mut self.piece);
        joined(
            tokio::task::spawn_blocking(move || {
                disk.write(&last)?;
                disk.file.sync_all()?;
                Ok(disk.hasher.finalize().into())
            })
            .await,
        )
    }
}

/// A finished read: the file back, and the bytes.
type ReadDone = (File, io::Result<Bytes>);

#[derive(Debug)]
enum ReadState {
    Idle(File),
    Reading(JoinHandle<ReadDone>),
    Broken,
}

/// Reads stored content in large pieces, one piece ahead of what was handed out.
#[derive(Debug)]
pub(crate) struct DiskReader {
    state: ReadState,
    size: u64,
    /// Reads stop here (the end of a range being sent).
    end: u64,
    /// Position of the next byte handed out.
    pos: u64,
    /// Read, not yet handed out: starts at `pos`. A read under way starts where it ends.
    ready: Bytes,
    /// Where a started seek goes.
    seek_to: Option<u64>,
}

impl DiskReader {
    /// Reads `file`, of `size` bytes.
    pub(crate) fn open(file: File, size: u64) -> Self {
        Self {
            state: ReadState::Idle(file),
            size,
            end: size,
            pos: 0,
            ready: Bytes::new(),
            seek_to: None,
        }
    }

    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Reads nothing beyond `len` bytes from the current position.
    pub(crate) fn limit(&mut self, len: u64) {
        self.end = self.pos.saturating_add(len).min(self.size);
    }

    /// Up to `max` bytes from the current position; empty at the end.
    pub(crate) fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
        max: usize,
    ) -> Poll<io::Result<Bytes>> {
        loop {
            if !self.ready.is_empty() {
                let chunk = self.ready.split_to(max.min(self.ready.len()));
                self.pos += chunk.len() as u64;
                self.read_ahead();
                return Poll::Ready(Ok(chunk));
            }
            match self.state {
                ReadState::Idle(_) if self.pos >= self.end => return Poll::Ready(Ok(Bytes::new())),
                ReadState::Idle(_) => self.read_ahead(),
                ReadState::Reading(ref mut job) => {
                    let done = ready!(Pin::new(job).poll(cx));
                    let (file, got) = self.settle(done)?;
                    self.state = ReadState::Idle(file);
                    self.ready = got?;
                    if self.ready.is_empty() {
                        // The file is shorter than when it was opened: it never changes.
                        return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
                    }
                }
                ReadState::Broken => return Poll::Ready(Err(gone())),
            }
        }
    }

    fn settle(&mut self, done: Result<ReadDone, tokio::task::JoinError>) -> io::Result<ReadDone> {
        done.map_err(|e| {
            self.state = ReadState::Broken;
            io::Error::other(e)
        })
    }

    /// Starts reading the piece after what is ready, if the file is idle and not at the end.
    fn read_ahead(&mut self) {
        let from = self.pos + self.ready.len() as u64;
        if from >= self.end {
            return;
        }
        let mut file = match std::mem::replace(&mut self.state, ReadState::Broken) {
            ReadState::Idle(file) => file,
            busy => {
                self.state = busy;
                return;
            }
        };
        let len = (self.end - from).min(PIECE as u64);
        // Allocated here rather than on a blocking thread, so that the buffer returns to the
        // allocator arena of the thread that frees it once sent (each thread would keep its
        // own, and the server's memory would grow with them).
        let buf = Vec::with_capacity(len as usize);
        self.state = ReadState::Reading(tokio::task::spawn_blocking(move || {
            let got = read_piece(&mut file, from, len, buf);
            (file, got)
        }));
    }

    pub(crate) fn start_seek(&mut self, to: SeekFrom) -> io::Result<()> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.seek_to =
            Some(target.ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "seek before the start")
            })?);
        Ok(())
    }

    /// Waits for a read under way (its bytes are for the old position) and moves.
    pub(crate) fn poll_seek(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let Some(to) = self.seek_to else {
            return Poll::Ready(Ok(self.pos));
        };
        if let ReadState::Reading(job) = &mut self.state {
            let done = ready!(Pin::new(job).poll(cx));
            let (file, _) = self.settle(done)?;
            self.state = ReadState::Idle(file);
        }
        self.seek_to = None;
        self.pos = to;
        self.end = self.size;
        self.ready = Bytes::new();
        Poll::Ready(Ok(to))
    }
}

/// `len` bytes at `from`, read straight into a new buffer (`read_to_end` does not zero it).
fn read_piece(file: &mut File, from: u64, len: u64, mut buf: Vec<u8>) -> io::Result<Bytes> {
    file.seek(SeekFrom::Start(from))?;
    Read::take(&*file, len).read_to_end(&mut buf)?;
    Ok(Bytes::from(buf))
}
