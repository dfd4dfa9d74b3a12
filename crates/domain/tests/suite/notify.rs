//! The notification centre on SQLite and PostgreSQL: preferences are honoured ("off" is
//! neither shown nor mailed), immediate mail lands in the school mailbox (read through the
//! mail API) or, without one, goes to the external address; quiet hours defer it; a digest
//! gathers many into one mail; two nodes never send one mail or one digest twice; nobody
//! reads or marks another's notification; sharing notifies the person or the group.

use crate::mail_support;
use chrono::Duration;
use mail_support::*;
use schulhof_authz::check;
use schulhof_authz::mail::{Origin, ReceiveMail};
use schulhof_domain::identity::Actor;
use schulhof_domain::notify::quiet::Quiet;
use schulhof_domain::notify::{Kind, Mode};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;
use schulhof_store::mail::queue;

/// Writes a notification as a module's fan-out does (a plain row, mail state by default).
async fn note(p: &Platform, a: &Actor, kind: Kind, params: serde_json::Value) {
    let mut tx = p.db().begin().await.expect("tx");
    schulhof_store::notify::insert(
        &mut tx,
        a.token.instance(),
        a.token.user(),
        kind.as_str(),
        &params.to_string(),
        p.now(),
    )
    .await
    .expect("insert");
    tx.commit().await.expect("commit");
}

fn shared(name: &str) -> serde_json::Value {
    serde_json::json!({"node_id": "n-1", "name": name, "by": "Lena Lehmann"})
}

async fn set(p: &Platform, a: &Actor, modes: &[(Kind, Mode)], quiet: Option<Quiet>, hour: u32) {
    p.set_notification_preferences(a, modes, quiet, hour)
        .await
        .expect("preferences");
}

async fn unread(p: &Platform, a: &Actor) -> i64 {
    p.unread_notifications(a).await.expect("count")
}

async fn immediate_mail_lands_in_the_school_mailbox(db: Db) {
    let e = env(db, None).await;
    let p = &e.platform;
    let t = e.user("lehrer").await;
    set(p, &t, &[(Kind::FileShared, Mode::Mail)], None, 7).await;
    note(p, &t, Kind::FileShared, shared("Arbeitsblatt.pdf")).await;
    assert!(
        e.inbox(&t).await.is_empty(),
        "nothing before the worker runs"
    );
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!(d.mails, 1);
    let inbox = e.inbox(&t).await;
    assert_eq!(inbox.len(), 1);
    assert!(
        inbox[0].subject.contains("Arbeitsblatt.pdf"),
        "{}",
        inbox[0].subject
    );
    let raw = String::from_utf8(p.mail_raw(&t, inbox[0].id).await.expect("raw")).expect("utf8");
    assert!(raw.contains("Lena Lehmann hat"), "{raw}");
    assert!(raw.contains("Lena Lehmann shared"), "English too");
    assert!(
        raw.contains("https://schulhof.test/dateien/n-1"),
        "links to the object"
    );
    let again = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!(again.mails, 0);
    assert_eq!(e.inbox(&t).await.len(), 1, "once");
    // Still shown in the platform, unread.
    let list = p.my_notifications(&t).await.expect("list");
    assert_eq!(list.len(), 1);
    assert!(!list[0].read);
    assert_eq!(list[0].link, "/dateien/n-1");
    let mut c = p.db().read().await.expect("db");
    let q = queue::of_instance(&mut c, t.token.instance())
        .await
        .expect("queue");
    assert!(q.is_empty(), "nothing left the school: {q:?}");
}

async fn without_a_mailbox_mail_goes_to_the_external_address(db: Db) {
    let e = env(db, None).await;
    let p = &e.platform;
    let admin = e.admin().await;
    assert!(
        check(&admin.token, ReceiveMail(Origin::SameSchool)).is_err(),
        "the admin function account has no mailbox"
    );
    let mut tx = p.db().begin().await.expect("tx");
    schulhof_store::users::set_external_mail(
        &mut tx,
        admin.token.instance(),
        admin.token.user(),
        Some("admin@example.org"),
        p.now(),
    )
    .await
    .expect("external");
    tx.commit().await.expect("commit");
    set(p, &admin, &[(Kind::FileShared, Mode::Mail)], None, 7).await;
    note(p, &admin, Kind::FileShared, shared("Plan.pdf")).await;
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!(d.mails, 1);
    let mut c = p.db().read().await.expect("db");
    let q = queue::of_instance(&mut c, admin.token.instance())
        .await
        .expect("queue");
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].rcpt, "admin@example.org");
    drop(c);
    p.system_deliver_notifications(p.now()).await.expect("run");
    let mut c = p.db().read().await.expect("db");
    let q = queue::of_instance(&mut c, admin.token.instance())
        .await
        .expect("queue");
    assert_eq!(q.len(), 1, "once");
}

