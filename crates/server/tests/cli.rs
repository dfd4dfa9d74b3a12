//! The `schulhof` binary itself: the commands an operator types, on SQLite and PostgreSQL.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use schulhof_store::testing::TestDb;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schulhof"));
    c.env_remove("SCHULHOF_DATABASE_URL")
        .env_remove("SCHULHOF_DATA")
        .env("SCHULHOF_LOG", "warn");
    c
}

fn run(args: &[&str], db: &[&str], stdin: Option<&str>) -> Output {
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

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A plain HTTP/1.0 request, so the test needs no client library.
fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let req = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, out))
}

struct Server(Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &[&str], extra: &[&str]) -> Server {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = bin()
        .args(db)
        .args(["serve", "--listen", &listen])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let server = Server(child, port);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if http(port, "GET", "/healthz", "").is_some_and(|(s, _)| s == 200) {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server did not come up");
}

fn login(port: u16, school: &str, login: &str, password: &str) -> u16 {
    let body = format!(r#"{{"instance":"{school}","login":"{login}","password":"{password}"}}"#);
    http(port, "POST", "/api/v1/session", &body)
        .expect("login request")
        .0
}

fn operator_flow(db: &[&str]) {
    let created = run(
        &[
            "instance",
            "create",
            "--number",
            "123456",
            "--name",
            "Goethe-Gymnasium",
        ],
        db,
        None,
    );
    assert!(created.status.success(), "{}", text(&created));
    assert!(
        text(&created).contains("schulhof user set-password --instance 123456 --login admin"),
        "{}",
        text(&created)
    );
    let again = run(
        &[
            "instance",
            "create",
            "--number",
            "123456",
            "--name",
            "Noch eins",
        ],
        db,
        None,
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    let bad = run(
        &["instance", "create", "--number", "12345", "--name", "Kurz"],
        db,
        None,
    );
    assert!(
        !bad.status.success() && text(&bad).contains("6 digits"),
        "{}",
        text(&bad)
    );

    let weak = run(
        &[
            "user",
            "set-password",
            "--instance",
            "123456",
            "--login",
            "admin",
            "--password-stdin",
        ],
        db,
        Some("kurz\n"),
    );
    assert!(
        !weak.status.success() && text(&weak).contains("at least 8"),
        "{}",
        text(&weak)
    );
    let set = run(
        &[
            "user",
            "set-password",
            "--instance",
            "123456",
            "--login",
            "admin",
            "--password-stdin",
        ],
        db,
        Some("ein-sicheres-passwort\n"),
    );
    assert!(set.status.success(), "{}", text(&set));

    let server = serve(db, &[]);
    assert_eq!(
        login(server.1, "123456", "admin", "ein-sicheres-passwort"),
        200
    );
    assert_eq!(login(server.1, "123456", "admin", "falsch-falsch"), 401);
    assert_eq!(
        login(server.1, "100000", "admin", "schulhof-demo"),
        401,
        "no demo school without --demo"
    );
    let (status, body) = http(server.1, "GET", "/api/v1/openapi.json", "").expect("openapi");
    assert!(status == 200 && body.contains("\"openapi\""));
    drop(server);

    let demo = serve(db, &["--demo"]);
    assert_eq!(login(demo.1, "100000", "lehrer", "schulhof-demo"), 200);
    drop(demo);
    let refused = run(
        &["serve", "--listen", &format!("127.0.0.1:{}", free_port())],
        db,
        None,
    );
    assert!(
        !refused.status.success(),
        "a database with the demo school is only served with --demo"
    );
    assert!(text(&refused).contains("--demo"), "{}", text(&refused));
}

#[test]
fn operator_commands_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    operator_flow(&["--data", data]);
    assert!(dir.path().join("schulhof.db").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn operator_commands_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    tokio::task::spawn_blocking(move || operator_flow(&["--database", &url]))
        .await
        .expect("flow");
}
