//! `me`: many logged-in sessions asking `GET /api/v1/me` as fast as they are answered.
//! Every request resolves the session cookie against the database, so this is the cost of
//! "being logged in" that every page and API call pays.

use std::time::Duration;

use anyhow::ensure;
use serde_json::json;

use super::{Probe, Window, rate, run_workers};
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
    /// Seconds measured.
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
}

pub async fn run(server: &Server, a: &MeArgs) -> anyhow::Result<Outcome> {
    ensure!(
        a.accounts > 0 && a.concurrency > 0,
        "need accounts and sessions"
    );
    accounts::create(server.addr, a.accounts, 2).await?;
    let sessions = accounts::sessions(server.addr, a.accounts, 2).await?;
    check_answer(&mut sessions[0].sibling()).await?;
    let clients: Vec<Client> = (0..a.concurrency)
        .map(|i| sessions[i % sessions.len()].sibling())
        .collect();
    let probe = Probe {
        path: "/api/v1/me",
        body: None,
        expect: 200,
    };
    let window = Window::starting_now(
        Duration::from_secs_f64(a.warmup),
        Duration::from_secs_f64(a.duration),
    );
    let seen = run_workers(clients, window, &probe).await;
    let settings = json!({ "accounts": a.accounts, "concurrency": a.concurrency,
        "warmup_s": a.warmup, "duration_s": a.duration });
    let mut out = Outcome::new("me", server.backend, settings);
    let ok = seen.ok.len();
    let per_sec = rate(ok, &window);
    out.figure("requests ok", ok, "");
    out.figure("throughput", per_sec, "req/s");
    let lat = seen.ok.summary();
    out.latency("latency", &lat);
    out.figure("errors", seen.errors.describe(), "");
    out.figure("busy (503)", seen.busy, "");
    out.check("p99 < 10 ms", lat.p99_ms < 10.0);
    out.check(">= 5,000 req/s", per_sec >= 5000.0);
    out.check("zero errors", seen.errors.total() == 0 && ok > 0);
    (out.succeeded, out.failed) = (ok as u64, seen.errors.total());
    Ok(out)
}

/// The probed answer is what it should be: the account's own data, not an error page.
async fn check_answer(c: &mut Client) -> anyhow::Result<()> {
    let r = c.get("/api/v1/me").await?;
    ensure!(
        r.status.as_u16() == 200,
        "GET /api/v1/me: HTTP {}",
        r.status
    );
    let me: serde_json::Value = serde_json::from_slice(&r.body)?;
    ensure!(
        me["login"].as_str().is_some_and(|l| l.starts_with("bench")),
        "GET /api/v1/me answered {me}"
    );
    Ok(())
}
