//! `me`: many logged-in sessions asking `GET /api/v1/me` as fast as they are answered.
//! Every request resolves the session cookie against the database, so this is the cost of
//! "being logged in" that every page and API call pays.

use std::time::Duration;

use anyhow::ensure;
use serde_json::json;

use super::{Probe, Seen, Window, run_workers};
use crate::cpu::CpuUse;
use crate::report::Outcome;
use crate::server::Server;
use crate::{accounts, client::Client};

#[derive(Clone, Debug, clap::Args)]
pub struct MeArgs {
    /// Accounts logged in (sessions are spread over them).
    #[arg(long, default_value_t = 50)]
    pub accounts: usize,
    /// Concurrent sessions, each on its own keep-alive connection.
    #[arg(long, default_value_t = 50)]
    pub concurrency: usize,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 3.0)]
    pub warmup: f64,
    /// Seconds measured (per phase).
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// After the closed-loop phase, a second phase offering this many requests/s in total
    /// (open loop), to read the latency at that load; 0 skips it.
    #[arg(long, default_value_t = 5000.0)]
    pub rate: f64,
    /// The page or endpoint requested (`/` measures the server-rendered home page).
    #[arg(long, default_value = "/api/v1/me")]
    pub path: String,
}

pub async fn run(server: &Server, a: &MeArgs) -> anyhow::Result<Outcome> {
    ensure!(
        a.accounts > 0 && a.concurrency > 0,
        "need accounts and sessions"
    );
    accounts::create(server.addr, a.accounts, 2).await?;
    if a.path.starts_with("/schule/") {
        // The public start page and feeds need the demo school's pages and news (untimed).
        let p = server.platform.clone();
        server
            .prepare(async move { p.system_seed_demo_files().await })
            .await?
            .map_err(|e| anyhow::anyhow!("cannot seed the demo content: {e}"))?;
    }
    let sessions = accounts::sessions(server.addr, a.accounts, 2).await?;
    check_answer(&mut sessions[0].sibling(), &a.path).await?;
    let settings = json!({ "accounts": a.accounts, "concurrency": a.concurrency,
        "warmup_s": a.warmup, "duration_s": a.duration, "rate": a.rate, "path": a.path });
    let mut out = Outcome::new("me", server.backend, settings);
    let flat_out = phase(&sessions, a, None).await;
    let max_rate = flat_out.0.rate(&flat_out.1);
    record(&mut out, "closed loop", &flat_out, max_rate);
    out.check(">= 5,000 req/s (closed loop)", max_rate >= 5000.0);
    if a.rate > 0.0 {
        let paced = phase(&sessions, a, Some(a.rate)).await;
        let achieved = paced.0.rate(&paced.1);
        let p99 = record(
            &mut out,
            &format!("paced {} req/s", a.rate),
            &paced,
            achieved,
        );
        out.check(format!("p99 < 10 ms at {} req/s", a.rate), p99 < 10.0);
        out.check(
            format!("sustains {} req/s", a.rate),
            achieved >= 0.99 * a.rate,
        );
    }
    out.check("zero errors", out.failed == 0 && out.succeeded > 0);
    Ok(out)
}

/// What a phase saw, its window, and the CPU use while measuring.
type Phase = (Seen, Window, Option<CpuUse>);

/// One load phase over sibling connections of the logged-in sessions.
async fn phase(sessions: &[Client], a: &MeArgs, paced: Option<f64>) -> Phase {
    let clients: Vec<Client> = (0..a.concurrency)
        .map(|i| sessions[i % sessions.len()].sibling())
        .collect();
    let probe = Probe {
        path: a.path.clone(),
        body: None,
        expect: 200,
    };
    let window = Window::starting_now(
        Duration::from_secs_f64(a.warmup),
        Duration::from_secs_f64(a.duration),
    );
    let cpu = tokio::spawn(window.cpu_use());
    let seen = run_workers(clients, window, &probe, paced).await;
    (seen, window, cpu.await.ok().flatten())
}

/// Adds a phase's figures under `label`; returns its p99.
fn record(out: &mut Outcome, label: &str, (seen, _, cpu): &Phase, per_sec: f64) -> f64 {
    let ok = seen.ok.len();
    out.figure(&format!("{label}: requests ok"), ok, "");
    out.figure(&format!("{label}: throughput"), per_sec, "req/s");
    let lat = seen.ok.clone().summary();
    out.latency(&format!("{label}: latency"), &lat);
    out.figure(&format!("{label}: errors"), seen.errors.describe(), "");
    out.cpu(&format!("{label}: "), *cpu);
    out.succeeded += ok as u64;
    out.failed += seen.errors.total() + seen.busy;
    lat.p99_ms
}

/// The probed answer is what it should be: for `/api/v1/me` and `/`, the account's own data
/// (its name), not an error or the login form. Other paths (`/healthz` gives the floor of
/// HTTP alone) only need to answer 200.
async fn check_answer(c: &mut Client, path: &str) -> anyhow::Result<()> {
    let r = c.get(path).await?;
    ensure!(r.status.as_u16() == 200, "GET {path}: HTTP {}", r.status);
    let body = String::from_utf8_lossy(&r.body);
    ensure!(
        !matches!(path, "/api/v1/me" | "/") || body.contains("Nutzer"),
        "GET {path} does not show the account: {body}"
    );
    Ok(())
}
