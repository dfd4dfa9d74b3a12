//! Outgoing mail on SQLite and PostgreSQL, against a real SMTP server on loopback: the
//! relay gets the message byte for byte, refusals and long failures bounce into the
//! sender's inbox, two nodes never send one message twice, notifications leave by mail,
//! and traffic data goes after seven days.

use crate::mail_support;
use chrono::Duration;
use mail_support::*;
use schulhof_domain::Db;
use schulhof_domain::identity::Actor;
use schulhof_store::backend_tests;
use schulhof_store::mail::{queue, traffic};

async fn queue_of(e: &Env, a: &Actor) -> Vec<queue::QueueState> {
    let mut c = e.platform.db().read().await.expect("db");
    queue::of_instance(&mut c, a.token.instance())
        .await
        .expect("queue")
}

async fn outgoing_mail_reaches_the_relay_byte_for_byte(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let t = e.user("lehrer").await;
    let raw = message(
        T,
        "bob@example.org",
        "Elternabend",
        "Am Dienstag um 19 Uhr.\r\n.\r\nPunkt",
    );
    let to = ["bob@example.org".to_owned(), "carol@example.org".to_owned()];
    let r = e
        .platform
        .mail_submit(&t, T, &to, &raw)
        .await
        .expect("sent");
    assert_eq!(r.queued, 2);
    assert_eq!(
        sink.messages().len(),
        0,
        "nothing leaves before the worker runs"
    );
    let now = e.platform.now();
    assert_eq!(e.platform.system_send_due_mail(now).await.expect("run"), 2);
    let got = sink.messages();
    assert_eq!(got.len(), 2);
    let mut rcpts: Vec<String> = got.iter().flat_map(|g| g.rcpts.clone()).collect();
    rcpts.sort();
    assert_eq!(rcpts, to);
    for g in &got {
        assert_eq!(g.mail_from, T);
        assert_eq!(g.raw, raw, "the relay gets the message byte for byte");
    }
    let q = queue_of(&e, &t).await;
    assert!(q.iter().all(|r| r.status == "sent"), "{q:?}");
    assert_eq!(e.platform.system_send_due_mail(now).await.expect("run"), 0);
    assert_eq!(sink.messages().len(), 2, "sent once");
}

async fn a_refused_message_bounces_into_the_senders_inbox(db: Db) {
    let sink = Sink::start(Some("550 5.1.1 no such user here")).await;
    let e = env(db, Some(sink.url())).await;
    let t = e.user("lehrer").await;
    let raw = message(T, "niemand@example.org", "Anfrage", "Hallo");
    e.platform
        .mail_submit(&t, T, &["niemand@example.org".into()], &raw)
        .await
        .expect("sent");
    assert!(e.inbox(&t).await.is_empty());
    let now = e.platform.now();
    assert_eq!(e.platform.system_send_due_mail(now).await.expect("run"), 1);
    let q = queue_of(&e, &t).await;
    assert_eq!(q[0].status, "failed", "a 5xx is final: {q:?}");
    assert!(q[0].last_error.as_deref().unwrap_or("").contains("550"));
    let inbox = e.inbox(&t).await;
    assert_eq!(inbox.len(), 1, "one bounce");
    let dsn = &inbox[0];
    assert!(dsn.subject.contains("Anfrage"), "{}", dsn.subject);
    assert!(
        dsn.from_addr
            .eq_ignore_ascii_case("MAILER-DAEMON@123456.nrw.schule"),
        "{}",
        dsn.from_addr
    );
    let body = e.platform.mail_raw(&t, dsn.id).await.expect("raw");
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("multipart/report"), "{text}");
    assert!(text.contains("delivery-status"));
    assert!(text.contains("Final-Recipient: rfc822; niemand@example.org"));
    assert!(text.contains("Action: failed"));
    assert!(text.contains("Status: 5.1.1"));
    assert!(
        text.contains("Message-ID: <Anfrage@test>"),
        "the original header"
    );
    // No second bounce, no second attempt.
    e.clock.advance(Duration::hours(1));
    assert_eq!(
        e.platform
            .system_send_due_mail(e.platform.now())
            .await
            .expect("run"),
        0
    );
    assert_eq!(e.inbox(&t).await.len(), 1);
}

