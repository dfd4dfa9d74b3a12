//! `mail`: what the mail service costs below the protocols, through the domain service in
//! this process (as `import` does):
//! - one folder filled with `--messages` (50,000) small messages through `mail_append`;
//! - what IMAP `SELECT` asks of the service (`mail_select`), what
//!   `UID FETCH 1:* (FLAGS)` asks (`mail_uids`, and the same with the response lines written
//!   out), and the webmail folder page (`mail_folders` and `mail_page`, first 50) — each `--samples` times;
//! - the lesson-end burst (see [`super::mail_burst`]).
//!
//! - the same through the real IMAP session over an in-memory socket ([`super::mail_imap`]).
//!
//! The protocol side (IMAP commands per second against Dovecot, delivery, IDLE) is measured
//! by `crates/bench/mail/imap_load.py` against the real binary.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use schulhof_domain::clock::SystemClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::{Flags, UidFlags};
use schulhof_domain::{Config, Db, Platform};
use serde_json::json;

use crate::accounts;
use crate::report::{Outcome, round};
use crate::stats::Samples;

#[derive(Clone, Debug, clap::Args)]
pub struct MailArgs {
    /// Messages put into the measured folder.
    #[arg(long, default_value_t = 50_000)]
    pub messages: usize,
    /// Appends in flight while filling.
    #[arg(long, default_value_t = 16)]
    pub fill_parallel: usize,
    /// Measured repetitions of each operation (after 5 unmeasured).
    #[arg(long, default_value_t = 200)]
    pub samples: usize,
    /// Size of the burst message in MiB (0: no burst).
    #[arg(long, default_value_t = 10)]
    pub burst_mib: usize,
    /// Class lists the burst goes to.
    #[arg(long, default_value_t = 5)]
    pub classes: usize,
    /// Pupils per class.
    #[arg(long, default_value_t = 30)]
    pub class_size: usize,
    /// Bursts (each a new message, so a new blob).
    #[arg(long, default_value_t = 3)]
    pub bursts: usize,
}

/// The platform on a fresh database with the demo school, its data directory, and actors.
pub(crate) struct Setup {
    pub platform: Platform,
    pub backend: &'static str,
    pub blob_dir: std::path::PathBuf,
    pub teacher: Actor,
    pub admin: Actor,
    _dir: tempfile::TempDir,
}

async fn setup(database: Option<&str>) -> anyhow::Result<Setup> {
    let dir = tempfile::tempdir().context("temp dir")?;
    let (url, backend) = match database {
        Some(u) => {
            crate::pg::recreate(u).await?;
            (u.to_owned(), "postgres")
        }
        None => (
            format!("sqlite://{}", dir.path().join("schulhof.db").display()),
            "sqlite",
        ),
    };
    let db = Db::connect(&url).await?;
    schulhof_store::migrate(&db, chrono::Utc::now().timestamp_micros()).await?;
    let blob_dir = dir.path().join("blobs");
    let config = Config {
        blob_dir: Some(blob_dir.clone()),
        ..Config::default()
    };
    let platform = Platform::new(db, Arc::new(SystemClock), config);
    let e = |e: schulhof_domain::DomainError| anyhow::anyhow!("{e}");
    platform.system_seed_demo().await.map_err(e)?;
    // Mail programs, like pages, are closed until the terms are accepted.
    let admin = consented(&platform, accounts::ADMIN).await?;
    consented(&platform, "lehrer").await?;
    let teacher = teacher_client(&platform).await?;
    Ok(Setup {
        platform,
        backend,
        blob_dir,
        teacher,
        admin,
        _dir: dir,
    })
}

/// A demo login's actor after logging in on the web and accepting the terms.
async fn consented(platform: &Platform, login: &str) -> anyhow::Result<Actor> {
    let e = |e: schulhof_domain::DomainError| anyhow::anyhow!("{login}: {e}");
    let s = platform
        .login(
            accounts::SCHOOL,
            login,
            accounts::ADMIN_PASSWORD,
            "127.0.0.1",
        )
        .await
        .map_err(e)?;
    let actor = platform.session(&s.cookie).await.map_err(e)?.actor;
    platform
        .give_consent(&actor, true, true, "127.0.0.1")
        .await
        .map_err(e)?;
    Ok(actor)
}

