//! A conference across two server processes on one PostgreSQL (issue 16, several nodes):
//! the teacher starts it on node A (its media runs there), a pupil joins through node B.
//! Her presence belongs to her socket on B and holds a lease B renews: both nodes list her
//! present (A's sockets are told over the bus), also after several lease times. Her media
//! requests on B are relayed to A: her offers (one larger than a NOTIFY carries) get A's
//! answers, which name A's media address; a broken offer gets A's `conference_bad_offer`.
//! Her socket closing puts her out at once; B killed with SIGKILL puts her out on A within
//! the lease time (any node's sweep), with nobody left to say goodbye. A killed instead:
//! its host lease runs out and B takes the conference's media over; her new offer gets B's
//! answer.

use crate::cli_support;
use std::time::{Duration, Instant};

use cli_support::*;
use futures_util::{SinkExt, StreamExt};
use schulhof_store::testing::TestDb;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PW: &str = "schulhof-demo";
/// The presence lease of both nodes, short for the test.
const LEASE: Duration = Duration::from_secs(3);

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// `schulhof serve --demo` as node `node` with the short lease; waits for health.
fn node(db: &[&str], node: &str) -> Server {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = bin()
        .args(db)
        .args(["serve", "--listen", &listen, "--demo"])
        .env("SCHULHOF_NODE_ID", node)
        .env("SCHULHOF_SFU_BIND", "127.0.0.1:0")
        .env("SCHULHOF_SFU_TCP_BIND", "off")
        .env(
            "SCHULHOF_CONFERENCE_LEASE_SECS",
            LEASE.as_secs().to_string(),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
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
    panic!("node {node} did not come up");
}

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
    let c = format!("schulhof_session={cookie}");
    h.insert("cookie", c.parse().expect("cookie"));
    let o = format!("http://127.0.0.1:{port}");
    h.insert("origin", o.parse().expect("origin"));
    tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade")
        .0
}

/// The next frame of `kind` (within `within`).
async fn next_in(ws: &mut Ws, kind: &str, within: Duration) -> Value {
    let until = Instant::now() + within;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let m = tokio::time::timeout(left, ws.next())
            .await
            .unwrap_or_else(|_| panic!("no {kind} frame within {within:?}"))
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

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into()))
        .await
        .expect("send");
}

/// Whether `user` is listed present in a `conf_state` frame.
fn lists(state: &Value, user: &Value) -> bool {
    state["status"]["live"]["participants"]
        .as_array()
        .is_some_and(|l| l.iter().any(|p| &p["user"] == user && p["present"] == true))
}

/// `conf_state` frames until `pred` holds (within `within`); the time it took.
async fn until_state(
    ws: &mut Ws,
    within: Duration,
    pred: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    let asked = Instant::now();
    loop {
        let left = within.saturating_sub(asked.elapsed());
        let s = next_in(ws, "conf_state", left).await;
        if pred(&s) {
            return (s, asked.elapsed());
        }
    }
}

