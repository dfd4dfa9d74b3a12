//! WebDAV through the real binary and real clients (litmus, cadaver, curl), on SQLite and
//! PostgreSQL: compliance, the same rights as the web, 404 for what one may not see, and
//! never the Safe.

use crate::cli_support;
use std::process::{Command, Stdio};

use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";

/// Logs in over the API and accepts the terms, as a user does once in the browser.
fn accept_terms(port: u16, login: &str) -> String {
    let body = format!(r#"{{"instance":"100000","login":"{login}","password":"{PW}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &body).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = session_cookie(&resp).expect("cookie");
    let (status, resp) = http_with(
        port,
        "POST",
        "/api/v1/consent",
        r#"{"terms":true,"privacy":true}"#,
        Some(&cookie),
    )
    .expect("consent");
    assert_eq!(status, 204, "{resp}");
    cookie
}

/// One request with curl: (status, body).
fn curl(port: u16, user: &str, method: &str, path: &str, extra: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-g", "-o", "-", "-w", "\n%{http_code}", "-X", method])
        .args(["-u", &format!("{user}@100000:{PW}")])
        .args(extra)
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .expect("curl is installed (scripts/ensure-test-deps.sh)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.trim().parse().expect("status"), body.to_owned())
}

fn propfind(port: u16, user: &str, path: &str) -> (u16, String) {
    curl(port, user, "PROPFIND", path, &["-H", "Depth: 1"])
}

fn litmus_passes_everything(port: u16) {
    let out = Command::new("litmus")
        .args([
            "-k",
            &format!("http://127.0.0.1:{port}/dav/files/eigene-dateien/"),
            "lehrer@100000",
            PW,
        ])
        .stdin(Stdio::null())
        .output()
        .expect("litmus is installed (scripts/ensure-test-deps.sh)");
    let text = String::from_utf8_lossy(&out.stdout);
    for (group, n) in [
        ("basic", 16),
        ("copymove", 13),
        ("props", 30),
        ("locks", 41),
        ("http", 4),
    ] {
        let line = format!("summary for `{group}': of {n} tests run: {n} passed, 0 failed.");
        assert!(
            text.contains(&line),
            "litmus {group}: expected `{line}` in\n{text}"
        );
    }
}

fn cadaver_session(port: u16, home: &std::path::Path) {
    std::fs::write(
        home.join(".netrc"),
        format!("machine 127.0.0.1 login lehrer@100000 password {PW}\n"),
    )
    .expect("netrc");
    let local = home.join("brief.txt");
    std::fs::write(&local, "Liebe Eltern der 5a,\n").expect("local file");
    let script = format!(
        "mkcol cadaver-test\ncd cadaver-test\nput {} brief.txt\nls\nget brief.txt {}\nquit\n",
        local.display(),
        home.join("back.txt").display()
    );
    let mut child = Command::new("cadaver")
        .arg(format!("http://127.0.0.1:{port}/dav/files/eigene-dateien/"))
        .env("HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cadaver is installed (scripts/ensure-test-deps.sh)");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("script");
    let out = child.wait_with_output().expect("cadaver");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("brief.txt"),
        "cadaver ls shows the file:\n{text}"
    );
    assert_eq!(
        std::fs::read_to_string(home.join("back.txt")).expect("downloaded by cadaver"),
        "Liebe Eltern der 5a,\n"
    );
}

fn same_rights_as_the_web(port: u16) {
    // No credentials, wrong password: ask for Basic credentials.
    let out = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "PROPFIND",
        ])
        .arg(format!("http://127.0.0.1:{port}/dav/files/"))
        .output()
        .expect("curl");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "401");
    let (s, _) = curl(
        port,
        "lehrer",
        "PROPFIND",
        "/dav/files/",
        &["-u", "lehrer@100000:falsch"],
    );
    assert_eq!(s, 401);

    // The teacher sees four areas, the student three.
    let (s, body) = propfind(port, "lehrer", "/dav/files/");
    assert_eq!(s, 207, "{body}");
    for slug in [
        "eigene-dateien",
        "informationen",
        "unterricht",
        "lehrerbereich",
    ] {
        assert!(
            body.contains(&format!("/dav/files/{slug}/")),
            "teacher sees {slug}: {body}"
        );
    }
    let (s, body) = propfind(port, "schueler", "/dav/files/");
    assert_eq!(s, 207);
    assert!(
        !body.contains("lehrerbereich"),
        "students never see the Lehrerbereich: {body}"
    );
    assert_eq!(
        propfind(port, "schueler", "/dav/files/lehrerbereich/").0,
        404
    );

    // The admin coordinates the shared areas; the teacher contributes in Unterricht.
    let (s, _) = curl(
        port,
        "admin",
        "MKCOL",
        "/dav/files/informationen/Elternbriefe/",
        &[],
    );
    assert_eq!(s, 201);
    let (s, _) = curl(port, "lehrer", "MKCOL", "/dav/files/unterricht/Mathe/", &[]);
    assert_eq!(
        s, 403,
        "teachers contribute at the top of Unterricht, they do not create folders"
    );
    let (s, _) = curl(
        port,
        "lehrer",
        "PUT",
        "/dav/files/unterricht/aufgaben.txt",
        &["--data-binary", "Aufgabe 1"],
    );
    assert_eq!(s, 201);
    let (s, body) = curl(
        port,
        "schueler",
        "GET",
        "/dav/files/unterricht/aufgaben.txt",
        &[],
    );
    assert_eq!((s, body.as_str()), (200, "Aufgabe 1"));
    let (s, _) = curl(
        port,
        "schueler",
        "PUT",
        "/dav/files/unterricht/meins.txt",
        &["--data-binary", "x"],
    );
    assert_eq!(s, 403, "students only read Unterricht");
    let (s, _) = curl(
        port,
        "schueler",
        "DELETE",
        "/dav/files/unterricht/aufgaben.txt",
        &[],
    );
    assert_eq!(s, 403);
    let (s, _) = curl(
        port,
        "lehrer",
        "PUT",
        "/dav/files/informationen/x.txt",
        &["--data-binary", "x"],
    );
    assert_eq!(s, 403, "teachers only read Informationen");
    let (s, body) = propfind(port, "schueler", "/dav/files/unterricht/");
    assert!(s == 207 && body.contains("aufgaben.txt"), "{body}");
    assert!(!body.contains("meins.txt"));

    // Own areas are private: the same path is each login's own.
    let (s, _) = curl(
        port,
        "lehrer",
        "PUT",
        "/dav/files/eigene-dateien/noten.txt",
        &["--data-binary", "geheim"],
    );
    assert_eq!(s, 201);
    assert_eq!(
        curl(
            port,
            "schueler",
            "GET",
            "/dav/files/eigene-dateien/noten.txt",
            &[]
        )
        .0,
        404
    );

    // Ranges.
    let (s, body) = curl(
        port,
        "lehrer",
        "GET",
        "/dav/files/eigene-dateien/noten.txt",
        &["-H", "Range: bytes=2-4"],
    );
    assert_eq!((s, body.as_str()), (206, "hei"));

    // Bad names and a folder into itself: clear refusals, nothing half done.
    let (s, _) = curl(
        port,
        "lehrer",
        "MKCOL",
        "/dav/files/eigene-dateien/a%01b/",
        &[],
    );
    assert_eq!(s, 403);
    let (s, _) = curl(
        port,
        "lehrer",
        "MKCOL",
        "/dav/files/eigene-dateien/Ordner/",
        &[],
    );
    assert_eq!(s, 201);
    let dest = format!("http://127.0.0.1:{port}/dav/files/eigene-dateien/Ordner/innen/");
    let (s, _) = curl(
        port,
        "lehrer",
        "MOVE",
        "/dav/files/eigene-dateien/Ordner/",
        &["-H", &format!("Destination: {dest}")],
    );
    assert!(
        s == 403 || s == 409 || s == 502,
        "moving a folder into itself is refused, got {s}"
    );
    assert_eq!(
        propfind(port, "lehrer", "/dav/files/eigene-dateien/Ordner/").0,
        207
    );

    // Nothing else lives under /dav/ (its root is the CalDAV/CardDAV context of
    // crates/caldav), in particular not the Safe.
    for path in ["/dav/safe/", "/dav/files/safe/", "/dav/files/daten-safe/"] {
        assert_eq!(propfind(port, "lehrer", path).0, 404, "{path}");
    }
}