/// The demo teacher as a mail program logs in (`lehrer@100000`).
pub(crate) async fn teacher_client(platform: &Platform) -> anyhow::Result<Actor> {
    platform
        .mail_client_actor(
            &format!("lehrer@{}", accounts::SCHOOL),
            accounts::ADMIN_PASSWORD,
            "127.0.0.1",
        )
        .await
        .map_err(|e| anyhow::anyhow!("lehrer as a mail program: {e}"))
}

/// A small message (about 1 KB), different in sender, subject and Message-ID.
fn small_message(i: usize, to: &str) -> Vec<u8> {
    let mut m = String::with_capacity(1200);
    let _ = write!(
        m,
        "From: Person {p} <person{p}@example.org>\r\nTo: <{to}>\r\n\
         Subject: Nachricht {i}: Elternbrief, Klausur, Vertretungsplan\r\n\
         Date: Thu, 03 Dec 2026 08:{mm:02}:{ss:02} +0100\r\n\
         Message-ID: <fill-{i}@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n",
        p = i % 977,
        mm = (i / 60) % 60,
        ss = i % 60,
    );
    for line in 0..10 {
        let _ = write!(
            m,
            "Zeile {line} der Nachricht {i}: Lorem ipsum dolor sit amet, consectetur.\r\n"
        );
    }
    m.into_bytes()
}

/// Flags as a mailbox in use has them: most read, some answered or flagged.
fn fill_flags(i: usize) -> Flags {
    Flags {
        seen: !i.is_multiple_of(10),
        answered: i.is_multiple_of(7),
        flagged: i.is_multiple_of(50),
        ..Flags::default()
    }
}

pub async fn run(database: Option<&str>, a: &MailArgs) -> anyhow::Result<Outcome> {
    let s = setup(database).await?;
    let settings = json!({
        "messages": a.messages, "fill_parallel": a.fill_parallel, "samples": a.samples,
        "burst_mib": a.burst_mib, "recipients": a.classes * a.class_size, "bursts": a.bursts,
    });
    let mut out = Outcome::new("mail", s.backend, settings);
    let folder = fill(&s, a, &mut out).await?;
    if let Some(url) = database {
        crate::pg::analyze(url).await?;
    }
    measure_folder(&s, folder, a, &mut out).await?;
    super::mail_imap::measure(&s, a, &mut out).await?;
    if a.burst_mib > 0 && a.bursts > 0 {
        super::mail_burst::run(&s, a, &mut out).await?;
    }
    Ok(out)
}