async fn platform_only_stays_and_off_is_neither_shown_nor_mailed(db: Db) {
    let e = env(db, None).await;
    let p = &e.platform;
    let t = e.user("lehrer").await;
    // News stays in the platform by default.
    note(
        p,
        &t,
        Kind::NewsPublished,
        serde_json::json!({"news_id": "x", "title": "Sportfest"}),
    )
    .await;
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!(d.mails, 0);
    assert!(e.inbox(&t).await.is_empty());
    assert_eq!(unread(p, &t).await, 1);
    // Off: a row a module writes anyway is hidden and not counted once the worker ran.
    set(p, &t, &[(Kind::NewsPublished, Mode::Off)], None, 7).await;
    note(
        p,
        &t,
        Kind::NewsPublished,
        serde_json::json!({"news_id": "y", "title": "Ausfall"}),
    )
    .await;
    p.system_deliver_notifications(p.now()).await.expect("run");
    let list = p.my_notifications(&t).await.expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].params["title"], "Sportfest");
    assert_eq!(unread(p, &t).await, 1);
    assert!(e.inbox(&t).await.is_empty());
    // Security kinds cannot be switched off or moved off mail.
    let refused = p
        .set_notification_preferences(&t, &[(Kind::PasswordReset, Mode::Off)], None, 7)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Invalid { .. })),
        "{refused:?}"
    );
    let prefs = p.notification_preferences(&t).await.expect("prefs");
    assert!(prefs.modes.contains(&(Kind::PasswordReset, Mode::Mail)));
    assert!(prefs.modes.contains(&(Kind::NewsPublished, Mode::Off)));
    assert!(
        prefs
            .modes
            .contains(&(Kind::CalendarInvitation, Mode::Mail)),
        "default"
    );
    // Bad quiet hours store nothing.
    let bad = p
        .set_notification_preferences(
            &t,
            &[(Kind::NewsPublished, Mode::Mail)],
            Some(Quiet { from: 60, to: 60 }),
            7,
        )
        .await;
    assert!(bad.is_err());
    let again = p.notification_preferences(&t).await.expect("prefs");
    assert_eq!(again, prefs, "nothing stored half");
}

async fn quiet_hours_defer_immediate_mail(db: Db) {
    let e = env(db, None).await;
    let p = &e.platform;
    let t = e.user("lehrer").await;
    // 08:00 UTC is 09:00 in Berlin: inside 08:30–10:00.
    let quiet = Quiet {
        from: 8 * 60 + 30,
        to: 10 * 60,
    };
    set(p, &t, &[(Kind::FileShared, Mode::Mail)], Some(quiet), 7).await;
    note(p, &t, Kind::FileShared, shared("Nacht.pdf")).await;
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!((d.mails, d.deferred), (0, 1));
    assert!(e.inbox(&t).await.is_empty());
    e.clock.advance(Duration::minutes(30));
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!((d.mails, d.deferred), (0, 0), "waits, untouched");
    assert!(e.inbox(&t).await.is_empty());
    e.clock.advance(Duration::minutes(31));
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!(d.mails, 1, "sent when the quiet hours end");
    assert_eq!(e.inbox(&t).await.len(), 1);
}

