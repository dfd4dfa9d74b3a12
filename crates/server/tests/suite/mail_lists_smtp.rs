//! Group lists, other schools and account types over real SMTP (Python smtplib) against
//! the platform on SQLite and PostgreSQL: a teacher writes to their groups' lists and every
//! other member gets it; a student without `mail.group` (and a member of staff outside the
//! group) gets 550 5.7.1 at RCPT until the right is granted; nobody outside the school — a
//! teacher of another school on the platform, or anyone through the MX — reaches a list.
//! Students and externals get 5.7.1 for another school's address, mail from another school
//! to a student is refused at RCPT, a teacher with `mail.external` gets through. And a
//! message to 30 people of the school is stored once: one blob for all 30 mailbox rows.

use crate::common;
use crate::support;
use std::process::Command;
use std::sync::Arc;

use common::{DEMO_PW, TestApp};
use schulhof_domain::Platform;
use schulhof_domain::admin::NewUser;
use schulhof_smtp::{Role, Service, SmtpConfig, TlsAcceptor};
use schulhof_store::Handle;
use schulhof_store::testing::TestDb;
use serde_json::{Value, json};
use support::OTHER_PW;

pub const TEACHER: &str = "lena.lehmann@100000.nrw.schule";
pub const STAFF: &str = "paul.hausmann@100000.nrw.schule";
pub const STUDENT: &str = "sophie.schueler@100000.nrw.schule";
pub const EXTERN: &str = "eva.extern@100000.nrw.schule";
pub const OTHER: &str = "lars.lehrer@123456.nrw.schule";
pub const LIST_5A: &str = "verteiler-5a@100000.nrw.schule";
pub const LIST_STAFF: &str = "verteiler-kollegium@100000.nrw.schule";

/// Runs SMTP transactions and reports every answer, as JSON: one object per step with the
/// RCPT answer per recipient and the DATA answer (sent when any recipient was taken).
const STEPS: &str = r#"
import json, smtplib, sys
out = []
for st in json.loads(sys.argv[1]):
    s = smtplib.SMTP('127.0.0.1', st['port'], timeout=60)
    s.ehlo('client.example')
    if st.get('login'):
        s.login(st['login'], st['pw'])
    declared = [f"SIZE={st['declare']}"] if st.get('declare') else []
    code, text = s.mail(st['from'], declared)
    r = {'mail': f'{code} {text.decode()}', 'rcpt': {}}
    taken = False
    for to in st['to']:
        code, text = s.rcpt(to)
        r['rcpt'][to] = f'{code} {text.decode()}'
        taken = taken or code == 250
    if taken:
        pad = ('y' * 998 + '\r\n') * (st.get('size', 0) // 1000)
        msg = (f"From: {st['from']}\r\nTo: {', '.join(st['to'])}\r\n"
               f"Subject: {st['subject']}\r\n\r\n{pad}Hallo\r\n")
        code, text = s.data(msg.encode())
        r['data'] = f'{code} {text.decode()}'
    else:
        s.rset()
    s.quit()
    out.append(r)
print(json.dumps(out))
"#;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

/// One SMTP transaction for [`smtp_steps`].
pub fn step(
    port: u16,
    login: Option<(&str, &str)>,
    from: &str,
    to: &[&str],
    subject: &str,
) -> Value {
    let (login, pw) = login.unwrap_or(("", ""));
    json!({ "port": port, "login": login, "pw": pw, "from": from, "to": to, "subject": subject })
}

/// Runs the steps with smtplib (without blocking the server's runtime).
pub async fn smtp_steps(steps: Vec<Value>) -> Vec<Value> {
    let arg = Value::Array(steps).to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .args(["-c", STEPS, &arg])
            .output()
            .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)")
    })
    .await
    .expect("join");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    let v: Value = serde_json::from_str(text.trim()).expect(&text);
    v.as_array().expect("array").clone()
}

