//! The real binary with its file contents in S3-compatible object storage (`s3s-fs`):
//! WebDAV up- and download, ranges, the Mediathek's text job and the Safe read from there,
//! and nothing lands in the local data directory.

use crate::cli_support;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::*;

const BUCKET: &str = "schulhof";

fn s3s_fs() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("s3s-fs"))
            .find(|p| p.is_file())
    });
    let cargo_home = || {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
        Some(home.join("bin").join("s3s-fs")).filter(|p| p.is_file())
    };
    on_path
        .or_else(cargo_home)
        .expect("s3s-fs is installed (scripts/ensure-test-deps.sh)")
}

struct S3(Child, u16, tempfile::TempDir);

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_s3() -> S3 {
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir(root.path().join(BUCKET)).expect("bucket");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let child = Command::new(s3s_fs())
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            "k",
            "--secret-key",
            "s",
        ])
        .arg(root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start s3s-fs");
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "s3s-fs did not come up");
        std::thread::sleep(Duration::from_millis(20));
    }
    S3(child, port, root)
}

fn curl(args: &[&str]) -> (u16, Vec<u8>) {
    let out = Command::new("curl")
        .args([
            "-s",
            "-g",
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
            "-u",
            "lehrer@100000:schulhof-demo",
        ])
        .args(args)
        .output()
        .expect("curl");
    let pos = out
        .stdout
        .iter()
        .rposition(|b| *b == b'\n')
        .expect("status");
    let status = String::from_utf8_lossy(&out.stdout[pos + 1..])
        .trim()
        .parse()
        .expect("status");
    (status, out.stdout[..pos].to_vec())
}

#[test]
fn file_contents_live_in_object_storage() {
    let s3 = start_s3();
    let data = tempfile::tempdir().expect("data");
    let d = data.path().to_str().expect("utf-8");
    let endpoint = format!("http://127.0.0.1:{}", s3.1);
    let server = serve(
        &[
            "--data",
            d,
            "--s3-bucket",
            BUCKET,
            "--s3-endpoint",
            &endpoint,
            "--s3-access-key",
            "k",
            "--s3-secret-key",
            "s",
            "--s3-prefix",
            "p/",
        ],
        &["--demo"],
    );
    let port = server.1;
    let body = r#"{"instance":"100000","login":"lehrer","password":"schulhof-demo"}"#;
    let (_, resp) = http(port, "POST", "/api/v1/session", body).expect("login");
    let cookie = session_cookie(&resp).expect("cookie");
    http_with(
        port,
        "POST",
        "/api/v1/consent",
        r#"{"terms":true,"privacy":true}"#,
        Some(&cookie),
    )
    .expect("consent");

    // 12 MiB: more than one multipart part on the way in.
    let big: Vec<u8> = (0..12 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let file = data.path().join("upload.bin");
    std::fs::write(&file, &big).expect("local file");
    let url = format!("http://127.0.0.1:{port}/dav/files/eigene-dateien/gross.bin");
    let (s, _) = curl(&["-T", file.to_str().expect("path"), &url]);
    assert_eq!(s, 201);
    let (s, back) = curl(&[&url]);
    assert_eq!(s, 200);
    assert!(back == big, "the whole file comes back from object storage");
    let (s, part) = curl(&["-H", "Range: bytes=10000000-10000099", &url]);
    assert_eq!(s, 206);
    assert_eq!(part, &big[10_000_000..10_000_100]);

    let stored: Vec<PathBuf> = walk(&s3.2.path().join(BUCKET));
    assert!(
        stored.iter().any(|p| p.to_string_lossy().contains("/p/")),
        "contents are under the prefix: {stored:?}"
    );
    assert!(
        !data.path().join("files").exists(),
        "nothing is stored locally"
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
