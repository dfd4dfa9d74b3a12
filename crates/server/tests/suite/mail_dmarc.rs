//! DMARC `p=reject` enforced by the real `schulhof serve` at SMTP time, with real clients:
//! the server asks a test name server (`--dns-server`) that publishes SPF and DMARC for two
//! sender domains; swaks sends a forged message (SPF fails, no DKIM, `p=reject`) → `550
//! 5.7.1`, nothing stored; a message from an address the domain's SPF allows is delivered.
//! Python's imaplib checks the inbox. Then `schulhof mail dns-records` prints the records
//! to publish. On SQLite and PostgreSQL.

use crate::cli_support;
use crate::dns;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

const TEACHER: &str = "lena.lehmann@100000.nrw.schule";

/// swaks to the MX; returns (exit success, transcript).
fn swaks(port: u16, from: &str, subject: &str) -> (bool, String) {
    let out = Command::new("swaks")
        .args(["--server", &format!("127.0.0.1:{port}")])
        .args([
            "--helo",
            "mail.example.net",
            "--from",
            from,
            "--to",
            TEACHER,
        ])
        .args(["--header", &format!("Subject: {subject}")])
        .args(["--header", &format!("From: Chef <{from}>")])
        .args(["--body", "Bitte sofort ueberweisen."])
        .args(["--timeout", "30"])
        .output()
        .expect("swaks (apt-get install swaks)");
    (out.status.success(), text(&out))
}

/// The subjects in the teacher's INBOX, through IMAP (STARTTLS, then LOGIN).
fn inbox_subjects(imap: u16) -> String {
    let script = r#"
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.starttls(ssl_context=ctx)
m.login('lehrer@100000', 'schulhof-demo')
m.select('INBOX', readonly=True)
typ, data = m.search(None, 'ALL')
for n in data[0].split():
    typ, d = m.fetch(n, '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    print(d[0][1].decode().strip())
m.logout()
"#;
    let out = Command::new("python3")
        .args(["-c", script, &imap.to_string()])
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn scenario(db: &[&str]) {
    let resolver = dns::start(&[
        ("forged.example", "v=spf1 ip4:192.0.2.99 -all"),
        ("_dmarc.forged.example", "v=DMARC1; p=reject"),
        ("good.example", "v=spf1 ip4:127.0.0.1 -all"),
        ("_dmarc.good.example", "v=DMARC1; p=reject"),
    ]);
    let (mx, imap) = (free_port(), free_port());
    let (mx_at, imap_at) = (format!("127.0.0.1:{mx}"), format!("127.0.0.1:{imap}"));
    let resolver = resolver.to_string();
    let _server = serve(
        db,
        &[
            "--demo",
            "--smtp-listen",
            &mx_at,
            "--imap-listen",
            &imap_at,
            "--dns-server",
            &resolver,
        ],
    );

    let (ok, t) = swaks(mx, "chef@forged.example", "Gefaelschte Rechnung");
    assert!(!ok, "a forged message was taken:\n{t}");
    assert!(t.contains("<** 550 5.7.1"), "{t}");
    assert!(t.contains("forged.example"), "{t}");

    let (ok, t) = swaks(mx, "chef@good.example", "Echte Rechnung");
    assert!(ok, "a passing message was refused:\n{t}");

    let subjects = inbox_subjects(imap);
    assert!(subjects.contains("Echte Rechnung"), "{subjects}");
    assert!(!subjects.contains("Gefaelschte"), "{subjects}");

    // `schulhof mail dns-records`: the records to publish, in zone-file form.
    let out = run(&["mail", "dns-records", "--school", "100000"], db, None);
    let zone = text(&out);
    assert!(out.status.success(), "{zone}");
    for line in [
        "100000.nrw.schule.\t3600\tIN\tMX\t10 nrw.schule.",
        "100000.nrw.schule.\t3600\tIN\tTXT\t\"v=spf1 mx -all\"",
        "schulhof1._domainkey.100000.nrw.schule.\t3600\tIN\tTXT\t\"v=DKIM1; k=rsa; p=",
        "_dmarc.100000.nrw.schule.\t3600\tIN\tTXT\t\"v=DMARC1; p=quarantine",
    ] {
        assert!(zone.contains(line), "{line} in:\n{zone}");
    }
    let out = run(&["mail", "dns-records", "--school", "999999"], db, None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no school with number 999999"),
        "{}",
        text(&out)
    );
}

#[test]
fn dmarc_reject_through_serve_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn dmarc_reject_through_serve_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