/// An SMTP listener of `role` on a free port, in this process (plain-text AUTH allowed
/// from loopback, as `serve` does).
pub async fn listen(role: Role, platform: &Platform, max_message: usize) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp dir");
    let tls = TlsAcceptor::from(schulhof::tls::server_tls(None, None, dir.path()).expect("tls"));
    let config = SmtpConfig {
        hostname: "mx.nrw.schule".into(),
        max_message,
        loopback_plaintext_auth: true,
        ..SmtpConfig::default()
    };
    let svc = Arc::new(Service::new(role, platform.clone(), Some(tls), config));
    tokio::spawn(svc.serve(listener));
    port
}

/// The subjects in the inbox of `login` (`login@school`).
pub async fn inbox(p: &Platform, login: &str, pw: &str) -> Vec<String> {
    let a = p
        .mail_client_actor(login, pw, "127.0.0.1")
        .await
        .expect("login");
    let folder = p.mail_folder(&a, "INBOX").await.expect("inbox");
    let (metas, _) = p.mail_page(&a, folder.id, 0, 500).await.expect("page");
    metas.into_iter().map(|m| m.subject).collect()
}

fn starts(v: &Value, prefix: &str) -> bool {
    v.as_str().is_some_and(|s| s.starts_with(prefix))
}

fn demo(login: &str) -> Option<(&str, &str)> {
    Some((login, DEMO_PW))
}

