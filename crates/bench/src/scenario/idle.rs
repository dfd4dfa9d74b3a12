//! `idle`: the memory of a started server with the demo school, before and after a little
//! use. By default the real `schulhof` binary runs as a child process and its
//! `/proc/<pid>/status` is read, so the figure is the server's alone.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use serde_json::json;

use crate::accounts;
use crate::client::Client;
use crate::report::{Outcome, round};
use crate::server::Server;

#[derive(Clone, Debug, clap::Args)]
pub struct IdleArgs {
    /// Seconds to wait after start before reading the memory.
    #[arg(long, default_value_t = 5.0)]
    pub settle: f64,
    /// Logins (each hashes once) before the second reading.
    #[arg(long, default_value_t = 10)]
    pub logins: usize,
    /// The server binary; defaults to `schulhof` next to this one.
    #[arg(long)]
    pub schulhof_bin: Option<PathBuf>,
    /// Run the server in this process and read /proc/self (includes the bench client).
    #[arg(long)]
    pub in_process: bool,
}

/// The memory figures of `/proc/<pid>/status`, in MiB.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Memory {
    pub(crate) rss: f64,
    pub(crate) peak: f64,
    pub(crate) threads: u64,
}

/// With `server`, measures this process; without, spawns the real binary on `database`.
pub async fn run(
    server: Option<&Server>,
    database: Option<&str>,
    a: &IdleArgs,
) -> anyhow::Result<Outcome> {
    let settle = Duration::from_secs_f64(a.settle);
    let (mode, backend, readings) = if let Some(server) = server {
        let r = measure(server.addr, "self", settle, a.logins).await?;
        ("in-process (includes the bench client)", server.backend, r)
    } else {
        let mut child = Spawned::start(a.schulhof_bin.clone(), database).await?;
        let pid = child.process.id().to_string();
        let r = measure(child.addr, &pid, settle, a.logins).await;
        child.stop();
        ("child process (the real binary)", child.backend, r?)
    };
    let (before, after) = readings;
    let settings = json!({ "settle_s": a.settle, "logins": a.logins, "mode": mode });
    let mut out = Outcome::new("idle", backend, settings);
    out.figure("RSS idle (demo school seeded)", round(before.rss, 1), "MiB");
    out.figure("threads idle", before.threads, "");
    out.figure(
        &format!("RSS after {} logins, settled", a.logins),
        round(after.rss, 1),
        "MiB",
    );
    out.figure("peak RSS (VmHWM)", round(after.peak, 1), "MiB");
    out.figure("threads after logins", after.threads, "");
    out.check("idle RSS < 50 MB", before.rss * 1.048_576 < 50.0);
    // Every login was checked on the way (an unexpected answer ends the scenario).
    out.succeeded = a.logins as u64;
    Ok(out)
}

/// Reads the memory after `settle`, then again after some logins and settling.
async fn measure(
    addr: SocketAddr,
    pid: &str,
    settle: Duration,
    logins: usize,
) -> anyhow::Result<(Memory, Memory)> {
    tokio::time::sleep(settle).await;
    let before = memory(pid)?;
    for _ in 0..logins {
        let mut c = accounts::session(addr, "lehrer", accounts::ADMIN_PASSWORD).await?;
        let r = c.get("/api/v1/me").await?;
        ensure!(
            r.status.as_u16() == 200,
            "GET /api/v1/me: HTTP {}",
            r.status
        );
    }
    tokio::time::sleep(settle).await;
    Ok((before, memory(pid)?))
}

pub(crate) fn memory(pid: &str) -> anyhow::Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .with_context(|| format!("{path} has no {name}"))
    };
    Ok(Memory {
        rss: field("VmRSS:")? as f64 / 1024.0,
        peak: field("VmHWM:")? as f64 / 1024.0,
        threads: field("Threads:")?,
    })
}

/// The real server binary, running as a child on a free loopback port.
pub(crate) struct Spawned {
    pub(crate) process: Child,
    pub(crate) addr: SocketAddr,
    pub(crate) backend: &'static str,
    pub(crate) _data: tempfile::TempDir,
}

impl Spawned {
    pub(crate) async fn start(
        bin: Option<PathBuf>,
        database: Option<&str>,
    ) -> anyhow::Result<Self> {
        let bin = match bin {
            Some(b) => b,
            None => std::env::current_exe()?.with_file_name("schulhof"),
        };
        ensure!(
            bin.exists(),
            "{} not found: build it (cargo build --release -p schulhof) or pass --schulhof-bin",
            bin.display()
        );
        let data = tempfile::tempdir()?;
        // Ask the OS for a free port, then hand it over; the gap is harmless on loopback.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let mut cmd = Command::new(&bin);
        cmd.arg("serve")
            .args(["--listen", &addr.to_string(), "--demo", "--data"])
            .arg(data.path())
            .env("SCHULHOF_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        let backend = match database {
            Some(url) => {
                crate::pg::recreate(url).await?;
                cmd.args(["--database", url]);
                "postgres"
            }
            None => "sqlite",
        };
        let process = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let mut s = Spawned {
            process,
            addr,
            backend,
            _data: data,
        };
        if let Err(e) = s.wait_ready().await {
            s.stop();
            return Err(e);
        }
        Ok(s)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < until {
            if let Some(code) = self.process.try_wait()? {
                bail!("the server exited during start: {code}");
            }
            let mut c = Client::new(self.addr);
            if c.get("/healthz").await.is_ok_and(|r| r.status.is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not answer /healthz within 60 s")
    }

    /// Ends the child this scenario started (by its handle, never by name).
    pub(crate) fn stop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