/// An app password made in Mein Konto opens WebDAV; revoked, it no longer does.
fn app_password_mounts(port: u16, cookie: &str) {
    let (status, resp) = http_with(
        port,
        "POST",
        "/api/v1/me/app-passwords",
        r#"{"label":"Dateimanager"}"#,
        Some(cookie),
    )
    .expect("create");
    assert_eq!(status, 201, "{resp}");
    let body = &resp[resp.find("\r\n\r\n").expect("body") + 4..];
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    let pw = v["password"].as_str().expect("password");
    let id = v["app_password"]["id"].as_str().expect("id");
    let user = format!("lehrer@100000:{pw}");
    let (s, _) = curl(
        port,
        "lehrer",
        "PROPFIND",
        "/dav/files/",
        &["-H", "Depth: 1", "-u", &user],
    );
    assert_eq!(s, 207);
    let (status, _) = http_with(
        port,
        "DELETE",
        &format!("/api/v1/me/app-passwords/{id}"),
        "",
        Some(cookie),
    )
    .expect("revoke");
    assert_eq!(status, 204);
    let (s, _) = curl(
        port,
        "lehrer",
        "PROPFIND",
        "/dav/files/",
        &["-H", "Depth: 1", "-u", &user],
    );
    assert_eq!(s, 401, "a revoked app password opens nothing");
}

fn scenario(db: &[&str], data: &std::path::Path) {
    let data_arg = data.to_str().expect("utf-8");
    let mut args = db.to_vec();
    if !db.contains(&"--data") {
        args.extend(["--data", data_arg]);
    }
    let server = serve(&args, &["--demo"]);
    let port = server.1;
    let teacher = accept_terms(port, "lehrer");
    for login in ["schueler", "admin"] {
        accept_terms(port, login);
    }
    app_password_mounts(port, &teacher);
    litmus_passes_everything(port);
    same_rights_as_the_web(port);
    let home = tempfile::tempdir().expect("home");
    cadaver_session(port, home.path());
}

#[test]
fn webdav_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data], dir.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn webdav_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url], &path))
        .await
        .expect("scenario");
}
