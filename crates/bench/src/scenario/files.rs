//! `files`: the cloud file manager under load, against the real binary (a child process,
//! so its memory is its own):
//! - one large file up and down over the JSON API and over WebDAV (streamed by `curl`),
//!   as a ratio to `cp` of the same file on the same disk, with the server's memory growth;
//! - many WebDAV clients uploading small files at once (no error, no lost file);
//! - PROPFIND depth 1 on the folder they filled.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::json;

use super::idle::{Spawned, memory};
use crate::accounts;
use crate::report::{Outcome, round};
use crate::stats::{Samples, Tally};

#[derive(Clone, Debug, clap::Args)]
pub struct FilesArgs {
    /// Size of the large file, in MiB.
    #[arg(long, default_value_t = 1024)]
    pub big_mib: u64,
    /// WebDAV clients uploading at once.
    #[arg(long, default_value_t = 100)]
    pub clients: usize,
    /// Small files each client uploads.
    #[arg(long, default_value_t = 100)]
    pub files_per_client: usize,
    /// The server binary; defaults to `schulhof` next to this one.
    #[arg(long)]
    pub schulhof_bin: Option<PathBuf>,
}

const USER: &str = "lehrer@100000";

pub async fn run(database: Option<&str>, a: &FilesArgs) -> anyhow::Result<Outcome> {
    let mut child = Spawned::start(a.schulhof_bin.clone(), database).await?;
    let pid = child.process.id().to_string();
    let backend = child.backend;
    let result = measure(child.addr, &pid, backend, a).await;
    child.stop();
    result
}

async fn measure(
    addr: SocketAddr,
    pid: &str,
    backend: &str,
    a: &FilesArgs,
) -> anyhow::Result<Outcome> {
    let settings = json!({
        "big_mib": a.big_mib, "clients": a.clients, "files_per_client": a.files_per_client,
        "client": "curl for the large file, hyper for the rest",
    });
    let mut out = Outcome::new("files", backend, settings);
    let session = accounts::session(addr, "lehrer", accounts::ADMIN_PASSWORD).await?;
    let cookie = session.session.clone().context("no session cookie")?;
    let own = own_root(&mut session.sibling()).await?;
    let work = tempfile::tempdir().context("work dir")?;
    if a.big_mib > 0 {
        big_file(addr, pid, &cookie, &own, work.path(), a.big_mib, &mut out).await?;
    }
    let stored = many_small(addr, a.clients, a.files_per_client, &mut out).await?;
    propfind_timing(addr, stored, backend, &mut out).await?;
    Ok(out)
}

pub(super) async fn own_root(c: &mut crate::client::Client) -> anyhow::Result<String> {
    let r = c.get("/api/v1/files").await?;
    ensure!(
        r.status.as_u16() == 200,
        "GET /api/v1/files: HTTP {}",
        r.status
    );
    let v: serde_json::Value = serde_json::from_slice(&r.body)?;
    v["areas"]
        .as_array()
        .and_then(|areas| areas.iter().find(|e| e["area"] == "own"))
        .and_then(|e| e["id"].as_str())
        .map(str::to_owned)
        .context("no own area in GET /api/v1/files")
}

/// Writes `mib` MiB of varied bytes (not all equal, so nothing can shortcut them).
pub(super) fn write_big(path: &Path, mib: u64) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut chunk = vec![0u8; 1 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..mib {
        for b in chunk.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        chunk[0] = i as u8;
        f.write_all(&chunk)?;
    }
    f.flush()?;
    Ok(())
}

