//! The lesson-end burst: the demo teacher mails a worksheet of `--burst-mib` MiB to
//! `--classes` class lists of `--class-size` pupils through `mail_submit` (the path of
//! SMTP submission and webmail sending). Classes and pupils are made untimed through the
//! admin functions; the teacher joins every class (lists take mail from their members).
//! Reported: time to accept, mailboxes reached, and how often the content is in the blob
//! store (it must be once).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, ensure};
use base64::Engine as _;
use schulhof_domain::admin::NewUser;
use schulhof_domain::mail::address::list_address;

use super::mail::{MailArgs, Setup};
use crate::accounts;
use crate::report::{Outcome, round};

/// Creates the classes and their pupils; returns the list addresses.
async fn classes(s: &Setup, a: &MailArgs) -> anyhow::Result<Vec<String>> {
    let e = |e: schulhof_domain::DomainError| anyhow::anyhow!("{e}");
    let p = &s.platform;
    let domain = s
        .teacher
        .user
        .mail
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .context("teacher address")?;
    let mut lists = Vec::new();
    for c in 0..a.classes {
        let name = format!("Bench {}{}", 6 + c / 26, char::from(b'a' + (c % 26) as u8));
        let group = p
            .create_group(&s.admin, &name, "klasse", "Benchmark-Klasse")
            .await
            .map_err(e)?;
        p.set_membership(&s.admin, group, "lehrer", true)
            .await
            .map_err(e)?;
        // Two at a time: each creation hashes a password with the production parameters.
        let mut set = tokio::task::JoinSet::new();
        for lane in 0..2 {
            let (p, admin, name) = (p.clone(), s.admin.clone(), name.clone());
            let size = a.class_size;
            set.spawn(async move {
                for i in (lane..size).step_by(2) {
                    let new = NewUser {
                        first_name: format!("Kind{i:02}"),
                        last_name: format!("Klasse{c:02}"),
                        account_type: Some("schueler".into()),
                        function_role: None,
                        login: Some(format!("burst{c:02}x{i:02}")),
                        password: Some(accounts::PASSWORD.into()),
                        external_mail: None,
                        holder: None,
                        groups: vec![name.clone()],
                    };
                    p.create_user(&admin, new)
                        .await
                        .map_err(|e| anyhow::anyhow!("pupil {i} of {name}: {e}"))?;
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = set.join_next().await {
            done.context("pupil creation")??;
        }
        lists.push(list_address(&name, &domain));
    }
    Ok(lists)
}

/// Bytes that do not compress, from a seed (xorshift).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    seed |= 1;
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A message of about `mib` MiB: a short text and a PDF-like attachment in base64.
fn worksheet(from: &str, lists: &[String], mib: usize, n: usize) -> Vec<u8> {
    // base64 grows 3 → 4, plus the line ends every 76 characters.
    let raw_len = mib * 1024 * 1024 / 4 * 3 * 76 / 78;
    let b64 = base64::engine::general_purpose::STANDARD.encode(noise(raw_len, n as u64 + 7));
    let mut m = String::with_capacity(b64.len() * 78 / 76 + 2048);
    let _ = write!(
        m,
        "From: Lena Lehmann <{from}>\r\nTo: {to}\r\nSubject: Arbeitsblatt {n} zur Stunde\r\n\
         Date: Thu, 03 Dec 2026 09:30:00 +0100\r\nMessage-ID: <burst-{n}@bench.invalid>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Liebe Klassen,\r\nanbei das Arbeitsblatt für Donnerstag.\r\n\r\n\
         --b1\r\nContent-Type: application/pdf; name=\"arbeitsblatt-{n}.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"arbeitsblatt-{n}.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n",
        to = lists.join(", "),
    );
    for line in b64.as_bytes().chunks(76) {
        m.push_str(std::str::from_utf8(line).unwrap_or_default());
        m.push_str("\r\n");
    }
    m.push_str("--b1--\r\n");
    m.into_bytes()
}

/// Files in the blob store of at least `min` bytes.
fn large_blobs(dir: &Path, min: u64) -> anyhow::Result<usize> {
    let mut n = 0;
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("{}", d.display()))? {
            let entry = entry?;
            let meta = entry.metadata()?;
            if meta.is_dir() {
                todo.push(entry.path());
            } else if meta.len() >= min {
                n += 1;
            }
        }
    }
    Ok(n)
}

pub async fn run(s: &Setup, a: &MailArgs, out: &mut Outcome) -> anyhow::Result<()> {
    let e = |e: schulhof_domain::DomainError| anyhow::anyhow!("{e}");
    let t = Instant::now();
    let lists = classes(s, a).await?;
    out.figure(
        "burst: classes and pupils created (untimed)",
        round(t.elapsed().as_secs_f64(), 1),
        "s",
    );
    // A fresh actor: the memberships just added are part of its token.
    let teacher = super::mail::teacher_client(&s.platform).await?;
    let from = teacher.user.mail.clone();
    let want = a.classes * a.class_size;
    let min_size = (a.burst_mib as u64 * 1024 * 1024) * 9 / 10;
    let mut worst: f64 = 0.0;
    for n in 0..a.bursts {
        let raw = worksheet(&from, &lists, a.burst_mib, n);
        let before = large_blobs(&s.blob_dir, min_size)?;
        let t = Instant::now();
        let report = s
            .platform
            .mail_submit(&teacher, &from, &lists, &raw)
            .await
            .map_err(e)?;
        let secs = t.elapsed().as_secs_f64();
        worst = worst.max(secs);
        let stored = large_blobs(&s.blob_dir, min_size)? - before;
        out.figure(
            &format!(
                "burst {}: {:.1} MB to {} lists accepted in",
                n + 1,
                raw.len() as f64 / 1e6,
                lists.len()
            ),
            round(secs * 1000.0, 0),
            "ms",
        );
        out.figure(
            &format!("burst {}: mailboxes reached", n + 1),
            report.delivered,
            "",
        );
        out.figure(
            &format!("burst {}: copies in the blob store", n + 1),
            stored,
            "",
        );
        ensure!(
            report.delivered == want && report.over_quota.is_empty(),
            "burst reached {} of {want} mailboxes",
            report.delivered
        );
        out.check(format!("burst {}: content stored once", n + 1), stored == 1);
        out.succeeded += 1;
    }
    out.check(
        format!(
            "burst: {want} recipients accepted < 2 s (slowest of {})",
            a.bursts
        ),
        worst < 2.0,
    );
    Ok(())
}
