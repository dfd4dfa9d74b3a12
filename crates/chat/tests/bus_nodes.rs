//! Two nodes of one installation on one PostgreSQL, each with its own platform (event
//! listener, sockets), once with PostgreSQL NOTIFY and once with NATS as the bus (the test
//! starts its own `nats-server` on a free port): a chat message posted on node A reaches a
//! socket on node B; the admin on A withdraws a pupil's video consent while she takes part
//! in a conference hosted on B, and B applies the gate at once; a guest link revoked on A
//! closes the guest's socket on B at once (well before the socket's own 5-second check);
//! a pupil who joins again on a second socket on B stays present for A when her first
//! socket closes late.
//! On one node (SQLite and PostgreSQL): a guest raises a hand, the teacher sees and lowers
//! it, and a guest still cannot be let share the screen.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use schulhof_domain::chat::RoomId;
use schulhof_domain::conference::AvConsent;
use schulhof_domain::{Config, Db};
use schulhof_store::backend_tests;
use schulhof_store::events::NatsUrl;
use schulhof_store::testing::TestDb;
use serde_json::{Value, json};
use support::*;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A `nats-server` of this test on a free loopback port, stopped when dropped.
struct Nats {
    child: Child,
    url: NatsUrl,
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn nats_server() -> Nats {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let bin = [
        "nats-server",
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
    ]
    .into_iter()
    .find(|b| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    })
    .expect("nats-server is installed (scripts/ensure-test-deps.sh installs it)");
    let child = Command::new(bin)
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nats-server");
    let nats = Nats {
        child,
        url: format!("nats://127.0.0.1:{port}").parse().expect("url"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return nats;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nats-server did not listen on {port}");
}

async fn guest_socket(h: &Harness, pass: &str) -> Ws {
    let mut req = format!("ws://{}/api/v1/conference/guest/socket", h.addr)
        .into_client_request()
        .expect("request");
    let headers = req.headers_mut();
    let cookie = format!("schulhof_guest={pass}");
    headers.insert("cookie", cookie.parse().expect("header"));
    let origin = format!("http://{}", h.addr);
    headers.insert("origin", origin.parse().expect("header"));
    tokio_tungstenite::connect_async(req)
        .await
        .expect("guest upgrade")
        .0
}

fn named(state: &Value, name: &str) -> Option<Value> {
    state["status"]["live"]["participants"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
}

/// conf_state frames until `pred` holds for `name`'s entry.
async fn until_named(ws: &mut Ws, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
    loop {
        let v = next_of(ws, "conf_state").await;
        if let Some(p) = named(&v, name)
            && pred(&p)
        {
            return p;
        }
    }
}

/// Frames until the socket closes; its close code.
async fn closed(ws: &mut Ws) -> u64 {
    loop {
        match next_json(ws).await {
            Some(v) if v["type"] == "closed" => return v["code"].as_u64().expect("code"),
            Some(_) => continue,
            None => return 0,
        }
    }
}

async fn two_nodes(nats: Option<NatsUrl>) {
    let t = TestDb::postgres().await;
    // Both nodes unseal the same message bodies: one master key for the installation.
    let config = || Config {
        safe_master_key: Some([7; 32]),
        nats: nats.clone(),
        ..test_config()
    };
    let a = start_with(t.db.clone(), config()).await;
    let b = a.node(t.db.clone(), config()).await;
    for n in [&a, &b] {
        assert!(
            n.platform.events_ready(Duration::from_secs(10)).await,
            "bus connected"
        );
    }
    let pa = &a.platform;
    let room_s = a.room("lehrer", "5a").await;
    let room: RoomId = room_s.parse().expect("room");

    // A chat message posted on A reaches Ben's socket on B.
    let mut ben = b.socket("ben").await;
    a.post("lehrer", &room_s, "Von Knoten A").await;
    loop {
        let m = next_of(&mut ben, "messages").await;
        let texts = m["messages"].as_array().expect("messages");
        if texts.iter().any(|x| x["text"] == "Von Knoten A") {
            break;
        }
    }

    // Latency from the send on A (commit included) to the frame on B's socket.
    let lehrer = pa
        .session(&a.cookies["lehrer"])
        .await
        .expect("session")
        .actor;
    let mut took = Vec::new();
    for i in 0..100 {
        let sent = Instant::now();
        let text = format!("Nachricht {i}");
        pa.chat_send(&lehrer, room, &text, None)
            .await
            .expect("send");
        loop {
            let m = next_of(&mut ben, "messages").await;
            let list = m["messages"].as_array().expect("messages");
            if list.iter().any(|x| x["text"] == text.as_str()) {
                break;
            }
        }
        took.push(sent.elapsed());
    }
    took.sort();
    let carrier = if nats.is_some() { "NATS" } else { "NOTIFY" };
    eprintln!(
        "A->B over {carrier}: p50 {:?}, p99 {:?} (100 sequential messages)",
        took[49], took[98]
    );
    assert!(took[98] < Duration::from_secs(1), "{took:?}");

    // Anna takes part in the conference hosted on B; the admin works on A.
    let admin = pa
        .login("123456", "admin", "admin-passwort-1", "127.0.0.1")
        .await
        .expect("login");
    let admin = pa.session(&admin.cookie).await.expect("session").actor;
    let both = AvConsent {
        audio: true,
        video: true,
    };
    pa.set_av_consent(&admin, "anna", both).await.expect("c");
    let mut teacher = b.socket("lehrer").await;
    let mut anna = b.socket("anna").await;
    let conf = |op: Value| json!({"type": "conf", "room": room_s, "op": op});
    send(&mut teacher, conf(json!({"kind": "start"}))).await;
    let s = next_of(&mut teacher, "conf_state").await;
    assert_eq!(s["joined"], true, "{s}");
    send(&mut anna, conf(json!({"kind": "join"}))).await;
    let me = until_named(&mut anna, "anna Test", |p| p["present"] == true).await;
    assert_eq!(me["grant"]["video"], true, "{me}");
    let audio_only = AvConsent {
        audio: true,
        video: false,
    };
    let asked = Instant::now();
    pa.set_av_consent(&admin, "anna", audio_only)
        .await
        .expect("withdraw");
    let me = until_named(&mut anna, "anna Test", |p| p["grant"]["video"] == false).await;
    assert_eq!(me["grant"]["audio"], true, "{me}");
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "consent applied after {took:?}"
    );
    let t_view = until_named(&mut teacher, "anna Test", |p| p["grant"]["video"] == false).await;
    assert_eq!(
        t_view["marker"], true,
        "the teacher sees the neutral marker"
    );

    // Anna's page reconnects: a second socket on B joins, then the first one closes late.
    // Node A still sees her present, with her media granted.
    let mut anna2 = b.socket("anna").await;
    send(&mut anna2, conf(json!({"kind": "join"}))).await;
    let s = next_of(&mut anna2, "conf_state").await;
    assert_eq!(s["joined"], true, "{s}");
    drop(anna);
    for _ in 0..15 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let seen = pa.conference_status(&lehrer, room).await.expect("status");
        let her = seen
            .live
            .expect("live")
            .participants
            .into_iter()
            .find(|x| x.name == "anna Test")
            .expect("anna");
        assert!(
            her.present && her.grant.audio,
            "the late leave on B put her out"
        );
    }

    // A guest on B; the teacher revokes the link on A.
    let link = pa
        .conference_guest_link(&lehrer, room, chrono::Duration::hours(1))
        .await
        .expect("link");
    let guest = pa
        .conference_guest_arrive(&link.secret, "Frau Meier")
        .await
        .expect("arrive");
    pa.conference_admit(&lehrer, room, guest.id, true)
        .await
        .expect("admit");
    let mut g = guest_socket(&b, &guest.pass).await;
    send(&mut g, conf(json!({"kind": "join"}))).await;
    loop {
        let s = next_of(&mut g, "conf_state").await;
        if s["joined"] == true {
            break;
        }
    }
    let asked = Instant::now();
    pa.conference_guest_revoke(&lehrer, room, link.id)
        .await
        .expect("revoke");
    assert_eq!(closed(&mut g).await, 4404);
    let took = asked.elapsed();
    // The socket's own check runs every 5 s: this fast, the signal closed it.
    assert!(took < Duration::from_secs(2), "guest closed after {took:?}");
    drop((a, b));
    t.db.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_over_postgres_notify() {
    two_nodes(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_over_nats() {
    let nats = nats_server().await;
    two_nodes(Some(nats.url.clone())).await;
}

async fn guests_raise_hands_but_never_share(db: Db) {
    let h = start(db).await;
    let p = &h.platform;
    let lehrer = p.session(&h.cookies["lehrer"]).await.expect("s").actor;
    let room_s = h.room("lehrer", "5a").await;
    let room: RoomId = room_s.parse().expect("room");
    let link = p
        .conference_guest_link(&lehrer, room, chrono::Duration::hours(1))
        .await
        .expect("link");
    let guest = p
        .conference_guest_arrive(&link.secret, "Herr Schulz")
        .await
        .expect("arrive");
    p.conference_admit(&lehrer, room, guest.id, true)
        .await
        .expect("admit");
    let mut teacher = h.socket("lehrer").await;
    let conf = |op: Value| json!({"type": "conf", "room": room_s, "op": op});
    let mut g = guest_socket(&h, &guest.pass).await;
    // Not joined yet: no hand to raise.
    send(&mut g, conf(json!({"kind": "hand", "up": true}))).await;
    let e = next_of(&mut g, "error").await;
    assert_eq!(e["code"], "conference_not_joined", "{e}");
    send(&mut teacher, conf(json!({"kind": "start"}))).await;
    next_of(&mut teacher, "conf_state").await;
    send(&mut g, conf(json!({"kind": "join"}))).await;
    let me = until_named(&mut g, "Herr Schulz", |p| p["present"] == true).await;
    assert_eq!(me["hand_raised"], false, "{me}");

    send(&mut g, conf(json!({"kind": "hand", "up": true}))).await;
    let seen = until_named(&mut teacher, "Herr Schulz", |p| p["hand_raised"] == true).await;
    assert_eq!(seen["guest"], true, "{seen}");
    let mine = until_named(&mut g, "Herr Schulz", |p| p["hand_raised"] == true).await;
    assert_eq!(mine["grant"]["screen"], false, "{mine}");

    // Sharing the screen stays closed to guests, whoever asks.
    let share = json!({"kind": "allow_share", "user": guest.id, "on": true});
    send(&mut teacher, conf(share)).await;
    let e = next_of(&mut teacher, "error").await;
    assert_eq!(e["conference"], true, "{e}");
    send(
        &mut g,
        conf(json!({"kind": "allow_share", "user": guest.id, "on": true})),
    )
    .await;
    let e = next_of(&mut g, "error").await;
    assert_eq!(e["code"], "guest_forbidden", "{e}");
    let status = p.conference_status(&lehrer, room).await.expect("status");
    let live = status.live.expect("live");
    let gv = live
        .participants
        .iter()
        .find(|x| x.guest)
        .expect("guest present");
    assert!(!gv.grant.screen && !gv.may_share && gv.hand_raised);

    // The teacher lowers it; the guest lowers their own after raising again.
    let lower = json!({"kind": "lower_hand", "user": guest.id});
    send(&mut teacher, conf(lower)).await;
    until_named(&mut g, "Herr Schulz", |p| p["hand_raised"] == false).await;
    send(&mut g, conf(json!({"kind": "hand", "up": true}))).await;
    until_named(&mut teacher, "Herr Schulz", |p| p["hand_raised"] == true).await;
    send(&mut g, conf(json!({"kind": "hand", "up": false}))).await;
    until_named(&mut teacher, "Herr Schulz", |p| p["hand_raised"] == false).await;
}

backend_tests!(guests_raise_hands_but_never_share);
