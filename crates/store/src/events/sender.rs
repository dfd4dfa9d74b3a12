//! Sends this node's NOTIFY signals after their commits: one task per node, whatever queued
//! while the previous batch was in flight in one statement, on a connection of its own.
//!
//! Why not NOTIFY inside the changing transaction: PostgreSQL serialises the commits of all
//! transactions that queued notifications (a database-wide lock from pre-commit until the
//! commit is on disk), so every write with a signal waited for every other one. Here the
//! writers' transactions queue nothing; only the senders (one per node) take that lock, for
//! a batch at a time, and their connection commits asynchronously (`synchronous_commit =
//! off`: a notification is not data, nothing is lost that a crash would need).
//!
//! A signal is a hint ("this changed"); the database stays the source of truth. A signal
//! still queued when the process dies, or when the database was unreachable for long enough
//! to fill the queue, is lost: the other nodes see the change at their next read or signal.
//! It costs latency, never data. PostgreSQL also drops a repeated identical (channel,
//! payload) within one statement; every change of a batch is committed before the batch
//! is sent, so the one delivered covers the others.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};
use tokio::sync::{mpsc, watch};

/// Signals sent in one statement at most.
const BATCH: usize = 1000;
/// Signals waiting to be sent; beyond this (database unreachable for a while) they are
/// dropped.
const QUEUE: usize = 1 << 16;
/// PostgreSQL refuses payloads of 8,000 bytes or more; such a signal would fail its batch.
const MAX_PAYLOAD: usize = 7999;

type Signal = (String, String);

pub(super) struct Sender {
    pool: PgPool,
    /// The queue of the running task; replaced when that task is gone (its runtime ended).
    queue: Mutex<Option<mpsc::Sender<Signal>>>,
    /// Signals handed over so far.
    queued: AtomicU64,
    /// Signals sent or given up so far, for [`Sender::flushed`].
    done: watch::Sender<u64>,
}

impl Sender {
    pub(super) fn new(pool: PgPool) -> Sender {
        Sender {
            pool,
            queue: Mutex::new(None),
            queued: AtomicU64::new(0),
            done: watch::Sender::new(0),
        }
    }

    /// Queues a signal; never waits. The task starts on the current runtime with the first.
    pub(super) fn send(&self, channel: &str, payload: &str) {
        self.queued.fetch_add(1, Ordering::SeqCst);
        if payload.len() > MAX_PAYLOAD {
            tracing::warn!(channel, len = payload.len(), "signal too long for NOTIFY");
            return self.given_up(1);
        }
        let mut signal = (channel.to_owned(), payload.to_owned());
        let Ok(mut queue) = self.queue.lock() else {
            return self.given_up(1);
        };
        // At most twice: the task may have ended with the runtime that ran it.
        for _ in 0..2 {
            let q = match &*queue {
                Some(q) => q,
                None => {
                    let Ok(rt) = tokio::runtime::Handle::try_current() else {
                        tracing::debug!(channel, "signal lost: no runtime to send it");
                        return self.given_up(1);
                    };
                    let (tx, rx) = mpsc::channel(QUEUE);
                    rt.spawn(run(self.pool.clone(), rx, self.done.clone()));
                    queue.insert(tx)
                }
            };
            match q.try_send(signal) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::debug!(channel, "signal dropped: NOTIFY queue full");
                    return self.given_up(1);
                }
                Err(mpsc::error::TrySendError::Closed(s)) => {
                    signal = s;
                    *queue = None;
                }
            }
        }
        self.given_up(1);
    }

    fn given_up(&self, n: u64) {
        self.done.send_modify(|d| *d += n);
    }

    /// Returns once every signal handed over before this call has been sent (or given up).
    pub(super) async fn flushed(&self) {
        let target = self.queued.load(Ordering::SeqCst);
        let mut done = self.done.subscribe();
        let _ = done.wait_for(|d| *d >= target).await;
    }
}

