//! A node on PostgreSQL without a name of its own (`--node-id`) says so at start: nodes are
//! told apart by it (conference media, relayed requests, leases). A named node, and a
//! SQLite installation (one node), start without the warning.

use crate::cli_support;
use std::io::Read;
use std::time::{Duration, Instant};

use cli_support::*;
use schulhof_store::testing::TestDb;

const WARNING: &str = "--node-id (SCHULHOF_NODE_ID) is not set";

/// What `serve` logs until it answers its health check.
fn start_log(db: &[&str], node: Option<&str>) -> String {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut cmd = bin();
    cmd.args(db)
        .args(["serve", "--listen", &listen])
        .env_remove("SCHULHOF_NODE_ID")
        .env("SCHULHOF_SFU_BIND", "127.0.0.1:0")
        .env("SCHULHOF_SFU_TCP_BIND", "off")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    if let Some(n) = node {
        cmd.env("SCHULHOF_NODE_ID", n);
    }
    let mut server = Server(cmd.spawn().expect("serve"), port);
    let start = Instant::now();
    while http(port, "GET", "/healthz", "").is_none_or(|(s, _)| s != 200) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "serve did not come up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut out = server.0.stdout.take().expect("log");
    let _ = server.0.kill();
    let _ = server.0.wait();
    let mut log = String::new();
    out.read_to_string(&mut log).expect("log");
    log
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unnamed_node_on_postgres_is_warned_about() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    let (unnamed, named) = tokio::task::spawn_blocking(move || {
        let db = ["--database", url.as_str(), "--data", data.as_str()];
        (start_log(&db, None), start_log(&db, Some("node-a")))
    })
    .await
    .expect("serve");
    assert!(unnamed.contains(WARNING), "{unnamed}");
    assert!(!named.contains(WARNING), "{named}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sqlite_installation_needs_no_node_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    let log = tokio::task::spawn_blocking(move || start_log(&["--data", data.as_str()], None))
        .await
        .expect("serve");
    assert!(!log.contains(WARNING), "{log}");
}
