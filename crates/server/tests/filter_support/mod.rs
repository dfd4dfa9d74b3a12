//! The real filters for the mail filtering tests: `clamd` with the tiny EICAR database of
//! `tests/mail/clamav/` and `rspamd` with a minimal configuration, each started in a
//! temporary directory (loopback only) and stopped when dropped. Also a small SMTP client
//! and the test messages (GTUBE, EICAR), built at run time so that no source file here is
//! itself taken for spam or malware.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

/// How long a daemon may take to come up (rspamd compiles its rules first).
const START: Duration = Duration::from_secs(90);

fn find(name: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("{name} is not installed: apt-get install -y rspamd clamav-daemon");
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A daemon that is stopped (by its process id) when dropped.
struct Daemon {
    child: Child,
    name: &'static str,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn spawn(name: &'static str, mut cmd: Command, log: &Path) -> Daemon {
        let out = std::fs::File::create(log).expect("log file");
        let err = out.try_clone().expect("log file");
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Daemon { child, name }
    }

    /// Waits until `ready` says yes; panics with the daemon's log if it never does.
    fn wait(&mut self, log: &Path, ready: impl Fn() -> bool) {
        let start = Instant::now();
        while start.elapsed() < START {
            if ready() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                panic!("{} ended ({status}):\n{text}", self.name);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let text = std::fs::read_to_string(log).unwrap_or_default();
        panic!("{} did not come up in {START:?}:\n{text}", self.name);
    }
}

/// clamd on a unix socket in a temporary directory, with the test signature database.
pub struct Clamd {
    daemon: Daemon,
    pub socket: PathBuf,
    pub dir: tempfile::TempDir,
}

impl Clamd {
    pub fn start() -> Clamd {
        let bin = find("clamd");
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("db");
        std::fs::create_dir(&db).expect("db dir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/mail/clamav");
        for e in std::fs::read_dir(&src).expect("tests/mail/clamav") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "ndb" || x == "hdb") {
                std::fs::copy(&p, db.join(p.file_name().expect("name"))).expect("copy db");
            }
        }
        let socket = dir.path().join("clamd.sock");
        let conf = dir.path().join("clamd.conf");
        let text = format!(
            "LocalSocket {}\nDatabaseDirectory {}\nForeground yes\nPidFile {}\n\
             LogFile {}\nMaxThreads 8\nStreamMaxLength 40M\nMaxScanSize 100M\nMaxFileSize 40M\n",
            socket.display(),
            db.display(),
            dir.path().join("clamd.pid").display(),
            dir.path().join("clamd.log").display(),
        );
        std::fs::write(&conf, text).expect("clamd.conf");
        let log = dir.path().join("out.log");
        let mut cmd = Command::new(bin);
        cmd.arg("-c").arg(&conf);
        let mut daemon = Daemon::spawn("clamd", cmd, &log);
        let s = socket.clone();
        daemon.wait(&log, || ping_clamd(&s));
        Clamd {
            daemon,
            socket,
            dir,
        }
    }
}

fn ping_clamd(socket: &Path) -> bool {
    let Ok(mut s) = std::os::unix::net::UnixStream::connect(socket) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"zPING\0").is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"PONG"))
}

/// rspamd's controller worker on a loopback port: it scans (`/checkv2`) and learns
/// (`/learnspam`, `/learnham`). Test patterns are on: besides GTUBE (reject) its
/// "add header" variant makes a message spam that is still delivered.
pub struct Rspamd {
    daemon: Daemon,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl Rspamd {
    pub fn start() -> Rspamd {
        let bin = find("rspamd");
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path().display().to_string();
        let port = free_port();
        // No DNS lookups leave the machine: a nameserver that does not answer, quickly.
        let text = format!(
            r#"options {{
  pidfile = "{d}/rspamd.pid";
  dbdir = "{d}";
  enable_test_patterns = true;
  dns {{ nameserver = ["127.0.0.1:1"]; timeout = 0.2s; retransmits = 1; }}
}}
logging {{ type = "console"; level = "error"; }}
worker "controller" {{ bind_socket = "127.0.0.1:{port}"; count = 1; secure_ip = "127.0.0.1"; }}
actions {{ reject = 15; add_header = 6; greylist = 4; }}
classifier "bayes" {{
  backend = "sqlite3";
  tokenizer {{ name = "osb"; }}
  min_learns = 1;
  cache {{ path = "{d}/learn_cache.sqlite"; }}
  statfile {{ symbol = "BAYES_HAM"; spam = false; path = "{d}/bayes.ham.sqlite"; }}
  statfile {{ symbol = "BAYES_SPAM"; spam = true; path = "{d}/bayes.spam.sqlite"; }}
}}
"#
        );
        let conf = dir.path().join("rspamd.conf");
        std::fs::write(&conf, text).expect("rspamd.conf");
        let log = dir.path().join("out.log");
        let mut cmd = Command::new(bin);
        // DBDIR: the learn cache and compiled rules stay in the temporary directory (its
        // default is the system's /var/lib/rspamd, shared by every instance).
        cmd.arg("-f")
            .arg("-c")
            .arg(&conf)
            .arg("--var")
            .arg(format!("DBDIR={d}"));
        if is_root() {
            // rspamd refuses to run as root unless told whom to run as.
            cmd.args(["-u", "root", "-g", "root"]);
        }
        cmd.env("TMPDIR", dir.path());
        let mut daemon = Daemon::spawn("rspamd", cmd, &log);
        daemon.wait(&log, || {
            http_get(port, "/ping").is_some_and(|b| b.contains("pong"))
        });
        Rspamd {
            daemon,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        }
    }

    /// How many messages rspamd has learned (its `/stat`).
    pub fn learned(&self) -> i64 {
        let port = self.url.rsplit(':').next().and_then(|p| p.parse().ok());
        let body = port.and_then(|p| http_get(p, "/stat")).unwrap_or_default();
        let start = body.find("{").unwrap_or(0);
        let v: serde_json::Value = serde_json::from_str(&body[start..]).unwrap_or_default();
        v["learned"].as_i64().unwrap_or(-1)
    }
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