/// Runs a command to completion while sampling the server's RSS; returns seconds and the
/// highest RSS seen (MiB).
pub(super) async fn timed(mut cmd: Command, pid: &str) -> anyhow::Result<(f64, f64)> {
    let _ = Command::new("sync").status();
    let started = Instant::now();
    let task = tokio::task::spawn_blocking(move || cmd.output());
    let mut peak = memory(pid)?.rss;
    while !task.is_finished() {
        peak = peak.max(memory(pid)?.rss);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let output = task
        .await
        .context("join")?
        .context("cannot run the command")?;
    let secs = started.elapsed().as_secs_f64();
    ensure!(
        output.status.success(),
        "{:?} failed: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((secs, peak.max(memory(pid)?.rss)))
}

/// curl quietly, failing on HTTP errors; `args` include `-o FILE` for downloads (uploads
/// discard the answer).
pub(super) fn curl(args: &[&str]) -> Command {
    let mut c = Command::new("curl");
    c.args(["-s", "-S", "-f"]);
    if !args.contains(&"-o") {
        c.args(["-o", "/dev/null"]);
    }
    c.args(args);
    c
}

async fn big_file(
    addr: SocketAddr,
    pid: &str,
    cookie: &str,
    own: &str,
    dir: &Path,
    mib: u64,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let big = dir.join("big.bin");
    write_big(&big, mib).context("writing the large file")?;
    let big_s = big.to_str().context("path")?.to_owned();
    let mb = mib as f64 * 1.048_576;
    let mut cp = Command::new("cp");
    cp.arg(&big).arg(dir.join("copy.bin"));
    let (cp_secs, _) = timed(cp, pid).await?;
    std::fs::remove_file(dir.join("copy.bin")).context("removing the copy")?;
    out.figure(&format!("cp of {mib} MiB"), round(mb / cp_secs, 0), "MB/s");
    // The server makes every upload durable (fsync) before it is visible; cp does not.
    let mut cp_sync = Command::new("sh");
    cp_sync.arg("-c").arg(format!(
        "cp '{}' '{}' && sync '{}'",
        big.display(),
        dir.join("copy.bin").display(),
        dir.join("copy.bin").display()
    ));
    let (cp_sync_secs, _) = timed(cp_sync, pid).await?;
    std::fs::remove_file(dir.join("copy.bin")).context("removing the copy")?;
    out.figure(
        &format!("cp + fsync of {mib} MiB"),
        round(mb / cp_sync_secs, 0),
        "MB/s",
    );

    let base = format!("http://{addr}");
    let session = format!("schulhof_session={cookie}");
    let auth = format!("{USER}:{}", accounts::ADMIN_PASSWORD);
    let api_put = format!("{base}/api/v1/files/{own}/content?name=big-api.bin");
    let dav_put = format!("{base}/dav/files/eigene-dateien/big-dav.bin");
    let down = dir.join("down.bin");
    let down_s = down.to_str().context("path")?.to_owned();
    let rss_before = memory(pid)?.rss;
    let mut worst_growth: f64 = 0.0;
    let mut worst_ratio = f64::INFINITY;
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "upload, JSON API (PUT)",
            vec![
                "-b".into(),
                session.clone(),
                "-T".into(),
                big_s.clone(),
                api_put,
            ],
        ),
        (
            "upload, WebDAV (PUT)",
            vec![
                "-u".into(),
                auth.clone(),
                "-T".into(),
                big_s.clone(),
                dav_put.clone(),
            ],
        ),
        (
            "download, WebDAV (GET)",
            vec![
                "-u".into(),
                auth.clone(),
                "-o".into(),
                down_s.clone(),
                dav_put,
            ],
        ),
    ];
    let mut api_file = None;
    for (label, args) in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (secs, peak) = timed(curl(&args), pid).await?;
        let ratio = cp_secs / secs;
        worst_ratio = worst_ratio.min(ratio);
        worst_growth = worst_growth.max(peak - rss_before);
        out.figure(label, round(mb / secs, 0), "MB/s");
        out.figure(&format!("{label}: ratio to cp"), round(ratio, 2), "");
        if label.starts_with("upload") {
            out.figure(
                &format!("{label}: ratio to cp + fsync"),
                round(cp_sync_secs / secs, 2),
                "",
            );
        }
        if api_file.is_none() {
            api_file = Some(find_file(addr, cookie, own, "big-api.bin").await?);
        }
    }
    let id = api_file.context("uploaded file")?;
    let api_get = format!("{base}/api/v1/files/{id}/content");
    // Into a new file, as cp writes one (overwriting the previous download costs curl more).
    std::fs::remove_file(&down).context("previous download")?;
    let (secs, peak) = timed(curl(&["-b", &session, "-o", &down_s, &api_get]), pid).await?;
    let ratio = cp_secs / secs;
    worst_ratio = worst_ratio.min(ratio);
    worst_growth = worst_growth.max(peak - rss_before);
    out.figure("download, JSON API (GET)", round(mb / secs, 0), "MB/s");
    out.figure("download, JSON API (GET): ratio to cp", round(ratio, 2), "");
    ensure!(
        std::fs::metadata(&down).context("downloaded file")?.len() == mib << 20,
        "the downloaded file has the wrong size"
    );
    out.figure(
        "server RSS growth during the transfers (max)",
        round(worst_growth * 1.048_576, 1),
        "MB",
    );
    out.check("every transfer ≥ 0.5 × cp", worst_ratio >= 0.5);
    out.check(
        "server memory growth < 50 MB",
        worst_growth * 1.048_576 < 50.0,
    );
    out.succeeded += 4;
    Ok(())
}

