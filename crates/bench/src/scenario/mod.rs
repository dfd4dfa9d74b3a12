//! The scenarios, and the closed-loop runner that the steady-state ones share.

pub mod calendar;
pub mod chat;
pub mod course;
pub mod files;
pub mod folder;
pub mod idle;
pub mod import;
pub mod login;
pub mod mail;
mod mail_burst;
mod mail_imap;
pub mod me;
pub mod notes;
pub mod sso;
mod sso_flow;
pub mod storm;
mod visit;

use std::time::{Duration, Instant};

use crate::client::{Client, Failure, Reply};
use crate::cpu::{CpuMeter, CpuUse};
use crate::stats::{Samples, Tally};

/// Warm-up, then the measured window.
#[derive(Clone, Copy)]
pub struct Window {
    pub measure_from: Instant,
    pub until: Instant,
}

impl Window {
    pub fn starting_now(warmup: Duration, duration: Duration) -> Self {
        let measure_from = Instant::now() + warmup;
        Self {
            measure_from,
            until: measure_from + duration,
        }
    }

    /// The CPU use over the measured part of the window (waits for its end).
    pub async fn cpu_use(self) -> Option<CpuUse> {
        tokio::time::sleep_until(self.measure_from.into()).await;
        let meter = CpuMeter::start();
        tokio::time::sleep_until(self.until.into()).await;
        meter.stop()
    }
}

/// What one worker saw inside the measured window.
#[derive(Default)]
pub struct Seen {
    pub ok: Samples,
    pub errors: Tally,
    /// 503 answers (honoured by waiting Retry-After); not errors.
    pub busy: u64,
    /// When the last counted answer arrived (after the window when the server lagged).
    pub last_done: Option<Instant>,
}

impl Seen {
    pub fn merge(&mut self, other: Seen) {
        self.ok.extend(other.ok);
        self.errors.merge(other.errors);
        self.busy += other.busy;
        self.last_done = self.last_done.max(other.last_done);
    }

    /// Answers per second: over the window, or until the last answer if the server lagged
    /// behind (a paced phase then shows the rate actually served, not the rate offered).
    pub fn rate(&self, window: &Window) -> f64 {
        let end = self.last_done.map_or(window.until, |t| t.max(window.until));
        let secs = (end - window.measure_from).as_secs_f64();
        crate::report::round(self.ok.len() as f64 / secs.max(1e-9), 1)
    }
}

/// One request a closed-loop worker repeats, and the status that counts as success.
#[derive(Clone)]
pub struct Probe {
    pub path: String,
    /// POSTed as JSON when present, else a GET.
    pub body: Option<serde_json::Value>,
    pub expect: u16,
}

impl Probe {
    async fn send(&self, client: &mut Client) -> Result<Reply, Failure> {
        match &self.body {
            Some(b) => client.post_json(&self.path, b).await,
            None => client.get(&self.path).await,
        }
    }
}

/// Open-loop pacing of one worker: it sends at `first`, `first + every`, … whether or not
/// the server keeps up, and latency counts from the scheduled moment, so a stalled server
/// shows up in the percentiles instead of silently lowering the load.
#[derive(Clone, Copy)]
pub struct Pace {
    pub first: Instant,
    pub every: Duration,
}

/// Repeats `probe` on `client` until the window closes, back to back or paced; answers to
/// requests sent during warm-up are not counted.
pub async fn worker(mut client: Client, window: Window, probe: Probe, pace: Option<Pace>) -> Seen {
    let mut seen = Seen::default();
    let mut next = pace.map(|p| p.first);
    loop {
        if let Some(at) = next {
            tokio::time::sleep_until(at.into()).await;
        }
        let sent = next.unwrap_or_else(Instant::now);
        if sent >= window.until {
            return seen;
        }
        next = pace.map(|p| sent + p.every);
        let measured = sent >= window.measure_from;
        let reply = match probe.send(&mut client).await {
            Ok(r) => r,
            Err(f) => {
                seen.errors.add_if(measured, f.label());
                // Do not spin on a server that is gone.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let status = reply.status.as_u16();
        if status == 503 {
            seen.busy += u64::from(measured);
            tokio::time::sleep(Duration::from_secs(reply.retry_after.unwrap_or(1))).await;
        } else if measured && status == probe.expect {
            seen.ok.push(sent.elapsed());
            seen.last_done = Some(Instant::now());
        } else {
            seen.errors.add_if(measured, reply.status.as_str());
        }
    }
}

/// Runs one worker per client and merges what they saw. With `rate` (requests/s over all
/// workers) they are paced and staggered; without, each runs back to back (closed loop).
pub async fn run_workers(
    clients: Vec<Client>,
    window: Window,
    probe: &Probe,
    rate: Option<f64>,
) -> Seen {
    let n = clients.len().max(1) as f64;
    let mut set = tokio::task::JoinSet::new();
    for (i, c) in clients.into_iter().enumerate() {
        let pace = rate.filter(|r| *r > 0.0).map(|r| {
            let every = Duration::from_secs_f64(n / r);
            Pace {
                first: Instant::now() + every.mul_f64(i as f64 / n),
                every,
            }
        });
        set.spawn(worker(c, window, probe.clone(), pace));
    }
    let mut all = Seen::default();
    while let Some(done) = set.join_next().await {
        match done {
            Ok(seen) => all.merge(seen),
            Err(_) => all.errors.add("worker-panic"),
        }
    }
    all
}