/// Fills the folder `Bench` with `messages` messages, `fill_parallel` appends at a time.
async fn fill(
    s: &Setup,
    a: &MailArgs,
    out: &mut Outcome,
) -> anyhow::Result<schulhof_types::MailFolderId> {
    let e = |e: schulhof_domain::DomainError| anyhow::anyhow!("{e}");
    let folder = s
        .platform
        .mail_create_folder(&s.teacher, "Bench")
        .await
        .map_err(e)?
        .id;
    let syncs_before = s.platform.db().durable_syncs();
    let started = Instant::now();
    let lanes = a.fill_parallel.max(1);
    let mut set = tokio::task::JoinSet::new();
    for lane in 0..lanes {
        let (p, t, n) = (s.platform.clone(), s.teacher.clone(), a.messages);
        let to = t.user.mail.clone();
        set.spawn(async move {
            for i in (lane..n).step_by(lanes) {
                p.mail_append(&t, folder, &small_message(i, &to), &fill_flags(i), None)
                    .await
                    .map_err(|e| anyhow::anyhow!("append {i}: {e}"))?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = set.join_next().await {
        done.context("fill task")??;
    }
    let secs = started.elapsed().as_secs_f64();
    out.figure(
        &format!("fill: mail_append, {lanes} in flight"),
        round(a.messages as f64 / secs, 0),
        "messages/s",
    );
    // SQLite's group commit: how many appends one fsync of the log covered (0 on PostgreSQL,
    // which groups its commits itself).
    let syncs = s.platform.db().durable_syncs() - syncs_before;
    if syncs > 0 {
        out.figure(
            "fill: durable commits per fsync of the log",
            round(a.messages as f64 / syncs as f64, 2),
            "commits",
        );
    }
    Ok(folder)
}

/// Runs `op` 5 times unmeasured, then `samples` times measured.
async fn timed<F, Fut>(samples: usize, mut op: F) -> anyhow::Result<Samples>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    for _ in 0..5 {
        op().await?;
    }
    let mut lat = Samples::default();
    for _ in 0..samples {
        let t = Instant::now();
        op().await?;
        lat.push(t.elapsed());
    }
    Ok(lat)
}

/// The untagged FETCH responses of `UID FETCH 1:* (FLAGS)` (with CONDSTORE's MODSEQ), as
/// an IMAP server writes them: the part of the cost that is not the service.
fn fetch_flags_response(uids: &[UidFlags]) -> Vec<u8> {
    let mut s = String::with_capacity(uids.len() * 48);
    for (i, u) in uids.iter().enumerate() {
        let f = &u.flags;
        let mut flags = Vec::new();
        for (on, name) in [
            (f.seen, "\\Seen"),
            (f.answered, "\\Answered"),
            (f.flagged, "\\Flagged"),
            (f.deleted, "\\Deleted"),
            (f.draft, "\\Draft"),
        ] {
            if on {
                flags.push(name);
            }
        }
        flags.extend(f.keywords.iter().map(String::as_str));
        let _ = write!(
            s,
            "* {} FETCH (UID {} MODSEQ ({}) FLAGS ({}))\r\n",
            i + 1,
            u.uid,
            u.modseq,
            flags.join(" ")
        );
    }
    s.into_bytes()
}

async fn measure_folder(
    s: &Setup,
    folder: schulhof_types::MailFolderId,
    a: &MailArgs,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let (p, t) = (&s.platform, &s.teacher);
    let e = |e: schulhof_domain::DomainError| anyhow::anyhow!("{e}");
    let info = p.mail_folder(t, "Bench").await.map_err(e)?;
    out.figure("folder: messages", info.exists, "");
    anyhow::ensure!(info.exists as usize == a.messages, "the folder is short");

    let select = timed(a.samples, || async {
        let (_, uids) = p.mail_select(t, "Bench").await.map_err(e)?;
        anyhow::ensure!(uids.len() == a.messages, "mail_select is short");
        Ok(())
    })
    .await?
    .summary();
    out.latency("SELECT: mail_select", &select);

    let uids = timed(a.samples, || async {
        p.mail_uids(t, folder).await.map_err(e)?;
        Ok(())
    })
    .await?
    .summary();
    out.latency("UID FETCH 1:* (FLAGS): mail_uids", &uids);

    let bytes = std::cell::Cell::new(0);
    let written = timed(a.samples, || async {
        let all = p.mail_uids(t, folder).await.map_err(e)?;
        bytes.set(fetch_flags_response(&all).len());
        Ok(())
    })
    .await?
    .summary();
    out.latency("UID FETCH 1:* (FLAGS): mail_uids + response text", &written);
    out.figure("UID FETCH 1:* (FLAGS): response size", bytes.get(), "bytes");

    // What the folder page asks for: the folder list beside it and the first 50.
    let page = timed(a.samples, || async {
        let folders = p.mail_folders(t).await.map_err(e)?;
        let listed = folders.iter().find(|f| f.id == folder).map(|f| f.exists);
        anyhow::ensure!(
            listed == Some(a.messages as u32),
            "the folder list miscounts the folder"
        );
        let (rows, total) = p.mail_page(t, folder, 0, 50).await.map_err(e)?;
        anyhow::ensure!(
            rows.len() == 50 && total as usize == a.messages,
            "short page"
        );
        Ok(())
    })
    .await?
    .summary();
    out.latency("webmail page: mail_folders + mail_page(0, 50)", &page);

    out.check("SELECT of 50,000 < 50 ms (p99)", select.p99_ms < 50.0);
    out.check(
        "UID FETCH 1:* (FLAGS) < 300 ms (p99, with response text)",
        written.p99_ms < 300.0,
    );
    out.check("folder page p99 < 30 ms", page.p99_ms < 30.0);
    out.succeeded += (select.count + uids.count + written.count + page.count) as u64;
    // Some breathing room between phases on a shared machine.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}