async fn temporary_failures_are_retried_then_given_up_after_two_days(db: Db) {
    let sink = Sink::start(Some("451 4.3.0 try again later")).await;
    let e = env(db, Some(sink.url())).await;
    let t = e.user("lehrer").await;
    let sent_at = e.platform.now();
    e.platform
        .mail_submit(
            &t,
            T,
            &["bob@example.org".into()],
            &message(T, "bob@example.org", "Geduld", "x"),
        )
        .await
        .expect("sent");
    let p = &e.platform;
    assert_eq!(p.system_send_due_mail(p.now()).await.expect("run"), 1);
    let q = queue_of(&e, &t).await;
    assert_eq!((q[0].status.as_str(), q[0].attempts), ("queued", 1));
    assert_eq!(q[0].next_at, sent_at + Duration::minutes(5));
    assert_eq!(
        p.system_send_due_mail(p.now()).await.expect("run"),
        0,
        "not due yet"
    );
    let mut pauses = Vec::new();
    loop {
        let q = queue_of(&e, &t).await;
        if q[0].status != "queued" {
            break;
        }
        let wait = q[0].next_at - p.now();
        pauses.push(wait);
        e.clock.advance(wait);
        assert_eq!(p.system_send_due_mail(p.now()).await.expect("run"), 1);
        assert!(pauses.len() < 30, "gives up in the end");
    }
    assert!(
        pauses.windows(2).all(|w| w[0] <= w[1]),
        "pauses grow: {pauses:?}"
    );
    assert_eq!(pauses[..2], [Duration::minutes(5), Duration::minutes(15)]);
    let gave_up = p.now() - sent_at;
    assert!(
        gave_up > Duration::hours(40) && gave_up <= Duration::days(2),
        "gave up after {gave_up}"
    );
    assert_eq!(queue_of(&e, &t).await[0].status, "failed");
    let inbox = e.inbox(&t).await;
    assert_eq!(inbox.len(), 1, "one bounce");
    let text =
        String::from_utf8_lossy(&p.mail_raw(&t, inbox[0].id).await.expect("raw")).into_owned();
    assert!(text.contains("Status: 4.4.7"), "{text}");
    assert!(
        text.contains("451 4.3.0 try again later") || text.contains("4.3.0"),
        "{text}"
    );
    assert!(sink.messages().is_empty());
}

async fn a_relay_that_was_down_gets_the_mail_later(db: Db) {
    // Nothing listens on this port: the first attempt cannot connect.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let down = format!(
        "smtp://127.0.0.1:{}",
        closed.local_addr().expect("addr").port()
    );
    drop(closed);
    let sink = Sink::start(None).await;
    let e = env(db, Some(down)).await;
    let t = e.user("lehrer").await;
    let raw = message(T, "bob@example.org", "Später", "x");
    e.platform
        .mail_submit(&t, T, &["bob@example.org".into()], &raw)
        .await
        .expect("sent");
    let p = &e.platform;
    assert_eq!(p.system_send_due_mail(p.now()).await.expect("run"), 1);
    assert_eq!(queue_of(&e, &t).await[0].status, "queued");
    e.clock.advance(Duration::minutes(5));
    let up = e.node_with_relay(&sink.url());
    assert_eq!(up.system_send_due_mail(up.now()).await.expect("run"), 1);
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].raw, raw);
    let q = queue_of(&e, &t).await;
    assert_eq!((q[0].status.as_str(), q[0].attempts), ("sent", 2));
    assert!(e.inbox(&t).await.is_empty(), "no bounce");
}

async fn two_nodes_never_send_one_mail_twice(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let t = e.user("lehrer").await;
    let to: Vec<String> = (0..50).map(|i| format!("eltern{i}@example.org")).collect();
    e.platform
        .mail_submit(&t, T, &to, &message(T, "eltern@example.org", "Info", "x"))
        .await
        .expect("sent");
    let a = e.platform.clone();
    let b = e.second_node();
    let now = e.platform.now();
    let (na, nb) = tokio::join!(a.system_send_due_mail(now), b.system_send_due_mail(now));
    let (na, nb) = (na.expect("node a"), nb.expect("node b"));
    // A batch is 32: both nodes had work, and neither took the other's.
    assert_eq!(na + nb, 50, "{na} + {nb}");
    let got = sink.messages();
    let mut rcpts: Vec<String> = got.iter().flat_map(|g| g.rcpts.clone()).collect();
    rcpts.sort();
    rcpts.dedup();
    assert_eq!(got.len(), 50, "each once");
    assert_eq!(rcpts.len(), 50);
    assert!(queue_of(&e, &t).await.iter().all(|r| r.status == "sent"));

    // A node that claimed and died holds its rows until the lease runs out.
    e.platform
        .mail_submit(
            &t,
            T,
            &["spaet@example.org".into()],
            &message(T, "spaet@example.org", "Spät", "x"),
        )
        .await
        .expect("sent");
    let now = e.platform.now();
    let mut tx = e.platform.db().begin().await.expect("tx");
    let claimed = queue::claim_due(&mut tx, now, now + Duration::minutes(15), 10)
        .await
        .expect("claim");
    tx.commit().await.expect("commit");
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        b.system_send_due_mail(now).await.expect("run"),
        0,
        "leased elsewhere"
    );
    e.clock.advance(Duration::minutes(16));
    assert_eq!(
        b.system_send_due_mail(b.now()).await.expect("run"),
        1,
        "taken over"
    );
    assert_eq!(sink.messages().len(), 51);
}

