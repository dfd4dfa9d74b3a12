//! The contract's durability promise on the real binary: a message the server took with
//! `250` (MX delivery, submission) or an IMAP APPEND answered `OK` survives the process
//! being killed with SIGKILL the moment the client has read the answer. The client itself
//! kills the server right after reading the reply, so nothing the server does after its
//! answer can help; a restarted `serve` on the same data then shows the message byte for
//! byte to Python's imaplib. On SQLite and PostgreSQL.

use crate::cli_support;
use crate::dns;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";
const TEACHER: &str = "lena.lehmann@100000.nrw.schule";

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

/// One client step, then SIGKILL to the server as soon as the answer is read. Prints the
/// answer. argv: kind port server-pid subject body-file.
const ACT_AND_KILL: &str = r#"
import imaplib, os, signal, smtplib, sys, time
kind, port, pid, subject, body_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
body = open(body_file, 'rb').read()
frm, to = 'jemand@example.org', 'lena.lehmann@100000.nrw.schule'
if kind == 'submission':
    frm, to = 'lena.lehmann@100000.nrw.schule', 'sophie.schueler@100000.nrw.schule'
msg = (f'From: {frm}\r\nTo: {to}\r\nSubject: {subject}\r\n'
       'Content-Type: text/plain; charset=us-ascii\r\n\r\n').encode() + body
if kind in ('mx', 'submission'):
    s = smtplib.SMTP('127.0.0.1', port, timeout=60)
    s.ehlo('mail.example.org')
    if kind == 'submission':
        s.login('lehrer@100000', 'schulhof-demo')
    s.mail(frm)
    code, _ = s.rcpt(to)
    assert code == 250, code
    code, text = s.data(msg)
    os.kill(pid, signal.SIGKILL)
    print(code, text.decode())
else:
    m = imaplib.IMAP4('127.0.0.1', port)
    m.login('lehrer@100000', 'schulhof-demo')
    typ, data = m.append('Archive', None, None, msg)
    os.kill(pid, signal.SIGKILL)
    print(typ, data[0].decode())
"#;

/// After the restart: the body of the message with `subject` in `folder` of `login`, or
/// "MISSING". argv: port login folder subject out-file.
const READ_BACK: &str = r#"
import imaplib, sys
port, login, folder, subject, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
m = imaplib.IMAP4('127.0.0.1', port)
m.login(login, 'schulhof-demo')
typ, _ = m.select(folder, readonly=True)
assert typ == 'OK', typ
typ, data = m.uid('SEARCH', None, 'SUBJECT', '"' + subject + '"')
uids = data[0].split()
if len(uids) != 1:
    print('MISSING', len(uids))
else:
    typ, d = m.uid('FETCH', uids[0], '(BODY.PEEK[])')
    open(out, 'wb').write(d[0][1])
    print('FOUND')
m.logout()
"#;

struct Ports {
    mx: u16,
    sub: u16,
    imap: u16,
    dns: std::net::SocketAddr,
}

fn start(db: &[&str], ports: &Ports) -> Server {
    let mx = format!("127.0.0.1:{}", ports.mx);
    let sub = format!("127.0.0.1:{}", ports.sub);
    let imap = format!("127.0.0.1:{}", ports.imap);
    // Name lookups of the MX's sender checks answered on loopback (no records).
    let resolver = ports.dns.to_string();
    let extra = [
        "--demo",
        "--dns-server",
        &resolver,
        "--smtp-listen",
        &mx,
        "--submission-listen",
        &sub,
        "--imap-listen",
        &imap,
    ];
    serve(db, &extra)
}

