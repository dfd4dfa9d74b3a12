//! A flag change and an EXPUNGE of the own folder are one statement on PostgreSQL with no
//! read first (the statement itself checks whose folder it is). Someone else's folder of the
//! school, and a folder of another school, stay "not found" and unchanged; a change that
//! changes nothing takes no MODSEQ; EXPUNGE of some UIDs leaves the others and gives the use
//! back; a message listing's content reference reads only what the listing showed. On
//! SQLite and PostgreSQL (SQLite takes its transaction; the answers are the same).

use crate::file_support;
use file_support::*;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::{FlagOp, Flags, MessageMeta};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;
use schulhof_types::MailFolderId;

fn message(to: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: x@example.org\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@own.test>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\n{subject}\r\n"
    )
    .into_bytes()
}

fn deleted() -> Flags {
    Flags {
        deleted: true,
        ..Default::default()
    }
}

fn seen() -> Flags {
    Flags {
        seen: true,
        ..Default::default()
    }
}

/// An inbox with messages 1..=n, the last ones flagged \Deleted as `del` says.
async fn filled(p: &Platform, a: &Actor, n: usize, del: &[u32]) -> MailFolderId {
    let inbox = p.mail_folder(a, "INBOX").await.expect("inbox").id;
    for i in 1..=n {
        p.mail_append(
            a,
            inbox,
            &message("x@y", &format!("m{i}")),
            &Flags::default(),
            None,
        )
        .await
        .expect("append");
    }
    if !del.is_empty() {
        p.mail_store_flags(a, inbox, del, FlagOp::Add, &deleted(), None)
            .await
            .expect("flag");
    }
    inbox
}

async fn state(p: &Platform, a: &Actor, f: MailFolderId) -> (u64, Vec<(u32, bool, bool)>) {
    let info = p.mail_folder_by_id(a, f).await.expect("folder");
    let msgs = p.mail_uids(a, f).await.expect("uids");
    let flags = msgs
        .iter()
        .map(|m| (m.uid, m.flags.seen, m.flags.deleted))
        .collect();
    (info.highest_modseq, flags)
}

async fn others_folders_stay_hidden_and_unchanged(db: Db) {
    let s = school(db.clone(), "123456", FileQuotas::default()).await;
    let other = school(db, "654321", FileQuotas::default()).await;
    let p = &s.platform;
    let (t, anna) = (s.user("lehrer").await, s.user("anna").await);
    let stranger = other.user("lehrer").await;
    let annas = filled(p, &anna, 3, &[2]).await;
    let before = state(p, &anna, annas).await;
    for (q, who) in [(p, &t), (&other.platform, &stranger)] {
        let r = q
            .mail_store_flags(who, annas, &[1, 2, 3], FlagOp::Add, &seen(), None)
            .await;
        assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
        let r = q
            .mail_store_flags(who, annas, &[1], FlagOp::Remove, &deleted(), None)
            .await;
        assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
        let r = q.mail_expunge(who, annas, None).await;
        assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
        let r = q.mail_expunge(who, annas, Some(&[2])).await;
        assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
    }
    assert_eq!(
        state(p, &anna, annas).await,
        before,
        "Anna's folder as it was"
    );
    // A listing's content reference is the listing's: a meta made up by a caller (no
    // reference) takes the rights check by id, and someone else's message stays hidden.
    let metas = p.mail_metas(&anna, annas, &[1]).await.expect("metas");
    let forged = MessageMeta {
        content: Default::default(),
        ..metas[0].clone()
    };
    assert!(matches!(
        p.mail_content(&t, &forged).await,
        Err(DomainError::NotFound)
    ));
    let own = p.mail_content(&anna, &forged).await.expect("by id");
    assert_eq!(p.mail_content(&anna, &metas[0]).await.expect("listed"), own);
    assert!(String::from_utf8_lossy(&own).contains("Subject: m1"));
}

