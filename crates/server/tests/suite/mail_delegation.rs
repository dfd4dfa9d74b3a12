//! Mail delegation through the real binary on SQLite and PostgreSQL: the JSON API
//! (`PUT`/`DELETE /api/v1/mail/delegations/{login}`, 403 with a stable code without the
//! right, 404 for unknown logins) and a real IMAP client (Python's imaplib) that sees the
//! "other users" namespace, `[READ-ONLY]` and NO on STORE for a read-only delegation, and
//! never the demo's confidential mailbox `lehrerrat` through the person it was given to.

use crate::cli_support;
use std::path::Path;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

/// Logs in over the API and accepts the terms; returns the session cookie.
fn session(port: u16, login: &str) -> String {
    let body = format!(r#"{{"instance":"100000","login":"{login}","password":"{PW}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &body).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = session_cookie(&resp).expect("cookie");
    let terms = r#"{"terms":true,"privacy":true}"#;
    let (status, resp) =
        http_with(port, "POST", "/api/v1/consent", terms, Some(&cookie)).expect("consent");
    assert_eq!(status, 204, "{resp}");
    cookie
}

fn call(port: u16, method: &str, path: &str, body: &str, cookie: &str) -> (u16, String) {
    http_with(port, method, path, body, Some(cookie)).expect("request")
}

fn client(imap: u16, step: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail_delegation/client.py");
    let out = Command::new(python())
        .arg(script)
        .args([&imap.to_string(), PW, step])
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let text = text(&out);
    assert!(
        out.status.success() && text.contains("delegation client: OK"),
        "{step}: {text}"
    );
}

fn api_gives_and_takes_back(port: u16, imap: u16) {
    let lehrer = session(port, "lehrer");
    let personal = session(port, "personal");
    let admin = session(port, "admin");
    let to_personal = "/api/v1/mail/delegations/personal";
    let read = r#"{"access":"read","send_as":false}"#;
    let (status, resp) = call(port, "PUT", to_personal, read, &lehrer);
    assert_eq!(status, 403, "{resp}");
    assert!(resp.contains("\"mail_delegate_not_granted\""), "{resp}");
    let (status, resp) = call(
        port,
        "PUT",
        "/api/v1/users/lehrer/rights/mail.delegate",
        "",
        &admin,
    );
    assert!((200..300).contains(&status), "{resp}");
    let (status, resp) = call(
        port,
        "PUT",
        "/api/v1/mail/delegations/niemand",
        read,
        &lehrer,
    );
    assert_eq!(status, 404, "{resp}");
    let (status, _) = call(port, "PUT", to_personal, r#"{"access":"alles"}"#, &lehrer);
    assert!((400..500).contains(&status));
    let (status, resp) = call(port, "PUT", to_personal, read, &lehrer);
    assert_eq!(status, 204, "{resp}");
    let (_, mine) = call(port, "GET", "/api/v1/mail/delegations", "", &lehrer);
    assert!(
        mine.contains("\"login\":\"personal\"") && mine.contains("\"what\":\"granted\""),
        "{mine}"
    );
    assert!(
        mine.contains("\"login\":\"lehrerrat\""),
        "the holder sees the confidential mailbox: {mine}"
    );
    let (_, theirs) = call(port, "GET", "/api/v1/mail/delegations", "", &personal);
    assert!(theirs.contains("\"login\":\"lehrer\""), "{theirs}");
    assert!(!theirs.contains("lehrerrat"), "never passed on: {theirs}");

    client(imap, "holder");
    client(imap, "reader");

    let (status, resp) = call(port, "DELETE", to_personal, "", &lehrer);
    assert_eq!(status, 204, "{resp}");
    let (status, _) = call(port, "DELETE", to_personal, "", &lehrer);
    assert_eq!(status, 404);
    client(imap, "revoked");
    let (_, mine) = call(port, "GET", "/api/v1/mail/delegations", "", &lehrer);
    assert!(mine.contains("\"what\":\"revoked\""), "{mine}");
    confidential_by_the_admin(port, &admin, &lehrer, &personal);
}

/// The admin creates a confidential-role account and gives it to a holder; others cannot.
fn confidential_by_the_admin(port: u16, admin: &str, lehrer: &str, personal: &str) {
    let new = r#"{"login":"personalrat","role":"Personalrat"}"#;
    let (status, _) = call(port, "POST", "/api/v1/mail/confidential", new, lehrer);
    assert_eq!(status, 403);
    let (status, resp) = call(port, "POST", "/api/v1/mail/confidential", new, admin);
    assert_eq!(status, 201, "{resp}");
    assert!(resp.contains("personalrat@"), "{resp}");
    let holder = "/api/v1/mail/confidential/personalrat/holders/personal";
    let read = r#"{"access":"read"}"#;
    let (status, resp) = call(port, "PUT", holder, read, admin);
    assert_eq!(status, 204, "{resp}");
    let (_, theirs) = call(port, "GET", "/api/v1/mail/delegations", "", personal);
    assert!(theirs.contains("\"login\":\"personalrat\""), "{theirs}");
    let (_, list) = call(port, "GET", "/api/v1/mail/confidential", "", admin);
    assert!(
        list.contains("\"lehrerrat\"") && list.contains("\"personalrat\""),
        "{list}"
    );
}

fn scenario(db: &[&str]) {
    let imap = free_port();
    let listen = format!("127.0.0.1:{imap}");
    let extra = [
        "--demo",
        "--imap-listen",
        &listen,
        "--smtp-listen",
        "",
        "--submission-listen",
        "",
    ];
    let server = serve(db, &extra);
    api_gives_and_takes_back(server.1, imap);
}

#[test]
fn delegation_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn delegation_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
