//! Due dates in calendar programs through the real binary and the demo school, on SQLite
//! and PostgreSQL: Python `caldav` finds the student's read-only calendar "Fälligkeiten"
//! with the demo assignment (time-range search, listing, sync), a write is refused, the
//! teacher sees their own too, and no one reads another person's due dates (404).

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
fn accept_terms(port: u16, login: &str) {
    let body = format!(r#"{{"instance":"100000","login":"{login}","password":"{PW}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &body).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = session_cookie(&resp).expect("cookie");
    let consent = r#"{"terms":true,"privacy":true}"#;
    let (status, resp) =
        http_with(port, "POST", "/api/v1/consent", consent, Some(&cookie)).expect("consent");
    assert_eq!(status, 204, "{resp}");
}

/// `curl` as `user` (login@school); the status and the body.
fn curl(port: u16, user: &str, method: &str, path: &str, extra: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-g", "-o", "-", "-w", "\n%{http_code}", "-X", method])
        .args(["-u", &format!("{user}:{PW}")])
        .args(extra)
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .expect("curl is installed (scripts/ensure-test-deps.sh)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.trim().parse().expect("status"), body.to_owned())
}

fn python_client(port: u16, user: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/caldav/dues.py");
    let out = Command::new(python())
        .arg(script)
        .args([&port.to_string(), user, PW])
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("dues: OK"),
        "{user}: {text}"
    );
}

fn scenario(db: &[&str]) {
    let server = serve(db, &["--demo"]);
    let port = server.1;
    for login in ["lehrer", "schueler"] {
        accept_terms(port, login);
    }
    python_client(port, "schueler@100000");
    python_client(port, "lehrer@100000");
    let path = "/dav/calendars/schueler/faelligkeiten/";
    let (s, body) = curl(
        port,
        "schueler@100000",
        "PROPFIND",
        path,
        &["-H", "Depth: 1"],
    );
    assert_eq!(s, 207, "{body}");
    let name = body
        .split("faelligkeiten/lms-")
        .nth(1)
        .and_then(|r| r.split(".ics").next())
        .map(|id| format!("lms-{id}.ics"))
        .expect("an object in the listing");
    let (s, ics) = curl(
        port,
        "schueler@100000",
        "GET",
        &format!("{path}{name}"),
        &[],
    );
    assert!(
        s == 200 && ics.contains("Brüche kürzen erklären"),
        "{s} {ics}"
    );
    let (s, _) = curl(
        port,
        "schueler@100000",
        "DELETE",
        &format!("{path}{name}"),
        &[],
    );
    assert_eq!(s, 403, "due dates are changed in the course");
    let (s, _) = curl(port, "schueler@100000", "DELETE", path, &[]);
    assert_eq!(s, 403, "the calendar cannot be deleted");
    // Another login sees no one else's due dates.
    let (s, _) = curl(port, "lehrer@100000", "GET", &format!("{path}{name}"), &[]);
    assert_eq!(s, 404);
}

#[test]
fn due_dates_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn due_dates_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