async fn a_digest_gathers_many_into_one_mail(db: Db) {
    let e = env(db, None).await;
    let p = &e.platform;
    let t = e.user("lehrer").await;
    set(p, &t, &[(Kind::NewsPublished, Mode::Digest)], None, 7).await;
    for i in 0..5 {
        let title = format!("Nachricht {i}");
        note(
            p,
            &t,
            Kind::NewsPublished,
            serde_json::json!({"news_id": format!("n{i}"), "title": title}),
        )
        .await;
    }
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!((d.mails, d.digests), (0, 0), "due at 07:00 tomorrow");
    e.clock.advance(Duration::hours(21) + Duration::minutes(59));
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!(d.digests, 0, "06:59 in Berlin");
    e.clock.advance(Duration::minutes(1));
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!(d.digests, 1);
    let inbox = e.inbox(&t).await;
    assert_eq!(inbox.len(), 1, "one mail for five");
    let raw = String::from_utf8(p.mail_raw(&t, inbox[0].id).await.expect("raw")).expect("utf8");
    for i in 0..5 {
        assert!(raw.contains(&format!("Nachricht {i}")), "{raw}");
    }
    let d = p.system_deliver_notifications(p.now()).await.expect("run");
    assert_eq!(d.digests, 0, "once a day");
    // A new item waits for tomorrow's digest.
    note(
        p,
        &t,
        Kind::NewsPublished,
        serde_json::json!({"news_id": "z", "title": "Später"}),
    )
    .await;
    e.clock.advance(Duration::hours(3));
    assert_eq!(
        p.system_deliver_notifications(p.now())
            .await
            .expect("run")
            .digests,
        0
    );
    e.clock.advance(Duration::hours(21));
    assert_eq!(
        p.system_deliver_notifications(p.now())
            .await
            .expect("run")
            .digests,
        1
    );
    assert_eq!(e.inbox(&t).await.len(), 2);
}

async fn two_nodes_never_send_one_mail_or_digest_twice(db: Db) {
    let e = env(db, None).await;
    let a = e.platform.clone();
    let b = e.second_node();
    let t = e.user("lehrer").await;
    set(
        &a,
        &t,
        &[
            (Kind::FileShared, Mode::Mail),
            (Kind::NewsPublished, Mode::Digest),
        ],
        None,
        7,
    )
    .await;
    for i in 0..30 {
        note(&a, &t, Kind::FileShared, shared(&format!("Datei {i}.pdf"))).await;
        note(
            &a,
            &t,
            Kind::NewsPublished,
            serde_json::json!({"news_id": format!("n{i}"), "title": "x"}),
        )
        .await;
    }
    let now = a.now();
    let (x, y) = tokio::join!(
        a.system_deliver_notifications(now),
        b.system_deliver_notifications(now)
    );
    let (x, y) = (x.expect("a"), y.expect("b"));
    assert_eq!(x.mails + y.mails, 30, "{x:?} {y:?}");
    assert_eq!(e.inbox(&t).await.len(), 30, "each once");
    e.clock.advance(Duration::days(1));
    let now = a.now();
    let (x, y) = tokio::join!(
        a.system_deliver_notifications(now),
        b.system_deliver_notifications(now)
    );
    let (x, y) = (x.expect("a"), y.expect("b"));
    assert_eq!(x.digests + y.digests, 1, "{x:?} {y:?}");
    assert_eq!(e.inbox(&t).await.len(), 31, "one digest");
    let (x, y) = tokio::join!(
        a.system_deliver_notifications(now),
        b.system_deliver_notifications(now)
    );
    assert_eq!(x.expect("a").digests + y.expect("b").digests, 0);
}

async fn nobody_reads_or_marks_anothers_notification(db: Db) {
    let e = env(db, None).await;
    let p = &e.platform;
    let t = e.user("lehrer").await;
    let anna = e.user("anna").await;
    note(p, &t, Kind::FileShared, shared("Noten.xlsx")).await;
    let id = p.my_notifications(&t).await.expect("list")[0].id;
    assert!(p.my_notifications(&anna).await.expect("list").is_empty());
    assert!(matches!(
        p.open_notification(&anna, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.read_notification(&anna, id).await,
        Err(DomainError::NotFound)
    ));
    p.read_notifications(&anna).await.expect("all of mine");
    assert_eq!(unread(p, &t).await, 1, "still unread");
    assert_eq!(
        p.open_notification(&t, id).await.expect("open"),
        "/dateien/n-1"
    );
    assert_eq!(unread(p, &t).await, 0);
    // The count the header shows comes with the session.
    note(p, &t, Kind::FileShared, shared("Neu.pdf")).await;
    assert_eq!(e.user("lehrer").await.unread_notifications, 1);
}

backend_tests!(
    immediate_mail_lands_in_the_school_mailbox,
    without_a_mailbox_mail_goes_to_the_external_address,
    platform_only_stays_and_off_is_neither_shown_nor_mailed,
    quiet_hours_defer_immediate_mail,
    a_digest_gathers_many_into_one_mail,
    two_nodes_never_send_one_mail_or_digest_twice,
    nobody_reads_or_marks_anothers_notification,
);
