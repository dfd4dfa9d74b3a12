//! The blob store against a real S3 implementation (`s3s-fs`, started per test on a free port
//! in a temporary directory), and the same round trip on the local backend.
//!
//! `s3s-fs` must be installed (`scripts/ensure-test-deps.sh` does it); without it these tests
//! fail rather than skip.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt;
use schulhof_blob::{
    BlobError, BlobRef, Blobs, LocalBlobs, S3_PART_SIZE, S3Blobs, S3Config, SealKey, SealingWriter,
    open_sealed,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, SeekFrom};

const BUCKET: &str = "schulhof-test";
const INSTALL: &str = "cargo install s3s-fs@0.14.1 --locked --features binary";

fn s3s_fs_binary() -> PathBuf {
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("s3s-fs"))
            .find(|p| p.is_file())
    });
    let in_cargo_home = || {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
        Some(home.join("bin").join("s3s-fs")).filter(|p| p.is_file())
    };
    in_path.or_else(in_cargo_home).unwrap_or_else(|| {
        panic!(
            "s3s-fs is not installed, but the S3 tests need it: \
             run `bash scripts/ensure-test-deps.sh` or `{INSTALL}`"
        )
    })
}

/// A running `s3s-fs` with one bucket; killed when dropped.
struct S3Server {
    child: Child,
    root: tempfile::TempDir,
    port: u16,
}

impl S3Server {
    fn start() -> S3Server {
        let bin = s3s_fs_binary();
        let root = tempfile::tempdir().expect("server dir");
        std::fs::create_dir(root.path().join(BUCKET)).expect("bucket dir");
        let mut last_error = String::new();
        // A free port can be taken by someone else before the server binds it: try again.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            let mut child = Command::new(&bin)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", "test-access", "--secret-key", "test-secret"])
                .arg(root.path())
                .env_remove("RUST_LOG")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return S3Server { child, root, port };
                }
                if let Ok(Some(status)) = child.try_wait() {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut err);
                    }
                    last_error = format!("s3s-fs exited with {status}: {err}");
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_error = "s3s-fs did not listen within 20 s".into();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("{last_error}");
    }

    fn config(&self, prefix: &str) -> S3Config {
        S3Config {
            endpoint: Some(format!("http://127.0.0.1:{}", self.port)),
            bucket: BUCKET.into(),
            region: "us-east-1".into(),
            access_key: "test-access".into(),
            secret_key: "test-secret".into(),
            prefix: prefix.into(),
        }
    }

    fn blobs(&self, prefix: &str) -> Blobs {
        Blobs::S3(S3Blobs::new(self.config(prefix)).expect("s3 config"))
    }

    /// Every object in the bucket, as keys.
    fn objects(&self) -> Vec<String> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("read bucket") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(base, &path, out);
                } else {
                    let rel = path.strip_prefix(base).expect("in bucket");
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let mut out = Vec::new();
        let base = self.root.path().join(BUCKET);
        walk(&base, &base, &mut out);
        out.sort();
        out
    }

    /// Parts and bookkeeping of multipart uploads that were neither completed nor aborted.
    fn open_uploads(&self) -> Vec<String> {
        std::fs::read_dir(self.root.path())
            .expect("read root")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".upload"))
            .collect()
    }

    /// Waits for the cleanup a dropped writer spawned: no object but `keep`, no upload.
    async fn wait_clean(&self, keep: &[String]) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let objects = self.objects();
            let uploads = self.open_uploads();
            if objects == keep && uploads.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "left behind: objects {objects:?}, uploads {uploads:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sha_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn content(len: usize, seed: u8) -> Vec<u8> {
    // Not periodic in any power of two, so a wrong offset shows.
    (0..len)
        .map(|i| ((i * 7 + i / 251) as u8).wrapping_add(seed))
        .collect()
}

fn key_of(prefix: &str, sha: &str) -> String {
    format!("{prefix}{}/{}/{sha}", &sha[..2], &sha[2..4])
}

async fn read_all(blobs: &Blobs, sha: &str) -> Vec<u8> {
    let mut back = Vec::new();
    blobs
        .open_read(sha)
        .await
        .expect("open_read")
        .read_to_end(&mut back)
        .await
        .expect("read");
    back
}

async fn write_in_pieces(blobs: &Blobs, data: &[u8], piece: usize) -> BlobRef {
    let mut w = blobs.writer(u64::MAX).await.expect("writer");
    for p in data.chunks(piece) {
        w.write(p).await.expect("write");
    }
    assert_eq!(w.size(), data.len() as u64);
    w.finish().await.expect("finish")
}