/// What the task has taken but not sent; counted as given up when the task ends early
/// (its runtime shuts down, the pool closes), so [`Sender::flushed`] never hangs.
struct Taken {
    batch: Vec<Signal>,
    rx: mpsc::Receiver<Signal>,
    done: watch::Sender<u64>,
}

impl Drop for Taken {
    fn drop(&mut self) {
        self.rx.close();
        let mut n = self.batch.len() as u64;
        while self.rx.try_recv().is_ok() {
            n += 1;
        }
        if n > 0 {
            self.done.send_modify(|d| *d += n);
        }
    }
}

/// The task: until the bus is dropped or the pool closes.
async fn run(pool: PgPool, rx: mpsc::Receiver<Signal>, done: watch::Sender<u64>) {
    let mut t = Taken {
        batch: Vec::with_capacity(BATCH),
        rx,
        done,
    };
    let mut conn: Option<PgConnection> = None;
    let mut wait = Duration::from_millis(50);
    // Failures of the current batch the server answered with an error.
    let mut refused = 0;
    loop {
        if t.batch.is_empty() {
            tokio::select! {
                first = t.rx.recv() => match first {
                    Some(s) => t.batch.push(s),
                    None => break,
                },
                () = pool.close_event() => break,
            }
            while t.batch.len() < BATCH {
                let Ok(s) = t.rx.try_recv() else { break };
                t.batch.push(s);
            }
        }
        if pool.is_closed() {
            break;
        }
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match connect(&pool).await {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    // The database unreachable: wait, the writers cannot commit either.
                    tracing::warn!(error = %e, "signal connection failed, retrying");
                    if !pause(&pool, &mut wait).await {
                        break;
                    }
                    continue;
                }
            },
        };
        match send(c, &t.batch).await {
            Ok(()) => {
                let n = t.batch.len() as u64;
                t.batch.clear();
                t.done.send_modify(|d| *d += n);
                wait = Duration::from_millis(50);
                refused = 0;
            }
            Err(e) => {
                // A fresh connection for the retry: this one may be broken.
                if let Some(c) = conn.take() {
                    let _ = c.close_hard().await;
                }
                if matches!(e, sqlx::Error::Database(_)) {
                    refused += 1;
                }
                // Refused on two connections: the batch itself is at fault (a terminated
                // connection is refused once).
                if refused >= 2 {
                    tracing::warn!(error = %e, n = t.batch.len(), "signals dropped");
                    let n = t.batch.len() as u64;
                    t.batch.clear();
                    t.done.send_modify(|d| *d += n);
                    refused = 0;
                    continue;
                }
                tracing::warn!(error = %e, "sending signals failed, retrying");
                if !pause(&pool, &mut wait).await {
                    break;
                }
            }
        }
    }
    if let Some(c) = conn {
        let _ = c.close().await;
    }
}

/// Waits before a retry, longer each time; false when the pool closed meanwhile.
async fn pause(pool: &PgPool, wait: &mut Duration) -> bool {
    if pool.is_closed() {
        return false;
    }
    tokio::select! {
        () = tokio::time::sleep(*wait) => {}
        () = pool.close_event() => return false,
    }
    *wait = (*wait * 2).min(Duration::from_secs(5));
    true
}

/// The sender's own connection, outside the pool (so closing the pool never waits for it).
/// Its statements are not logged: they are the bus's, not a request's (statement counts in
/// tests stay deterministic).
async fn connect(pool: &PgPool) -> Result<PgConnection, sqlx::Error> {
    let opts = (*pool.connect_options())
        .clone()
        .options([("synchronous_commit", "off")])
        .application_name("schulhof-signals")
        .disable_statement_logging();
    opts.connect().await
}

/// One statement for the batch; PostgreSQL delivers the notifications in this order.
async fn send(c: &mut PgConnection, batch: &[Signal]) -> Result<(), sqlx::Error> {
    let (channels, payloads): (Vec<&str>, Vec<&str>) =
        batch.iter().map(|(c, p)| (c.as_str(), p.as_str())).unzip();
    sqlx::query("SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS t(c, p)")
        .bind(channels)
        .bind(payloads)
        .execute(c)
        .await?;
    Ok(())
}
