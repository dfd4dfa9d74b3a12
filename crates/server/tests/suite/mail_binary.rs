//! The binary's mail flags from the contract: `--tls-cert`/`--tls-key` with a certificate
//! the test makes (openssl), checked by clients that verify it (Python's ssl with that
//! certificate as the only trust anchor) on IMAP STARTTLS, submission STARTTLS and
//! submission on implicit TLS; unusable files stop the start and name the flag. And
//! `--smtp-relay`: mail to another domain leaves through a real SMTP server on loopback
//! (Python aiosmtpd, tests/mail/smtp_sink.py) with the right envelope.

use crate::cli_support;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";
const TEACHER: &str = "lena.lehmann@100000.nrw.schule";
const STUDENT: &str = "sophie.schueler@100000.nrw.schule";

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

/// A self-signed certificate for 127.0.0.1 and its key, made by openssl in `dir`.
fn make_cert(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", &format!("/CN={name}")])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "{}", text(&out));
    (cert, key)
}

/// Logs in over the API and accepts the terms, as a user does once in the browser.
fn accept_terms(port: u16, login: &str) {
    let body = format!(r#"{{"instance":"100000","login":"{login}","password":"{PW}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &body).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = session_cookie(&resp).expect("cookie");
    let terms = r#"{"terms":true,"privacy":true}"#;
    let consent = http_with(port, "POST", "/api/v1/consent", terms, Some(&cookie));
    assert_eq!(consent.map(|c| c.0), Some(204));
}

/// Every client over TLS verifying against `cafile` (hostname checked: 127.0.0.1).
/// argv: cafile imap submission submissions. Prints one line per check.
const VERIFYING_CLIENTS: &str = r#"
import imaplib, smtplib, ssl, sys
cafile, imap, sub, subs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=cafile)
assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
m = imaplib.IMAP4('127.0.0.1', imap)
m.starttls(ssl_context=ctx)
print('imap-starttls', m.sock.getpeercert()['subject'][0][0][1])
m.login('lehrer@100000', 'schulhof-demo')
typ, _ = m.select('INBOX', readonly=True)
print('imap-select', typ)
m.logout()
with smtplib.SMTP('127.0.0.1', sub, timeout=30) as s:
    s.starttls(context=ctx)
    print('submission-starttls', s.sock.getpeercert()['subject'][0][0][1])
    s.login('lehrer@100000', 'schulhof-demo')
    s.sendmail('lena.lehmann@100000.nrw.schule', ['sophie.schueler@100000.nrw.schule'],
               'From: lena.lehmann@100000.nrw.schule\r\nTo: sophie.schueler@100000.nrw.schule\r\n'
               'Subject: Mit eigenem Zertifikat\r\n\r\nHallo\r\n')
    print('submission-sent')
with smtplib.SMTP_SSL('127.0.0.1', subs, timeout=30, context=ctx) as s:
    print('submissions-tls', s.sock.getpeercert()['subject'][0][0][1])
    s.login('lehrer@100000', 'schulhof-demo')
    print('submissions-login')
# A client trusting only another certificate refuses the server's.
other = ssl.create_default_context(cafile=sys.argv[5])
m = imaplib.IMAP4('127.0.0.1', imap)
try:
    m.starttls(ssl_context=other)
    print('foreign-trusted')
except ssl.SSLCertVerificationError:
    print('foreign-refused')
"#;

#[test]
fn serve_uses_the_given_certificate_for_imap_and_submission() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = tempfile::tempdir().expect("cert dir");
    let (cert, key) = make_cert(certs.path(), "schulhof-test");
    let (other_cert, _) = make_cert(certs.path(), "jemand-anders");
    let data = dir.path().to_string_lossy().into_owned();
    let (imap, sub, subs) = (free_port(), free_port(), free_port());
    let (imap_at, sub_at, subs_at) = (
        format!("127.0.0.1:{imap}"),
        format!("127.0.0.1:{sub}"),
        format!("127.0.0.1:{subs}"),
    );
    let (cert_s, key_s) = (
        cert.to_string_lossy().into_owned(),
        key.to_string_lossy().into_owned(),
    );
    let extra = [
        "--demo",
        "--imap-listen",
        &imap_at,
        "--submission-listen",
        &sub_at,
        "--submissions-listen",
        &subs_at,
        "--tls-cert",
        &cert_s,
        "--tls-key",
        &key_s,
    ];
    let server = serve(&["--data", &data], &extra);
    // The given pair is used: no self-signed one is made.
    assert!(!dir.path().join("tls/self-signed.crt").exists());
    accept_terms(server.1, "lehrer");
    let out = Command::new(python())
        .args(["-c", VERIFYING_CLIENTS])
        .arg(&cert)
        .args([imap.to_string(), sub.to_string(), subs.to_string()])
        .arg(&other_cert)
        .output()
        .expect("python");
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    for line in [
        "imap-starttls schulhof-test",
        "imap-select OK",
        "submission-starttls schulhof-test",
        "submission-sent",
        "submissions-tls schulhof-test",
        "submissions-login",
        "foreign-refused",
    ] {
        assert!(t.lines().any(|l| l == line), "{line} in {t}");
    }
}

