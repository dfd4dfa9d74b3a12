//! Limits per client address on IMAP and SMTP, with real clients (Python imaplib and
//! smtplib, swaks) on SQLite and PostgreSQL: connections per minute refused with SMTP
//! 421 4.7.0 and IMAP BYE [UNAVAILABLE], failed logins from one address closing its logins
//! on both protocols (SMTP 454 4.7.0, IMAP NO [UNAVAILABLE]), the operators' log, and
//! submission on implicit TLS.

use crate::common;
use std::process::Command;
use std::sync::Arc;

use common::{DEMO_PW, TestApp};
use schulhof_domain::Platform;
use schulhof_domain::mail::client_limits::ClientLimits;
use schulhof_smtp::{Role, Service, SmtpConfig, TlsAcceptor};
use schulhof_store::testing::TestDb;
use serde_json::Value;

/// Connections per minute and protocol in this test.
const CONNECTIONS: u32 = 6;
/// Failed logins per quarter hour in this test.
const FAILURES: u32 = 4;

const CLIENT: &str = r#"
import imaplib, json, smtplib, socket, ssl, sys
imap, sub, subs, user, pw = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
conns, failures = int(sys.argv[6]), int(sys.argv[7])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
out = {}

# Failed logins over IMAP, on one connection, up to the limit; then even the right password
# is refused, over IMAP and over SMTP.
m = imaplib.IMAP4('127.0.0.1', imap)
out['imap_wrong'] = []
for _ in range(failures):
    try:
        m.login(user, 'falsch')
        out['imap_wrong'].append('OK')
    except imaplib.IMAP4.error as e:
        out['imap_wrong'].append(str(e))
typ, data = m._simple_command('LOGIN', user, pw)
out['imap_blocked'] = typ + ' ' + data[-1].decode()
m.logout()
with smtplib.SMTP('127.0.0.1', sub, timeout=30) as s:
    s.ehlo('client.example')
    try:
        s.login(user, pw)
        out['smtp_blocked'] = '235'
    except smtplib.SMTPAuthenticationError as e:
        out['smtp_blocked'] = f'{e.smtp_code} {e.smtp_error.decode()}'

# Connections: the first `conns` of the minute are served (one was used above), then refused.
def imap_greeting():
    s = socket.create_connection(('127.0.0.1', imap), timeout=30)
    line = s.makefile('rb').readline().decode().strip()
    s.close()
    return line
def smtp_greeting(port):
    s = socket.create_connection(('127.0.0.1', port), timeout=30)
    line = s.makefile('rb').readline().decode().strip()
    s.close()
    return line
out['imap_greetings'] = [imap_greeting() for _ in range(conns)]
out['smtp_greetings'] = [smtp_greeting(sub) for _ in range(conns)]
print(json.dumps(out))
"#;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

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

async fn bind() -> (tokio::net::TcpListener, u16) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = l.local_addr().expect("addr").port();
    (l, port)
}

fn service(p: &Platform, tls: &TlsAcceptor) -> Arc<Service<Platform>> {
    let config = SmtpConfig {
        hostname: "mx.nrw.schule".into(),
        // Counted like any other address: how a client elsewhere sees the limits.
        loopback_plaintext_auth: true,
        ..SmtpConfig::default()
    };
    Arc::new(Service::new(
        Role::Submission,
        p.clone(),
        Some(tls.clone()),
        config,
    ))
}

async fn operator_actions(app: &TestApp) -> Vec<(String, Option<String>)> {
    let mut c = app.db_read().await;
    schulhof_store::operators::audit::recent(&mut c, 100)
        .await
        .expect("operator log")
        .into_iter()
        .map(|e| (e.action, e.object))
        .collect()
}