pub(super) async fn find_file(
    addr: SocketAddr,
    cookie: &str,
    folder: &str,
    name: &str,
) -> anyhow::Result<String> {
    let mut c = crate::client::Client::new(addr);
    c.session = Some(cookie.to_owned());
    let r = c.get(&format!("/api/v1/files/{folder}")).await?;
    let v: serde_json::Value = serde_json::from_slice(&r.body)?;
    v["children"]
        .as_array()
        .and_then(|ch| ch.iter().find(|e| e["name"] == name))
        .and_then(|e| e["id"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("{name} not listed: {v}"))
}

/// One keep-alive WebDAV connection with Basic credentials.
struct Dav {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
    auth: String,
}

impl Dav {
    async fn connect(addr: SocketAddr) -> anyhow::Result<Dav> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{USER}:{}", accounts::ADMIN_PASSWORD));
        Ok(Dav {
            sender,
            host: addr.to_string(),
            auth: format!("Basic {token}"),
        })
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        depth: Option<&str>,
        body: Bytes,
    ) -> anyhow::Result<(u16, Bytes)> {
        let mut req = Request::builder()
            .method(Method::from_bytes(method.as_bytes())?)
            .uri(path)
            .header("host", &self.host)
            .header("authorization", &self.auth);
        if let Some(d) = depth {
            req = req.header("depth", d);
        }
        let req = req.body(Full::new(body))?;
        self.sender.ready().await?;
        let resp = self.sender.send_request(req).await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

async fn many_small(
    addr: SocketAddr,
    clients: usize,
    per_client: usize,
    out: &mut Outcome,
) -> anyhow::Result<usize> {
    let mut first = Dav::connect(addr).await?;
    let (s, _) = first
        .send(
            "MKCOL",
            "/dav/files/eigene-dateien/viele/",
            None,
            Bytes::new(),
        )
        .await?;
    ensure!(s == 201, "MKCOL: HTTP {s}");
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for c in 0..clients {
        set.spawn(async move {
            let mut seen = (Samples::default(), Tally::default());
            let mut dav = match Dav::connect(addr).await {
                Ok(d) => d,
                Err(_) => {
                    seen.1.add("connect");
                    return seen;
                }
            };
            for f in 0..per_client {
                let body = Bytes::from(format!("Datei {f} von Client {c}\n").repeat(40));
                let path = format!("/dav/files/eigene-dateien/viele/c{c:03}-f{f:03}.txt");
                let t = Instant::now();
                match dav.send("PUT", &path, None, body).await {
                    Ok((201, _)) => seen.0.push(t.elapsed()),
                    Ok((s, _)) => seen.1.add(s.to_string()),
                    Err(_) => seen.1.add("dropped"),
                }
            }
            seen
        });
    }
    let (mut lat, mut errors) = (Samples::default(), Tally::default());
    while let Some(done) = set.join_next().await {
        let (l, e) = done.context("client task")?;
        lat.extend(l);
        errors.merge(e);
    }
    let secs = started.elapsed().as_secs_f64();
    let stored = lat.len();
    out.figure(
        &format!("{clients} WebDAV clients × {per_client} small PUTs"),
        round(stored as f64 / secs, 0),
        "files/s",
    );
    out.latency("PUT latency", &lat.summary());
    if errors.total() > 0 {
        out.failed += errors.total();
        out.note(format!("WebDAV upload errors: {}", errors.describe()));
    }
    out.succeeded += stored as u64;
    Ok(stored)
}

async fn propfind_timing(
    addr: SocketAddr,
    expected: usize,
    backend: &str,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let mut dav = Dav::connect(addr).await?;
    let mut lat = Samples::default();
    let mut entries = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let (s, body) = dav
            .send(
                "PROPFIND",
                "/dav/files/eigene-dateien/viele/",
                Some("1"),
                Bytes::new(),
            )
            .await?;
        lat.push(t.elapsed());
        if s != 207 {
            bail!("PROPFIND: HTTP {s}");
        }
        entries = String::from_utf8_lossy(&body)
            .matches("<D:response>")
            .count();
    }
    let summary = lat.summary();
    out.figure(
        "PROPFIND depth 1: entries listed",
        entries.saturating_sub(1),
        "",
    );
    out.latency(&format!("PROPFIND depth 1 on {expected} files"), &summary);
    out.check(
        "no file lost",
        entries.saturating_sub(1) == expected && expected > 0,
    );
    if backend == "sqlite" {
        out.check(
            "PROPFIND depth 1 on 10,000 files < 300 ms (median)",
            summary.p50_ms < 300.0,
        );
    }
    Ok(())
}
