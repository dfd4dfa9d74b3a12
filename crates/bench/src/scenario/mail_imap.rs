//! `mail`, through the IMAP front-end: SELECT and `UID FETCH 1:* (FLAGS)` of the big folder
//! as a client sees them, over an in-memory socket (no TCP, no TLS) to the real session
//! (`schulhof_imap::run`) on the platform in this process: session, mail service and response
//! writer together, the whole answer read by the client.
//!
//! Measured: SELECT when nothing changed since the last one (the node's copy of the UID list
//! is current), SELECT after one message's flags changed (the copy catches up), SELECT after an
//! expunge (the copy also drops the tombstoned UIDs), and `UID FETCH 1:* (FLAGS)` under CONDSTORE
//! (MODSEQ in every line, as Thunderbird asks).

use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

use super::mail::{MailArgs, Setup};
use crate::accounts;
use crate::report::Outcome;
use crate::stats::Samples;

struct Client {
    r: BufReader<ReadHalf<DuplexStream>>,
    w: WriteHalf<DuplexStream>,
    n: u32,
    line: String,
}

/// What one command brought: its untagged lines and the bytes of the whole answer.
struct Answer {
    untagged: usize,
    bytes: usize,
    first: Vec<String>,
}

impl Client {
    async fn connect(s: &Setup) -> anyhow::Result<Client> {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        let peer = schulhof_imap::Peer {
            addr: "127.0.0.1".into(),
            loopback: true,
            tls: None,
        };
        tokio::spawn(schulhof_imap::run(s.platform.clone(), theirs, peer));
        let (r, w) = tokio::io::split(ours);
        let mut c = Client {
            r: BufReader::with_capacity(1 << 16, r),
            w,
            n: 0,
            line: String::new(),
        };
        c.r.read_line(&mut c.line).await?;
        anyhow::ensure!(c.line.starts_with("* OK"), "greeting: {}", c.line);
        Ok(c)
    }

    /// Sends a command and reads its answer up to the tagged OK.
    async fn cmd(&mut self, text: &str) -> anyhow::Result<Answer> {
        self.n += 1;
        let tag = format!("b{}", self.n);
        self.w
            .write_all(format!("{tag} {text}\r\n").as_bytes())
            .await?;
        let mut a = Answer {
            untagged: 0,
            bytes: 0,
            first: Vec::new(),
        };
        loop {
            self.line.clear();
            let n = self.r.read_line(&mut self.line).await?;
            anyhow::ensure!(n > 0, "connection closed during {text}");
            a.bytes += n;
            if self.line.starts_with(&tag) {
                anyhow::ensure!(
                    self.line[tag.len()..].starts_with(" OK"),
                    "{text}: {}",
                    self.line
                );
                return Ok(a);
            }
            a.untagged += 1;
            if a.first.len() < 12 {
                a.first.push(self.line.trim_end().to_owned());
            }
        }
    }
}

fn exists_in(a: &Answer) -> Option<usize> {
    a.first.iter().find_map(|l| {
        l.strip_suffix(" EXISTS")
            .and_then(|x| x.strip_prefix("* "))
            .and_then(|n| n.parse().ok())
    })
}

pub(crate) async fn measure(s: &Setup, a: &MailArgs, out: &mut Outcome) -> anyhow::Result<()> {
    let mut c = Client::connect(s).await.context("IMAP session")?;
    c.cmd(&format!(
        "LOGIN lehrer@{} \"{}\"",
        accounts::SCHOOL,
        accounts::ADMIN_PASSWORD
    ))
    .await?;
    let cold = Instant::now();
    let first = c.cmd("SELECT Bench (CONDSTORE)").await?;
    out.figure(
        "IMAP SELECT, first of this node (ms)",
        crate::report::round(cold.elapsed().as_secs_f64() * 1000.0, 1),
        "ms",
    );
    anyhow::ensure!(
        exists_in(&first) == Some(a.messages),
        "EXISTS: {:?}",
        first.first
    );

    let (mut warm, mut flagged, mut expunged) =
        (Samples::default(), Samples::default(), Samples::default());
    let mut left = a.messages;
    for i in 0..a.samples {
        let t = Instant::now();
        let r = c.cmd("SELECT Bench (CONDSTORE)").await?;
        warm.push(t.elapsed());
        anyhow::ensure!(exists_in(&r) == Some(left), "EXISTS: {:?}", r.first);
        // One message's flags change (through this session: as another client would).
        c.cmd(&format!("STORE {} +FLAGS.SILENT (\\Flagged)", i % left + 1))
            .await?;
        let t = Instant::now();
        c.cmd("SELECT Bench (CONDSTORE)").await?;
        flagged.push(t.elapsed());
        if i % 10 == 0 {
            c.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await?;
            c.cmd("CLOSE").await?;
            left -= 1;
            let t = Instant::now();
            let r = c.cmd("SELECT Bench (CONDSTORE)").await?;
            expunged.push(t.elapsed());
            anyhow::ensure!(exists_in(&r) == Some(left), "EXISTS: {:?}", r.first);
        }
    }
    let warm = warm.summary();
    out.latency("IMAP SELECT (CONDSTORE), nothing changed", &warm);
    out.latency("IMAP SELECT, after a flag change", &flagged.summary());
    out.latency("IMAP SELECT, after an expunge", &expunged.summary());

    let mut fetch = Samples::default();
    let mut bytes = 0;
    for _ in 0..a.samples.min(50) {
        let t = Instant::now();
        let r = c.cmd("UID FETCH 1:* (FLAGS)").await?;
        fetch.push(t.elapsed());
        anyhow::ensure!(r.untagged == left, "FETCH lines: {}", r.untagged);
        bytes = r.bytes;
    }
    let fetch = fetch.summary();
    out.latency("IMAP UID FETCH 1:* (FLAGS), whole answer read", &fetch);
    out.figure("IMAP UID FETCH 1:* (FLAGS): answer size", bytes, "bytes");
    out.check(
        "IMAP SELECT of 50,000 < 50 ms (p99, unchanged)",
        warm.p99_ms < 50.0,
    );
    out.check(
        "IMAP UID FETCH 1:* (FLAGS) < 300 ms (p99)",
        fetch.p99_ms < 300.0,
    );
    c.cmd("LOGOUT").await.ok();
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(())
}
