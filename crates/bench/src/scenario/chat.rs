//! `chat`: many clients of one school on the live socket, messages fanned out to class
//! rooms. `--clients` pupils in classes of `--class-size` (made untimed through the admin
//! functions, then logged in over the API), each with one socket on
//! `/api/v1/chat/socket`; for `--duration` s a member of a class room writes, `--rate`
//! messages/s in total, rooms in turn. Measured: delivery latency (the `send` frame written
//! → a member's socket holds the message; every member, the writer included), deliveries
//! missing, server CPU, and the RSS of this process (server and clients share it: an upper
//! bound for the server).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use futures_util::{SinkExt, StreamExt};
use schulhof_domain::admin::NewUser;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::accounts;
use crate::cpu::CpuMeter;
use crate::report::{Outcome, round};
use crate::server::Server;
use crate::stats::Samples;

#[derive(Clone, Debug, clap::Args)]
pub struct ChatArgs {
    /// Connected clients (pupils, one socket each).
    #[arg(long, default_value_t = 2000)]
    pub clients: usize,
    /// Pupils per class (and class room).
    #[arg(long, default_value_t = 25)]
    pub class_size: usize,
    /// Messages per second, all rooms together.
    #[arg(long, default_value_t = 200.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
}

fn login(i: usize) -> String {
    format!("chat{i:05}")
}

/// Creates the classes and their pupils inside the server's runtime (two hashing lanes).
async fn prepare(server: &Server, a: &ChatArgs) -> anyhow::Result<()> {
    let p = server.platform.clone();
    let (clients, size) = (a.clients, a.class_size.max(1));
    server
        .prepare(async move {
            let e = |e: schulhof_domain::DomainError| anyhow::anyhow!("{e}");
            let s = p
                .login(
                    accounts::SCHOOL,
                    accounts::ADMIN,
                    accounts::ADMIN_PASSWORD,
                    "127.0.0.1",
                )
                .await
                .map_err(e)?;
            let admin = p.session(&s.cookie).await.map_err(e)?.actor;
            for c in 0..clients.div_ceil(size) {
                p.create_group(
                    &admin,
                    &format!("Chat {c:03}"),
                    "klasse",
                    "Benchmark-Klasse",
                )
                .await
                .map_err(e)?;
            }
            let mut set = tokio::task::JoinSet::new();
            for lane in 0..2 {
                let (p, admin) = (p.clone(), admin.clone());
                set.spawn(async move {
                    for i in (lane..clients).step_by(2) {
                        let new = NewUser {
                            first_name: "Kind".into(),
                            last_name: format!("Nr{i:05}"),
                            account_type: Some("schueler".into()),
                            function_role: None,
                            login: Some(login(i)),
                            password: Some(accounts::PASSWORD.into()),
                            external_mail: None,
                            holder: None,
                            groups: vec![format!("Chat {:03}", i / size)],
                        };
                        p.create_user(&admin, new)
                            .await
                            .map_err(|e| anyhow::anyhow!("pupil {i}: {e}"))?;
                    }
                    anyhow::Ok(())
                });
            }
            while let Some(done) = set.join_next().await {
                done.context("pupil creation")??;
            }
            anyhow::Ok(())
        })
        .await?
}

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

/// What the readers saw: latencies and deliveries per message id.
#[derive(Default)]
struct Seen {
    latency: Samples,
    delivered: u64,
    errors: u64,
}