/// The id of class 5a's room, as the teacher's session on the node at `port` lists it.
async fn class_room(port: u16, teacher: &str) -> String {
    let t = teacher.to_owned();
    let (status, resp) = tokio::task::spawn_blocking(move || {
        http_with(port, "GET", "/api/v1/chat/rooms", "", Some(&t)).expect("rooms")
    })
    .await
    .expect("rooms");
    assert_eq!(status, 200, "{resp}");
    body(&resp)["rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .find(|r| r["name"] == "5a")
        .and_then(|r| r["id"].as_str())
        .expect("5a")
        .to_owned()
}

async fn scenario(a: &Server, b: Server) {
    let (pa, pb) = (a.1, b.1);
    let teacher = tokio::task::spawn_blocking(move || session(pa, "lehrer"))
        .await
        .expect("login");
    let pupil = tokio::task::spawn_blocking(move || session(pb, "schueler"))
        .await
        .expect("login");
    let room = class_room(pa, &teacher).await;
    let conf = |op: Value| json!({"type": "conf", "room": room, "op": op});

    // The teacher starts the conference on A: its media runs on A.
    let mut on_a = socket(pa, &teacher).await;
    next_in(&mut on_a, "hello", Duration::from_secs(10)).await;
    send(&mut on_a, conf(json!({"kind": "start"}))).await;
    let s = next_in(&mut on_a, "conf_state", Duration::from_secs(10)).await;
    assert_eq!(s["joined"], true, "{s}");
    assert_eq!(s["media_node"], "node-a", "{s}");
    assert_eq!(s["media_here"], true, "{s}");
    let teacher_id = s["status"]["live"]["me"].clone();
    let media_addr = s["status"]["live"]["media_addr"]
        .as_str()
        .expect("media_addr")
        .to_owned();

    // The pupil joins through B: present in the list on B, and A is told at once.
    let mut on_b = socket(pb, &pupil).await;
    let hello = next_in(&mut on_b, "hello", Duration::from_secs(10)).await;
    let her = hello["user"].clone();
    send(&mut on_b, conf(json!({"kind": "join"}))).await;
    let s = next_in(&mut on_b, "conf_state", Duration::from_secs(10)).await;
    assert_eq!(s["joined"], true, "{s}");
    assert_eq!(s["media_here"], false, "{s}");
    assert_eq!(s["media_node"], "node-a", "{s}");
    assert!(lists(&s, &her), "present on B: {s}");
    until_state(&mut on_a, LEASE, |s| lists(s, &her)).await;
    // Her media is A's: B relays her offers to A and hands her A's answers.
    relayed_media(&mut on_b, &room, &media_addr, &teacher_id).await;

    // B renews her lease: after three lease times she is still present for A.
    tokio::time::sleep(LEASE * 3).await;
    send(&mut on_a, conf(json!({"kind": "status"}))).await;
    let (s, _) = until_state(&mut on_a, Duration::from_secs(10), |_| true).await;
    assert!(lists(&s, &her), "renewed on B, present on A: {s}");

    // Her socket on B closes: A lists her gone well within the lease.
    let closed = Instant::now();
    on_b.close(None).await.expect("close");
    drop(on_b);
    let (_, took) = until_state(&mut on_a, LEASE, |s| !lists(s, &her)).await;
    eprintln!("closed on B, gone on A after {took:?}");
    assert!(closed.elapsed() < LEASE, "{:?}", closed.elapsed());

    // She joins through B again; then B dies (SIGKILL), with nobody to leave for her.
    let mut again = socket(pb, &pupil).await;
    next_in(&mut again, "hello", Duration::from_secs(10)).await;
    send(&mut again, conf(json!({"kind": "join"}))).await;
    let s = next_in(&mut again, "conf_state", Duration::from_secs(10)).await;
    assert_eq!(s["joined"], true, "{s}");
    until_state(&mut on_a, LEASE, |s| lists(s, &her)).await;
    let mut b = b;
    b.0.kill().expect("SIGKILL node B");
    b.0.wait().expect("wait");
    let killed = Instant::now();
    drop(again);
    // Within the lease (plus one renewal period of A's socket and the sweep's spacing).
    let bound = LEASE + LEASE / 3 + LEASE / 2 + Duration::from_secs(1);
    let (_, _) = until_state(&mut on_a, bound, |s| !lists(s, &her)).await;
    let took = killed.elapsed();
    eprintln!("node B killed, her presence gone on A after {took:?}");
    assert!(took <= bound, "{took:?}");
    // The teacher, on the living node, stays.
    send(&mut on_a, conf(json!({"kind": "status"}))).await;
    let (s, _) = until_state(&mut on_a, Duration::from_secs(10), |_| true).await;
    assert_eq!(s["joined"], true, "{s}");
    assert!(lists(&s, &hello_user(&s)), "{s}");
}

/// A browser's offer as the SFU expects it (audio, camera, screen; `dir` `sendonly` to
/// publish, `recvonly` to receive), with `pad` host candidates per m-line: 40 make it
/// larger than a PostgreSQL NOTIFY carries.
fn offer(dir: &str, pad: usize) -> String {
    let fp = (0..32)
        .map(|i| format!("{i:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let mut sdp = String::from(
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
         a=group:BUNDLE 0 1 2\r\na=msid-semantic: WMS\r\n",
    );
    for (mid, kind, pt, codec, ssrc) in [
        (0, "audio", 111, "opus/48000/2", 1001),
        (1, "video", 96, "VP8/90000", 1002),
        (2, "video", 96, "VP8/90000", 1003),
    ] {
        sdp.push_str(&format!(
            "m={kind} 9 UDP/TLS/RTP/SAVPF {pt}\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n\
             a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n\
             a=fingerprint:sha-256 {fp}\r\na=setup:actpass\r\na=mid:{mid}\r\na={dir}\r\n\
             a=msid:s t{mid}\r\na=rtcp-mux\r\na=rtpmap:{pt} {codec}\r\na=ssrc:{ssrc} cname:c\r\n"
        ));
        for i in 0..pad {
            let port = 41000 + mid * 100 + i;
            sdp.push_str(&format!(
                "a=candidate:{i} 1 udp 2122260223 127.0.0.1 {port} typ host generation 0\r\n"
            ));
        }
    }
    sdp
}

/// The pupil's media requests on B, relayed to A (`media_addr`): publish (an offer larger
/// than a NOTIFY), pin and subscribe to the teacher get A's answers; a broken offer gets
/// A's refusal.
async fn relayed_media(on_b: &mut Ws, room: &str, media_addr: &str, teacher: &Value) {
    let conf = |op: Value| json!({"type": "conf", "room": room, "op": op});
    let (ip, port) = media_addr.rsplit_once(':').expect("ip:port");
    let at_a = format!("{ip} {port} typ host");
    let big = offer("sendonly", 40);
    assert!(big.len() > 8000, "{}", big.len());
    send(on_b, conf(json!({"kind": "publish", "sdp": big}))).await;
    let a = next_in(on_b, "conf_answer", Duration::from_secs(10)).await;
    assert_eq!(a["role"], "publish", "{a}");
    let sdp = a["sdp"].as_str().expect("sdp");
    assert!(
        sdp.contains("m=audio") && sdp.contains(&at_a),
        "A's address {at_a}: {sdp}"
    );
    // Pinning works too (an error here would come before the refusal below).
    send(on_b, conf(json!({"kind": "pin", "publisher": teacher}))).await;
    next_in(on_b, "conf_state", Duration::from_secs(10)).await;
    send(
        on_b,
        conf(json!({"kind": "subscribe", "publisher": teacher,
        "sdp": offer("recvonly", 0)})),
    )
    .await;
    let a = next_in(on_b, "conf_answer", Duration::from_secs(10)).await;
    assert_eq!(a["role"], "subscribe", "{a}");
    assert_eq!(&a["publisher"], teacher, "{a}");
    let sdp = a["sdp"].as_str().expect("sdp");
    assert!(sdp.contains(&at_a), "A's address {at_a}: {sdp}");
    // A broken offer: A's SFU refuses it, with the code a local one answers.
    let broken = json!({"kind": "publish", "sdp": "v=0\r\nthis is no offer\r\n"});
    send(on_b, conf(broken)).await;
    let e = next_in(on_b, "error", Duration::from_secs(10)).await;
    assert_eq!(e["code"], "conference_bad_offer", "{e}");
}

/// The caller's own id as a `conf_state` says it.
fn hello_user(state: &Value) -> Value {
    state["status"]["live"]["me"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn conference_presence_across_two_nodes_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    // One after the other, so the demo school is seeded once; both share the data folder.
    let (a, b) = tokio::task::spawn_blocking(move || {
        let db = ["--database", url.as_str(), "--data", data.as_str()];
        (node(&db, "node-a"), node(&db, "node-b"))
    })
    .await
    .expect("serve");
    scenario(&a, b).await;
    drop(a);
}

/// The host node dies (SIGKILL): within the lease B, where the pupil's socket is, takes the
/// media over (her `conf_state` names node-b), and her page's new offer is answered by B's
/// own SFU with B's address.
#[tokio::test(flavor = "multi_thread")]
async fn conference_media_of_a_dead_host_moves_to_a_live_node() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    let (a, b) = tokio::task::spawn_blocking(move || {
        let db = ["--database", url.as_str(), "--data", data.as_str()];
        (node(&db, "node-a"), node(&db, "node-b"))
    })
    .await
    .expect("serve");
    let (pa, pb) = (a.1, b.1);
    let teacher = tokio::task::spawn_blocking(move || session(pa, "lehrer"))
        .await
        .expect("login");
    let pupil = tokio::task::spawn_blocking(move || session(pb, "schueler"))
        .await
        .expect("login");
    let room = class_room(pa, &teacher).await;
    let conf = |op: Value| json!({"type": "conf", "room": room, "op": op});
    let mut on_a = socket(pa, &teacher).await;
    next_in(&mut on_a, "hello", Duration::from_secs(10)).await;
    send(&mut on_a, conf(json!({"kind": "start"}))).await;
    let s = next_in(&mut on_a, "conf_state", Duration::from_secs(10)).await;
    assert_eq!(s["media_node"], "node-a", "{s}");
    let media_addr = s["status"]["live"]["media_addr"]
        .as_str()
        .expect("media_addr")
        .to_owned();
    let mut on_b = socket(pb, &pupil).await;
    next_in(&mut on_b, "hello", Duration::from_secs(10)).await;
    send(&mut on_b, conf(json!({"kind": "join"}))).await;
    let s = next_in(&mut on_b, "conf_state", Duration::from_secs(10)).await;
    assert_eq!(s["media_here"], false, "{s}");
    // While A lives, her offer is answered through it.
    send(
        &mut on_b,
        conf(json!({"kind": "publish", "sdp": offer("sendonly", 0)})),
    )
    .await;
    next_in(&mut on_b, "conf_answer", Duration::from_secs(10)).await;
    // A dies (SIGKILL): its host lease runs out and B, where the pupil's socket is, takes
    // the media over within the lease (plus one renewal period of her socket).
    let mut a = a;
    a.0.kill().expect("SIGKILL node A");
    a.0.wait().expect("wait");
    drop(on_a);
    let killed = Instant::now();
    // The lease runs out at most LEASE after A's last renewal; B looks every LEASE / 3. The
    // rest is room for a busy machine: what matters is that it happens, within the lease's
    // order of time.
    let bound = LEASE * 2 + Duration::from_secs(2);
    let (s, _) = until_state(&mut on_b, bound + Duration::from_secs(2), |s| {
        s["media_node"] == "node-b"
    })
    .await;
    let took = killed.elapsed();
    eprintln!("host A killed, B took the media over after {took:?}");
    assert!(took <= bound, "{took:?}");
    assert_eq!(s["media_here"], true, "{s}");
    assert_eq!(s["joined"], true, "{s}");
    let at_b = s["status"]["live"]["media_addr"]
        .as_str()
        .expect("media_addr")
        .to_owned();
    assert_ne!(at_b, media_addr, "{s}");
    // Her page publishes again: B's own SFU answers, with B's address.
    send(
        &mut on_b,
        conf(json!({"kind": "publish", "sdp": offer("sendonly", 0)})),
    )
    .await;
    let ans = next_in(&mut on_b, "conf_answer", Duration::from_secs(10)).await;
    let (ip, port) = at_b.rsplit_once(':').expect("ip:port");
    let sdp = ans["sdp"].as_str().expect("sdp");
    assert!(
        sdp.contains(&format!("{ip} {port} typ host")),
        "B's address {at_b}: {sdp}"
    );
    // A second socket on B sees the new host too.
    let mut other = socket(pb, &pupil).await;
    next_in(&mut other, "hello", Duration::from_secs(10)).await;
    send(&mut other, conf(json!({"kind": "status"}))).await;
    let s = next_in(&mut other, "conf_state", Duration::from_secs(10)).await;
    assert_eq!(s["media_node"], "node-b", "{s}");
    drop(b);
}