async fn own_changes_take_a_modseq_only_when_something_changes(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let inbox = filled(p, &t, 4, &[]).await;
    let r = p
        .mail_store_flags(&t, inbox, &[1, 3], FlagOp::Add, &seen(), None)
        .await
        .expect("store");
    let (modseq, _) = state(p, &t, inbox).await;
    assert_eq!(r.changed.iter().map(|c| c.uid).collect::<Vec<_>>(), [1, 3]);
    assert!(r.changed.iter().all(|c| c.flags.seen && c.modseq == modseq));
    // 1 and 3 have it already, 9 does not exist: only 2 changes.
    let r = p
        .mail_store_flags(&t, inbox, &[1, 2, 3, 9], FlagOp::Add, &seen(), None)
        .await
        .expect("store");
    assert_eq!(r.changed.iter().map(|c| c.uid).collect::<Vec<_>>(), [2]);
    assert_eq!(r.changed[0].modseq, modseq + 1);
    // Nothing to change: no new MODSEQ, nothing reported.
    let r = p
        .mail_store_flags(&t, inbox, &[1, 2], FlagOp::Add, &seen(), None)
        .await
        .expect("store");
    assert!(r.changed.is_empty());
    assert!(
        p.mail_expunge(&t, inbox, None)
            .await
            .expect("none")
            .is_empty()
    );
    assert_eq!(state(p, &t, inbox).await.0, modseq + 1, "no MODSEQ taken");
    // Removing a flag keeps the others.
    p.mail_store_flags(&t, inbox, &[1, 2, 3], FlagOp::Add, &deleted(), None)
        .await
        .expect("delete flag");
    let r = p
        .mail_store_flags(&t, inbox, &[2], FlagOp::Remove, &deleted(), None)
        .await
        .expect("undelete");
    assert!(r.changed[0].flags.seen && !r.changed[0].flags.deleted);
    // EXPUNGE of some UIDs leaves the other deleted ones; the use follows.
    let (used_before, _) = p.mail_usage(&t).await.expect("usage");
    let gone = p
        .mail_expunge(&t, inbox, Some(&[3, 4]))
        .await
        .expect("some");
    assert_eq!(gone, [3]);
    let (_, flags) = state(p, &t, inbox).await;
    assert_eq!(
        flags,
        [(1, true, true), (2, true, false), (4, false, false)]
    );
    assert_eq!(p.mail_expunge(&t, inbox, None).await.expect("all"), [1]);
    let (used, _) = p.mail_usage(&t).await.expect("usage");
    let held: u64 = p
        .mail_folders(&t)
        .await
        .expect("folders")
        .iter()
        .map(|f| f.size)
        .sum();
    assert!(used < used_before);
    assert_eq!(used, held, "use follows every expunge");
}

/// Twenty flag changes and ten EXPUNGEs of the same messages at once: every flag ends up
/// set, the folder's MODSEQ is the last one answered, and the message is removed (and its
/// size given back) exactly once.
async fn the_same_changes_at_once_lose_and_double_nothing(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let inbox = filled(p, &t, 3, &[]).await;
    let tasks: Vec<_> = (0..20)
        .map(|k| {
            let (p, t) = (p.clone(), t.clone());
            tokio::spawn(async move {
                let f = if k % 2 == 0 { seen() } else { deleted() };
                p.mail_store_flags(&t, inbox, &[1, 2], FlagOp::Add, &f, None)
                    .await
                    .expect("store")
            })
        })
        .collect();
    let mut highest = 0;
    for task in tasks {
        for c in task.await.expect("task").changed {
            highest = highest.max(c.modseq);
        }
    }
    let (modseq, flags) = state(p, &t, inbox).await;
    assert_eq!(flags, [(1, true, true), (2, true, true), (3, false, false)]);
    assert_eq!(modseq, highest, "the last change's MODSEQ");
    let (used, _) = p.mail_usage(&t).await.expect("usage");
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (p, t) = (p.clone(), t.clone());
            tokio::spawn(async move { p.mail_expunge(&t, inbox, None).await.expect("expunge") })
        })
        .collect();
    let mut gone = Vec::new();
    for task in tasks {
        gone.extend(task.await.expect("task"));
    }
    gone.sort_unstable();
    assert_eq!(gone, [1, 2], "each removed once");
    let (_, flags) = state(p, &t, inbox).await;
    assert_eq!(flags, [(3, false, false)]);
    let (after, _) = p.mail_usage(&t).await.expect("usage");
    let held: u64 = p
        .mail_folders(&t)
        .await
        .expect("folders")
        .iter()
        .map(|f| f.size)
        .sum();
    assert!(after < used);
    assert_eq!(after, held, "the size given back once");
}

backend_tests!(
    others_folders_stay_hidden_and_unchanged,
    own_changes_take_a_modseq_only_when_something_changes,
    the_same_changes_at_once_lose_and_double_nothing
);
