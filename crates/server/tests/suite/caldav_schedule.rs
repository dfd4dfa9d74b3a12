//! CalDAV scheduling (RFC 6638) through the real binary and the demo school, driven by the
//! Python `caldav` client: an invitation saved by the teacher reaches the student's own
//! calendar, the student accepts in its client and the teacher's copy shows it; free/busy
//! through the outbox answers busy times only, and only inside the school.

use crate::cli_support;
use std::path::Path;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

fn accept_terms(port: u16, login: &str) {
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
}

fn scenario(db: &[&str]) {
    let server = serve(db, &["--demo"]);
    let port = server.1;
    for login in ["lehrer", "schueler"] {
        accept_terms(port, login);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/caldav/schedule.py");
    let out = Command::new(python())
        .arg(script)
        .args([&port.to_string(), "lehrer@100000", "schueler@100000", PW])
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("caldav scheduling: OK"),
        "{text}"
    );
}

#[test]
fn caldav_scheduling_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn caldav_scheduling_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
