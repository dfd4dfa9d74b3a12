//! `chat`: many clients of one school on the live socket, messages fanned out to class
//! rooms. `--clients` pupils in classes of `--class-size` (made untimed through the admin
//! functions, then logged in over the API), each with one socket on
//! `/api/v1/chat/socket`; for `--duration` s a member of a class room writes, `--rate`
//! messages/s in total, rooms in turn. Measured: delivery latency (the `send` frame written
//! → a member's socket holds the message; every member, the writer included), deliveries
//! missing, server CPU, and the RSS of this process (server and clients share it: an upper
//! bound for the server). With `--nodes N` the clients talk instead to N real server
//! processes (`schulhof serve`) on the same database, in turn (more than one needs
//! PostgreSQL: the chat bus crosses nodes by LISTEN/NOTIFY); then each node's own RSS and
//! CPU time are measured.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use futures_util::{SinkExt, StreamExt};
use schulhof_domain::admin::NewUser;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::accounts;
use crate::client::Client;
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
    /// Real server processes on the benchmark's database that serve the clients, in turn
    /// (0: the in-process server). More than one needs PostgreSQL.
    #[arg(long, default_value_t = 0)]
    pub nodes: usize,
    /// The server binary for `--nodes` (default: `schulhof` next to this program).
    #[arg(long)]
    pub schulhof_bin: Option<PathBuf>,
}

/// A real server process on the benchmark's database, ended (by its handle) when dropped.
struct Node {
    process: Child,
    addr: SocketAddr,
    _data: tempfile::TempDir,
}

impl Node {
    async fn start(bin: &Path, url: &str) -> anyhow::Result<Node> {
        ensure!(
            bin.exists(),
            "{} not found: build it (cargo build --release -p schulhof) or pass --schulhof-bin",
            bin.display()
        );
        let data = tempfile::tempdir()?;
        // Ask the OS for a free port, then hand it over; the gap is harmless on loopback.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let key: String = crate::server::MASTER_KEY
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let process = Command::new(bin)
            .arg("serve")
            .args(["--listen", &addr.to_string(), "--demo", "--database", url])
            .arg("--data")
            .arg(data.path())
            .env("SCHULHOF_LOG", "warn")
            .env("SCHULHOF_SAFE_MASTER_KEY", key)
            // No mail listeners: their fixed ports would clash between nodes.
            .env("SCHULHOF_SMTP_LISTEN", "")
            .env("SCHULHOF_SUBMISSION_LISTEN", "")
            .env("SCHULHOF_SUBMISSIONS_LISTEN", "")
            .env("SCHULHOF_IMAP_LISTEN", "")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let mut node = Node {
            process,
            addr,
            _data: data,
        };
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(code) = node.process.try_wait()? {
                anyhow::bail!("a node exited during start: {code}");
            }
            let mut c = Client::new(addr);
            if c.get("/healthz").await.is_ok_and(|r| r.status.is_success()) {
                return Ok(node);
            }
            ensure!(Instant::now() < until, "a node did not answer within 60 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// (RSS, peak RSS) in MiB.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.process.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse::<f64>().ok())
                .map_or(0.0, |kib| kib / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// CPU seconds (user and system) used so far.
    fn cpu_s(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.process.id()))
            .unwrap_or_default();
        // The fields after the command name (which may hold spaces) in parentheses.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<f64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0.0))
            .collect();
        (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
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
    addr: SocketAddr,
    i: usize,
    start: Instant,
    seen: Arc<Mutex<Seen>>,
) -> anyhow::Result<(Sink, String)> {
    let client = accounts::session(addr, &login(i), accounts::PASSWORD).await?;
    let cookie = client.session.context("no session cookie")?;
    let mut req = format!("ws://{addr}/api/v1/chat/socket").into_client_request()?;
    let h = req.headers_mut();
    h.insert(
        "cookie",
        format!("{}={cookie}", schulhof_front::SESSION_COOKIE).parse()?,
    );
    h.insert("origin", format!("http://{addr}").parse()?);
    // A small read buffer, as the server's: the default 128 KiB is zeroed on every read.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
    let (ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(config), true).await?;
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
    ensure!(
        a.nodes <= 1 || server.backend == "postgres",
        "more than one node needs PostgreSQL (--database)"
    );
    let rss_before = rss_mib();
    prepare(server, a).await?;
    let mut nodes = Vec::new();
    if a.nodes > 0 {
        let bin = match &a.schulhof_bin {
            Some(b) => b.clone(),
            None => std::env::current_exe()?.with_file_name("schulhof"),
        };
        for _ in 0..a.nodes {
            nodes.push(Node::start(&bin, &server.database_url).await?);
        }
    }
    let addrs: Vec<SocketAddr> = match nodes.is_empty() {
        true => vec![server.addr],
        false => nodes.iter().map(|n| n.addr).collect(),
    };
    let start = Instant::now();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut sinks = Vec::with_capacity(a.clients);
    let mut members: HashMap<String, u64> = HashMap::new();
    let connecting = Instant::now();
    for i in 0..a.clients {
        let addr = addrs[i % addrs.len()];
        let (sink, room) = connect(addr, i, start, seen.clone()).await?;
        *members.entry(room.clone()).or_default() += 1;
        sinks.push((sink, room));
    }
    let connect_s = connecting.elapsed().as_secs_f64();
    let settings = json!({ "clients": a.clients, "class_size": a.class_size, "rate": a.rate,
        "duration_s": a.duration, "nodes": a.nodes });
    let mut out = Outcome::new("chat", server.backend, settings);
    out.figure("clients connected", a.clients as u64, "");
    out.figure("time to log in and connect all", round(connect_s, 1), "s");
    // Let the hellos and the first room lookups settle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_connected = rss_mib();
    let nodes_connected: Vec<(f64, f64)> = nodes.iter().map(Node::memory).collect();
    let nodes_cpu: Vec<f64> = nodes.iter().map(Node::cpu_s).collect();
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
    let nodes_cpu: Vec<f64> = nodes
        .iter()
        .zip(&nodes_cpu)
        .map(|(n, before)| n.cpu_s() - before)
        .collect();
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
    let mut node_peak: f64 = 0.0;
    for (k, n) in nodes.iter().enumerate() {
        let (rss, peak) = n.memory();
        node_peak = node_peak.max(peak);
        let name = |what: &str| format!("node {}: {what}", k + 1);
        out.figure(
            &name("RSS with all connected"),
            round(nodes_connected[k].0, 1),
            "MiB",
        );
        out.figure(&name("RSS after sending"), round(rss, 1), "MiB");
        out.figure(&name("peak RSS"), round(peak, 1), "MiB");
        let busy = nodes_cpu[k] / a.duration.max(0.001) * 100.0;
        out.figure(&name("CPU while sending"), round(busy, 0), "% of a core");
    }
    out.check("every delivery arrived", s.delivered == expected);
    out.check("p99 delivery < 50 ms", l.p99_ms < 50.0);
    if nodes.is_empty() {
        out.check("RSS < 300 MiB (server and clients)", rss_after < 300.0);
        out.note("RSS is of the whole process: the clients' sockets are in it too");
    } else {
        out.check("peak RSS of each node < 300 MiB", node_peak < 300.0);
        out.note("the in-process server only prepared the accounts; the nodes served");
    }
    out.succeeded = s.delivered;
    out.failed = expected.saturating_sub(s.delivered) + s.errors;
    Ok(out)
}
