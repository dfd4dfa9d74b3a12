//! The chat through the real binary: the demo school's rooms (class 5a, the Kollegium) with
//! their messages, and live delivery between two server processes on one PostgreSQL: a
//! message posted on node A reaches a socket on node B, and one sent over a socket on B
//! reaches a socket on A. On SQLite the same with one node.

use crate::cli_support;
use std::time::Duration;

use cli_support::*;
use futures_util::{SinkExt, StreamExt};
use schulhof_store::testing::TestDb;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PW: &str = "schulhof-demo";

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn body(resp: &str) -> Value {
    let b = resp.split_once("\r\n\r\n").map_or("", |b| b.1);
    serde_json::from_str(b).unwrap_or(Value::Null)
}

/// Logs in and accepts the terms, as a user does once in the browser.
fn session(port: u16, login: &str) -> String {
    let req = format!(r#"{{"instance":"100000","login":"{login}","password":"{PW}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &req).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = session_cookie(&resp).expect("cookie");
    let consent = r#"{"terms":true,"privacy":true}"#;
    let (status, resp) =
        http_with(port, "POST", "/api/v1/consent", consent, Some(&cookie)).expect("consent");
    assert_eq!(status, 204, "{resp}");
    cookie
}

async fn socket(port: u16, cookie: &str) -> Ws {
    let mut req = format!("ws://127.0.0.1:{port}/api/v1/chat/socket")
        .into_client_request()
        .expect("request");
    let h = req.headers_mut();
    h.insert(
        "cookie",
        format!("schulhof_session={cookie}")
            .parse()
            .expect("cookie"),
    );
    h.insert(
        "origin",
        format!("http://127.0.0.1:{port}").parse().expect("origin"),
    );
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade");
    ws
}

/// The next frame of `kind` for `room` (10 s at most).
async fn next(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .unwrap_or_else(|_| panic!("no {kind} frame in time"))
            .expect("open")
            .expect("frame");
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(&t).expect("json");
            if v["type"] == kind {
                return v;
            }
        }
    }
}

async fn scenario(a: u16, b: u16) {
    let teacher = tokio::task::spawn_blocking(move || session(a, "lehrer"))
        .await
        .expect("login");
    let pupil = tokio::task::spawn_blocking(move || session(b, "schueler"))
        .await
        .expect("login");
    let t = teacher.clone();
    let (status, resp) = tokio::task::spawn_blocking(move || {
        http_with(a, "GET", "/api/v1/chat/rooms", "", Some(&t)).expect("rooms")
    })
    .await
    .expect("rooms");
    assert_eq!(status, 200, "{resp}");
    let rooms = body(&resp)["rooms"].clone();
    let names: Vec<&str> = rooms
        .as_array()
        .expect("rooms")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(
        names.contains(&"5a") && names.contains(&"Kollegium"),
        "{names:?}"
    );
    let class = rooms
        .as_array()
        .expect("rooms")
        .iter()
        .find(|r| r["name"] == "5a")
        .and_then(|r| r["id"].as_str())
        .expect("5a")
        .to_owned();
    let mut on_b = socket(b, &pupil).await;
    next(&mut on_b, "hello").await;
    let mut on_a = socket(a, &teacher).await;
    next(&mut on_a, "hello").await;
    // The demo messages are there: resume from 0 on node B.
    let resume = json!({"type": "resume", "room": class, "after": 0}).to_string();
    on_b.send(Message::Text(resume.into()))
        .await
        .expect("resume");
    let demo = next(&mut on_b, "messages").await;
    assert!(
        demo["messages"].as_array().is_some_and(|m| m.len() >= 2),
        "{demo}"
    );
    // Posted on A, delivered live on B.
    let (t, c) = (teacher.clone(), class.clone());
    let (status, resp) = tokio::task::spawn_blocking(move || {
        let path = format!("/api/v1/chat/rooms/{c}/messages");
        http_with(a, "POST", &path, r#"{"text":"Von Knoten A"}"#, Some(&t)).expect("post")
    })
    .await
    .expect("post");
    assert_eq!(status, 201, "{resp}");
    let live = next(&mut on_b, "messages").await;
    assert_eq!(live["messages"][0]["text"], "Von Knoten A", "{live}");
    // Sent over the socket on B, delivered live on A.
    let send = json!({"type": "send", "room": class, "text": "Von Knoten B"}).to_string();
    on_b.send(Message::Text(send.into())).await.expect("send");
    loop {
        let m = next(&mut on_a, "messages").await;
        if m["messages"]
            .as_array()
            .is_some_and(|l| l.iter().any(|x| x["text"] == "Von Knoten B"))
        {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_on_sqlite_through_the_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    let node = tokio::task::spawn_blocking(move || serve(&["--data", &data], &["--demo"]))
        .await
        .expect("serve");
    scenario(node.1, node.1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_between_two_nodes_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    // One after the other, so the demo school is seeded once; both share the data folder
    // (the installation's master key, which seals the message bodies).
    let (a, b) = tokio::task::spawn_blocking(move || {
        let a = serve(&["--database", &url, "--data", &data], &["--demo"]);
        let b = serve(&["--database", &url, "--data", &data], &["--demo"]);
        (a, b)
    })
    .await
    .expect("serve");
    scenario(a.1, b.1).await;
}

/// A `nats-server` on a free loopback port, stopped when dropped.
struct NatsServer(std::process::Child, u16);

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nats_server() -> NatsServer {
    let port = free_port();
    let bin = ["nats-server", "/usr/sbin/nats-server"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok()
        })
        .expect("nats-server is installed (scripts/ensure-test-deps.sh installs it)");
    let child = std::process::Command::new(bin)
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start nats-server");
    let server = NatsServer(child, port);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nats-server did not listen on {port}");
}

/// The same two nodes with NATS as the bus (`--nats-url`): the chat's signals travel over
/// NATS only, PostgreSQL stays the source of truth.
#[tokio::test(flavor = "multi_thread")]
async fn chat_between_two_nodes_over_nats() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    let (nats, a, b) = tokio::task::spawn_blocking(move || {
        let nats = nats_server();
        let bus = format!("nats://127.0.0.1:{}", nats.1);
        let global: [&str; 6] = ["--database", &url, "--data", &data, "--nats-url", &bus];
        let a = serve(&global, &["--demo"]);
        let b = serve(&global, &["--demo"]);
        (nats, a, b)
    })
    .await
    .expect("serve");
    scenario(a.1, b.1).await;
    drop((a, b, nats));
}
