//! Chat, second part, on SQLite and PostgreSQL: muting members for a time, pins, reports to
//! the room's teachers (audited), quiet hours that hold pupils' messages until the morning,
//! mentions through the notification centre and per-room silencing, the header's unread
//! count, search in the caller's rooms, the school's deletion period, attachments (quota,
//! blob references, members only) and isolation between schools. Time moves on the
//! injected clock; nothing sleeps.

use crate::chat_support;
use std::sync::Arc;

use chat_support::*;
use chrono::{Duration, TimeZone, Utc};
use schulhof_domain::chat::RoomId;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;

async fn texts(s: &School, a: &Actor, room: RoomId) -> Vec<String> {
    s.platform
        .chat_messages(a, room, None)
        .await
        .expect("messages")
        .into_iter()
        .map(|m| match m.notice {
            Some(n) => format!("[{n}] {}", m.text),
            None => m.text,
        })
        .collect()
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, DomainError>) -> bool {
    matches!(r, Err(DomainError::Forbidden) | Err(DomainError::Denied(_)))
}

fn not_found<T>(r: Result<T, DomainError>) -> bool {
    matches!(
        r,
        Err(DomainError::NotFound) | Err(DomainError::Denied(schulhof_authz::Denied::NotFound))
    )
}

fn muted<T: std::fmt::Debug>(r: Result<T, DomainError>) -> bool {
    matches!(r, Err(DomainError::Conflict { field, .. }) if field == schulhof_domain::chat::MUTED)
}

