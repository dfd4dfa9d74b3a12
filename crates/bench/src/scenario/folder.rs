//! `folder`: the file manager's pages against the real binary (a child process, so its
//! memory is its own):
//! - the page of a folder with `--files` (2,000) files, requested `--requests` times one
//!   after the other over one keep-alive connection: latency from request to last byte on
//!   loopback, which is the server's time plus copying the page;
//! - a ZIP of a folder of `--zip-files` files totalling `--zip-mib` MiB against the download
//!   of one file of the same size, both with `curl`, with the server's memory growth.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, ensure};
use serde_json::json;

use super::files::{curl, find_file, own_root, timed, write_big};
use super::idle::{Spawned, memory};
use crate::accounts;
use crate::client::Client;
use crate::report::{Outcome, round};
use crate::stats::Samples;

#[derive(Clone, Debug, clap::Args)]
pub struct FolderArgs {
    /// Files in the listed folder.
    #[arg(long, default_value_t = 2000)]
    pub files: usize,
    /// Page requests measured (after 10 unmeasured).
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
    /// Size of the folder downloaded as ZIP, in MiB (0: skip the ZIP).
    #[arg(long, default_value_t = 1024)]
    pub zip_mib: u64,
    /// Files in that folder.
    #[arg(long, default_value_t = 16)]
    pub zip_files: u64,
    /// The server binary; defaults to `schulhof` next to this one.
    #[arg(long)]
    pub schulhof_bin: Option<std::path::PathBuf>,
}

pub async fn run(database: Option<&str>, a: &FolderArgs) -> anyhow::Result<Outcome> {
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
    a: &FolderArgs,
) -> anyhow::Result<Outcome> {
    let settings = json!({
        "files": a.files, "requests": a.requests, "zip_mib": a.zip_mib, "zip_files": a.zip_files,
    });
    let mut out = Outcome::new("folder", backend, settings);
    let mut session = accounts::session(addr, "lehrer", accounts::ADMIN_PASSWORD).await?;
    let cookie = session.session.clone().context("no session cookie")?;
    let own = own_root(&mut session.sibling()).await?;
    let work = tempfile::tempdir().context("work dir")?;
    let many = make_folder(&mut session, &own, "viele").await?;
    fill(addr, &cookie, &many, a.files, work.path()).await?;
    page_timing(&mut session, &many, a, &mut out).await?;
    if a.zip_mib > 0 {
        zip_speed(addr, pid, (&cookie, &own), work.path(), a, &mut out).await?;
    }
    Ok(out)
}

async fn make_folder(c: &mut Client, parent: &str, name: &str) -> anyhow::Result<String> {
    let r = c
        .post_json(
            &format!("/api/v1/files/{parent}/folders"),
            &json!({ "name": name }),
        )
        .await?;
    ensure!(r.status.as_u16() == 201, "mkdir {name}: HTTP {}", r.status);
    let v: serde_json::Value = serde_json::from_slice(&r.body)?;
    v["id"].as_str().map(str::to_owned).context("no id")
}

