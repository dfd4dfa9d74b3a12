//! SMTP with real clients (Python smtplib, swaks) against the platform on SQLite and
//! PostgreSQL: submission with STARTTLS and AUTH, the MX, and their refusals. Deliveries
//! are checked through the mail service itself.

use crate::cli_support;
use crate::common;
use std::process::Command;
use std::sync::Arc;

use common::{DEMO_PW, TestApp};
use schulhof_domain::Platform;
use schulhof_smtp::{Role, Service, SmtpConfig, TlsAcceptor};
use schulhof_store::testing::TestDb;
use serde_json::Value;

const MAX_MESSAGE: usize = 1024 * 1024;

/// The clients' part: every check in one interpreter start, results as JSON.
const CLIENT: &str = r#"
import base64, json, smtplib, ssl, sys
sub, strict, mx = map(int, sys.argv[1:4])
teacher, student, pw = sys.argv[4], sys.argv[5], sys.argv[6]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
out = {}
def msg(frm, to, subject, body='Hallo\r\n'):
    return f'From: {frm}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}'
def text(code, resp):
    return f'{code} {resp.decode()}'

with smtplib.SMTP('127.0.0.1', sub, timeout=30) as s:
    s.ehlo('client.example')
    out['starttls_offered'] = s.has_extn('starttls')
    s.starttls(context=ctx)
    s.ehlo('client.example')
    out['auth_after_tls'] = s.esmtp_features.get('auth', '').strip()
    s.login('lehrer@100000', pw)
    s.sendmail(teacher, [student], msg(teacher, student, 'Hausaufgaben per SMTP'))
    out['sent'] = True
    out['long_line'] = s.docmd('NOOP', 'x' * 5000)[0]
    out['after_long_line'] = s.noop()[0]
    big = msg(teacher, student, 'Zu gross', 'y' * 1000 + '\r\n') * 1100
    try:
        s.sendmail(teacher, [student], big)
        out['oversized_size'] = 250
    except smtplib.SMTPSenderRefused as e:
        out['oversized_size'] = e.smtp_code
    s.mail(teacher)
    s.rcpt(student)
    out['oversized_data'] = s.data(big)[0]
    out['after_oversized'] = s.noop()[0]

with smtplib.SMTP('127.0.0.1', sub, timeout=30) as s:
    s.starttls(context=ctx)
    s.login('schueler@100000', pw)
    try:
        s.sendmail(student, ['jemand@example.org'], msg(student, 'jemand@example.org', 'Raus'))
        out['student_outside'] = '250'
    except smtplib.SMTPRecipientsRefused as e:
        out['student_outside'] = text(*e.recipients['jemand@example.org'])

with smtplib.SMTP('127.0.0.1', strict, timeout=30) as s:
    s.ehlo('client.example')
    out['strict_auth_offered'] = s.has_extn('auth')
    plain = base64.b64encode(f'\0lehrer@100000\0{pw}'.encode()).decode()
    out['strict_auth_plain'] = text(*s.docmd('AUTH', 'PLAIN ' + plain))
    s.starttls(context=ctx)
    s.ehlo('client.example')
    s.login('lehrer@100000', pw)
    out['strict_login_after_tls'] = True

with smtplib.SMTP('127.0.0.1', mx, timeout=30) as s:
    s.ehlo('mail.example.org')
    out['mx_auth_offered'] = s.has_extn('auth')
    s.mail('jemand@example.org')
    out['mx_teacher'] = text(*s.rcpt(teacher))
    out['mx_student'] = text(*s.rcpt(student))
    out['mx_relay'] = text(*s.rcpt('wer@example.net'))
    out['mx_data'] = text(*s.data(msg('jemand@example.org', teacher, 'Von draussen')))
# Commands sent in plain text together with STARTTLS must not count after the handshake.
import socket
raw = socket.create_connection(('127.0.0.1', sub), timeout=30)
f = raw.makefile('rb')
def reply(f):
    lines = []
    while True:
        line = f.readline().decode()
        lines.append(line)
        if len(line) < 4 or line[3] != '-':
            return ''.join(lines)
reply(f)
raw.sendall(b'EHLO x\r\n')
reply(f)
raw.sendall(b'STARTTLS\r\nNOOP injected\r\n')
out['starttls'] = reply(f)[:3]
tls = ctx.wrap_socket(raw)
tf = tls.makefile('rb')
tls.sendall(b'EHLO y\r\n')
out['after_injection'] = reply(tf).split('\r\n')[0]
tls.close()
print(json.dumps(out))
"#;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