async fn audit_actions(s: &School, a: &Actor) -> Vec<String> {
    let mut c = s.platform.db().read().await.expect("db");
    schulhof_store::audit::system_list_kind(&mut c, a.token.instance(), "chat")
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn mute_pin_and_report(db: Db) {
    let (s, clock) = setup(db).await;
    let p = &s.platform;
    let (lena, ben, anna) = (
        s.user("lehrer").await,
        s.user("ben").await,
        s.user("anna").await,
    );
    let class = room_named(&s, &lena, "5a").await.id;
    // Only a moderator mutes, only members who do not moderate.
    assert!(forbidden(p.chat_mute(&anna, class, "ben", 30).await));
    assert!(forbidden(p.chat_mute(&lena, class, "lehrer", 30).await));
    assert!(not_found(p.chat_mute(&lena, class, "carla", 30).await));
    let lars = s.user("lehrer2").await;
    assert!(not_found(p.chat_mute(&lars, class, "ben", 30).await));
    assert!(matches!(
        p.chat_mute(&lena, class, "ben", 99_999).await,
        Err(DomainError::Invalid { .. })
    ));
    p.chat_mute(&lena, class, "ben", 30).await.expect("mute");
    assert!(muted(p.chat_send(&ben, class, "Hallo?", None).await));
    let view = room_named(&s, &ben, "5a").await;
    assert!(!view.may_write && view.muted_until.is_some());
    p.chat_send(&anna, class, "Ich darf", None)
        .await
        .expect("others write");
    clock.advance(Duration::minutes(31));
    let seq = p
        .chat_send(&ben, class, "Wieder da", None)
        .await
        .expect("mute over");
    // Pins: the teacher's step, visible in the room; pupils do not pin.
    assert!(forbidden(p.chat_pin(&anna, class, seq, true).await));
    p.chat_pin(&lena, class, seq, true).await.expect("pin");
    let msgs = p.chat_messages(&anna, class, None).await.expect("m");
    assert!(msgs.iter().any(|m| m.seq == seq && m.pinned));
    p.chat_pin(&lena, class, seq, false).await.expect("unpin");
    assert!(not_found(p.chat_pin(&lena, class, 9999, true).await));
    // Reports: any member, to the moderators; the list is theirs alone.
    p.chat_report(&anna, class, seq, "Unfreundlich")
        .await
        .expect("report");
    p.chat_report(&anna, class, seq, "nochmal")
        .await
        .expect("once is kept");
    assert!(forbidden(p.chat_reports(&anna, class).await));
    let reports = p.chat_reports(&lena, class).await.expect("reports");
    assert_eq!(reports.len(), 1);
    assert_eq!(
        (reports[0].reason.as_str(), reports[0].text.as_str()),
        ("Unfreundlich", "Wieder da")
    );
    assert!(not_found(p.chat_report(&lars, class, seq, "x").await));
    assert!(matches!(
        p.chat_report(&anna, class, seq, &"x".repeat(501)).await,
        Err(DomainError::Invalid { .. })
    ));
    let shown = texts(&s, &anna, class).await;
    assert!(shown[0].starts_with("[muted] Ben Test ("), "{shown:?}");
    assert!(
        shown.contains(&"[pinned] Wieder da".to_owned()),
        "{shown:?}"
    );
    assert!(
        shown.contains(&"[unpinned] Wieder da".to_owned()),
        "{shown:?}"
    );
    assert_eq!(
        audit_actions(&s, &lena).await,
        [
            "chat.muted",
            "chat.pinned",
            "chat.unpinned",
            "chat.reported"
        ]
    );
}

async fn quiet_hours_hold_pupils_until_the_morning(db: Db) {
    let (s, clock) = setup(db).await;
    let p = &s.platform;
    let (lena, ben, anna) = (
        s.user("lehrer").await,
        s.user("ben").await,
        s.user("anna").await,
    );
    let class = room_named(&s, &lena, "5a").await.id;
    assert!(forbidden(
        p.chat_set_quiet(&anna, class, "08:00", "10:00").await
    ));
    assert!(matches!(
        p.chat_set_quiet(&lena, class, "8 Uhr", "10:00").await,
        Err(DomainError::Invalid { .. })
    ));
    // 09:00 in Berlin is inside 08:00–10:00.
    p.chat_set_quiet(&lena, class, "08:00", "10:00")
        .await
        .expect("quiet");
    assert!(room_named(&s, &anna, "5a").await.held);
    assert!(!room_named(&s, &lena, "5a").await.held);
    let held = p
        .chat_send(&anna, class, "Spät noch eine Frage", None)
        .await
        .expect("stored");
    p.chat_send(&lena, class, "Lehrkräfte schreiben immer", None)
        .await
        .expect("teacher");
    let mine = p.chat_messages(&anna, class, None).await.expect("m");
    let m = mine.iter().find(|m| m.seq == held).expect("author sees it");
    assert!(m.pending_until.is_some());
    assert!(
        !texts(&s, &ben, class)
            .await
            .contains(&"Spät noch eine Frage".to_owned())
    );
    assert_eq!(
        room_named(&s, &ben, "5a").await.unread,
        1,
        "only the teacher's"
    );
    let cursor = room_named(&s, &ben, "5a").await.last_seq;
    // Quiet hours end at 10:00 (09:00 UTC): released with a new number, exactly once.
    clock.advance(Duration::minutes(61));
    assert_eq!(p.system_chat_release().await.expect("release"), 1);
    assert_eq!(p.system_chat_release().await.expect("again"), 0);
    let after = p
        .chat_messages(&ben, class, Some(cursor))
        .await
        .expect("after");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].seq, held);
    assert!(after[0].pending_until.is_none());
    assert_eq!(room_named(&s, &ben, "5a").await.unread, 2);
    // The school's default applies to rooms without their own; only the admin sets it.
    let admin = s.admin().await;
    assert!(forbidden(
        p.chat_set_school_settings(&lena, "10:00", "12:00", None)
            .await
    ));
    p.chat_set_school_settings(&admin, "10:00", "12:00", None)
        .await
        .expect("school");
    let course = room_named(&s, &anna, "Mathe-Kurs").await;
    assert!(course.held);
    assert_eq!(course.quiet, Some(("10:00".into(), "12:00".into())));
    assert!(!room_named(&s, &anna, "5a").await.held, "the room's own");
    p.chat_set_quiet(&lena, class, "", "")
        .await
        .expect("default");
    assert!(room_named(&s, &anna, "5a").await.held);
    assert!(
        audit_actions(&s, &lena)
            .await
            .contains(&"chat.quiet_hours".to_owned())
    );
}

