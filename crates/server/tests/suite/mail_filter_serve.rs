//! The contract's switches of mail filtering on the real `schulhof serve`: `--spam-filter
//! URL` and `--virus-scanner PATH` turn rspamd and clamd on (started by the test); mail to
//! the MX then lands in Junk (spam), in the inbox (clean) or nowhere (malware), as Python's
//! imaplib sees it. A scanner given but not running defers delivery (451 4.7.1); a spam
//! filter address that cannot be used stops the start and names the flag. On SQLite and
//! PostgreSQL.

use crate::cli_support;
use crate::dns;
use crate::filter_support;
use std::process::Command;

use cli_support::*;
use filter_support::{Clamd, Rspamd, eicar, gtube, plain, smtp_send, with_attachment};
use schulhof_store::testing::TestDb;

const TEACHER: &str = "lena.lehmann@100000.nrw.schule";
const OUTSIDE: &str = "jemand@example.org";

/// The subjects of one folder of the teacher, through IMAP (STARTTLS, then LOGIN).
fn subjects(imap: u16, folder: &str) -> String {
    let script = r#"
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.starttls(ssl_context=ctx)
m.login('lehrer@100000', 'schulhof-demo')
typ, _ = m.select(sys.argv[2], readonly=True)
assert typ == 'OK', typ
typ, data = m.search(None, 'ALL')
for n in data[0].split():
    typ, d = m.fetch(n, '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    print(d[0][1].decode().strip())
m.logout()
"#;
    let out = Command::new("python3")
        .args(["-c", script, &imap.to_string(), folder])
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `serve --demo` with the MX and IMAP on free ports, name lookups answered locally (no
/// records: SPF "none"), and `filters` added.
fn serve_with(db: &[&str], filters: &[&str]) -> (Server, u16, u16) {
    let resolver = dns::start(&[]).to_string();
    let (mx, imap) = (free_port(), free_port());
    let (mx_at, imap_at) = (format!("127.0.0.1:{mx}"), format!("127.0.0.1:{imap}"));
    let mut extra = vec![
        "--demo",
        "--smtp-listen",
        &mx_at,
        "--submission-listen",
        "",
        "--imap-listen",
        &imap_at,
        "--dns-server",
        &resolver,
    ];
    extra.extend_from_slice(filters);
    (serve(db, &extra), mx, imap)
}

async fn scenario(db: Vec<String>) {
    let db: Vec<&str> = db.iter().map(String::as_str).collect();
    let (clamd, rspamd) = tokio::task::spawn_blocking(|| (Clamd::start(), Rspamd::start()))
        .await
        .expect("daemons");
    let socket = clamd.socket.to_str().expect("utf-8 socket path").to_owned();
    let (server, mx, imap) = serve_with(
        &db,
        &["--spam-filter", &rspamd.url, "--virus-scanner", &socket],
    );
    let virus = with_attachment(OUTSIDE, TEACHER, "Rechnung", "rechnung.com", &eicar());
    for (subject, msg) in [
        ("Angebot", plain(OUTSIDE, TEACHER, "Angebot", &gtube(false))),
        (
            "Elternabend",
            plain(OUTSIDE, TEACHER, "Elternabend", "Wann ist der Abend?"),
        ),
        ("Rechnung", virus),
    ] {
        let got = smtp_send(mx, OUTSIDE, &[TEACHER], &msg).await;
        assert!(got.starts_with("250"), "{subject}: {got}");
    }

    let (inbox, junk) =
        tokio::task::spawn_blocking(move || (subjects(imap, "INBOX"), subjects(imap, "Junk")))
            .await
            .expect("imap");
    assert!(inbox.contains("Subject: Elternabend"), "{inbox}");
    assert!(!inbox.contains("Angebot"), "spam not in the inbox: {inbox}");
    assert!(junk.contains("Subject: [SPAM] Angebot"), "{junk}");
    // Malware is held back: in no folder of the recipient.
    assert!(!inbox.contains("Rechnung") && !junk.contains("Rechnung"));
    drop(server);
    drop((clamd, rspamd));

    // The scanner is given but not running: delivery waits, nothing gets in.
    let dir = tempfile::tempdir().expect("dir");
    let gone = dir.path().join("clamd.sock");
    let gone = gone.to_str().expect("utf-8").to_owned();
    let (server, mx, imap) = serve_with(&db, &["--virus-scanner", &gone]);
    let msg = plain(OUTSIDE, TEACHER, "Wartet", "Hallo");
    let got = smtp_send(mx, OUTSIDE, &[TEACHER], &msg).await;
    assert!(got.starts_with("451 4.7.1"), "{got}");
    let inbox = tokio::task::spawn_blocking(move || subjects(imap, "INBOX"))
        .await
        .expect("imap");
    assert!(!inbox.contains("Wartet"), "{inbox}");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_switched_on_by_flags_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(vec!["--data".into(), data]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_switched_on_by_flags_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(vec![
        "--database".into(),
        t.url.clone(),
        "--data".into(),
        data,
    ])
    .await;
}

/// A spam filter address that cannot be used stops the start, naming the flag; nothing is
/// served.
#[test]
fn an_unusable_spam_filter_address_stops_serve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8");
    let listen = format!("127.0.0.1:{}", free_port());
    let args = [
        "serve",
        "--listen",
        listen.as_str(),
        "--demo",
        "--spam-filter",
        "ftp://127.0.0.1:11334",
    ];
    let out = run(&args, &["--data", data], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("--spam-filter"), "{}", text(&out));
}