/// Runs a client program to its end without blocking the server's runtime.
async fn run(mut cmd: Command) -> (bool, String) {
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("start client");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn listen(
    role: Role,
    platform: &Platform,
    tls: &TlsAcceptor,
    loopback_plaintext_auth: bool,
) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let config = SmtpConfig {
        hostname: "mx.nrw.schule".into(),
        max_message: MAX_MESSAGE,
        loopback_plaintext_auth,
        ..SmtpConfig::default()
    };
    let svc = Arc::new(Service::new(
        role,
        platform.clone(),
        Some(tls.clone()),
        config,
    ));
    tokio::spawn(svc.serve(listener));
    port
}

/// Subjects in the inbox of `login`, and the raw text of the message with `subject`.
async fn inbox(p: &Platform, login: &str, subject: &str) -> (Vec<String>, Option<String>) {
    let a = p
        .mail_client_actor(login, DEMO_PW, "127.0.0.1")
        .await
        .expect("login");
    let folder = p.mail_folder(&a, "INBOX").await.expect("inbox");
    let (metas, _) = p.mail_page(&a, folder.id, 0, 100).await.expect("page");
    let mut raw = None;
    if let Some(m) = metas.iter().find(|m| m.subject == subject) {
        let bytes = p.mail_raw(&a, m.id).await.expect("raw");
        raw = Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    (metas.into_iter().map(|m| m.subject).collect(), raw)
}

async fn address(p: &Platform, login: &str) -> String {
    let a = p
        .mail_client_actor(login, DEMO_PW, "127.0.0.1")
        .await
        .expect("login");
    a.user.mail
}

fn swaks(port: u16, args: &[&str]) -> Command {
    let mut c = Command::new("swaks");
    c.args(["--server", "127.0.0.1", "--port", &port.to_string()])
        .args(["--helo", "client.example", "--timeout", "30"])
        .args(args);
    c
}

async fn scenario(db: TestDb) {
    let app = TestApp::new(db.db.clone()).await;
    // As in the browser once: the terms of use come before any mail program.
    app.ready("lehrer").await;
    app.ready("schueler").await;
    let p = &app.platform;
    let dir = tempfile::tempdir().expect("temp dir");
    let tls = TlsAcceptor::from(schulhof::tls::server_tls(None, None, dir.path()).expect("tls"));
    let sub = listen(Role::Submission, p, &tls, true).await;
    // Loopback treated like any other host: how a client elsewhere sees submission.
    let strict = listen(Role::Submission, p, &tls, false).await;
    let mx = listen(Role::Mx, p, &tls, true).await;
    let teacher = address(p, "lehrer@100000").await;
    let student = address(p, "schueler@100000").await;
    smtplib_checks([sub, strict, mx], &teacher, &student).await;
    swaks_checks(sub, mx, &teacher, &student).await;
    delivered(p).await;
}

/// The Python client's checks on submission (`ports[0]`), strict submission and the MX.
async fn smtplib_checks(ports: [u16; 3], teacher: &str, student: &str) {
    let [sub, strict, mx] = ports;
    let mut py = Command::new(python());
    py.args(["-c", CLIENT])
        .args([&sub.to_string(), &strict.to_string(), &mx.to_string()])
        .args([teacher, student, DEMO_PW]);
    let (ok, out) = run(py).await;
    assert!(ok, "{out}");
    let r: Value = serde_json::from_str(out.trim()).expect(&out);
    assert_eq!(r["starttls_offered"], true, "{r}");
    assert_eq!(r["auth_after_tls"], "PLAIN LOGIN", "{r}");
    assert_eq!(r["sent"], true);
    assert_eq!(r["long_line"], 500, "{r}");
    assert_eq!(r["after_long_line"], 250, "{r}");
    assert_eq!(r["oversized_size"], 552, "{r}");
    assert_eq!(r["oversized_data"], 552, "{r}");
    assert_eq!(r["after_oversized"], 250, "{r}");
    assert!(
        r["student_outside"]
            .as_str()
            .is_some_and(|s| s.starts_with("550 5.7.1")),
        "{r}"
    );
    assert_eq!(r["strict_auth_offered"], false, "{r}");
    assert!(
        r["strict_auth_plain"]
            .as_str()
            .is_some_and(|s| s.starts_with("530 5.7.0")),
        "{r}"
    );
    assert_eq!(r["strict_login_after_tls"], true, "{r}");
    assert_eq!(r["starttls"], "220", "{r}");
    assert_eq!(r["after_injection"], "250-mx.nrw.schule Hello y", "{r}");
    assert_eq!(r["mx_auth_offered"], false, "{r}");
    assert!(
        r["mx_teacher"]
            .as_str()
            .is_some_and(|s| s.starts_with("250")),
        "{r}"
    );
    assert!(
        r["mx_student"]
            .as_str()
            .is_some_and(|s| s.starts_with("550 5.7.1")),
        "{r}"
    );
    assert!(
        r["mx_relay"]
            .as_str()
            .is_some_and(|s| s.starts_with("550 5.7.1 Relay")),
        "{r}"
    );
    assert!(
        r["mx_data"]
            .as_str()
            .is_some_and(|s| s.starts_with("250 2.0.0")),
        "{r}"
    );
}

/// swaks: AUTH LOGIN from loopback without TLS, and a pipelined delivery to the MX.
async fn swaks_checks(sub: u16, mx: u16, teacher: &str, student: &str) {
    let login = [
        "--auth",
        "LOGIN",
        "--auth-user",
        "lehrer@100000",
        "--auth-password",
        DEMO_PW,
    ];
    let mut s = swaks(sub, &login);
    s.args(["--from", teacher, "--to", student])
        .args(["--header", "Subject: Per swaks"]);
    let (ok, out) = run(s).await;
    assert!(
        ok && out.contains("235 2.7.0") && out.contains("250 2.0.0"),
        "{out}"
    );
    let mut s = swaks(mx, &["--pipeline"]);
    s.args(["--from", "jemand@example.org", "--to", teacher])
        .args(["--header", "Subject: Gebuendelt"]);
    let (ok, out) = run(s).await;
    assert!(
        ok && out.contains("PIPELINING") && out.contains("250 2.0.0"),
        "{out}"
    );
}

/// What the clients sent arrived, read through the mail service.
async fn delivered(p: &Platform) {
    let (subjects, _) = inbox(p, "schueler@100000", "").await;
    for want in ["Hausaufgaben per SMTP", "Per swaks"] {
        assert!(subjects.iter().any(|s| s == want), "{want} in {subjects:?}");
    }
    assert!(!subjects.iter().any(|s| s == "Zu gross"), "{subjects:?}");
    let (subjects, raw) = inbox(p, "lehrer@100000", "Von draussen").await;
    assert!(subjects.iter().any(|s| s == "Gebuendelt"), "{subjects:?}");
    let raw = raw.expect("the mail from outside arrived");
    assert!(
        raw.starts_with("Received: from mail.example.org ([127.0.0.1])"),
        "{raw}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_clients_sqlite() {
    scenario(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_clients_postgres() {
    scenario(TestDb::postgres().await).await;
}

/// Logs in over the API and accepts the terms, as a user does once in the browser.
fn accept_terms(port: u16, login: &str) {
    let body = format!(r#"{{"instance":"100000","login":"{login}","password":"{DEMO_PW}"}}"#);
    let (status, resp) = cli_support::http(port, "POST", "/api/v1/session", &body).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = cli_support::session_cookie(&resp).expect("cookie");
    let terms = r#"{"terms":true,"privacy":true}"#;
    let consent = cli_support::http_with(port, "POST", "/api/v1/consent", terms, Some(&cookie));
    assert_eq!(consent.map(|c| c.0), Some(204));
}

/// The binary's flags: both listeners on given ports, a self-signed certificate made in
/// the data directory, and STARTTLS + AUTH working with it.
#[test]
fn serve_listens_for_smtp_with_a_self_signed_certificate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let (mx, sub) = (cli_support::free_port(), cli_support::free_port());
    let mx_addr = format!("127.0.0.1:{mx}");
    let sub_addr = format!("127.0.0.1:{sub}");
    let extra = [
        "--demo",
        "--smtp-listen",
        &mx_addr,
        "--submission-listen",
        &sub_addr,
    ];
    let _server = cli_support::serve(&["--data", &data], &extra);
    assert!(dir.path().join("tls/self-signed.crt").exists());
    accept_terms(_server.1, "lehrer");
    let script = r#"
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:
    s.starttls(context=ctx)
    s.login('lehrer@100000', 'schulhof-demo')
    s.sendmail('lena.lehmann@100000.nrw.schule', ['sophie.schueler@100000.nrw.schule'],
               'Subject: Start\r\n\r\nHallo\r\n')
with smtplib.SMTP('127.0.0.1', int(sys.argv[2]), timeout=30) as s:
    print(s.ehlo('mail.example.org')[0])
"#;
    let out = Command::new(python())
        .args(["-c", script, &sub.to_string(), &mx.to_string()])
        .output()
        .expect("python");
    let text = cli_support::text(&out);
    assert!(out.status.success() && text.trim() == "250", "{text}");
}