async fn mentions_silencing_and_header_count(db: Db) {
    let (s, _clock) = setup(db).await;
    let p = &s.platform;
    let (lena, ben, anna) = (
        s.user("lehrer").await,
        s.user("ben").await,
        s.user("anna").await,
    );
    let class = room_named(&s, &lena, "5a").await.id;
    let before = p.unread_notifications(&anna).await.expect("n");
    p.chat_send(&lena, class, "@anna @Ben @carla bitte lesen", None)
        .await
        .expect("send");
    let anna_n = p.notifications_before(&anna, None).await.expect("list");
    let mention = anna_n
        .iter()
        .find(|n| n.kind == "chat_mention")
        .expect("mentioned");
    assert!(mention.link.starts_with(&format!("/chat/{class}#m-")));
    assert_eq!(p.unread_notifications(&anna).await.expect("n"), before + 1);
    let carla = s.user("carla").await;
    assert!(
        !p.notifications_before(&carla, None)
            .await
            .expect("c")
            .iter()
            .any(|n| n.kind == "chat_mention"),
        "not a member"
    );
    // The header count comes with the session.
    assert_eq!(s.user("ben").await.unread_chat, 1);
    // Ben silences the room: no mention, no count.
    p.chat_silence(&ben, class, true).await.expect("silence");
    assert!(room_named(&s, &ben, "5a").await.silenced);
    let ben_before = p.unread_notifications(&ben).await.expect("n");
    p.chat_send(&lena, class, "@ben noch einmal", None)
        .await
        .expect("send");
    assert_eq!(p.unread_notifications(&ben).await.expect("n"), ben_before);
    assert_eq!(s.user("ben").await.unread_chat, 0);
    p.chat_silence(&ben, class, false).await.expect("unsilence");
    assert_eq!(s.user("ben").await.unread_chat, 2);
    let lars = s.user("lehrer2").await;
    assert!(not_found(p.chat_silence(&lars, class, true).await));
}

async fn search_history_and_deletion_period(db: Db) {
    let (s, clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna, carla) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("carla").await,
    );
    let class = room_named(&s, &lena, "5a").await.id;
    let course = room_named(&s, &lena, "Mathe-Kurs").await.id;
    p.chat_send(&lena, class, "Der Wandertag ist am Freitag", None)
        .await
        .expect("send");
    p.chat_send(&lena, course, "Wandertag fällt für den Kurs aus", None)
        .await
        .expect("send");
    let hits = p.chat_search(&anna, "WANDERTAG").await.expect("search");
    assert_eq!(hits.len(), 2);
    let hits = p.chat_search(&carla, "wandertag").await.expect("search");
    assert_eq!(hits.len(), 1, "carla is not in 5a");
    assert_eq!(hits[0].room, course);
    assert!(matches!(
        p.chat_search(&anna, "w").await,
        Err(DomainError::Invalid { .. })
    ));
    // The deletion period: the admin sets it, the room says so, the sweep deletes.
    let admin = s.admin().await;
    assert!(matches!(
        p.chat_set_school_settings(&admin, "", "", Some(1)).await,
        Err(DomainError::Invalid { .. })
    ));
    p.chat_set_school_settings(&admin, "", "", Some(30))
        .await
        .expect("period");
    assert_eq!(room_named(&s, &anna, "5a").await.retention_days, Some(30));
    let settings = p.chat_school_settings(&admin).await.expect("settings");
    assert_eq!(settings.retention_days, Some(30));
    clock.advance(Duration::days(31));
    p.chat_send(&lena, class, "Neu", None).await.expect("send");
    assert_eq!(p.system_chat_retention().await.expect("sweep"), 2);
    assert_eq!(texts(&s, &anna, class).await, ["Neu"]);
    assert!(
        p.chat_search(&anna, "wandertag")
            .await
            .expect("s")
            .is_empty()
    );
}

