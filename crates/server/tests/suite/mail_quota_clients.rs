//! Mail quotas with real clients, on SQLite and PostgreSQL: the school sets 1 MB for
//! students and staff; Python's imaplib sees use and limit in GETQUOTAROOT, an APPEND over
//! the quota is `NO [OVERQUOTA]` and stores nothing, one that fits is taken and counted;
//! over SMTP a message to a full mailbox is 552 5.2.2 (submission and MX) with nothing
//! stored; with a second recipient that has room, 250: that one gets it and the sender a
//! bounce for the full one.

use crate::common;
use crate::mail_lists_smtp::{STAFF, STUDENT, TEACHER, inbox, listen, smtp_steps, step};
use crate::support;
use std::process::Command;

use common::{DEMO_PW, TestApp};
use schulhof_domain::Platform;
use schulhof_smtp::Role;
use schulhof_store::testing::TestDb;
use serde_json::{Value, json};

/// imaplib as the student: quota before, an APPEND of `big` bytes, one of 10 kB, quota
/// after; the INBOX message count around each.
const QUOTA_CLIENT: &str = r#"
import imaplib, json, re, sys
port, big = int(sys.argv[1]), int(sys.argv[2])
out = {}
m = imaplib.IMAP4('127.0.0.1', port)
m.login('schueler@100000', 'schulhof-demo')
out['caps'] = 'QUOTA' in m.capabilities or 'QUOTA=RES-STORAGE' in m.capabilities
def quota():
    typ, data = m.getquotaroot('INBOX')
    assert typ == 'OK', (typ, data)
    text = b' '.join(x for part in data for x in part if isinstance(x, bytes)).decode()
    used, limit = re.search(r'STORAGE (\d+) (\d+)', text).groups()
    return [int(used), int(limit), text]
def count():
    typ, data = m.status('INBOX', '(MESSAGES)')
    return int(re.search(rb'MESSAGES (\d+)', data[0]).group(1))
def msg(subject, n):
    return (f'From: sophie.schueler@100000.nrw.schule\r\nSubject: {subject}\r\n\r\n'.encode()
            + (b'z' * 998 + b'\r\n') * (n // 1000))
out['quota_before'] = quota()
out['count_before'] = count()
typ, data = m.append('INBOX', None, None, msg('Zu gross fuer IMAP', big))
out['append_big'] = f'{typ} {data[0].decode()}'
out['count_after_big'] = count()
out['quota_after_big'] = quota()
typ, data = m.append('INBOX', None, None, msg('Passt noch', 10_000))
out['append_small'] = f'{typ} {data[0].decode()}'
out['count_after_small'] = count()
out['quota_after_small'] = quota()
m.logout()
print(json.dumps(out))
"#;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

async fn imap_listen(p: &Platform) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(schulhof_imap::serve(listener, p.clone(), None));
    port
}

/// Bytes in use and the quota of `login`, as the mail service counts them.
async fn usage(p: &Platform, login: &str) -> (u64, u64) {
    let a = p
        .mail_client_actor(login, DEMO_PW, "127.0.0.1")
        .await
        .expect("login");
    p.mail_usage(&a).await.expect("usage")
}

async fn scenario(db: TestDb) {
    let app = TestApp::new(db.db.clone()).await;
    for l in ["lehrer", "personal", "schueler"] {
        app.ready(l).await;
    }
    let admin = app.ready("admin").await;
    let p = &app.platform;
    let admin_a = support::actor(&app, &admin).await;
    for kind in ["schueler", "personal"] {
        p.mail_set_quota(&admin_a, kind, Some(1))
            .await
            .expect("quota");
    }
    let (used, quota) = usage(p, "schueler@100000").await;
    assert_eq!(quota, 1_000_000);
    assert!(used < 200_000, "room for the small message: {used}");
    let imap = imap_listen(p).await;

    // More than is left, less than the size limit.
    let big = 1_200_000usize;
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .args(["-c", QUOTA_CLIENT, &imap.to_string(), &big.to_string()])
            .output()
            .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)")
    })
    .await
    .expect("join");
    let t = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{t}");
    let r: Value = serde_json::from_str(t.trim()).expect(&t);
    assert_eq!(r["caps"], true, "{r}");
    // Use and limit in KiB, as the mail service counts them.
    assert_eq!(r["quota_before"][0], json!(used / 1024), "{r}");
    assert_eq!(r["quota_before"][1], json!(quota / 1024), "{r}");
    assert!(
        r["append_big"]
            .as_str()
            .is_some_and(|s| s.starts_with("NO") && s.contains("[OVERQUOTA]")),
        "{r}"
    );
    assert_eq!(r["count_after_big"], r["count_before"], "{r}");
    assert_eq!(r["quota_after_big"][0], r["quota_before"][0], "{r}");
    assert!(
        r["append_small"]
            .as_str()
            .is_some_and(|s| s.starts_with("OK")),
        "{r}"
    );
    let before = r["count_before"].as_u64().expect("count");
    assert_eq!(r["count_after_small"], json!(before + 1), "{r}");
    let (used_now, _) = usage(p, "schueler@100000").await;
    assert!(used_now >= used + 10_000, "{used} -> {used_now}");
    assert_eq!(r["quota_after_small"][0], json!(used_now / 1024), "{r}");

    smtp_to_full_mailboxes(p, big).await;
}

