//! Spam filter, virus scanner and the outgoing rate limit with the real components: rspamd
//! and clamd started by the test (see `filter_support`), mail handed to the platform's own
//! SMTP listeners, on SQLite and PostgreSQL. Needs `apt-get install rspamd clamav-daemon`.

use crate::common;
use crate::filter_support;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use common::{DEMO_PW, TestApp};
use filter_support::{Clamd, Rspamd, eicar, gtube, plain, smtp_send, smtp_submit, with_attachment};
use http_body_util::BodyExt;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::{MessageMeta, Special};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_smtp::{Role, Service, SmtpConfig};
use schulhof_store::testing::TestDb;
use tower::ServiceExt;

/// The platform with the given filters (and short scan timeouts, for the "down" cases).
async fn app(db: Db, spam: Option<String>, virus: Option<std::path::PathBuf>) -> TestApp {
    TestApp::with_config(db, |c| {
        c.mail.filter.spam_filter = spam;
        c.mail.filter.virus_scanner = virus;
        c.mail.filter.scan_timeout = Duration::from_secs(20);
    })
    .await
}

/// An SMTP listener of `role` on a loopback port, without TLS.
async fn listen(p: &Platform, role: Role) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let config = SmtpConfig {
        hostname: "mx.nrw.schule".into(),
        max_message: 16 * 1024 * 1024,
        loopback_plaintext_auth: true,
        ..SmtpConfig::default()
    };
    let svc = Arc::new(Service::new(role, p.clone(), None, config));
    tokio::spawn(svc.serve(listener));
    port
}

async fn actor(app: &TestApp, login: &str) -> (Actor, String) {
    let cookie = app.ready(login).await;
    let s = app.platform.session(&cookie).await.expect("session");
    (s.actor, cookie)
}

async fn folder(p: &Platform, a: &Actor, s: Special) -> Vec<MessageMeta> {
    let id = p.mail_special(a, s).await.expect("folder");
    p.mail_page(a, id, 0, 200).await.expect("page").0
}

async fn raw_of(p: &Platform, a: &Actor, m: &MessageMeta) -> String {
    String::from_utf8_lossy(&p.mail_raw(a, m.id).await.expect("raw")).into_owned()
}