/// Starts `serve` expecting it to stop by itself; its output (a hang is a failure).
fn failed_start(data: &str, tls: &[&str]) -> String {
    let listen = format!("127.0.0.1:{}", free_port());
    let imap = format!("127.0.0.1:{}", free_port());
    let mut child = bin()
        .args(["--data", data, "serve", "--listen", &listen, "--demo"])
        .args(["--imap-listen", &imap])
        .args(tls)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve started with unusable TLS flags {tls:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    assert!(!out.status.success(), "{tls:?}");
    // Nothing was served on the web port either.
    text(&out)
}

#[test]
fn unusable_tls_files_stop_serve_and_name_the_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let certs = tempfile::tempdir().expect("cert dir");
    let (cert, key) = make_cert(certs.path(), "eins");
    let (_, other_key) = make_cert(certs.path(), "zwei");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let missing = s(&certs.path().join("fehlt.pem"));
    let (cert, key, other_key) = (s(&cert), s(&key), s(&other_key));
    let garbage = certs.path().join("kaputt.pem");
    std::fs::write(&garbage, "kein PEM\n").expect("garbage");
    let garbage = s(&garbage);
    for (args, flag) in [
        (["--tls-cert", &missing, "--tls-key", &key], "--tls-cert"),
        (["--tls-cert", &cert, "--tls-key", &missing], "--tls-key"),
        (["--tls-cert", &garbage, "--tls-key", &key], "--tls-cert"),
        (["--tls-cert", &cert, "--tls-key", &garbage], "--tls-key"),
        (["--tls-cert", &cert, "--tls-key", &other_key], "--tls-key"),
    ] {
        let out = failed_start(&data, &args);
        assert!(out.contains(flag), "{args:?} names {flag}: {out}");
    }
    let out = failed_start(&data, &["--tls-cert", &cert]);
    assert!(out.contains("--tls-key"), "{out}");
}

/// The outside world's SMTP server (tests/mail/smtp_sink.py), as the smarthost.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    fn start() -> Sink {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/mail/smtp_sink.py");
        let dir = tempfile::tempdir().expect("sink dir");
        let mut child = Command::new(python())
            .arg(&script)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python with aiosmtpd (SCHULHOF_PYTHON)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("sink port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("sink said {line:?}"));
        Sink { child, port, dir }
    }

    /// The envelope (JSON) and data of the first message taken, once there is one.
    fn first(&self, within: Duration) -> Option<(serde_json::Value, String)> {
        let start = Instant::now();
        while start.elapsed() < within {
            let env = self.dir.path().join("1.json");
            if let (Ok(e), Ok(raw)) = (
                std::fs::read(&env),
                std::fs::read(self.dir.path().join("1.eml")),
            ) {
                let e = serde_json::from_slice(&e).expect("envelope json");
                return Some((e, String::from_utf8_lossy(&raw).into_owned()));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        None
    }

    fn count(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                    .count()
            })
            .unwrap_or(0)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SUBMIT: &str = r#"
import smtplib, sys
port, frm, login = int(sys.argv[1]), sys.argv[2], sys.argv[3]
to = sys.argv[4:]
with smtplib.SMTP('127.0.0.1', port, timeout=30) as s:
    s.login(login, 'schulhof-demo')
    msg = (f'From: {frm}\r\nTo: {", ".join(to)}\r\nSubject: Ueber den Smarthost\r\n'
           f'Message-ID: <smarthost-test@100000.nrw.schule>\r\n\r\nGruesse nach draussen\r\n')
    refused = s.sendmail(frm, to, msg)
    print('refused', sorted(refused))
"#;

fn relay_scenario(db: &[&str]) {
    let sink = Sink::start();
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    let sub = free_port();
    let sub_at = format!("127.0.0.1:{sub}");
    let extra = [
        "--demo",
        "--submission-listen",
        &sub_at,
        "--smtp-relay",
        &relay,
    ];
    let server = serve(db, &extra);
    accept_terms(server.1, "lehrer");
    // One external recipient and one in the school: only the external one leaves.
    let out = Command::new(python())
        .args(["-c", SUBMIT, &sub.to_string(), TEACHER, "lehrer@100000"])
        .args(["eltern@example.org", STUDENT])
        .output()
        .expect("python");
    let t = text(&out);
    assert!(out.status.success() && t.contains("refused []"), "{t}");
    let (env, raw) = sink
        .first(Duration::from_secs(60))
        .expect("the queue sent the message through the smarthost");
    assert_eq!(
        env["rcpt_tos"],
        serde_json::json!(["eltern@example.org"]),
        "{env}"
    );
    assert_eq!(env["mail_from"], TEACHER, "{env}");
    assert!(raw.contains("Subject: Ueber den Smarthost"), "{raw}");
    assert!(raw.contains("Gruesse nach draussen"), "{raw}");
    // Sent once, not again on the next runs of the queue.
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(sink.count(), 1);
    drop(server);
}

#[test]
fn smtp_relay_flag_sends_external_mail_through_the_smarthost_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    relay_scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_relay_flag_sends_external_mail_through_the_smarthost_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || relay_scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}

/// An unusable relay setting stops the start, naming the flag.
#[test]
fn an_unusable_smtp_relay_stops_serve() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let listen = format!("127.0.0.1:{}", free_port());
    let args = ["serve", "--listen", &listen, "--smtp-relay", "ftp://x"];
    let out = run(&args, &["--data", &data], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("--smtp-relay"), "{}", text(&out));
}
