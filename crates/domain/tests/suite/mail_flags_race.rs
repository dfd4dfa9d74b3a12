//! Flag changes racing on the same messages lose nothing: on PostgreSQL a STORE reads the
//! flags and writes them in one statement without a transaction, guarded by the MODSEQ it
//! read; a message changed in between is decided again on what it holds now. Twenty
//! sessions each add their own keyword (and \Seen) to the same two messages at once: every
//! keyword ends up on both, every answer names the MODSEQ the folder holds, and the folder's
//! HIGHESTMODSEQ is the largest one answered. On SQLite and PostgreSQL.

use crate::file_support;
use file_support::*;
use schulhof_domain::Db;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::mail::{FlagOp, Flags};
use schulhof_store::backend_tests;

const T: &str = "lehrer.test@123456.nrw.schule";

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: {T}\r\nTo: {T}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@race.test>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nx\r\n"
    )
    .into_bytes()
}

async fn racing_flag_changes_lose_nothing(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let p = &s.platform;
    let inbox = p.mail_folder(&t, "INBOX").await.expect("inbox").id;
    for i in 1..=2 {
        p.mail_append(
            &t,
            inbox,
            &message(&format!("m{i}")),
            &Flags::default(),
            None,
        )
        .await
        .expect("append");
    }
    let tasks: Vec<_> = (0..20)
        .map(|k| {
            let (p, t) = (p.clone(), t.clone());
            tokio::spawn(async move {
                let add = Flags {
                    seen: true,
                    keywords: vec![format!("kw{k}")],
                    ..Default::default()
                };
                p.mail_store_flags(&t, inbox, &[1, 2], FlagOp::Add, &add, None)
                    .await
                    .expect("store")
            })
        })
        .collect();
    let mut highest = 0;
    for task in tasks {
        let r = task.await.expect("task");
        assert!(r.failed.is_empty(), "{:?}", r.failed);
        // Each session's keyword is new on both messages: both are reported changed.
        assert_eq!(r.changed.iter().map(|c| c.uid).collect::<Vec<_>>(), [1, 2]);
        for c in &r.changed {
            assert!(c.flags.seen);
            highest = highest.max(c.modseq);
        }
    }
    let held = p.mail_uids(&t, inbox).await.expect("flags");
    for m in held.iter() {
        let (uid, flags) = (m.uid, &m.flags);
        let mut kws = flags.keywords.clone();
        kws.sort();
        let mut want: Vec<String> = (0..20).map(|k| format!("kw{k}")).collect();
        want.sort();
        assert_eq!(kws, want, "message {uid} lost a keyword");
        assert!(flags.seen);
    }
    assert_eq!(held.len(), 2);
    let folder = p.mail_folder_by_id(&t, inbox).await.expect("folder");
    assert_eq!(folder.highest_modseq, highest, "the last change's MODSEQ");
}

backend_tests!(racing_flag_changes_lose_nothing);
