//! `storm`: 08:00, a whole school logs in. Every account arrives once (evenly spread over
//! `--spread` seconds, or all at once), logs in, accepts the terms, loads the home page and
//! asks `/api/v1/me`. A 503 answer is honoured by waiting `Retry-After` and trying again;
//! anything else unexpected (another status, a redirect loop, a dropped connection) is an
//! error.

use std::time::{Duration, Instant};

use anyhow::ensure;
use serde_json::json;

use super::visit::{Visit, visit};
use crate::accounts;
use crate::cpu::CpuMeter;
use crate::report::{Outcome, round};
use crate::server::Server;
use crate::stats::{Samples, Tally};

#[derive(Clone, Debug, clap::Args)]
pub struct StormArgs {
    /// Accounts of the school; each logs in once.
    #[arg(long, default_value_t = 1100)]
    pub accounts: usize,
    /// Seconds over which the arrivals are evenly spread.
    #[arg(long, default_value_t = 60.0)]
    pub spread: f64,
    /// Everyone arrives in the same instant (the harsher variant; ignores --spread).
    #[arg(long)]
    pub all_at_once: bool,
    /// Seconds from the first arrival by which everyone must be through.
    #[arg(long, default_value_t = 90.0)]
    pub deadline: f64,
    /// Account creation requests at a time (each hashes a password).
    #[arg(long, default_value_t = 2)]
    pub create_parallel: usize,
}

/// Everything the visits saw, merged.
#[derive(Default)]
struct Totals {
    completed: usize,
    login_attempt: Samples,
    login_until_in: Samples,
    page: Samples,
    me: Samples,
    busy: u64,
    errors: Tally,
    reconnects: u64,
    page_bytes: usize,
    last_done: Duration,
}

impl Totals {
    fn add(&mut self, v: Visit) {
        self.completed += usize::from(v.done.is_some());
        self.last_done = self.last_done.max(v.done.unwrap_or_default());
        self.login_attempt.extend(v.login_attempt);
        self.login_until_in.extend(v.login_until_in);
        self.page.extend(v.page);
        self.me.extend(v.me);
        self.busy += v.busy;
        self.errors.merge(v.errors);
        self.reconnects += v.connects.saturating_sub(1);
        self.page_bytes = self.page_bytes.max(v.page_bytes);
    }
}

pub async fn run(server: &Server, a: &StormArgs) -> anyhow::Result<Outcome> {
    ensure!(a.accounts > 0, "need accounts");
    let setup = Instant::now();
    accounts::create(server.addr, a.accounts, a.create_parallel).await?;
    let setup_s = setup.elapsed().as_secs_f64();
    let spread = if a.all_at_once { 0.0 } else { a.spread };
    let start = Instant::now() + Duration::from_millis(200);
    let deadline = start + Duration::from_secs_f64(a.deadline);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..a.accounts {
        let offset = spread * i as f64 / a.accounts as f64;
        let arrival = start + Duration::from_secs_f64(offset);
        set.spawn(visit(server.addr, i, start, arrival, deadline));
    }
    let meter = CpuMeter::start();
    let mut t = Totals::default();
    while let Some(done) = set.join_next().await {
        t.add(done?);
    }
    let cpu = meter.stop();
    let settings = json!({ "accounts": a.accounts, "spread_s": spread,
        "deadline_s": a.deadline, "all_at_once": a.all_at_once });
    let mut out = Outcome::new("storm", server.backend, settings);
    out.figure("setup: accounts created in", round(setup_s, 1), "s");
    report(&mut out, t, a);
    out.cpu("", cpu);
    Ok(out)
}

fn report(out: &mut Outcome, t: Totals, a: &StormArgs) {
    let all_through = t.completed == a.accounts;
    out.figure(
        "completed",
        format!("{}/{}", t.completed, a.accounts),
        "visits",
    );
    out.figure(
        "last visit done after",
        round(t.last_done.as_secs_f64(), 1),
        "s",
    );
    out.latency("login attempt", &t.login_attempt.summary());
    out.latency("login incl. waiting", &t.login_until_in.summary());
    out.latency("home page", &t.page.summary());
    out.latency("me", &t.me.summary());
    out.figure("home page size", t.page_bytes, "bytes");
    out.figure("busy answers (503, retried)", t.busy, "");
    out.figure("reconnects", t.reconnects, "");
    out.figure("errors", t.errors.describe(), "");
    out.check(
        format!("everyone through within {} s", a.deadline),
        all_through && t.last_done.as_secs_f64() <= a.deadline,
    );
    out.check("zero errors", t.errors.total() == 0 && all_through);
    out.succeeded = t.completed as u64;
    out.failed = t.errors.total() + (a.accounts - t.completed) as u64;
    if t.page_bytes < 1024 {
        out.note("the home page answered under 1 KiB: probably still a stub");
    }
}