async fn lists_and_schools(db: TestDb) {
    let app = TestApp::new(db.db.clone()).await;
    for l in ["lehrer", "personal", "schueler", "extern"] {
        app.ready(l).await;
    }
    let admin = app.ready("admin").await;
    support::other_school(&app).await;
    let p = &app.platform;
    let sub = listen(Role::Submission, p, 1024 * 1024).await;
    let mx = listen(Role::Mx, p, 1024 * 1024).await;
    let lars = Some(("lehrer2@123456", OTHER_PW));

    let r = smtp_steps(vec![
        // 0: the teacher writes to both of her groups' lists.
        step(
            sub,
            demo("lehrer@100000"),
            TEACHER,
            &[LIST_5A, LIST_STAFF],
            "An die Listen",
        ),
        // 1: a student without mail.group; 2: an external; 3: staff outside the group.
        step(
            sub,
            demo("schueler@100000"),
            STUDENT,
            &[LIST_5A],
            "Schueler an 5a",
        ),
        step(
            sub,
            demo("extern@100000"),
            EXTERN,
            &[LIST_5A],
            "Extern an 5a",
        ),
        step(
            sub,
            demo("personal@100000"),
            STAFF,
            &[LIST_5A],
            "Personal an 5a",
        ),
        // 4: a teacher of another school on the platform, to the list and to people here.
        step(
            sub,
            lars,
            OTHER,
            &[LIST_5A, STUDENT, TEACHER],
            "Von der anderen Schule",
        ),
        // 5, 6: the student and the external to another school; 7: the teacher may.
        step(
            sub,
            demo("schueler@100000"),
            STUDENT,
            &[OTHER],
            "Schueler raus",
        ),
        step(sub, demo("extern@100000"), EXTERN, &[OTHER], "Extern raus"),
        step(
            sub,
            demo("lehrer@100000"),
            TEACHER,
            &[OTHER],
            "Lehrerin raus",
        ),
        // 8: the MX: lists and the student are closed to the outside, the teacher is not.
        step(
            mx,
            None,
            "jemand@example.org",
            &[LIST_5A, STUDENT, TEACHER],
            "Von draussen",
        ),
        // 9: the MX with the other school's address as sender: still outside.
        step(mx, None, OTHER, &[LIST_STAFF], "Von nebenan per MX"),
    ])
    .await;
    assert!(starts(&r[0]["rcpt"][LIST_5A], "250"), "{}", r[0]);
    assert!(starts(&r[0]["rcpt"][LIST_STAFF], "250"), "{}", r[0]);
    assert!(starts(&r[0]["data"], "250 2.0.0"), "{}", r[0]);
    for (i, list) in [
        (1, LIST_5A),
        (2, LIST_5A),
        (3, LIST_5A),
        (4, LIST_5A),
        (9, LIST_STAFF),
    ] {
        assert!(
            starts(&r[i]["rcpt"][list], "550 5.7.1"),
            "step {i}: {}",
            r[i]
        );
    }
    // To the other school our student is an outside address: its submission server takes
    // it for the queue like any external recipient, and the refusal by this school's rules
    // comes back as a bounce (domain test `mail_cross_school`); the MX refuses at RCPT.
    assert!(starts(&r[4]["rcpt"][STUDENT], "250"), "{}", r[4]);
    assert!(starts(&r[4]["rcpt"][TEACHER], "250"), "{}", r[4]);
    assert!(starts(&r[4]["data"], "250"), "{}", r[4]);
    for i in [5, 6] {
        assert!(
            starts(&r[i]["rcpt"][OTHER], "550 5.7.1"),
            "step {i}: {}",
            r[i]
        );
        assert!(r[i].get("data").is_none(), "{}", r[i]);
    }
    assert!(starts(&r[7]["rcpt"][OTHER], "250"), "{}", r[7]);
    assert!(starts(&r[7]["data"], "250"), "{}", r[7]);
    assert!(starts(&r[8]["rcpt"][LIST_5A], "550 5.7.1"), "{}", r[8]);
    assert!(starts(&r[8]["rcpt"][STUDENT], "550 5.7.1"), "{}", r[8]);
    assert!(starts(&r[8]["rcpt"][TEACHER], "250"), "{}", r[8]);
    assert!(starts(&r[8]["data"], "250"), "{}", r[8]);

    // Mail between the two schools left through the outbound queue, as external mail does:
    // its worker hands it to the receiving school's inbound path.
    let due = chrono::Utc::now() + chrono::Duration::minutes(1);
    p.system_send_due_mail(due).await.expect("queue run");

    // Every other member got the list mail once; the sender gets no copy of her own.
    let student = inbox(p, "schueler@100000", DEMO_PW).await;
    let staff = inbox(p, "personal@100000", DEMO_PW).await;
    let teacher = inbox(p, "lehrer@100000", DEMO_PW).await;
    let extern_ = inbox(p, "extern@100000", DEMO_PW).await;
    let count = |v: &[String], s: &str| v.iter().filter(|x| *x == s).count();
    assert_eq!(count(&student, "An die Listen"), 1, "{student:?}");
    assert_eq!(count(&staff, "An die Listen"), 1, "{staff:?}");
    assert_eq!(count(&teacher, "An die Listen"), 0, "{teacher:?}");
    assert_eq!(
        count(&extern_, "An die Listen"),
        0,
        "not a member: {extern_:?}"
    );
    // What was refused arrived nowhere.
    for s in ["Schueler an 5a", "Extern an 5a", "Personal an 5a"] {
        assert_eq!(
            count(&teacher, s) + count(&student, s) + count(&staff, s),
            0,
            "{s}"
        );
    }
    assert_eq!(count(&student, "Von der anderen Schule"), 0, "{student:?}");
    assert_eq!(count(&teacher, "Von der anderen Schule"), 1, "{teacher:?}");
    assert_eq!(count(&student, "Von draussen"), 0, "{student:?}");
    assert_eq!(count(&teacher, "Von draussen"), 1, "{teacher:?}");
    let lars_inbox = inbox(p, "lehrer2@123456", OTHER_PW).await;
    assert_eq!(count(&lars_inbox, "Lehrerin raus"), 1, "{lars_inbox:?}");
    for s in ["Schueler raus", "Extern raus"] {
        assert_eq!(count(&lars_inbox, s), 0, "{lars_inbox:?}");
    }

    // Granted mail.group, the student writes to her class's list; the external, not a
    // member of 5a, still may not, even with the right.
    let admin_a = support::actor(&app, &admin).await;
    p.set_user_right(&admin_a, "schueler", "mail.group", true)
        .await
        .expect("grant to the student");
    p.set_user_right(&admin_a, "extern", "mail.group", true)
        .await
        .expect("grant to the external");
    let r = smtp_steps(vec![
        step(
            sub,
            demo("schueler@100000"),
            STUDENT,
            &[LIST_5A],
            "Schueler darf",
        ),
        step(
            sub,
            demo("extern@100000"),
            EXTERN,
            &[LIST_5A],
            "Extern fremde Liste",
        ),
    ])
    .await;
    assert!(starts(&r[0]["rcpt"][LIST_5A], "250"), "{}", r[0]);
    assert!(starts(&r[0]["data"], "250"), "{}", r[0]);
    assert!(starts(&r[1]["rcpt"][LIST_5A], "550 5.7.1"), "{}", r[1]);
    let teacher = inbox(p, "lehrer@100000", DEMO_PW).await;
    assert_eq!(count(&teacher, "Schueler darf"), 1, "{teacher:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_other_schools_over_smtp_sqlite() {
    lists_and_schools(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_other_schools_over_smtp_postgres() {
    lists_and_schools(TestDb::postgres().await).await;
}

/// `(rows, owners, blobs)` of the mailbox rows of messages with `subject`.
async fn rows_of(app: &TestApp, subject: &str) -> (i64, i64, i64) {
    let sql = "SELECT COUNT(*), COUNT(DISTINCT owner_id), COUNT(DISTINCT blob_sha) \
               FROM mail_messages WHERE subject = $1";
    match app.db_read().await {
        Handle::Sqlite(mut c) => sqlx::query_as(sql).bind(subject).fetch_one(&mut *c).await,
        Handle::Pg(mut c) => sqlx::query_as(sql).bind(subject).fetch_one(&mut *c).await,
    }
    .expect("count")
}

async fn stored_once(db: TestDb) {
    let app = TestApp::new(db.db.clone()).await;
    app.ready("lehrer").await;
    let admin = app.ready("admin").await;
    let p = &app.platform;
    let admin_a = support::actor(&app, &admin).await;
    let mut to = vec![STUDENT.to_owned(), STAFF.to_owned(), EXTERN.to_owned()];
    for i in 0..27 {
        p.create_user(
            &admin_a,
            NewUser {
                first_name: format!("Kind{i}"),
                last_name: "Klasse".into(),
                account_type: Some("schueler".into()),
                function_role: None,
                login: Some(format!("kind{i}")),
                password: None,
                external_mail: None,
                holder: None,
                groups: vec![],
            },
        )
        .await
        .expect("student");
        to.push(format!("kind{i}.klasse@100000.nrw.schule"));
    }
    let sub = listen(Role::Submission, p, 4 * 1024 * 1024).await;
    let to_refs: Vec<&str> = to.iter().map(String::as_str).collect();
    let mut one = step(sub, demo("lehrer@100000"), TEACHER, &to_refs, "An dreissig");
    // About 1 MB: stored 30 times it would be 30 MB.
    one["size"] = json!(1_000_000);
    let r = smtp_steps(vec![one]).await;
    for rcpt in &to {
        assert!(
            starts(&r[0]["rcpt"][rcpt.as_str()], "250"),
            "{rcpt}: {}",
            r[0]
        );
    }
    assert!(starts(&r[0]["data"], "250 2.0.0"), "{}", r[0]);
    // 30 mailbox rows, one per person, all on the same stored content.
    assert_eq!(rows_of(&app, "An dreissig").await, (30, 30, 1));
    assert_eq!(rows_of(&app, "Nie geschickt").await, (0, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_recipients_stored_once_sqlite() {
    stored_once(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_recipients_stored_once_postgres() {
    stored_once(TestDb::postgres().await).await;
}