/// What both backends must do: store by content (once), read back, seek, list, delete.
async fn round_trip(blobs: &Blobs, big: usize) {
    let small = content(1000, 1);
    let r = blobs.put(&small[..], 1 << 20).await.expect("put small");
    assert_eq!(r.sha256, sha_hex(&small));
    assert_eq!(r.size, 1000);
    assert_eq!(read_all(blobs, &r.sha256).await, small);

    let empty = blobs.put(&[][..], 10).await.expect("put empty");
    assert_eq!(empty.size, 0);
    assert_eq!(read_all(blobs, &empty.sha256).await, Vec::<u8>::new());

    let large = content(big, 2);
    let l = write_in_pieces(blobs, &large, 64 * 1024).await;
    assert_eq!(l.sha256, sha_hex(&large));
    assert_eq!(l.size, big as u64);
    assert_eq!(read_all(blobs, &l.sha256).await, large);
    let again = write_in_pieces(blobs, &large, 100_000).await;
    assert_eq!(again, l, "same content, same address");

    // Seeking: to an offset, from the end, backwards, past the end.
    let mut reader = blobs.open_read(&l.sha256).await.expect("open");
    assert_eq!(reader.size(), big as u64);
    let offset = big / 2 + 13;
    assert_eq!(
        reader
            .seek(SeekFrom::Start(offset as u64))
            .await
            .expect("seek"),
        offset as u64
    );
    let mut range = vec![0u8; 70_001];
    reader.read_exact(&mut range).await.expect("range");
    assert_eq!(range, large[offset..offset + range.len()]);
    reader.seek(SeekFrom::End(-100)).await.expect("seek end");
    let mut tail = Vec::new();
    reader.read_to_end(&mut tail).await.expect("tail");
    assert_eq!(tail, large[big - 100..]);
    let back = reader
        .seek(SeekFrom::Current(-1000))
        .await
        .expect("seek back");
    assert_eq!(back, big as u64 - 1000);
    let mut some = [0u8; 10];
    reader.read_exact(&mut some).await.expect("after seek back");
    assert_eq!(some, large[big - 1000..big - 990]);
    // A short skip forward within the data at hand.
    reader.seek(SeekFrom::Current(5)).await.expect("skip");
    reader.read_exact(&mut some).await.expect("after skip");
    assert_eq!(some, large[big - 985..big - 975]);
    reader
        .seek(SeekFrom::Start(big as u64 + 10))
        .await
        .expect("past end");
    assert_eq!(reader.read(&mut some).await.expect("eof"), 0);
    assert!(
        reader
            .seek(SeekFrom::Current(-(big as i64) - 100))
            .await
            .is_err()
    );

    let mut all = blobs.list_older_than(Duration::ZERO).await.expect("list");
    all.sort();
    let mut want = vec![r.sha256.clone(), empty.sha256.clone(), l.sha256.clone()];
    want.sort();
    assert_eq!(all, want);
    assert!(
        blobs
            .list_older_than(Duration::from_secs(3600))
            .await
            .expect("list")
            .is_empty()
    );

    blobs.delete(&r.sha256).await.expect("delete");
    blobs.delete(&r.sha256).await.expect("delete twice");
    assert!(matches!(
        blobs.open_read(&r.sha256).await,
        Err(BlobError::NotFound)
    ));
    assert!(matches!(
        blobs.open_read("../../etc/passwd").await,
        Err(BlobError::BadId)
    ));
    assert_eq!(
        blobs
            .delete_temporary_older_than(Duration::ZERO)
            .await
            .expect("tmp"),
        0,
        "no temporary data left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_round_trip_of_small_and_multipart_contents() {
    let server = S3Server::start();
    let blobs = server.blobs("files/");
    let Blobs::S3(s3) = &blobs else {
        unreachable!()
    };
    s3.check().await.expect("bucket reachable");
    let mut wrong = server.config("files/");
    wrong.bucket = "no-such-bucket".into();
    assert!(
        S3Blobs::new(wrong.clone())
            .expect("config")
            .check()
            .await
            .is_err()
    );
    wrong.bucket = BUCKET.into();
    wrong.secret_key = "wrong".into();
    assert!(S3Blobs::new(wrong).expect("config").check().await.is_err());
    // More than two parts: three uploads of 8 MiB, 8 MiB and the rest.
    let big = 2 * S3_PART_SIZE + 123_457;
    round_trip(&blobs, big).await;
    let large = content(big, 2);
    let mut want = vec![
        key_of("files/", &sha_hex(&large)),
        key_of("files/", &sha_hex(&[])),
    ];
    want.sort();
    assert_eq!(
        server.objects(),
        want,
        "content stored once, no temporary objects"
    );
    assert!(server.open_uploads().is_empty());

    // Exactly one part is still a single PUT; one byte more is a multipart upload.
    for len in [S3_PART_SIZE, S3_PART_SIZE + 1] {
        let data = content(len, 3);
        let r = write_in_pieces(&blobs, &data, 1 << 20).await;
        assert_eq!(read_all(&blobs, &r.sha256).await, data);
    }
    server.wait_clean(&server.objects()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_round_trip_through_the_facade() {
    let dir = tempfile::tempdir().expect("dir");
    let blobs = Blobs::from(LocalBlobs::open(dir.path()).await.expect("open"));
    round_trip(&blobs, 3 * 1024 * 1024 + 5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_too_large_content_is_refused_and_leaves_nothing() {
    let server = S3Server::start();
    let blobs = server.blobs("");
    let data = content(2 * S3_PART_SIZE + 10, 4);

    // `put` refuses and cleans up before it returns.
    let limit = S3_PART_SIZE as u64 + 5;
    assert!(matches!(
        blobs.put(&data[..], limit).await,
        Err(BlobError::TooLarge { limit: l }) if l == limit
    ));
    assert_eq!(server.objects(), Vec::<String>::new());
    assert!(server.open_uploads().is_empty());

    // A writer refuses the write that crosses the limit (a part is already uploaded).
    let mut w = blobs.writer(limit).await.expect("writer");
    let mut refused = false;
    for piece in data.chunks(64 * 1024) {
        match w.write(piece).await {
            Ok(()) => {}
            Err(BlobError::TooLarge { .. }) => {
                refused = true;
                break;
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert!(refused);
    drop(w);
    server.wait_clean(&[]).await;
    assert!(
        blobs
            .list_older_than(Duration::ZERO)
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_unfinished_writers_leave_nothing() {
    let server = S3Server::start();
    let blobs = server.blobs("p/");
    let data = content(2 * S3_PART_SIZE + 1, 5);

    // Dropped during a multipart upload: aborted in the background.
    let mut w = blobs.writer(u64::MAX).await.expect("writer");
    for piece in data.chunks(1 << 20) {
        w.write(piece).await.expect("write");
    }
    drop(w);
    server.wait_clean(&[]).await;

    // Aborted explicitly: clean when `abort` returns.
    let mut w = blobs.writer(u64::MAX).await.expect("writer");
    for piece in data.chunks(1 << 20) {
        w.write(piece).await.expect("write");
    }
    w.abort().await;
    assert_eq!(server.objects(), Vec::<String>::new());
    assert!(server.open_uploads().is_empty());

    // Small content never left the process.
    let mut w = blobs.writer(u64::MAX).await.expect("writer");
    w.write(b"never stored").await.expect("write");
    drop(w);
    server.wait_clean(&[]).await;
    assert!(matches!(
        blobs.open_read(&sha_hex(b"never stored")).await,
        Err(BlobError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_sealed_content_round_trips() {
    let server = S3Server::start();
    let blobs = server.blobs("safe/");
    let key = SealKey::random();
    // Sealing is slow in unoptimised builds: a few chunks suffice (parts are tested above).
    let data = content(1024 * 1024 + 5, 6);
    let mut w = SealingWriter::new(blobs.writer(u64::MAX).await.expect("writer"), key.clone())
        .await
        .expect("sealer");
    for piece in data.chunks(7_000) {
        w.write(piece).await.expect("write");
    }
    let r = w.finish().await.expect("finish");
    let stored = read_all(&blobs, &r.sha256).await;
    assert_eq!(stored.len() as u64, r.size);
    assert!(
        !stored.windows(64).any(|w| w == &data[..64]),
        "never stored in plain"
    );
    let back: Vec<Bytes> = open_sealed(blobs.open_read(&r.sha256).await.expect("open"), key)
        .try_collect()
        .await
        .expect("unseal");
    assert_eq!(back.concat(), data);
    let wrong = open_sealed(
        blobs.open_read(&r.sha256).await.expect("open"),
        SealKey::random(),
    );
    assert!(wrong.try_collect::<Vec<Bytes>>().await.is_err());
    assert_eq!(server.objects(), vec![key_of("safe/", &r.sha256)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_delete_removes_the_object() {
    let server = S3Server::start();
    let blobs = server.blobs("");
    let r = blobs.put(&b"to be deleted"[..], 100).await.expect("put");
    assert_eq!(server.objects(), vec![key_of("", &r.sha256)]);
    blobs.delete(&r.sha256).await.expect("delete");
    assert_eq!(server.objects(), Vec::<String>::new());
    blobs
        .delete(&r.sha256)
        .await
        .expect("absent content is no error");
    assert!(matches!(
        blobs.open_read(&r.sha256).await,
        Err(BlobError::NotFound)
    ));
}
