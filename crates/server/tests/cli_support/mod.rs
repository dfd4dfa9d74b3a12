//! Running the real `schulhof` binary and talking plain HTTP to it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schulhof"));
    c.env_remove("SCHULHOF_DATABASE_URL")
        .env_remove("SCHULHOF_DATA")
        .env("SCHULHOF_LOG", "warn")
        // Servers of parallel tests would fight over the default mail ports.
        .env("SCHULHOF_SMTP_LISTEN", "")
        .env("SCHULHOF_SUBMISSION_LISTEN", "")
        .env("SCHULHOF_IMAP_LISTEN", "");
    c
}

pub fn run(args: &[&str], db: &[&str], stdin: Option<&str>) -> Output {
    let mut child = bin()
        .args(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start schulhof");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A plain HTTP/1.0 request, so the test needs no client library.
pub fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    http_with(port, method, path, body, None)
}

pub struct Server(pub Child, pub u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn serve(db: &[&str], extra: &[&str]) -> Server {
    serve_on(free_port(), db, &[], extra)
}

/// The demo platform with its public URL (`--public-url http://127.0.0.1:PORT`), as the
/// relying-party and LTI tests need it for the issuer; the tools run on loopback, so the
/// server may send them requests there (`--tool-urls-on-loopback`).
pub fn serve_public(db: &[&str]) -> Server {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let global = ["--public-url", &base, "--tool-urls-on-loopback"];
    serve_on(port, db, &global, &["--demo"])
}

/// Starts `schulhof [global…] serve --listen 127.0.0.1:PORT [extra…]` and waits for health.
fn serve_on(port: u16, db: &[&str], global: &[&str], extra: &[&str]) -> Server {
    let listen = format!("127.0.0.1:{port}");
    let child = bin()
        .args(db)
        .args(global)
        .args(["serve", "--listen", &listen])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let server = Server(child, port);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if http(port, "GET", "/healthz", "").is_some_and(|(s, _)| s == 200) {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server did not come up");
}

pub fn login(port: u16, school: &str, login: &str, password: &str) -> u16 {
    let body = format!(r#"{{"instance":"{school}","login":"{login}","password":"{password}"}}"#);
    http(port, "POST", "/api/v1/session", &body)
        .expect("login request")
        .0
}

/// A request with an optional session cookie; returns the status and the whole response.
pub fn http_with(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let cookie = cookie.map_or(String::new(), |c| {
        format!("Cookie: schulhof_session={c}\r\n")
    });
    let req = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{cookie}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, out))
}

/// The session cookie a response sets.
pub fn session_cookie(response: &str) -> Option<String> {
    response.lines().find_map(|l| {
        let v = l.strip_prefix("set-cookie: schulhof_session=")?;
        Some(v.split(';').next()?.to_owned())
    })
}