async fn smtp_to_full_mailboxes(p: &Platform, big: usize) {
    let sub = listen(Role::Submission, p, 4 * 1024 * 1024).await;
    let mx = listen(Role::Mx, p, 4 * 1024 * 1024).await;
    let student_before = inbox(p, "schueler@100000", DEMO_PW).await.len();
    let (student_used, _) = usage(p, "schueler@100000").await;
    let (staff_used, _) = usage(p, "personal@100000").await;
    let sized = |mut s: Value| {
        s["size"] = json!(big);
        s
    };
    let teacher = Some(("lehrer@100000", DEMO_PW));
    let r = smtp_steps(vec![
        // 0: to the full student only; 1: to the full student and the teacher herself
        // (room); 2: from outside to the full member of staff.
        sized(step(sub, teacher, TEACHER, &[STUDENT], "Voll per SMTP")),
        sized(step(sub, teacher, TEACHER, &[STUDENT, STAFF], "Halb voll")),
        sized(step(
            mx,
            None,
            "jemand@example.org",
            &[STAFF],
            "Voll per MX",
        )),
    ])
    .await;
    assert!(
        r[0]["data"]
            .as_str()
            .is_some_and(|s| s.starts_with("552 5.2.2")),
        "{}",
        r[0]
    );
    assert!(
        r[2]["data"]
            .as_str()
            .is_some_and(|s| s.starts_with("552 5.2.2")),
        "{}",
        r[2]
    );
    // Nothing half-stored: the full mailboxes are as they were.
    assert_eq!(
        inbox(p, "schueler@100000", DEMO_PW).await.len(),
        student_before
    );
    assert_eq!(usage(p, "schueler@100000").await.0, student_used);
    let staff = inbox(p, "personal@100000", DEMO_PW).await;
    assert!(!staff.iter().any(|s| s == "Voll per MX"), "{staff:?}");
    // The one with room: the staff member is full too, so step 1 is refused for both…
    assert!(
        r[1]["data"]
            .as_str()
            .is_some_and(|s| s.starts_with("552 5.2.2")),
        "{}",
        r[1]
    );
    assert_eq!(usage(p, "personal@100000").await.0, staff_used);

    // A recipient with room next to a full one: 250, the one with room has it, and the
    // sender, told 250, learns of the full mailbox from one bounce in her inbox.
    let bounces = |v: &[String]| {
        v.iter()
            .filter(|s| *s == "Unzustellbar / Undeliverable: Teils zugestellt")
            .count()
    };
    assert_eq!(bounces(&inbox(p, "lehrer@100000", DEMO_PW).await), 0);
    let r = smtp_steps(vec![sized(step(
        sub,
        teacher,
        TEACHER,
        &[STUDENT, TEACHER],
        "Teils zugestellt",
    ))])
    .await;
    assert!(
        r[0]["data"].as_str().is_some_and(|s| s.starts_with("250")),
        "{}",
        r[0]
    );
    let teacher_now = inbox(p, "lehrer@100000", DEMO_PW).await;
    assert!(
        teacher_now.iter().any(|s| s == "Teils zugestellt"),
        "{teacher_now:?}"
    );
    assert_eq!(bounces(&teacher_now), 1, "{teacher_now:?}");
    let student = inbox(p, "schueler@100000", DEMO_PW).await;
    assert!(
        !student.iter().any(|s| s == "Teils zugestellt"),
        "{student:?}"
    );
    assert_eq!(usage(p, "schueler@100000").await.0, student_used);

    // A client that declares the size (SIZE with MAIL FROM) learns of the full mailbox at
    // RCPT, 452 4.2.2, and keeps the message; the recipient with room is taken.
    let declared = |mut s: Value| {
        s["declare"] = json!(big + 200);
        sized(s)
    };
    let r = smtp_steps(vec![
        declared(step(
            sub,
            teacher,
            TEACHER,
            &[STUDENT, TEACHER],
            "Angekündigt",
        )),
        declared(step(
            mx,
            None,
            "jemand@example.org",
            &[STAFF],
            "Angekündigt MX",
        )),
    ])
    .await;
    let rcpt = |i: usize, to: &str| r[i]["rcpt"][to].as_str().unwrap_or_default().to_owned();
    assert!(rcpt(0, STUDENT).starts_with("452 4.2.2"), "{}", r[0]);
    assert!(rcpt(0, TEACHER).starts_with("250"), "{}", r[0]);
    assert!(
        r[0]["data"].as_str().is_some_and(|s| s.starts_with("250")),
        "{}",
        r[0]
    );
    assert!(rcpt(1, STAFF).starts_with("452 4.2.2"), "{}", r[1]);
    assert!(
        r[1].get("data").is_none(),
        "no DATA without a recipient: {}",
        r[1]
    );
    let teacher_now = inbox(p, "lehrer@100000", DEMO_PW).await;
    assert!(
        teacher_now.iter().any(|s| s == "Angekündigt"),
        "{teacher_now:?}"
    );
    assert_eq!(bounces(&teacher_now), 1, "no bounce for a refusal at RCPT");
    assert_eq!(usage(p, "schueler@100000").await.0, student_used);
    assert_eq!(usage(p, "personal@100000").await.0, staff_used);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quota_with_real_clients_sqlite() {
    scenario(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quota_with_real_clients_postgres() {
    scenario(TestDb::postgres().await).await;
}
