//! The scenarios, and the closed-loop runner that the steady-state ones share.

pub mod idle;
pub mod login;
pub mod me;
pub mod storm;
mod visit;

use std::time::{Duration, Instant};

use crate::client::{Client, Failure, Reply};
use crate::stats::{Samples, Tally};

/// Warm-up, then the measured window. Workers run back to back (closed loop): each sends
/// its next request as soon as the previous answer is complete.
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

    pub fn seconds(&self) -> f64 {
        (self.until - self.measure_from).as_secs_f64()
    }
}

/// What one worker saw inside the measured window.
#[derive(Default)]
pub struct Seen {
    pub ok: Samples,
    pub errors: Tally,
    /// 503 answers (honoured by waiting Retry-After); not errors.
    pub busy: u64,
}

impl Seen {
    pub fn merge(&mut self, other: Seen) {
        self.ok.extend(other.ok);
        self.errors.merge(other.errors);
        self.busy += other.busy;
    }
}

/// One request a closed-loop worker repeats, and the status that counts as success.
#[derive(Clone)]
pub struct Probe {
    pub path: &'static str,
    /// POSTed as JSON when present, else a GET.
    pub body: Option<serde_json::Value>,
    pub expect: u16,
}

impl Probe {
    async fn send(&self, client: &mut Client) -> Result<Reply, Failure> {
        match &self.body {
            Some(b) => client.post_json(self.path, b).await,
            None => client.get(self.path).await,
        }
    }
}

/// Repeats `probe` on `client` until the window closes; answers to requests sent during
/// warm-up are not counted.
pub async fn closed_loop(mut client: Client, window: Window, probe: Probe) -> Seen {
    let mut seen = Seen::default();
    loop {
        let sent = Instant::now();
        if sent >= window.until {
            return seen;
        }
        let measured = sent >= window.measure_from;
        let reply = match probe.send(&mut client).await {
            Ok(r) => r,
            Err(f) => {
                if measured {
                    seen.errors.add(f.label());
                }
                continue;
            }
        };
        let status = reply.status.as_u16();
        if status == 503 {
            seen.busy += u64::from(measured);
            tokio::time::sleep(Duration::from_secs(reply.retry_after.unwrap_or(1))).await;
        } else if measured && status == probe.expect {
            seen.ok.push(reply.latency);
        } else if measured {
            seen.errors.add(reply.status.as_str());
        }
    }
}

/// Runs one closed-loop worker per client and merges what they saw.
pub async fn run_workers(clients: Vec<Client>, window: Window, probe: &Probe) -> Seen {
    let mut set = tokio::task::JoinSet::new();
    for c in clients {
        set.spawn(closed_loop(c, window, probe.clone()));
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

/// Requests per second from a count over the window.
pub fn rate(count: usize, window: &Window) -> f64 {
    crate::report::round(count as f64 / window.seconds(), 1)
}
