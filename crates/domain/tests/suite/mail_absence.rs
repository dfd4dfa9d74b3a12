//! The absence note on SQLite and PostgreSQL (RFC 3834): one reply per sender and period,
//! inside the school and to the outside world (a real SMTP server on loopback), never to
//! lists, bulk or automatic mail, empty or daemon senders, or copies not addressed to the
//! absent person.

use crate::mail_support;
use chrono::Duration;
use mail_support::*;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::absence::AbsenceInput;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

fn note<'a>(e: &Env, days: i64, substitute: Option<&'a str>) -> AbsenceInput<'a> {
    let now = e.platform.now();
    AbsenceInput {
        starts: now - Duration::hours(1),
        ends: now + Duration::days(days),
        subject: "Nicht im Haus",
        body: "Ich bin auf Klassenfahrt.",
        substitute,
    }
}

/// Mail from outside to the teacher, with extra header lines.
async fn from_outside(e: &Env, mail_from: &str, to: &str, extra: &str, subject: &str) {
    let raw = format!(
        "From: {mail_from}\r\nTo: {to}\r\n{extra}Subject: {subject}\r\nMessage-ID: <{subject}@outside>\r\n\r\nHallo\r\n"
    );
    let rcpt = e.platform.mail_inbound_rcpt(T).await.expect("rcpt");
    e.platform
        .mail_deliver_inbound(mail_from, &[rcpt], raw.as_bytes())
        .await
        .expect("delivered");
}

async fn replies_in(e: &Env, a: &Actor) -> Vec<String> {
    e.inbox(a)
        .await
        .into_iter()
        .filter(|m| m.subject == "Nicht im Haus")
        .map(|m| m.from_addr)
        .collect()
}

async fn the_note_answers_each_sender_once_per_period(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let t = e.user("lehrer").await;
    let anna = e.user("anna").await;
    let p = &e.platform;
    p.set_my_absence(&t, &note(&e, 3, Some("ben")))
        .await
        .expect("set");
    let mine = p.my_absence(&t).await.expect("read").expect("note");
    assert_eq!(
        mine.substitute.as_ref().map(|s| s.name.as_str()),
        Some("ben Test")
    );

    // Inside the school: Anna gets the reply once, however often she writes.
    for n in 0..2 {
        p.mail_submit(
            &anna,
            ANNA,
            &[T.into()],
            &message(ANNA, T, &format!("Frage{n}"), "?"),
        )
        .await
        .expect("sent");
    }
    assert_eq!(replies_in(&e, &anna).await, [T]);
    let reply = e
        .inbox(&anna)
        .await
        .into_iter()
        .find(|m| m.subject == "Nicht im Haus")
        .expect("reply");
    let raw = p.mail_raw(&anna, reply.id).await.expect("raw");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("Auto-Submitted: auto-replied"), "{text}");
    assert!(text.contains("In-Reply-To: <Frage0@test>"), "{text}");
    assert!(text.contains("Ich bin auf Klassenfahrt."));
    assert!(
        text.contains("ben Test <ben.test@123456.nrw.schule>"),
        "names the substitute"
    );

    // From outside: the reply leaves through the queue to the real SMTP server, once.
    from_outside(&e, "bob@example.org", T, "", "Termin").await;
    from_outside(&e, "bob@example.org", T, "", "Termin2").await;
    p.system_send_due_mail(p.now()).await.expect("run");
    let got = sink.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].rcpts, ["bob@example.org"]);
    assert_eq!(got[0].mail_from, T);
    let out = String::from_utf8_lossy(&got[0].raw);
    assert!(out.contains("Auto-Submitted: auto-replied"));
    assert!(out.contains("In-Reply-To: <Termin@outside>"));

    // A new period answers again; after its end, and once removed, nothing answers.
    p.set_my_absence(&t, &note(&e, 1, None)).await.expect("set");
    e.clock.advance(Duration::minutes(1));
    p.set_my_absence(&t, &note(&e, 1, None)).await.expect("set");
    p.mail_submit(&anna, ANNA, &[T.into()], &message(ANNA, T, "Neu", "?"))
        .await
        .expect("sent");
    assert_eq!(
        replies_in(&e, &anna).await.len(),
        2,
        "the new period answers again"
    );
    e.clock.advance(Duration::days(2));
    let ben = e.user("ben").await;
    p.mail_submit(
        &ben,
        "ben.test@123456.nrw.schule",
        &[T.into()],
        &message("ben.test@123456.nrw.schule", T, "Spät", "?"),
    )
    .await
    .expect("sent");
    assert!(replies_in(&e, &ben).await.is_empty(), "the period is over");
    p.set_my_absence(&t, &note(&e, 1, None)).await.expect("set");
    p.clear_my_absence(&t).await.expect("clear");
    assert!(p.my_absence(&t).await.expect("read").is_none());
    p.mail_submit(
        &ben,
        "ben.test@123456.nrw.schule",
        &[T.into()],
        &message("ben.test@123456.nrw.schule", T, "Weg", "?"),
    )
    .await
    .expect("sent");
    assert!(replies_in(&e, &ben).await.is_empty(), "removed");
}