/// Accepts the terms as `login`, as a user does once in the browser before mail programs.
fn accept_terms(port: u16, login: &str) {
    let body = format!(r#"{{"instance":"100000","login":"{login}","password":"{PW}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &body).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = session_cookie(&resp).expect("cookie");
    let terms = r#"{"terms":true,"privacy":true}"#;
    let consent = http_with(port, "POST", "/api/v1/consent", terms, Some(&cookie));
    assert_eq!(consent.map(|c| c.0), Some(204));
}

/// A body of about 3 MB (long enough that storing it takes a moment), lines of 76 chars.
fn big_body(tag: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..40_000 {
        out.extend_from_slice(format!("{tag} Zeile {i:06} {}\r\n", "x".repeat(50)).as_bytes());
    }
    out
}

/// Runs one step against the server and checks the server was killed by it.
fn act_and_kill(mut server: Server, kind: &str, port: u16, subject: &str, body: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("body");
    std::fs::write(&file, body).expect("body");
    let pid = server.0.id().to_string();
    let out = Command::new(python())
        .args(["-c", ACT_AND_KILL, kind, &port.to_string(), &pid, subject])
        .arg(&file)
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let t = text(&out);
    assert!(out.status.success(), "{kind}: {t}");
    // The server died of the signal, not of anything else.
    let status = server.0.wait().expect("wait");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(9),
        "{kind}: killed by SIGKILL ({status:?})"
    );
    drop(server);
    t
}

fn read_back(imap: u16, login: &str, folder: &str, subject: &str) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("out");
    let out = Command::new(python())
        .args(["-c", READ_BACK, &imap.to_string(), login, folder, subject])
        .arg(&file)
        .output()
        .expect("python");
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    match t.trim() {
        "FOUND" => Some(std::fs::read(&file).expect("fetched")),
        _ => None,
    }
}

fn scenario(db: &[&str]) {
    let ports = Ports {
        mx: free_port(),
        sub: free_port(),
        imap: free_port(),
        dns: dns::start(&[]),
    };
    let server = start(db, &ports);
    accept_terms(server.1, "lehrer");
    accept_terms(server.1, "schueler");
    // Never sent: the check must be able to fail.
    assert_eq!(read_back(ports.imap, "lehrer@100000", "INBOX", "Nie"), None);

    let mx_body = big_body("mx");
    let said = act_and_kill(server, "mx", ports.mx, "Vor dem Absturz MX", &mx_body);
    assert!(said.starts_with("250 2.0.0"), "{said}");

    let server = start(db, &ports);
    let sub_body = big_body("submission");
    let said = act_and_kill(
        server,
        "submission",
        ports.sub,
        "Vor dem Absturz Einreichung",
        &sub_body,
    );
    assert!(said.starts_with("250 2.0.0"), "{said}");

    let server = start(db, &ports);
    let append_body = big_body("append");
    let said = act_and_kill(
        server,
        "append",
        ports.imap,
        "Vor dem Absturz APPEND",
        &append_body,
    );
    assert!(
        said.starts_with("OK") && said.contains("APPENDUID"),
        "{said}"
    );

    // A new process on the same data: everything answered is there, whole.
    let _server = start(db, &ports);
    let got = read_back(ports.imap, "lehrer@100000", "INBOX", "Vor dem Absturz MX")
        .expect("the MX delivery answered 250 survived the kill");
    assert!(
        got.ends_with(&mx_body),
        "the whole body ({} bytes)",
        got.len()
    );
    let got = read_back(
        ports.imap,
        "schueler@100000",
        "INBOX",
        "Vor dem Absturz Einreichung",
    )
    .expect("the submission answered 250 survived the kill");
    assert!(
        got.ends_with(&sub_body),
        "the whole body ({} bytes)",
        got.len()
    );
    let got = read_back(
        ports.imap,
        "lehrer@100000",
        "Archive",
        "Vor dem Absturz APPEND",
    )
    .expect("the APPEND answered OK survived the kill");
    let head = format!(
        "From: jemand@example.org\r\nTo: {TEACHER}\r\nSubject: Vor dem Absturz APPEND\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    );
    let mut sent = head.into_bytes();
    sent.extend_from_slice(&append_body);
    assert!(
        got == sent,
        "APPEND stored byte for byte ({} bytes)",
        got.len()
    );
}

#[test]
fn answered_mail_survives_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn answered_mail_survives_sigkill_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