async fn notifications_leave_by_mail(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let admin = e.admin().await;
    let instance = admin.token.instance();
    e.platform
        .reset_password(&admin, "lehrer", None)
        .await
        .expect("reset");
    let t_id = {
        let mut c = e.platform.db().read().await.expect("db");
        schulhof_store::users::find_by_login(&mut c, instance, "lehrer")
            .await
            .expect("user")
            .expect("lehrer")
            .id
    };
    let waiting = |p: schulhof_domain::Platform| async move {
        let mut c = p.db().read().await.expect("db");
        schulhof_store::notify::queued_mails(&mut c, instance, t_id)
            .await
            .expect("count")
    };
    let before = waiting(e.platform.clone()).await;
    assert!(before >= 1, "the reset is notified");
    e.platform
        .system_send_due_mail(e.platform.now())
        .await
        .expect("run");
    assert_eq!(waiting(e.platform.clone()).await, 0, "marked sent");
    let got = sink.messages();
    assert_eq!(got.len() as i64, before);
    for g in &got {
        assert_eq!(g.rcpts, ["lehrer@example.org"]);
        assert_eq!(g.mail_from, "noreply@123456.nrw.schule");
    }
    let all: String = got
        .iter()
        .map(|g| {
            let m = mail_parser::MessageParser::default()
                .parse(&g.raw[..])
                .expect("parse");
            m.body_text(0).map(|b| b.into_owned()).unwrap_or_default()
        })
        .collect();
    assert!(
        all.contains("Ihr Passwort wurde von admin zurückgesetzt."),
        "{all}"
    );
    assert!(all.contains("Your password was reset by admin."));
    e.platform
        .system_send_due_mail(e.platform.now())
        .await
        .expect("run");
    assert_eq!(sink.messages().len() as i64, before, "once");
}

async fn traffic_data_is_deleted_after_seven_days(db: Db) {
    let e = env(db, None).await;
    let t = e.user("lehrer").await;
    let admin = e.admin().await;
    let instance = t.token.instance();
    let rows = |p: schulhof_domain::Platform| async move {
        let mut c = p.db().read().await.expect("db");
        traffic::of_instance(&mut c, instance).await.expect("rows")
    };
    e.platform
        .mail_submit(&t, T, &[ANNA.into()], &message(T, ANNA, "Vertretung", "x"))
        .await
        .expect("sent");
    let first = rows(e.platform.clone()).await;
    assert!(!first.is_empty(), "recorded");
    assert!(
        first
            .iter()
            .any(|r| r.subject == "Vertretung" && r.sender == T)
    );
    e.clock.advance(Duration::days(6));
    // A later message under a documented hold for the teacher.
    e.platform
        .mail_submit(&t, T, &[ANNA.into()], &message(T, ANNA, "Beweis", "x"))
        .await
        .expect("sent");
    let at = e.platform.now();
    e.platform
        .place_hold(
            &admin,
            Some("lehrer"),
            at - Duration::hours(1),
            at + Duration::hours(1),
            "Missbrauchsfall dokumentiert",
        )
        .await
        .expect("hold");
    e.platform.system_purge_expired().await.expect("purge");
    assert_eq!(
        rows(e.platform.clone()).await.len(),
        first.len() * 2,
        "nothing is 7 days old yet"
    );
    e.clock.advance(Duration::days(2));
    let p = e.platform.system_purge_expired().await.expect("purge");
    assert_eq!(p.mail_traffic, first.len() as u64);
    let left = rows(e.platform.clone()).await;
    assert!(left.iter().all(|r| r.subject == "Beweis"), "{left:?}");
    e.clock.advance(Duration::days(30));
    e.platform.system_purge_expired().await.expect("purge");
    assert_eq!(
        rows(e.platform.clone()).await.len(),
        left.len(),
        "the hold keeps them"
    );
}

backend_tests!(
    outgoing_mail_reaches_the_relay_byte_for_byte,
    a_refused_message_bounces_into_the_senders_inbox,
    temporary_failures_are_retried_then_given_up_after_two_days,
    a_relay_that_was_down_gets_the_mail_later,
    two_nodes_never_send_one_mail_twice,
    notifications_leave_by_mail,
    traffic_data_is_deleted_after_seven_days,
);