/// The GTUBE line (rspamd: `reject`), or its "add header" variant.
pub fn gtube(reject: bool) -> String {
    let first = if reject { "X" } else { "Y" };
    format!("{first}JS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X")
}

/// The EICAR test file.
pub fn eicar() -> Vec<u8> {
    let parts = [
        "X5O!P%@AP[4\\PZX54(P^)7CC)7}$",
        "EICAR-STANDARD-ANTIVIRUS",
        "-TEST-FILE!$H+H*",
    ];
    parts.concat().into_bytes()
}

/// A message with `attachment` as a base64 attachment named `name`.
pub fn with_attachment(
    from: &str,
    to: &str,
    subject: &str,
    name: &str,
    attachment: &[u8],
) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(attachment);
    let mut lines = String::with_capacity(b64.len() + b64.len() / 76 * 2);
    for chunk in b64.as_bytes().chunks(76) {
        lines.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        lines.push_str("\r\n");
    }
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{name}.{}@test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei die Datei.\r\n\
         --b1\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{lines}--b1--\r\n",
        subject.len()
    )
    .into_bytes()
}

/// A plain message.
pub fn plain(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}.{}@test>\r\n\
         Date: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\n{body}\r\n",
        subject.len(),
        body.len()
    )
    .into_bytes()
}

/// Hands one message to the MX at `port` (no TLS, no AUTH) and returns the reply that
/// decided it: the first refusal, or the reply to the message's end.
pub async fn smtp_send(port: u16, mail_from: &str, rcpts: &[&str], raw: &[u8]) -> String {
    smtp_session(port, None, mail_from, rcpts, raw).await
}

/// As [`smtp_send`], logged in with AUTH PLAIN first (submission on loopback, no TLS).
pub async fn smtp_submit(
    port: u16,
    user: &str,
    password: &str,
    mail_from: &str,
    rcpts: &[&str],
    raw: &[u8],
) -> String {
    smtp_session(port, Some((user, password)), mail_from, rcpts, raw).await
}

async fn smtp_session(
    port: u16,
    auth: Option<(&str, &str)>,
    mail_from: &str,
    rcpts: &[&str],
    raw: &[u8],
) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    async fn reply(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                return all;
            }
            let more = line.as_bytes().get(3) == Some(&b'-');
            all.push_str(&line);
            if !more {
                return all;
            }
        }
    }
    reply(&mut r).await;
    let mut cmds = vec!["EHLO client.example.org".to_owned()];
    if let Some((user, password)) = auth {
        let plain =
            base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
        cmds.push(format!("AUTH PLAIN {plain}"));
    }
    cmds.push(format!("MAIL FROM:<{mail_from}>"));
    cmds.extend(rcpts.iter().map(|t| format!("RCPT TO:<{t}>")));
    cmds.push("DATA".into());
    for c in cmds {
        w.write_all(format!("{c}\r\n").as_bytes())
            .await
            .expect("write");
        let got = reply(&mut r).await;
        if !(got.starts_with('2') || got.starts_with('3')) {
            return got.trim().to_owned();
        }
    }
    // Dot-stuffing: a line starting with "." gets another.
    let mut data = Vec::with_capacity(raw.len() + 16);
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            data.push(b'.');
        }
        data.extend_from_slice(line);
    }
    if !data.ends_with(b"\r\n") {
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".\r\n");
    w.write_all(&data).await.expect("write data");
    let got = reply(&mut r).await;
    let _ = w.write_all(b"QUIT\r\n").await;
    got.trim().to_owned()
}