async fn attachments_count_and_stay_in_the_room(db: Db) {
    let (s, _clock) = setup(db).await;
    let p = &s.platform;
    let (anna, ben, carla) = (
        s.user("anna").await,
        s.user("ben").await,
        s.user("carla").await,
    );
    let class = room_named(&s, &anna, "5a").await.id;
    let png = b"\x89PNG\r\n\x1a\n0123456789abcdef".to_vec();
    let seq = p
        .chat_attach(
            &anna,
            class,
            "C:\\Bilder\\tafel.png",
            &png,
            false,
            "Tafelbild",
        )
        .await
        .expect("attach");
    let m = p
        .chat_messages(&ben, class, None)
        .await
        .expect("m")
        .into_iter()
        .find(|m| m.seq == seq)
        .expect("message");
    let a = m.attachment.expect("attachment");
    assert_eq!(
        (a.name.as_str(), a.kind, a.size),
        ("tafel.png", "image", png.len() as i64)
    );
    assert_eq!(m.text, "Tafelbild");
    let got = p.chat_attachment(&ben, class, seq).await.expect("download");
    assert_eq!(got.content_type, "image/png");
    assert!(not_found(p.chat_attachment(&carla, class, seq).await));
    assert!(not_found(p.chat_attachment(&ben, class, seq + 100).await));
    // A voice message must be a recording by its bytes; bad input stores nothing.
    assert!(matches!(
        p.chat_attach(&anna, class, "x.webm", b"not audio", true, "")
            .await,
        Err(DomainError::Invalid { .. })
    ));
    assert!(matches!(
        p.chat_attach(&anna, class, "leer", b"", false, "").await,
        Err(DomainError::Invalid { .. })
    ));
    let ogg = b"OggS\0\x02voice";
    let voice = p
        .chat_attach(&anna, class, "", ogg, true, "")
        .await
        .expect("voice");
    assert_eq!(
        p.chat_attachment(&ben, class, voice).await.expect("v").name,
        "Sprachnachricht"
    );
    assert!(not_found(
        p.chat_attach(&carla, class, "x.png", &png, false, "").await
    ));
    // Counted against the sender's quota; the blob is referenced until the message goes.
    let inst = anna.token.instance();
    let mut c = p.db().read().await.expect("db");
    let used = schulhof_store::files::usage(&mut c, inst, Some(anna.token.user().0))
        .await
        .expect("usage");
    assert_eq!(used, (png.len() + ogg.len()) as i64);
    let sha = got.etag.clone();
    assert!(
        schulhof_store::files::system_blob_referenced(&mut c, &sha)
            .await
            .expect("ref")
    );
    drop(c);
    p.chat_delete(&anna, class, seq).await.expect("delete");
    let mut c = p.db().read().await.expect("db");
    assert!(
        !schulhof_store::files::system_blob_referenced(&mut c, &sha)
            .await
            .expect("ref")
    );
    assert!(not_found(p.chat_attachment(&ben, class, seq).await));
}

/// Every stored file under `dir` that contains `needle`.
fn stored_with(dir: &std::path::Path, needle: &[u8]) -> usize {
    std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                stored_with(&p, needle)
            } else {
                let bytes = std::fs::read(&p).expect("read");
                usize::from(bytes.windows(needle.len()).any(|w| w == needle))
            }
        })
        .sum()
}

async fn content_of(a: schulhof_domain::chat::attach::AttachmentContent) -> Vec<u8> {
    use futures_util::TryStreamExt;
    use schulhof_domain::chat::attach::AttachmentBody;
    use tokio::io::AsyncReadExt;
    match a.body {
        AttachmentBody::Sealed(s) => s.try_collect::<Vec<_>>().await.expect("unseal").concat(),
        AttachmentBody::Plain(mut r) => {
            let mut v = Vec::new();
            r.read_to_end(&mut v).await.expect("read");
            v
        }
    }
}