async fn lists_bulk_automatic_and_daemon_mail_get_no_reply(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let t = e.user("lehrer").await;
    let p = &e.platform;
    p.set_my_absence(&t, &note(&e, 3, None)).await.expect("set");
    let cases = [
        ("list@example.org", T, "List-Id: <eltern.example.org>\r\n"),
        (
            "news@example.org",
            T,
            "List-Unsubscribe: <mailto:off@example.org>\r\n",
        ),
        ("bulk@example.org", T, "Precedence: bulk\r\n"),
        ("junk@example.org", T, "Precedence: junk\r\n"),
        ("robot@example.org", T, "Auto-Submitted: auto-generated\r\n"),
        ("other@example.org", T, "Auto-Submitted: auto-replied\r\n"),
        ("MAILER-DAEMON@example.org", T, ""),
        ("noreply@example.org", T, ""),
        ("", T, ""),
        // Not addressed to the teacher (a Bcc or a list's copy).
        ("bcc@example.org", "someone@example.org", ""),
    ];
    for (i, (from, to, extra)) in cases.iter().enumerate() {
        from_outside(&e, from, to, extra, &format!("Fall{i}")).await;
    }
    assert_eq!(e.inbox(&t).await.len(), cases.len(), "all delivered");
    p.system_send_due_mail(p.now()).await.expect("run");
    assert!(sink.messages().is_empty(), "{:?}", sink.messages());
    // The control: an ordinary message is answered.
    from_outside(
        &e,
        "mensch@example.org",
        T,
        "Auto-Submitted: no\r\n",
        "Normal",
    )
    .await;
    p.system_send_due_mail(p.now()).await.expect("run");
    assert_eq!(sink.messages().len(), 1);
}

async fn the_note_is_checked_and_only_for_mailboxes(db: Db) {
    let e = env(db, None).await;
    let t = e.user("lehrer").await;
    let p = &e.platform;
    let now = p.now();
    let backwards = AbsenceInput {
        ends: now - Duration::days(1),
        ..note(&e, 1, None)
    };
    assert!(matches!(
        p.set_my_absence(&t, &backwards).await,
        Err(DomainError::Invalid { field: "ends", .. })
    ));
    assert!(matches!(
        p.set_my_absence(&t, &note(&e, 1, Some("niemand"))).await,
        Err(DomainError::Invalid {
            field: "substitute",
            ..
        })
    ));
    let empty = AbsenceInput {
        subject: " ",
        ..note(&e, 1, None)
    };
    assert!(matches!(
        p.set_my_absence(&t, &empty).await,
        Err(DomainError::Invalid {
            field: "reply_subject",
            ..
        })
    ));
    assert!(
        p.my_absence(&t).await.expect("read").is_none(),
        "nothing stored"
    );
    // The admin function account has no mailbox.
    let admin = e.admin().await;
    assert!(matches!(
        p.my_absence(&admin).await,
        Err(DomainError::Denied(_) | DomainError::Forbidden)
    ));
    assert!(p.set_my_absence(&admin, &note(&e, 1, None)).await.is_err());
}

backend_tests!(
    the_note_answers_each_sender_once_per_period,
    lists_bulk_automatic_and_daemon_mail_get_no_reply,
    the_note_is_checked_and_only_for_mailboxes,
);
