//! `login`: concurrent clients logging in back to back with correct passwords. Each login
//! verifies an Argon2id hash with the production parameters, writes a session and an
//! audit row, and resolves the new session once.

use std::time::{Duration, Instant};

use anyhow::ensure;
use schulhof_domain::{HashParams, PasswordHasher};
use serde_json::json;

use super::{Probe, Window, worker};
use crate::accounts;
use crate::client::Client;
use crate::report::{Outcome, round};
use crate::server::Server;
use crate::stats::Samples;

#[derive(Clone, Debug, clap::Args)]
pub struct LoginArgs {
    /// Concurrent clients, each logging in to its own account.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
}

pub async fn run(server: &Server, a: &LoginArgs) -> anyhow::Result<Outcome> {
    ensure!(a.concurrency > 0, "need at least one client");
    let (fresh_ms, reused_ms) = argon2_alone().await?;
    accounts::create(server.addr, a.concurrency, 2).await?;
    let window = Window::starting_now(
        Duration::from_secs_f64(a.warmup),
        Duration::from_secs_f64(a.duration),
    );
    let cpu = tokio::spawn(window.cpu_use());
    let mut set = tokio::task::JoinSet::new();
    for i in 0..a.concurrency {
        let probe = Probe {
            path: "/api/v1/session".into(),
            body: Some(accounts::login_body(
                &accounts::login_name(i),
                accounts::PASSWORD,
            )),
            expect: 200,
        };
        let client = Client::new(server.addr);
        set.spawn(worker(client, window, probe, None));
    }
    let mut seen = super::Seen::default();
    while let Some(done) = set.join_next().await {
        seen.merge(done?);
    }
    let settings = json!({ "concurrency": a.concurrency, "warmup_s": a.warmup,
        "duration_s": a.duration });
    let mut out = Outcome::new("login", server.backend, settings);
    let ok = seen.ok.len();
    out.figure("logins ok", ok, "");
    out.figure("throughput", seen.rate(&window), "logins/s");
    out.latency("latency", &seen.ok.summary());
    out.figure("errors", seen.errors.describe(), "");
    out.figure("busy (503)", seen.busy, "");
    out.cpu("", cpu.await.ok().flatten());
    out.figure("argon2id alone, fresh memory (as now)", fresh_ms, "ms");
    out.figure("argon2id alone, reused memory", reused_ms, "ms");
    out.check("zero errors", seen.errors.total() == 0 && ok > 0);
    (out.succeeded, out.failed) = (ok as u64, seen.errors.total());
    Ok(out)
}

/// The floor under every login's latency: one verification with the production
/// parameters through the platform's hasher (fresh 19 MiB per hash, as in production), and
/// the same Argon2id work into memory that is reused (what a hasher keeping one buffer per
/// slot would pay). Medians of 10, in milliseconds, before any load.
async fn argon2_alone() -> anyhow::Result<(f64, f64)> {
    let hasher = PasswordHasher::new(HashParams::default(), 4);
    let phc = hasher.hash(accounts::PASSWORD).await?;
    let mut fresh = Samples::default();
    for _ in 0..10 {
        let t = Instant::now();
        ensure!(hasher.verify(accounts::PASSWORD, Some(&phc)).await?);
        fresh.push(t.elapsed());
    }
    let reused = tokio::task::spawn_blocking(argon2_reused_memory).await??;
    Ok((round(fresh.summary().p50_ms, 1), round(reused, 1)))
}

fn argon2_reused_memory() -> anyhow::Result<f64> {
    let p = HashParams::default();
    let params = argon2::Params::new(p.memory_kib, p.iterations, p.parallelism, None)
        .map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut memory = vec![argon2::Block::default(); argon.params().block_count()];
    let mut out = [0u8; 32];
    let mut times = Samples::default();
    for _ in 0..10 {
        let t = Instant::now();
        argon
            .hash_password_into_with_memory(
                accounts::PASSWORD.as_bytes(),
                b"a-fixed-salt-16b",
                &mut out,
                &mut memory,
            )
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        times.push(t.elapsed());
    }
    Ok(times.summary().p50_ms)
}