/// Logs in pupil `i`, opens its socket, and returns the sink and its class room; a reader
/// task records every benchmark message the socket receives.
async fn connect(
    server: &Server,
    i: usize,
    start: Instant,
    seen: Arc<Mutex<Seen>>,
) -> anyhow::Result<(Sink, String)> {
    let client = accounts::session(server.addr, &login(i), accounts::PASSWORD).await?;
    let cookie = client.session.context("no session cookie")?;
    let mut req = format!("ws://{}/api/v1/chat/socket", server.addr).into_client_request()?;
    let h = req.headers_mut();
    h.insert(
        "cookie",
        format!("{}={cookie}", schulhof_front::SESSION_COOKIE).parse()?,
    );
    h.insert("origin", format!("http://{}", server.addr).parse()?);
    let (ws, _) = tokio_tungstenite::connect_async(req).await?;
    let (sink, mut stream) = ws.split();
    let hello: Value = match stream.next().await {
        Some(Ok(Message::Text(t))) => serde_json::from_str(&t)?,
        other => anyhow::bail!("no hello: {other:?}"),
    };
    let room = hello["rooms"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["kind"] == "group"))
        .and_then(|r| r["id"].as_str())
        .context("no class room")?
        .to_owned();
    tokio::spawn(async move {
        while let Some(Ok(m)) = stream.next().await {
            let Message::Text(t) = m else { continue };
            let Ok(v) = serde_json::from_str::<Value>(&t) else {
                continue;
            };
            let mut s = seen.lock().unwrap_or_else(|e| e.into_inner());
            if v["type"] == "error" {
                s.errors += 1;
            }
            for m in v["messages"].as_array().into_iter().flatten() {
                let sent = m["text"]
                    .as_str()
                    .and_then(|t| t.strip_prefix("bench "))
                    .and_then(|t| t.parse::<u64>().ok());
                if let Some(us) = sent {
                    let at = start.elapsed().saturating_sub(Duration::from_micros(us));
                    s.latency.push(at);
                    s.delivered += 1;
                }
            }
        }
    });
    Ok((sink, room))
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

pub async fn run(server: &Server, a: &ChatArgs) -> anyhow::Result<Outcome> {
    ensure!(a.clients > 0 && a.rate > 0.0, "need clients and a rate");
    let rss_before = rss_mib();
    prepare(server, a).await?;
    let start = Instant::now();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut sinks = Vec::with_capacity(a.clients);
    let mut members: HashMap<String, u64> = HashMap::new();
    let connecting = Instant::now();
    for i in 0..a.clients {
        let (sink, room) = connect(server, i, start, seen.clone()).await?;
        *members.entry(room.clone()).or_default() += 1;
        sinks.push((sink, room));
    }
    let connect_s = connecting.elapsed().as_secs_f64();
    let settings = json!({ "clients": a.clients, "class_size": a.class_size, "rate": a.rate,
        "duration_s": a.duration });
    let mut out = Outcome::new("chat", server.backend, settings);
    out.figure("clients connected", a.clients as u64, "");
    out.figure("time to log in and connect all", round(connect_s, 1), "s");
    // Let the hellos and the first room lookups settle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_connected = rss_mib();
    let cpu = CpuMeter::start();
    let every = Duration::from_secs_f64(1.0 / a.rate);
    let total = (a.rate * a.duration) as usize;
    let (mut expected, mut sent) = (0u64, 0u64);
    let rooms = a.clients.div_ceil(a.class_size.max(1));
    let mut tick = tokio::time::interval(every);
    for k in 0..total {
        tick.tick().await;
        // Rooms in turn, a different member each time.
        let i = ((k % rooms) * a.class_size + (k / rooms) % a.class_size).min(a.clients - 1);
        let (sink, room) = &mut sinks[i];
        let text = format!("bench {}", start.elapsed().as_micros());
        let frame = json!({ "type": "send", "room": room, "text": text });
        if sink
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_ok()
        {
            sent += 1;
            expected += members.get(room.as_str()).copied().unwrap_or(0);
        }
    }
    let sending = cpu.stop();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after = rss_mib();
    let s = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
    out.figure("messages sent", sent, "");
    out.figure("deliveries expected", expected, "");
    out.figure("deliveries received", s.delivered, "");
    out.figure("error frames", s.errors, "");
    let l = s.latency.summary();
    out.latency("delivery latency", &l);
    out.cpu("sending: ", sending);
    out.figure("RSS before accounts (process)", round(rss_before, 1), "MiB");
    out.figure(
        "RSS with all connected (process)",
        round(rss_connected, 1),
        "MiB",
    );
    out.figure("RSS after sending (process)", round(rss_after, 1), "MiB");
    out.check("every delivery arrived", s.delivered == expected);
    out.check("p99 delivery < 50 ms", l.p99_ms < 50.0);
    out.check("RSS < 300 MiB (server and clients)", rss_after < 300.0);
    out.note("RSS is of the whole process: the clients' sockets are in it too");
    out.succeeded = s.delivered;
    out.failed = expected.saturating_sub(s.delivered) + s.errors;
    Ok(out)
}
