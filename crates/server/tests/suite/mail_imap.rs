//! IMAP through the real binary and real mail programs, on SQLite and PostgreSQL: Python's
//! imapclient (LIST with SPECIAL-USE, APPEND and FETCH byte for byte, STORE, SEARCH,
//! COPY/MOVE with COPYUID, EXPUNGE, QUOTA, CONDSTORE, IDLE), `mbsync` syncing both ways and
//! `curl imap://`. On PostgreSQL a second node on the same database delivers while the first
//! idles. The refusal without `mail.clients` is covered by the session tests of
//! crates/imap (every account type holds the right by default).

use crate::cli_support;
use std::path::Path;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";
const USER: &str = "lehrer@100000";

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

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

/// An app password made in Mein Konto.
fn app_password(port: u16, cookie: &str) -> String {
    let (status, resp) = http_with(
        port,
        "POST",
        "/api/v1/me/app-passwords",
        r#"{"label":"Thunderbird"}"#,
        Some(cookie),
    )
    .expect("create");
    assert_eq!(status, 201, "{resp}");
    let body = &resp[resp.find("\r\n\r\n").expect("body") + 4..];
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    v["password"].as_str().expect("password").to_owned()
}

/// `curl imap://` listing the folders as `user`; `None` when the login is refused.
fn curl_list(port: u16, user: &str, password: &str) -> Option<String> {
    let out = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "20",
            "-u",
            &format!("{user}:{password}"),
        ])
        .arg(format!("imap://127.0.0.1:{port}/"))
        .output()
        .expect("curl");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The full mail address and an app password log in too; a wrong password does not.
fn other_logins(port: u16, app_pw: &str) {
    let list = curl_list(port, "lena.lehmann@100000.nrw.schule", app_pw)
        .expect("full address with an app password");
    assert!(list.contains("INBOX"), "{list}");
    assert!(
        curl_list(port, USER, "falsch").is_none(),
        "a wrong password is refused"
    );
}

/// A node with IMAP on a free port (the SMTP listeners off); returns it and its IMAP port.
fn node(db: &[&str], demo: bool) -> (Server, u16) {
    let imap = free_port();
    let listen = format!("127.0.0.1:{imap}");
    let mut extra = vec![
        "--imap-listen",
        &listen,
        "--smtp-listen",
        "",
        "--submission-listen",
        "",
    ];
    if demo {
        extra.push("--demo");
    }
    (serve(db, &extra), imap)
}

fn imapclient_session(port_a: u16, port_b: u16) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail_imap/client.py");
    let out = Command::new(python())
        .arg(script)
        .args([&port_a.to_string(), &port_b.to_string(), USER, PW])
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let text = text(&out);
    assert!(
        out.status.success() && text.contains("imap client: OK"),
        "{text}"
    );
}

fn curl_fetches(port: u16) {
    // Over STARTTLS (the self-signed certificate made in the data directory).
    let out = Command::new("curl")
        .args(["-s", "--ssl-reqd", "-k", "--max-time", "20"])
        .args(["-u", &format!("{USER}:{PW}")])
        .arg(format!("imap://127.0.0.1:{port}/Archive;UID=1"))
        .output()
        .expect("curl");
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(
        body.contains("Subject: Wandertag am Freitag"),
        "curl imap:// with STARTTLS fetches the archived message: {body}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Listing the folders.
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20", "-u", &format!("{USER}:{PW}")])
        .arg(format!("imap://127.0.0.1:{port}/"))
        .output()
        .expect("curl");
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains("\\Sent") && list.contains("INBOX"), "{list}");
}

/// Counts the messages of a maildir folder.
fn maildir_count(dir: &Path) -> usize {
    ["cur", "new"]
        .iter()
        .filter_map(|d| std::fs::read_dir(dir.join(d)).ok())
        .map(|r| r.count())
        .sum()
}

fn mbsync(cfg: &Path) -> String {
    let out = Command::new("mbsync")
        .args(["-c", cfg.to_str().expect("utf-8"), "-a"])
        .output()
        .expect("mbsync is installed (Debian isync)");
    let t = text(&out);
    assert!(out.status.success(), "mbsync failed: {t}");
    t
}

/// mbsync pulls the Archive folder into a maildir, then pushes a new local message up.
fn mbsync_both_ways(port: u16, home: &Path) {
    let local = home.join("mail");
    std::fs::create_dir_all(&local).expect("maildir root");
    let cfg = home.join("mbsyncrc");
    std::fs::write(
        &cfg,
        format!(
            "IMAPAccount schule\nHost 127.0.0.1\nPort {port}\nUser {USER}\nPass {PW}\n\
             SSLType None\nAuthMechs LOGIN\n\n\
             IMAPStore fern\nAccount schule\n\n\
             MaildirStore nah\nPath {root}/\nInbox {root}/INBOX\nSubFolders Verbatim\n\n\
             Channel archiv\nFar :fern:Archive\nNear :nah:Archiv\nCreate Near\nSync All\n\
             SyncState *\n",
            root = local.display()
        ),
    )
    .expect("config");
    mbsync(&cfg);
    let archiv = local.join("Archiv");
    let pulled = maildir_count(&archiv);
    assert!(pulled >= 1, "mbsync pulled the archive");
    let msg = "From: lehrer@100000.nrw.schule\r\nSubject: Von mbsync\r\n\r\nlokal geschrieben\r\n";
    std::fs::write(archiv.join("new").join("1700000000.1_1.lokal"), msg).expect("local mail");
    mbsync(&cfg);
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20", "-u", &format!("{USER}:{PW}")])
        .args(["-X", "UID SEARCH SUBJECT \"Von mbsync\""])
        .arg(format!("imap://127.0.0.1:{port}/Archive"))
        .output()
        .expect("curl");
    let found = String::from_utf8_lossy(&out.stdout);
    let uids: Vec<&str> = found
        .trim()
        .strip_prefix("* SEARCH")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(uids.len(), 1, "mbsync pushed the local message up: {found}");
}

fn scenario(db: &[&str], second_node: bool) {
    let (server, imap) = node(db, true);
    let cookie = accept_terms(server.1, "lehrer");
    other_logins(imap, &app_password(server.1, &cookie));
    let other = second_node.then(|| node(db, true));
    let imap_b = other.as_ref().map_or(imap, |(_, p)| *p);
    imapclient_session(imap, imap_b);
    curl_fetches(imap);
    let home = tempfile::tempdir().expect("home");
    mbsync_both_ways(imap, home.path());
    drop(other);
}

#[test]
fn imap_clients_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_clients_on_postgres_with_two_nodes() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data], true))
        .await
        .expect("scenario");
}
