//! A school with class 5a (a teacher, two pupils) and a pupil of another class, served by
//! the chat's router on a loopback port; a tiny HTTP client and a WebSocket client.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::SystemClock;
use schulhof_domain::{Config, Db, HashParams, Platform};
use schulhof_front::AppState;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub const PW: &str = "ein-gutes-passwort";

pub struct Harness {
    pub platform: Platform,
    pub addr: SocketAddr,
    pub cookies: HashMap<&'static str, String>,
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn start(db: Db) -> Harness {
    start_with(db, test_config()).await
}

pub fn test_config() -> Config {
    Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    }
}

/// The harness's school on a platform made with `config`.
pub async fn start_with(db: Db, config: Config) -> Harness {
    let platform = Platform::new(db, Arc::new(SystemClock), config);
    platform
        .system_create_school("123456", "Testschule")
        .await
        .expect("school");
    platform
        .system_set_password("123456", "admin", Some("admin-passwort-1"))
        .await
        .expect("pw");
    let admin = login(&platform, "admin", "admin-passwort-1").await;
    let admin = platform.session(&admin).await.expect("session").actor;
    for g in ["5a", "5b"] {
        platform
            .create_group(&admin, g, "klasse", g)
            .await
            .expect("group");
    }
    for (l, kind, group) in [
        ("lehrer", "lehrer", "5a"),
        ("anna", "schueler", "5a"),
        ("ben", "schueler", "5a"),
        ("carla", "schueler", "5b"),
    ] {
        let u = NewUser {
            first_name: l.into(),
            last_name: "Test".into(),
            account_type: Some(kind.into()),
            function_role: None,
            login: Some(l.into()),
            password: Some(PW.into()),
            external_mail: None,
            holder: None,
            groups: vec![group.into()],
        };
        platform.create_user(&admin, u).await.expect("user");
    }
    let mut cookies = HashMap::new();
    for l in ["lehrer", "anna", "ben", "carla"] {
        let c = login(&platform, l, PW).await;
        let actor = platform.session(&c).await.expect("session").actor;
        platform
            .give_consent(&actor, true, true, "127.0.0.1")
            .await
            .expect("consent");
        cookies.insert(l, c);
    }
    serve(platform, cookies).await
}

async fn serve(platform: Platform, cookies: HashMap<&'static str, String>) -> Harness {
    let state = AppState {
        platform: platform.clone(),
        demo: false,
        secure_cookies: false,
        trust_forwarded: false,
    };
    let app = schulhof_chat::router().with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Harness {
        platform,
        addr,
        cookies,
    }
}

async fn login(p: &Platform, login: &str, pw: &str) -> String {
    p.login("123456", login, pw, "127.0.0.1")
        .await
        .expect("login")
        .cookie
}

impl Harness {
    /// A second node of the same installation: its own platform (bus listener, caches) on
    /// the same database, serving the same school; the sessions work on both.
    pub async fn node(&self, db: Db, config: Config) -> Harness {
        let platform = Platform::new(db, Arc::new(SystemClock), config);
        serve(platform, self.cookies.clone()).await
    }

    /// A request as `who` (`None`: no cookie); the status and the JSON body (Null if none).
    pub async fn http(
        &self,
        who: Option<&str>,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, Value) {
        let mut s = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        let cookie = who.map_or(String::new(), |w| {
            format!("Cookie: schulhof_session={}\r\n", self.cookies[w])
        });
        let req = format!(
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{cookie}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.expect("write");
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.expect("read");
        let out = String::from_utf8_lossy(&out).into_owned();
        let status = out
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        let body = out.split_once("\r\n\r\n").map_or("", |b| b.1);
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    /// The platform's view of `who` (for services the HTTP API does not offer here).
    pub async fn actor(&self, who: &str) -> schulhof_domain::identity::Actor {
        self.platform
            .session(&self.cookies[who])
            .await
            .expect("session")
            .actor
    }

    /// The school's administrator.
    pub async fn admin(&self) -> schulhof_domain::identity::Actor {
        let c = login(&self.platform, "admin", "admin-passwort-1").await;
        self.platform.session(&c).await.expect("session").actor
    }

    /// The id of `who`'s room called `name`.
    pub async fn room(&self, who: &str, name: &str) -> String {
        let (_, v) = self.http(Some(who), "GET", "/api/v1/chat/rooms", "").await;
        v["rooms"]
            .as_array()
            .expect("rooms")
            .iter()
            .find(|r| r["name"] == name)
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{who}: no room {name}: {v}"))
    }

    pub async fn post(&self, who: &str, room: &str, text: &str) -> i64 {
        let body = serde_json::json!({ "text": text }).to_string();
        let (status, v) = self
            .http(
                Some(who),
                "POST",
                &format!("/api/v1/chat/rooms/{room}/messages"),
                &body,
            )
            .await;
        assert_eq!(status, 201, "{v}");
        v["seq"].as_i64().expect("seq")
    }

    /// A socket as `who` with the right Origin; the first frame (hello) is read.
    pub async fn socket(&self, who: &str) -> Ws {
        let ws = self
            .connect(Some(who), Some(&format!("http://{}", self.addr)))
            .await
            .expect("upgrade");
        let mut ws = ws;
        let hello = next_json(&mut ws).await.expect("hello");
        assert_eq!(hello["type"], "hello", "{hello}");
        ws
    }

    /// A raw upgrade attempt; the HTTP status when refused.
    pub async fn connect(&self, who: Option<&str>, origin: Option<&str>) -> Result<Ws, u16> {
        let mut req = format!("ws://{}/api/v1/chat/socket", self.addr)
            .into_client_request()
            .expect("request");
        if let Some(w) = who {
            let v = format!("schulhof_session={}", self.cookies[w]);
            req.headers_mut()
                .insert("cookie", v.parse().expect("header"));
        }
        if let Some(o) = origin {
            req.headers_mut()
                .insert("origin", o.parse().expect("header"));
        }
        match tokio_tungstenite::connect_async(req).await {
            Ok((ws, _)) => Ok(ws),
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
            Err(e) => panic!("connect: {e}"),
        }
    }
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into()))
        .await
        .expect("send");
}

/// The next text frame as JSON, skipping pings; `None` when the socket ended; a close
/// frame becomes `{"type":"closed","code":…,"reason":…}`. Waits at most 10 s.
pub async fn next_json(ws: &mut Ws) -> Option<Value> {
    loop {
        let m = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("frame in time");
        match m? {
            Ok(Message::Text(t)) => return Some(serde_json::from_str(&t).expect("json")),
            Ok(Message::Close(c)) => {
                let (code, reason) = c.map_or((0, String::new()), |c| {
                    (u16::from(c.code), c.reason.to_string())
                });
                return Some(
                    serde_json::json!({ "type": "closed", "code": code, "reason": reason }),
                );
            }
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

/// Frames until one of `kind` arrives.
pub async fn next_of(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let v = next_json(ws)
            .await
            .unwrap_or_else(|| panic!("socket ended before {kind}"));
        if v["type"] == kind {
            return v;
        }
        assert_ne!(v["type"], "closed", "closed while waiting for {kind}: {v}");
    }
}

/// The seqs of messages frames for `room` until `want` of them arrived.
pub async fn collect_seqs(ws: &mut Ws, room: &str, want: usize) -> Vec<i64> {
    let mut seqs = Vec::new();
    while seqs.len() < want {
        let v = next_of(ws, "messages").await;
        if v["room"] == room {
            for m in v["messages"].as_array().expect("messages") {
                seqs.push(m["seq"].as_i64().expect("seq"));
            }
        }
    }
    seqs
}
