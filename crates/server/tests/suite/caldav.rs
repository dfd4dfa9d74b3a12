//! CalDAV through the real binary and the demo school: Python `caldav` discovers the
//! teacher's calendars via /.well-known/caldav, writes, searches and syncs; a student may not
//! write the school calendar; a user of another school sees 404 for the teacher's calendar;
//! vdirsyncer syncs the personal calendar down and a local event up.

use crate::cli_support;
use std::path::Path;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

/// Logs in over the API and accepts the terms, as a user does once in the browser.
fn accept_terms(port: u16, school: &str, login: &str, pw: &str) {
    let body = format!(r#"{{"instance":"{school}","login":"{login}","password":"{pw}"}}"#);
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
}

/// `curl` as `user` (login@school); the status and the body.
fn curl(
    port: u16,
    user: &str,
    pw: &str,
    method: &str,
    path: &str,
    extra: &[&str],
) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-g", "-o", "-", "-w", "\n%{http_code}", "-X", method])
        .args(["-u", &format!("{user}:{pw}")])
        .args(extra)
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .expect("curl is installed (scripts/ensure-test-deps.sh)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.trim().parse().expect("status"), body.to_owned())
}

fn python_client(port: u16) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/caldav/client.py");
    let out = Command::new(python())
        .arg(script)
        .args([&port.to_string(), "lehrer@100000", PW])
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("caldav server: OK"),
        "{text}"
    );
}

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20300301T100000Z\r\nDTEND:20300301T110000Z\r\nSUMMARY:Party\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn student_cannot_write_the_school_calendar(port: u16) {
    let put = |user: &str| {
        curl(
            port,
            user,
            PW,
            "PUT",
            &format!(
                "/dav/calendars/{}/schule/s-1.ics",
                user.split('@').next().unwrap_or("")
            ),
            &["-H", "Content-Type: text/calendar", "--data-binary", EVENT],
        )
    };
    let (s, body) = put("schueler@100000");
    assert!(
        s == 403 || s == 404,
        "student PUT into the school calendar: {s} {body}"
    );
    let (s, _) = curl(
        port,
        "schueler@100000",
        PW,
        "GET",
        "/dav/calendars/schueler/schule/s-1.ics",
        &[],
    );
    assert_eq!(s, 404, "nothing was stored");
}

fn other_school_sees_nothing(port: u16, db: &[&str]) {
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
    let pw = "ein-sicheres-passwort";
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
        Some(&format!("{pw}\n")),
    );
    assert!(set.status.success(), "{}", text(&set));
    accept_terms(port, "123456", "admin", pw);
    for path in [
        "/dav/calendars/lehrer/personal/",
        "/dav/calendars/lehrer/",
        "/dav/principals/lehrer/",
    ] {
        let (s, body) = curl(
            port,
            "admin@123456",
            pw,
            "PROPFIND",
            path,
            &["-H", "Depth: 0"],
        );
        assert_eq!(s, 404, "{path}: {body}");
    }
    let (s, body) = curl(
        port,
        "admin@123456",
        pw,
        "GET",
        "/dav/calendars/lehrer/personal/srv-1.ics",
        &[],
    );
    assert_eq!(s, 404, "{body}");
}

/// vdirsyncer syncs the teacher's personal calendar down, then a new local event up.
fn vdirsyncer_both_ways(port: u16, dir: &Path) {
    let config = dir.join("config");
    let local = dir.join("local");
    std::fs::create_dir_all(&local).expect("local dir");
    let cfg = format!(
        "[general]\nstatus_path = \"{status}/\"\n\n[pair cal]\na = \"local\"\nb = \"remote\"\n\
         collections = [[\"personal\", \"personal\", \"personal\"]]\nconflict_resolution = \"b wins\"\n\n\
         [storage local]\ntype = \"filesystem\"\npath = \"{local}/\"\nfileext = \".ics\"\n\n\
         [storage remote]\ntype = \"caldav\"\nurl = \"http://127.0.0.1:{port}/dav/\"\n\
         username = \"lehrer@100000\"\npassword = \"{PW}\"\n",
        status = dir.join("status").display(),
        local = local.display(),
    );
    std::fs::write(&config, cfg).expect("config");
    let vdir = |args: &[&str], input: &str| {
        use std::io::Write;
        let mut child = Command::new("vdirsyncer")
            .arg("-c")
            .arg(&config)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("vdirsyncer is installed (scripts/ensure-test-deps.sh)");
        if let Some(mut i) = child.stdin.take() {
            let _ = i.write_all(input.as_bytes());
        }
        let out = child.wait_with_output().expect("vdirsyncer");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "vdirsyncer {args:?}: {text}");
        text
    };
    vdir(&["discover", "cal"], "y\ny\n");
    vdir(&["sync"], "");
    let down = std::fs::read_dir(local.join("personal"))
        .expect("synced collection")
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter(|t| t.contains("UID:srv-1"))
        .count();
    assert_eq!(down, 1, "the event written with Python came down");
    let up = EVENT
        .replace("UID:s-1", "UID:vds-1")
        .replace("Party", "Von vdirsyncer");
    std::fs::write(local.join("personal/vds-1.ics"), up).expect("local event");
    vdir(&["sync"], "");
    let (s, body) = curl(
        port,
        "lehrer@100000",
        PW,
        "GET",
        "/dav/calendars/lehrer/personal/vds-1.ics",
        &[],
    );
    assert!(s == 200 && body.contains("Von vdirsyncer"), "{s} {body}");
}

fn scenario(db: &[&str]) {
    let server = serve(db, &["--demo"]);
    let port = server.1;
    for login in ["lehrer", "schueler"] {
        accept_terms(port, "100000", login, PW);
    }
    let (s, body) = curl(
        port,
        "lehrer@100000",
        PW,
        "PROPFIND",
        "/.well-known/caldav",
        &["-H", "Depth: 0"],
    );
    assert_eq!(s, 301, "{body}");
    python_client(port);
    let dir = tempfile::tempdir().expect("vdirsyncer dir");
    vdirsyncer_both_ways(port, dir.path());
    student_cannot_write_the_school_calendar(port);
    other_school_sees_nothing(port, db);
}

#[test]
fn caldav_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn caldav_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