async fn scenario(db: TestDb) {
    let app = TestApp::with_config(db.db.clone(), |c| {
        c.mail.client_limits = ClientLimits {
            connections_per_minute: CONNECTIONS,
            auth_failures: FAILURES,
            exempt_loopback: false,
        };
    })
    .await;
    app.ready("lehrer").await;
    let p = &app.platform;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = schulhof::tls::server_tls(None, None, dir.path()).expect("tls");
    let tls = TlsAcceptor::from(config.clone());
    let (imap_l, imap) = bind().await;
    tokio::spawn(schulhof_imap::serve(imap_l, p.clone(), Some(config)));
    let (sub_l, sub) = bind().await;
    tokio::spawn(service(p, &tls).serve(sub_l));
    let (subs_l, subs) = bind().await;
    tokio::spawn(service(p, &tls).serve_tls(subs_l));

    // Implicit TLS first (its own counter): a message sent with swaks --tlsc.
    let teacher = p
        .mail_client_actor("lehrer@100000", DEMO_PW, "127.0.0.1")
        .await
        .expect("login")
        .user
        .mail;
    let mut swaks = Command::new("swaks");
    swaks
        .args([
            "--server",
            "127.0.0.1",
            "--port",
            &subs.to_string(),
            "--tlsc",
        ])
        .args(["--helo", "client.example", "--timeout", "30"])
        .args(["--auth", "PLAIN", "--auth-user", "lehrer@100000"])
        .args([
            "--auth-password",
            DEMO_PW,
            "--from",
            &teacher,
            "--to",
            &teacher,
        ])
        .args(["--header", "Subject: Implizites TLS", "--body", "Hallo"]);
    let (ok, out) = run(swaks).await;
    assert!(ok, "{out}");
    assert!(out.contains("250 2.0.0"), "{out}");
    let mut swaks = Command::new("swaks");
    swaks
        .args([
            "--server",
            "127.0.0.1",
            "--port",
            &subs.to_string(),
            "--tlsc",
        ])
        .args(["--quit-after", "EHLO", "--helo", "client.example"]);
    let (_, out) = run(swaks).await;
    assert!(!out.contains("STARTTLS"), "no STARTTLS under TLS: {out}");
    assert!(out.contains("AUTH PLAIN LOGIN"), "{out}");

    let mut py = Command::new(python());
    py.args(["-c", CLIENT])
        .args([&imap.to_string(), &sub.to_string(), &subs.to_string()])
        .args(["lehrer@100000", DEMO_PW])
        .args([&CONNECTIONS.to_string(), &FAILURES.to_string()]);
    let (ok, out) = run(py).await;
    assert!(ok, "{out}");
    let r: Value = serde_json::from_str(out.trim()).expect(&out);
    let wrong = r["imap_wrong"].as_array().expect("list");
    assert_eq!(wrong.len(), FAILURES as usize, "{r}");
    assert!(
        wrong.iter().all(|w| w
            .as_str()
            .is_some_and(|s| s.contains("AUTHENTICATIONFAILED"))),
        "{r}"
    );
    let blocked = r["imap_blocked"].as_str().expect("text");
    assert!(blocked.starts_with("NO [UNAVAILABLE]"), "{r}");
    let smtp = r["smtp_blocked"].as_str().expect("text");
    assert!(smtp.starts_with("454 4.7.0"), "{r}");
    // Served until the minute's count is reached (IMAP: one connection used above; submission:
    // two by swaks on implicit TLS, one by smtplib), then refused.
    let greet = |k: &str| -> Vec<String> {
        r[k].as_array()
            .expect("list")
            .iter()
            .map(|v| v.as_str().unwrap_or("").to_owned())
            .collect()
    };
    let n = CONNECTIONS as usize;
    let imap_g = greet("imap_greetings");
    assert!(
        imap_g[..n - 1].iter().all(|g| g.starts_with("* OK")),
        "{imap_g:?}"
    );
    assert!(
        imap_g[n - 1].starts_with("* BYE [UNAVAILABLE] Too many connections"),
        "{imap_g:?}"
    );
    let smtp_g = greet("smtp_greetings");
    assert!(
        smtp_g[..n - 3].iter().all(|g| g.starts_with("220 ")),
        "{smtp_g:?}"
    );
    assert!(
        smtp_g[n - 3..]
            .iter()
            .all(|g| g.starts_with("421 4.7.0 Too many connections")),
        "{smtp_g:?}"
    );

    // The operators' log has one entry per limit and window, not one per refusal.
    let log = operator_actions(&app).await;
    let count = |a: &str| log.iter().filter(|(x, _)| x == a).count();
    assert_eq!(count("mail_logins_limited"), 1, "{log:?}");
    assert_eq!(count("mail_connections_limited"), 2, "{log:?}");
    assert!(
        log.iter()
            .any(|(a, o)| a == "mail_connections_limited" && o.as_deref() == Some("imap 127.0.0.1")),
        "{log:?}"
    );

    // A new minute lets connections in again; logins stay closed for the quarter hour.
    app.clock.advance(chrono::Duration::seconds(61));
    let m = imap_login(imap, DEMO_PW).await;
    assert!(m.contains("NO [UNAVAILABLE]"), "{m}");
    app.clock.advance(chrono::Duration::minutes(15));
    let m = imap_login(imap, DEMO_PW).await;
    assert!(m.contains("OK"), "{m}");
    assert!(!m.contains("UNAVAILABLE"), "{m}");
}

/// The tagged answer to one IMAP LOGIN on a fresh connection.
async fn imap_login(port: u16, pw: &str) -> String {
    let script = format!(
        "import imaplib\nm = imaplib.IMAP4('127.0.0.1', {port})\n\
         typ, data = m._simple_command('LOGIN', 'lehrer@100000', '{pw}')\n\
         print(typ, data[-1].decode())"
    );
    let mut py = Command::new(python());
    py.args(["-c", &script]);
    let (ok, out) = run(py).await;
    assert!(ok, "{out}");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mail_client_limits_sqlite() {
    scenario(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mail_client_limits_postgres() {
    scenario(TestDb::postgres().await).await;
}