async fn attachments_rest_sealed_and_old_ones_stay_readable(db: Db) {
    let dir = tempfile::tempdir().expect("blob dir");
    let start = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .expect("t");
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        blob_dir: Some(dir.path().to_owned()),
        ..Config::default()
    };
    let p = Platform::new(db, Arc::new(ManualClock::new(start)), config);
    let s = school_on(p, "123456").await;
    let p = &s.platform;
    let (anna, ben) = (s.user("anna").await, s.user("ben").await);
    let class = room_named(&s, &anna, "5a").await.id;
    // A picture of several sealing chunks (64 KiB each) with a secret in every part.
    let secret = b"GEHEIM-TAFELBILD-0815";
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    while png.len() < 200_000 {
        png.extend_from_slice(secret);
        png.extend((0..200u32).map(|i| (i % 251) as u8));
    }
    let seq = p
        .chat_attach_from(&anna, class, "tafel.png", &png[..], false, "")
        .await
        .expect("attach");
    assert_eq!(stored_with(dir.path(), secret), 0, "sealed at rest");
    let got = p.chat_attachment(&ben, class, seq).await.expect("download");
    assert_eq!(
        (got.content_type.as_str(), got.size),
        ("image/png", png.len() as i64)
    );
    assert_eq!(content_of(got).await, png, "unsealed on the way out");
    // A voice message and its quota count: the plain size.
    let ogg = b"OggS\0\x02GEHEIM-STIMME";
    let voice = p
        .chat_attach(&anna, class, "", ogg, true, "")
        .await
        .expect("voice");
    assert_eq!(stored_with(dir.path(), b"GEHEIM-STIMME"), 0);
    let got = p.chat_attachment(&ben, class, voice).await.expect("v");
    assert_eq!(content_of(got).await, ogg);
    let inst = anna.token.instance();
    let mut c = p.db().read().await.expect("db");
    let used = schulhof_store::files::usage(&mut c, inst, Some(anna.token.user().0))
        .await
        .expect("usage");
    assert_eq!(used, (png.len() + ogg.len()) as i64);
    drop(c);
    // Too large: refused while it streams, nothing becomes a message.
    let before = p.chat_messages(&ben, class, None).await.expect("m").len();
    let huge = vec![b'x'; schulhof_domain::chat::attach::MAX_ATTACHMENT + 1];
    assert!(matches!(
        p.chat_attach_from(&anna, class, "gross.bin", &huge[..], false, "")
            .await,
        Err(DomainError::Invalid { .. })
    ));
    assert_eq!(
        p.chat_messages(&ben, class, None).await.expect("m").len(),
        before
    );
    // An attachment stored before sealing (a plain blob, `sealed` false) still downloads.
    let old = b"%PDF-1.4 Elternbrief von frueher".to_vec();
    let blobs = schulhof_blob::LocalBlobs::open(dir.path())
        .await
        .expect("blobs");
    let blob = blobs.put(&old[..], 1 << 20).await.expect("put");
    let seq = p.chat_send(&anna, class, "alt", None).await.expect("send");
    let mut tx = p.db().begin().await.expect("tx");
    let row = schulhof_store::chat::upkeep::AttachmentRow {
        sha: blob.sha256.clone(),
        name: "brief.pdf".into(),
        content_type: "application/pdf".into(),
        size: old.len() as i64,
        sealed: false,
    };
    schulhof_store::chat::upkeep::insert_attachment(
        &mut tx,
        inst,
        class,
        seq,
        &row,
        anna.token.user(),
    )
    .await
    .expect("row");
    tx.commit().await.expect("commit");
    let got = p.chat_attachment(&ben, class, seq).await.expect("old");
    assert!(matches!(
        got.body,
        schulhof_domain::chat::attach::AttachmentBody::Plain(_)
    ));
    assert_eq!(content_of(got).await, old);
}

async fn nothing_crosses_schools(db: Db) {
    let (s, _clock) = setup(db).await;
    let other = school_on(s.platform.clone(), "654321").await;
    let p = &s.platform;
    let lena = s.user("lehrer").await;
    let class = room_named(&s, &lena, "5a").await.id;
    let seq = p.chat_send(&lena, class, "intern", None).await.expect("s");
    let stranger = other.user("lehrer").await;
    assert!(not_found(p.chat_mute(&stranger, class, "ben", 10).await));
    assert!(not_found(p.chat_pin(&stranger, class, seq, true).await));
    assert!(not_found(p.chat_report(&stranger, class, seq, "x").await));
    assert!(not_found(p.chat_reports(&stranger, class).await));
    assert!(not_found(p.chat_silence(&stranger, class, true).await));
    assert!(not_found(p.chat_set_quiet(&stranger, class, "", "").await));
    assert!(not_found(p.chat_attachment(&stranger, class, seq).await));
    assert!(
        p.chat_search(&stranger, "intern")
            .await
            .expect("s")
            .is_empty()
    );
    // Their admin's settings are theirs: this school keeps no deletion period.
    let their_admin = other.admin().await;
    p.chat_set_school_settings(&their_admin, "", "", Some(10))
        .await
        .expect("theirs");
    assert_eq!(room_named(&s, &lena, "5a").await.retention_days, None);
}

backend_tests!(
    mute_pin_and_report,
    quiet_hours_hold_pupils_until_the_morning,
    mentions_silencing_and_header_count,
    search_history_and_deletion_period,
    attachments_count_and_stay_in_the_room,
    attachments_rest_sealed_and_old_ones_stay_readable,
    nothing_crosses_schools,
);
