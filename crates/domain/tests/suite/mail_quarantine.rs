//! The quarantine on SQLite and PostgreSQL: a message a virus scanner finds malware in is
//! held; only the school's admin sees it (envelope and finding) and deletes it, audited;
//! the retention job deletes held messages after 30 days. The scanner here is a stand-in
//! speaking clamd's INSTREAM protocol on a unix socket (the real clamd is exercised by the
//! server's mail_filtering test).

use crate::mail_support;
use chrono::Duration;
use mail_support::*;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixListener;

/// A clamd stand-in: "FOUND" when the stream contains the EICAR marker, else "OK".
fn fake_clamd(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("clamd.sock");
    let listener = UnixListener::bind(&path).expect("socket");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut cmd = [0u8; 10];
                if s.read_exact(&mut cmd).await.is_err() {
                    return;
                }
                let mut data = Vec::new();
                loop {
                    let mut len = [0u8; 4];
                    if s.read_exact(&mut len).await.is_err() {
                        return;
                    }
                    let n = u32::from_be_bytes(len) as usize;
                    if n == 0 {
                        break;
                    }
                    let mut chunk = vec![0u8; n];
                    if s.read_exact(&mut chunk).await.is_err() {
                        return;
                    }
                    data.extend_from_slice(&chunk);
                }
                let found = data.windows(5).any(|w| w == b"EICAR");
                let answer: &[u8] = if found {
                    b"stream: Eicar-Test-Signature FOUND\0"
                } else {
                    b"stream: OK\0"
                };
                let _ = s.write_all(answer).await;
            });
        }
    });
    path
}

async fn held_mail_is_seen_and_deleted_by_the_admin_and_expires(db: Db) {
    let dir = tempfile::tempdir().expect("dir");
    let socket = fake_clamd(dir.path());
    let e = env_with(db, None, |c| {
        c.mail.filter.virus_scanner = Some(socket);
    })
    .await;
    let p = &e.platform;
    let (admin, t) = (e.admin().await, e.user("lehrer").await);
    let deliver = |subject: &'static str| {
        let raw = message(
            "boese@example.net",
            T,
            subject,
            "X5O!P%@AP EICAR-STANDARD-ANTIVIRUS",
        );
        async move {
            let rcpt = p.mail_inbound_rcpt(T).await.expect("rcpt");
            p.mail_deliver_inbound("boese@example.net", &[rcpt], &raw)
                .await
                .expect("taken");
        }
    };
    deliver("Rechnung").await;
    // Never delivered: the owner has only the notice.
    let inbox = e.inbox(&t).await;
    assert!(inbox.iter().all(|m| m.subject != "Rechnung"));
    assert!(
        inbox
            .iter()
            .any(|m| m.subject.starts_with("Nachricht zurückgehalten"))
    );
    // Only the admin sees it.
    assert!(matches!(
        p.mail_quarantine(&t).await,
        Err(DomainError::Forbidden)
    ));
    let held = p.mail_quarantine(&admin).await.expect("list");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].subject, "Rechnung");
    assert_eq!(held[0].finding, "Eicar-Test-Signature");
    assert_eq!(held[0].direction, "in");
    assert!(p.mail_quarantine_delete(&t, held[0].id).await.is_err());
    p.mail_quarantine_delete(&admin, held[0].id)
        .await
        .expect("deleted");
    assert!(matches!(
        p.mail_quarantine_delete(&admin, held[0].id).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.mail_quarantine(&admin).await.expect("list").is_empty());
    let log = p.admin_log(&admin, 50, 0).await.expect("log");
    assert!(log.iter().any(|l| l.action == "mail.quarantine.delete"));
    // Kept 30 days, then the retention job deletes it.
    deliver("Mahnung").await;
    e.clock.advance(Duration::days(29));
    assert_eq!(
        p.system_purge_expired()
            .await
            .expect("purge")
            .mail_quarantine,
        0
    );
    assert_eq!(p.mail_quarantine(&admin).await.expect("list").len(), 1);
    e.clock.advance(Duration::days(2));
    assert_eq!(
        p.system_purge_expired()
            .await
            .expect("purge")
            .mail_quarantine,
        1
    );
    assert!(p.mail_quarantine(&admin).await.expect("list").is_empty());
}

backend_tests!(held_mail_is_seen_and_deleted_by_the_admin_and_expires);