/// `count` small files into `folder`, over one curl connection (untimed).
async fn fill(
    addr: SocketAddr,
    cookie: &str,
    folder: &str,
    count: usize,
    dir: &Path,
) -> anyhow::Result<()> {
    let small = dir.join("small.txt");
    std::fs::write(&small, b"Aufgabe 1: ...\n").context("small file")?;
    let mut config = String::new();
    for i in 0..count {
        config.push_str(&format!(
            "upload-file = \"{}\"\nurl = \"http://{addr}/api/v1/files/{folder}/content?name=Arbeitsblatt-{i:04}.txt\"\noutput = \"/dev/null\"\n",
            small.display()
        ));
    }
    let conf = dir.join("curl.conf");
    std::fs::write(&conf, config).context("curl config")?;
    let session = format!("schulhof_session={cookie}");
    let conf_s = conf.to_str().context("path")?.to_owned();
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl")
            .args(["-s", "-S", "-f", "-b", &session, "-K", &conf_s])
            .output()
    })
    .await
    .context("join")?
    .context("curl")?;
    ensure!(
        output.status.success(),
        "uploading {count} files: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "{count} files stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn page_timing(
    c: &mut Client,
    folder: &str,
    a: &FolderArgs,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let path = format!("/dateien/{folder}");
    let mut samples = Samples::default();
    let mut bytes = 0;
    for i in 0..a.requests + 10 {
        let r = c.get(&path).await?;
        ensure!(r.status.as_u16() == 200, "GET {path}: HTTP {}", r.status);
        bytes = r.body.len();
        if i >= 10 {
            samples.push(r.latency);
        }
    }
    let html = String::from_utf8_lossy(&c.get(&path).await?.body).into_owned();
    // A long folder comes in pages (the web's `PAGE` rows each) with the way on.
    let shown = a.files.min(500);
    ensure!(
        html.matches("<tr data-id=").count() == shown
            && (a.files <= 500 || html.contains(r#"rel="next""#)),
        "the page lists the first {shown} files and leads on to the rest"
    );
    let sorted = format!("{path}?sort=groesse&richtung=ab");
    let mut by_size = Samples::default();
    for _ in 0..a.requests / 4 {
        let r = c.get(&sorted).await?;
        ensure!(r.status.as_u16() == 200, "GET {sorted}: HTTP {}", r.status);
        by_size.push(r.latency);
    }
    let l = samples.summary();
    out.latency(&format!("folder page, {} files", a.files), &l);
    out.latency("the same, sorted by size", &by_size.summary());
    out.figure("page size", round(bytes as f64 / 1e6, 2), "MB");
    out.check("folder page p99 < 30 ms", l.p99_ms < 30.0);
    Ok(())
}

async fn zip_speed(
    addr: SocketAddr,
    pid: &str,
    (cookie, own): (&str, &str),
    dir: &Path,
    a: &FolderArgs,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let session = format!("schulhof_session={cookie}");
    let mut c = Client::new(addr);
    c.session = Some(cookie.to_owned());
    let folder = make_folder(&mut c, own, "gross").await?;
    let piece_mib = (a.zip_mib / a.zip_files.max(1)).max(1);
    let piece = dir.join("piece.bin");
    let whole = dir.join("whole.bin");
    write_big(&piece, piece_mib).context("piece")?;
    write_big(&whole, piece_mib * a.zip_files).context("whole file")?;
    let whole_s = whole.to_str().context("path")?.to_owned();
    for i in 0..a.zip_files {
        // Each piece its own content, so the archive reads as many blobs as it has files.
        let one = dir.join(format!("p{i}.bin"));
        std::fs::copy(&piece, &one).context("copy")?;
        let mut f = std::fs::OpenOptions::new().write(true).open(&one)?;
        std::io::Write::write_all(&mut f, format!("{i:08}").as_bytes())?;
        let url = format!("http://{addr}/api/v1/files/{folder}/content?name=teil-{i:02}.bin");
        let one_s = one.to_str().context("path")?.to_owned();
        timed(curl(&["-b", &session, "-T", &one_s, &url]), pid).await?;
        std::fs::remove_file(&one).context("remove")?;
    }
    let url = format!("http://{addr}/api/v1/files/{own}/content?name=ganz.bin");
    timed(curl(&["-b", &session, "-T", &whole_s, &url]), pid).await?;
    let file = find_file(addr, cookie, own, "ganz.bin").await?;
    let mb = (piece_mib * a.zip_files) as f64 * 1.048_576;
    let down = dir.join("down.bin");
    let down_s = down.to_str().context("path")?.to_owned();
    let rss_before = memory(pid)?.rss;
    let single = format!("http://{addr}/dateien/{file}/herunterladen");
    let zip = format!("http://{addr}/dateien/{folder}/zip");
    let mut best = (f64::INFINITY, f64::INFINITY);
    let mut growth: f64 = 0.0;
    // Twice each, alternating, the best of each counted: both read from the page cache.
    for _ in 0..2 {
        let (s1, p1) = timed(curl(&["-b", &session, "-o", &down_s, &single]), pid).await?;
        std::fs::remove_file(&down).context("download")?;
        let (s2, p2) = timed(curl(&["-b", &session, "-o", &down_s, &zip]), pid).await?;
        let size = std::fs::metadata(&down).context("zip")?.len();
        ensure!(
            size >= (piece_mib * a.zip_files) << 20,
            "the ZIP is complete"
        );
        std::fs::remove_file(&down).context("zip")?;
        best = (best.0.min(s1), best.1.min(s2));
        growth = growth.max(p1 - rss_before).max(p2 - rss_before);
    }
    out.figure("single-file download", round(mb / best.0, 0), "MB/s");
    out.figure(
        &format!("ZIP of a folder ({} files)", a.zip_files),
        round(mb / best.1, 0),
        "MB/s",
    );
    let ratio = best.0 / best.1;
    out.figure("ZIP speed / single-file speed", round(ratio, 2), "");
    out.figure(
        "server RSS growth during the downloads (max)",
        round(growth, 1),
        "MB",
    );
    out.check("ZIP at least half the single-file speed", ratio >= 0.5);
    out.check("server memory growth < 50 MB", growth < 50.0);
    Ok(())
}