/// The HTML of a page.
async fn page(app: &TestApp, path: &str, cookie: &str) -> String {
    let req = Request::get(path)
        .header(header::COOKIE, format!("schulhof_session={cookie}"))
        .body(Body::empty())
        .expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

async fn start_daemons() -> (Clamd, Rspamd) {
    tokio::task::spawn_blocking(|| (Clamd::start(), Rspamd::start()))
        .await
        .expect("daemons")
}

async fn filters(db: TestDb) {
    let (clamd, rspamd) = start_daemons().await;
    let app = app(
        db.db.clone(),
        Some(rspamd.url.clone()),
        Some(clamd.socket.clone()),
    )
    .await;
    let p = &app.platform;
    let (teacher, _) = actor(&app, "lehrer").await;
    let (student, _) = actor(&app, "schueler").await;
    let (admin, admin_cookie) = actor(&app, "admin").await;
    let mx = listen(p, Role::Mx).await;
    let to = teacher.user.mail.clone();
    let outside = "jemand@example.org";

    // GTUBE itself: rspamd says reject; it is caught and filed in Spam, not refused.
    let msg = plain(outside, &to, "Gewinn", &gtube(true));
    let got = smtp_send(mx, outside, &[&to], &msg).await;
    assert!(got.starts_with("250"), "{got}");
    let junk = folder(p, &teacher, Special::Junk).await;
    assert!(
        junk.iter().any(|m| m.subject == "[SPAM] Gewinn"),
        "GTUBE in the Spam folder: {junk:?}"
    );
    let inbox = folder(p, &teacher, Special::Inbox).await;
    assert!(!inbox.iter().any(|m| m.subject.contains("Gewinn")));
    // GTUBE's "add header" variant: delivered, marked, in the Spam folder.
    let msg = plain(outside, &to, "Angebot", &gtube(false));
    let got = smtp_send(mx, outside, &[&to], &msg).await;
    assert!(got.starts_with("250"), "{got}");
    let junk = folder(p, &teacher, Special::Junk).await;
    let spam = junk.iter().find(|m| m.subject == "[SPAM] Angebot");
    let spam = spam.unwrap_or_else(|| panic!("spam in the Spam folder: {junk:?}"));
    let raw = raw_of(p, &teacher, spam).await;
    assert!(raw.contains("X-Spam: Yes\r\n"), "{raw}");
    assert!(raw.contains("X-Spam-Score: 6.00 / 15.00\r\n"), "{raw}");
    let inbox = folder(p, &teacher, Special::Inbox).await;
    assert!(!inbox.iter().any(|m| m.subject.contains("Angebot")));
    // Ordinary mail: into the inbox, marked as checked.
    let msg = plain(
        outside,
        &to,
        "Elternabend",
        "Liebe Frau Lehrerin, wann ist der Abend?",
    );
    assert!(
        smtp_send(mx, outside, &[&to], &msg)
            .await
            .starts_with("250")
    );
    let inbox = folder(p, &teacher, Special::Inbox).await;
    let ham = inbox
        .iter()
        .find(|m| m.subject == "Elternabend")
        .expect("ham");
    assert!(raw_of(p, &teacher, ham).await.contains("X-Spam: No\r\n"));

    malware(&app, &teacher, &student, &admin, mx).await;
    training(p, &teacher, &rspamd, ham.id, spam.id).await;

    // The admin sees that both filters are on.
    let html = page(&app, "/verwaltung/mail", &admin_cookie).await;
    assert!(
        html.contains("Spamfilter") && html.contains("Virenscanner"),
        "{html}"
    );
    assert_eq!(html.matches("data-on=\"true\"").count(), 2, "{html}");
    drop((clamd, rspamd));
}

/// EICAR from outside and from a student: held back, never delivered, everyone here told.
async fn malware(app: &TestApp, teacher: &Actor, student: &Actor, admin: &Actor, mx: u16) {
    let p = &app.platform;
    let to = teacher.user.mail.clone();
    let outside = "jemand@example.org";
    let msg = with_attachment(outside, &to, "Rechnung", "rechnung.com", &eicar());
    let got = smtp_send(mx, outside, &[&to], &msg).await;
    assert!(got.starts_with("250"), "{got}");
    let inbox = folder(p, teacher, Special::Inbox).await;
    assert!(!inbox.iter().any(|m| m.subject == "Rechnung"), "{inbox:?}");
    let junk = folder(p, teacher, Special::Junk).await;
    assert!(!junk.iter().any(|m| m.subject.contains("Rechnung")));
    let notices = |list: &[MessageMeta]| {
        list.iter()
            .filter(|m| m.subject.starts_with("Nachricht zurückgehalten"))
            .count()
    };
    assert_eq!(notices(&inbox), 1, "{inbox:?}");
    // A student sends EICAR to the teacher: refused, held, both told.
    let from = student.user.mail.clone();
    let msg = with_attachment(&from, &to, "Hausaufgabe", "ha.com", &eicar());
    let err = p
        .mail_submit(student, &from, std::slice::from_ref(&to), &msg)
        .await;
    match err {
        Err(DomainError::Invalid { message, .. }) => {
            assert!(
                message.contains("malware (Schulhof.Test.EICAR"),
                "{message}"
            )
        }
        other => panic!("malware sent: {other:?}"),
    }
    let inbox = folder(p, teacher, Special::Inbox).await;
    assert!(!inbox.iter().any(|m| m.subject == "Hausaufgabe"));
    assert_eq!(notices(&inbox), 2, "{inbox:?}");
    assert_eq!(notices(&folder(p, student, Special::Inbox).await), 1);
    let held = p.mail_quarantine(admin).await.expect("quarantine");
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(
        held.iter()
            .all(|h| h.finding.starts_with("Schulhof.Test.EICAR"))
    );
    assert!(
        held.iter()
            .any(|h| h.subject == "Rechnung" && h.direction == "in")
    );
    assert!(
        held.iter()
            .any(|h| h.subject == "Hausaufgabe" && h.mail_from == from)
    );
}

/// "Spam" and "not spam" move the message and train rspamd. (rspamd answers a message
/// with a GTUBE pattern "learned" without counting it, so an ordinary one is learned.)
async fn training(
    p: &Platform,
    teacher: &Actor,
    rspamd: &Rspamd,
    ham: schulhof_types::MailMessageId,
    spam: schulhof_types::MailMessageId,
) {
    let before = rspamd.learned();
    p.mail_mark_spam(teacher, ham, true).await.expect("spam");
    let junk = folder(p, teacher, Special::Junk).await;
    assert!(junk.iter().any(|m| m.subject == "Elternabend"), "{junk:?}");
    let after_spam = learned_more_than(rspamd, before).await;
    p.mail_mark_spam(teacher, ham, false).await.expect("ham");
    learned_more_than(rspamd, after_spam).await;
    p.mail_mark_spam(teacher, spam, false).await.expect("ham");
    let inbox = folder(p, teacher, Special::Inbox).await;
    assert!(
        inbox.iter().any(|m| m.subject == "[SPAM] Angebot"),
        "{inbox:?}"
    );
    assert!(
        inbox.iter().any(|m| m.subject == "Elternabend"),
        "{inbox:?}"
    );
}

/// Waits (briefly) for rspamd's count of learned messages to pass `n`; returns it.
async fn learned_more_than(rspamd: &Rspamd, n: i64) -> i64 {
    for _ in 0..30 {
        let now = rspamd.learned();
        if now > n {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("rspamd learned nothing (still {n})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gtube_eicar_and_training_sqlite() {
    filters(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gtube_eicar_and_training_postgres() {
    filters(TestDb::postgres().await).await;
}

/// Incompressible bytes (a scanner cannot skip through them).
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A 10 MB attachment being scanned takes one scan slot; a small message beside it is
/// scanned and delivered while the large one is still being scanned. (With a single slot
/// the small one would wait, and this test fails.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_large_scan_does_not_hold_a_small_delivery() {
    let clamd = tokio::task::spawn_blocking(Clamd::start)
        .await
        .expect("clamd");
    let db = TestDb::sqlite().await;
    let slots = Arc::new(tokio::sync::Semaphore::new(2));
    let app = TestApp::with_config(db.db.clone(), |c| {
        c.mail.filter.virus_scanner = Some(clamd.socket.clone());
        c.mail.filter.scan_slots = slots.clone();
    })
    .await;
    let (teacher, _) = actor(&app, "lehrer").await;
    let mx = listen(&app.platform, Role::Mx).await;
    let to = teacher.user.mail.clone();
    let outside = "jemand@example.org";
    let big = with_attachment(outside, &to, "Gross", "daten.bin", &noise(10 * 1024 * 1024));
    let small = plain(outside, &to, "Klein", "Kurz.");
    let to_big = to.clone();
    let big_task = tokio::spawn(async move { smtp_send(mx, outside, &[&to_big], &big).await });
    // Wait until the large message holds its scan slot.
    let waited = Instant::now();
    while slots.available_permits() == 2 {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the large scan never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let t = Instant::now();
    let got = smtp_send(mx, outside, &[&to], &small).await;
    let small_took = t.elapsed();
    assert!(got.starts_with("250"), "{got}");
    // The large message still holds its slot: the small one did not wait for its scan.
    assert!(
        slots.available_permits() < 2,
        "the small message ({small_took:?}) waited for the large one's scan"
    );
    let got = big_task.await.expect("big");
    assert!(got.starts_with("250"), "{got}");
    let inbox = folder(&app.platform, &teacher, Special::Inbox).await;
    assert!(inbox.iter().any(|m| m.subject == "Gross"));
    assert!(inbox.iter().any(|m| m.subject == "Klein"));
    drop(clamd);
}

/// A configured filter that is down: delivery waits (451 4.7.1), nothing gets through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_that_is_down_defers_delivery() {
    let dir = tempfile::tempdir().expect("dir");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    for (spam, virus) in [
        (None, Some(dir.path().join("no-clamd.sock"))),
        (Some(format!("http://127.0.0.1:{port}")), None),
    ] {
        let db = TestDb::sqlite().await;
        let app = app(db.db.clone(), spam, virus).await;
        let p = &app.platform;
        let (teacher, _) = actor(&app, "lehrer").await;
        let (student, _) = actor(&app, "schueler").await;
        let mx = listen(p, Role::Mx).await;
        let to = teacher.user.mail.clone();
        let msg = plain("jemand@example.org", &to, "Wartet", "Hallo");
        let got = smtp_send(mx, "jemand@example.org", &[&to], &msg).await;
        assert!(got.starts_with("451 4.7.1"), "{got}");
        let inbox = folder(p, &teacher, Special::Inbox).await;
        assert!(!inbox.iter().any(|m| m.subject == "Wartet"));
        if app.platform.mail_filter_status().virus_scanner {
            let from = student.user.mail.clone();
            let sent = p
                .mail_submit(&student, &from, std::slice::from_ref(&to), &msg)
                .await;
            assert!(matches!(sent, Err(DomainError::Busy { .. })), "{sent:?}");
        }
    }
}

async fn rate_limit(db: TestDb) {
    let app = app(db.db.clone(), None, None).await;
    let p = &app.platform;
    let (teacher, _) = actor(&app, "lehrer").await;
    let (student, _) = actor(&app, "schueler").await;
    let (admin, admin_cookie) = actor(&app, "admin").await;
    p.mail_set_send_limit(&admin, "schueler", Some(3))
        .await
        .expect("limit");
    let limits = p.mail_send_limits(&admin).await.expect("limits");
    assert!(
        limits
            .iter()
            .any(|(t, n, set)| t.as_str() == "schueler" && *n == 3 && *set)
    );
    let to = teacher.user.mail.clone();
    let from = student.user.mail.clone();
    for i in 0..3 {
        let msg = plain(&from, &to, &format!("Frage {i}"), "Hallo");
        p.mail_submit(&student, &from, std::slice::from_ref(&to), &msg)
            .await
            .expect("within the limit");
    }
    let msg = plain(&from, &to, "Zu viel", "Hallo");
    let sent = p
        .mail_submit(&student, &from, std::slice::from_ref(&to), &msg)
        .await;
    assert!(
        matches!(sent, Err(DomainError::RateLimited { .. })),
        "{sent:?}"
    );
    // Through SMTP submission: 450 4.7.1 with a clear text.
    let sub = listen(p, Role::Submission).await;
    let got = smtp_submit(sub, "schueler@100000", DEMO_PW, &from, &[&to], &msg).await;
    assert!(got.starts_with("450 4.7.1 Too many recipients"), "{got}");
    // The operator is alerted once per window, not per refused message.
    let alerts = {
        let mut c = app.db_read().await;
        schulhof_store::operators::audit::recent(&mut c, 100)
            .await
            .expect("operator log")
    };
    let ours: Vec<_> = alerts
        .iter()
        .filter(|e| e.action == "mail_rate_limited")
        .collect();
    assert_eq!(ours.len(), 1, "{alerts:?}");
    assert_eq!(ours[0].object.as_deref(), Some("schueler@100000"));
    // Staff have their own, higher limit.
    let tfrom = teacher.user.mail.clone();
    for i in 0..5 {
        let msg = plain(&tfrom, &from, &format!("Antwort {i}"), "Hallo");
        p.mail_submit(&teacher, &tfrom, std::slice::from_ref(&from), &msg)
            .await
            .expect("staff limit");
    }
    let inbox = folder(p, &teacher, Special::Inbox).await;
    assert_eq!(
        inbox
            .iter()
            .filter(|m| m.subject.starts_with("Frage"))
            .count(),
        3
    );
    assert!(!inbox.iter().any(|m| m.subject == "Zu viel"));
    // The admin page offers the limits and says both filters are off.
    let html = page(&app, "/verwaltung/mail", &admin_cookie).await;
    assert!(html.contains("/verwaltung/mail/versandgrenzen"), "{html}");
    assert!(html.contains("name=\"schueler\" value=\"3\""), "{html}");
    assert_eq!(html.matches("data-on=\"false\"").count(), 2, "{html}");
    // An hour later the student may write again.
    app.advance(chrono::Duration::minutes(61));
    let msg = plain(&from, &to, "Wieder", "Hallo");
    p.mail_submit(&student, &from, std::slice::from_ref(&to), &msg)
        .await
        .expect("a new window");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_sqlite() {
    rate_limit(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_postgres() {
    rate_limit(TestDb::postgres().await).await;
}
