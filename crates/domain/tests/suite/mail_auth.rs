//! Where mail comes from, on SQLite and PostgreSQL. Outgoing mail caught by a real SMTP
//! server on loopback carries a DKIM signature that mail-auth's verifier accepts against
//! the record the admin page publishes (in a stub resolver: there is no DNS here), and a
//! changed body fails. Mail from outside gets SPF, DKIM and DMARC results recorded in an
//! `Authentication-Results` header, forged results claiming to be ours are removed, and a
//! resolver that does not answer gives temperror instead of holding the delivery up.

use crate::mail_support;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{Canonicalization, DkimSigner};
use mail_auth::{AuthenticatedMessage, DkimResult};
use mail_support::*;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use schulhof_domain::Db;
use schulhof_domain::mail::auth::{Dns, SmtpClient};
use schulhof_store::backend_tests;

const MASTER: [u8; 32] = [7; 32];
const MX: &str = "mx.123456.nrw.schule";
const OUTSIDE: &str = "draussen.example";
const OUTSIDE_IP: &str = "192.0.2.10";

/// A school that signs what it sends, with `dns` as the resolver of its checks.
async fn signing_env(db: Db, relay: Option<String>, dns: Dns) -> Env {
    env_with(db, relay, |c| {
        c.safe_master_key = Some(MASTER);
        c.outbound.auth.dkim_sign = true;
        c.outbound.auth.dns = dns;
    })
    .await
}

/// The DKIM results of `raw` against the records in `dns`.
async fn verify(dns: &Dns, raw: &[u8]) -> Vec<DkimResult> {
    let msg = AuthenticatedMessage::parse(raw).expect("a message");
    let auth = dns.authenticator().expect("resolver");
    auth.verify_dkim(dns.params(&msg))
        .await
        .iter()
        .map(|o| o.result().clone())
        .collect()
}

/// The value of the tag `tag` in the DKIM-Signature header of `raw`.
fn dkim_tag(raw: &[u8], tag: &str) -> String {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let unfolded = head.replace("\r\n\t", " ").replace("\r\n ", " ");
    let sig = unfolded
        .lines()
        .find(|l| l.starts_with("DKIM-Signature:"))
        .unwrap_or_else(|| panic!("no signature in {text}"));
    sig.split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == tag)
        .map(|(_, v)| v.split_whitespace().collect::<String>())
        .unwrap_or_default()
}

async fn outgoing_mail_is_signed_and_verifies_against_the_published_key(db: Db) {
    let sink = Sink::start(None).await;
    let e = signing_env(db, Some(sink.url()), Dns::stub()).await;
    let admin = e.admin().await;
    let p = &e.platform;
    p.mail_add_domain(&admin, "goethe-gymnasium.de")
        .await
        .expect("domain");
    let alias = "l.test@goethe-gymnasium.de";
    p.mail_add_alias(&admin, "lehrer", alias)
        .await
        .expect("alias");
    let t = e.user("lehrer").await;
    let raw = message(
        T,
        "bob@example.org",
        "Elternabend",
        "Am Dienstag.\r\n\r\n\r\n",
    );
    p.mail_submit(&t, T, &["bob@example.org".into()], &raw)
        .await
        .expect("sent");
    let raw2 = message(alias, "carol@example.org", "Vom Alias", "Hallo");
    p.mail_submit(&t, alias, &["carol@example.org".into()], &raw2)
        .await
        .expect("sent");
    // No key exists yet: the first mail of each domain makes it.
    assert_eq!(p.system_send_due_mail(p.now()).await.expect("run"), 2);
    let mut got = sink.messages();
    got.sort_by_key(|g| g.rcpts.clone());
    assert_eq!(got.len(), 2);

    // The admin page shows what to publish; the keys are the ones that signed.
    let records = p.mail_dkim_records(&admin).await.expect("records");
    let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "schulhof1._domainkey.123456.nrw.schule",
            "schulhof1._domainkey.goethe-gymnasium.de"
        ]
    );
    let published = Dns::stub();
    for r in &records {
        assert!(r.value.starts_with("v=DKIM1; k=rsa; p=MII"), "{}", r.value);
        published.add_txt(&r.name, &r.value).expect("record");
    }
    for (g, (sent, domain)) in got
        .iter()
        .zip([(&raw, "123456.nrw.schule"), (&raw2, "goethe-gymnasium.de")])
    {
        assert!(g.raw.starts_with(b"DKIM-Signature: "), "signed on top");
        assert!(g.raw.ends_with(sent), "the message itself unchanged");
        assert_eq!(dkim_tag(&g.raw, "d"), domain);
        assert_eq!(dkim_tag(&g.raw, "s"), "schulhof1");
        assert_eq!(dkim_tag(&g.raw, "c"), "relaxed/relaxed");
        assert_eq!(dkim_tag(&g.raw, "a"), "rsa-sha256");
        let h = dkim_tag(&g.raw, "h").to_lowercase();
        for name in ["from", "to", "subject", "date", "message-id"] {
            assert!(h.split(':').any(|x| x == name), "{name} signed: {h}");
        }
        assert_eq!(verify(&published, &g.raw).await, [DkimResult::Pass]);
        let record = &records
            .iter()
            .find(|r| r.domain == domain)
            .expect("record")
            .value;
        assert!(dkimpy_verifies(&g.raw, record), "dkimpy verifies {domain}");
    }

    // A changed body, or a key that is not the published one, fails.
    let mut tampered = got[0].raw.clone();
    let at = tampered.len() - 6;
    tampered[at] = b'X';
    assert!(matches!(
        verify(&published, &tampered).await[..],
        [DkimResult::Fail(_) | DkimResult::Neutral(_)]
    ));
    let nobody = Dns::stub();
    assert!(!matches!(
        verify(&nobody, &got[0].raw).await[..],
        [DkimResult::Pass]
    ));

    // Made once: asking again gives the same records; the private key is stored sealed.
    let again = p.mail_dkim_records(&admin).await.expect("records");
    assert_eq!(again[0].value, records[0].value);
    let mut c = p.db().read().await.expect("db");
    let stored = schulhof_store::mail::dkim::get(
        &mut c,
        t.token.instance(),
        "123456.nrw.schule",
        "schulhof1",
    )
    .await
    .expect("read")
    .expect("key");
    let plain = RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        stored.sealed_key.clone(),
    )));
    assert!(plain.is_err(), "the stored key is sealed");
}

/// A key of the outside domain: (signing key, the `p=` of its record).
fn outside_key() -> (RsaKey<Sha256>, String) {
    let pair = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let public = pair.public_key().as_der().expect("public");
    let p = base64::engine::general_purpose::STANDARD.encode(public.as_ref());
    let der = pair.as_der().expect("private").as_ref().to_vec();
    let key = RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)))
        .expect("key");
    (key, p)
}

fn signed_by_outside(key: RsaKey<Sha256>, body: &str) -> Vec<u8> {
    let raw = format!(
        "Authentication-Results: {MX}; dkim=pass; spf=pass; dmarc=pass (forged)\r\nAuthentication-Results: relay.other.example; spf=pass\r\n{}",
        String::from_utf8_lossy(&message(&format!("news@{OUTSIDE}"), T, "Newsletter", body))
    );
    let sig = DkimSigner::from_key(key)
        .domain(OUTSIDE)
        .selector("sel")
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .header_canonicalization(Canonicalization::Relaxed)
        .body_canonicalization(Canonicalization::Relaxed)
        .sign(raw.as_bytes())
        .expect("sign");
    let mut out = sig.to_header().into_bytes();
    out.extend_from_slice(raw.as_bytes());
    out
}

/// Delivers `raw` from `ip` over the MX path and returns what was stored.
async fn deliver(e: &Env, ip: &str, mail_from: &str, raw: &[u8]) -> String {
    let p = &e.platform;
    let client = SmtpClient {
        ip: ip.parse::<IpAddr>().expect("ip"),
        helo: format!("mail.{OUTSIDE}"),
        authserv_id: MX.into(),
    };
    let rcpt = p.mail_inbound_rcpt(T).await.expect("rcpt");
    let filed = p
        .mail_deliver_from_outside(&client, mail_from, &[rcpt], raw)
        .await
        .expect("delivered");
    assert!(filed[0].is_ok());
    let t = e.user("lehrer").await;
    let newest = e
        .inbox(&t)
        .await
        .into_iter()
        .max_by_key(|m| m.uid)
        .expect("mail");
    let stored = p.mail_raw(&t, newest.id).await.expect("raw");
    String::from_utf8_lossy(&stored).into_owned()
}

/// The results header we put on top, unfolded.
fn results_of(stored: &str) -> String {
    let mut lines = stored.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let head = format!("Authentication-Results: {MX};");
    assert!(first.starts_with(&head), "results on top: {stored}");
    let mut out = first[head.len()..].to_owned();
    for l in lines.take_while(|l| l.starts_with(['\t', ' '])) {
        out.push(' ');
        out.push_str(l.trim());
    }
    out
}

async fn mail_from_outside_gets_spf_dkim_and_dmarc_results(db: Db) {
    let (key, p) = outside_key();
    let dns = Dns::stub();
    dns.add_txt(
        &format!("sel._domainkey.{OUTSIDE}"),
        &format!("v=DKIM1; k=rsa; p={p}"),
    )
    .expect("dkim record");
    dns.add_txt(OUTSIDE, &format!("v=spf1 ip4:{OUTSIDE_IP} -all"))
        .expect("spf record");
    dns.add_txt(&format!("_dmarc.{OUTSIDE}"), "v=DMARC1; p=reject")
        .expect("dmarc record");
    let e = signing_env(db, None, dns).await;
    let from = format!("news@{OUTSIDE}");
    let raw = signed_by_outside(key, "Neuigkeiten");

    let stored = deliver(&e, OUTSIDE_IP, &from, &raw).await;
    let r = results_of(&stored);
    assert!(r.contains("spf=pass"), "{r}");
    assert!(
        r.contains(&format!("dkim=pass header.d={OUTSIDE} header.s=sel")),
        "{r}"
    );
    assert!(
        r.contains(&format!("dmarc=pass header.from={OUTSIDE}")),
        "{r}"
    );
    assert!(
        !stored.contains("(forged)"),
        "a forged result of ours is removed: {stored}"
    );
    assert!(
        stored.contains("Authentication-Results: relay.other.example; spf=pass"),
        "results of other hosts stay"
    );
    assert_eq!(
        stored
            .matches(&format!("Authentication-Results: {MX}"))
            .count(),
        1
    );

    // From an address the domain does not send from: SPF fails, the signature still holds,
    // and DMARC passes on the aligned signature.
    let stored = deliver(&e, "198.51.100.1", &from, &raw).await;
    let r = results_of(&stored);
    assert!(r.contains("spf=fail"), "{r}");
    assert!(r.contains("dkim=pass"), "{r}");
    assert!(r.contains("dmarc=pass"), "{r}");

    // Changed on the way and from the wrong address: everything fails, and the domain's
    // DMARC policy `reject` is enforced: refused (SMTP answers 550 5.7.1), nothing stored.
    let mut tampered = raw.clone();
    let at = tampered.len() - 4;
    tampered[at] = b'X';
    let t = e.user("lehrer").await;
    let before = e.inbox(&t).await.len();
    let refused = refuse(&e, "198.51.100.1", &from, &tampered).await;
    assert!(
        refused.contains("DMARC") && refused.contains(OUTSIDE),
        "{refused}"
    );
    assert_eq!(e.inbox(&t).await.len(), before);

    // A domain that publishes nothing.
    let plain = message("jemand@nirgends.example", T, "Ohne", "x");
    let stored = deliver(&e, "203.0.113.5", "jemand@nirgends.example", &plain).await;
    let r = results_of(&stored);
    assert!(r.contains("spf=none"), "{r}");
    assert!(r.contains("dkim=none"), "{r}");
    assert!(r.contains("dmarc=none"), "{r}");
}

/// The venv's Python with dkimpy, running `tests/mail/dkim_tool.py`.
fn dkim_tool(args: &[&str]) -> std::process::Output {
    let python = std::env::var("SCHULHOF_PYTHON")
        .unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into());
    let tool = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/mail/dkim_tool.py");
    std::process::Command::new(python)
        .arg(tool)
        .args(args)
        .output()
        .expect("python with dkimpy (tests/requirements.txt)")
}

/// Whether dkimpy verifies the signature of `raw` against the published `record`.
fn dkimpy_verifies(raw: &[u8], record: &str) -> bool {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("m.eml");
    std::fs::write(&path, raw).expect("write");
    let out = dkim_tool(&["verify", path.to_str().expect("path"), record]);
    out.status.success()
}

async fn mail_signed_by_dkimpy_passes_and_a_forged_one_is_refused(db: Db) {
    let pair = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let public = pair.public_key().as_der().expect("public");
    let p64 = base64::engine::general_purpose::STANDARD.encode(public.as_ref());
    let der = pair.as_der().expect("private").as_ref().to_vec();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let lines: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    );
    let dns = Dns::stub();
    dns.add_txt(
        &format!("py._domainkey.{OUTSIDE}"),
        &format!("v=DKIM1; k=rsa; p={p64}"),
    )
    .expect("dkim record");
    dns.add_txt(OUTSIDE, &format!("v=spf1 ip4:{OUTSIDE_IP} -all"))
        .expect("spf record");
    dns.add_txt(&format!("_dmarc.{OUTSIDE}"), "v=DMARC1; p=reject")
        .expect("dmarc record");
    let e = signing_env(db, None, dns).await;
    let dir = tempfile::tempdir().expect("dir");
    let (msg, key) = (dir.path().join("m.eml"), dir.path().join("k.pem"));
    let from = format!("news@{OUTSIDE}");
    std::fs::write(&msg, message(&from, T, "Von dkimpy", "Signiert.")).expect("write");
    std::fs::write(&key, pem).expect("write");
    let out = dkim_tool(&[
        "sign",
        msg.to_str().expect("path"),
        key.to_str().expect("path"),
        OUTSIDE,
        "py",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = out.stdout;
    // From an address SPF does not allow: the dkimpy signature alone carries DMARC.
    let stored = deliver(&e, "198.51.100.7", &from, &signed).await;
    let r = results_of(&stored);
    assert!(
        r.contains("dkim=pass header.i=@draussen.example header.s=py"),
        "{r}"
    );
    assert!(r.contains("dmarc=pass"), "{r}");
    // The same message changed on the way: DMARC fails under p=reject, refused.
    let forged = String::from_utf8_lossy(&signed).replace("Signiert.", "Gefaelscht.");
    let refused = refuse(&e, "198.51.100.7", &from, forged.as_bytes()).await;
    assert!(refused.contains("DMARC"), "{refused}");
}

/// Delivers `raw` over the MX path expecting a refusal; returns its text.
async fn refuse(e: &Env, ip: &str, mail_from: &str, raw: &[u8]) -> String {
    let p = &e.platform;
    let client = SmtpClient {
        ip: ip.parse::<IpAddr>().expect("ip"),
        helo: format!("mail.{OUTSIDE}"),
        authserv_id: MX.into(),
    };
    let rcpt = p.mail_inbound_rcpt(T).await.expect("rcpt");
    match p
        .mail_deliver_from_outside(&client, mail_from, &[rcpt], raw)
        .await
    {
        Err(schulhof_domain::DomainError::Invalid { message, .. }) => message,
        other => panic!("not refused: {other:?}"),
    }
}

async fn dmarc_quarantine_goes_to_spam_and_reject_is_refused(db: Db) {
    let dns = Dns::stub();
    for (domain, policy) in [("q.example", "quarantine"), ("r.example", "reject")] {
        dns.add_txt(domain, "v=spf1 ip4:192.0.2.99 -all")
            .expect("spf record");
        dns.add_txt(
            &format!("_dmarc.{domain}"),
            &format!("v=DMARC1; p={policy}"),
        )
        .expect("dmarc record");
    }
    let e = signing_env(db, None, dns).await;
    let t = e.user("lehrer").await;
    // Unsigned and from an address the domain does not send from: DMARC fails.
    let q = message("chef@q.example", T, "Quarantaene", "x");
    let r = message("chef@r.example", T, "Abgewiesen", "x");
    let refused = refuse(&e, OUTSIDE_IP, "chef@r.example", &r).await;
    assert!(refused.contains("r.example"), "{refused}");
    let client = SmtpClient {
        ip: OUTSIDE_IP.parse::<IpAddr>().expect("ip"),
        helo: "mail.q.example".into(),
        authserv_id: MX.into(),
    };
    let rcpt = e.platform.mail_inbound_rcpt(T).await.expect("rcpt");
    let filed = e
        .platform
        .mail_deliver_from_outside(&client, "chef@q.example", &[rcpt], &q)
        .await
        .expect("taken");
    assert!(filed[0].is_ok());
    assert!(e.inbox(&t).await.iter().all(|m| m.subject != "Quarantaene"));
    let junk = e
        .platform
        .mail_special(&t, schulhof_domain::mail::Special::Junk)
        .await
        .expect("junk");
    let (in_junk, _) = e.platform.mail_page(&t, junk, 0, 10).await.expect("page");
    assert!(in_junk.iter().any(|m| m.subject == "Quarantaene"));
}

async fn a_resolver_that_does_not_answer_does_not_hold_delivery_up(db: Db) {
    // A name server that takes queries and never answers.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let addr = silent.local_addr().expect("addr");
    let dns = Dns::servers(vec![addr], Duration::from_millis(300));
    let e = env_with(db, None, |c| {
        c.outbound.auth.dns = dns;
        c.outbound.auth.check_timeout = Duration::from_secs(1);
    })
    .await;
    let raw = message("news@irgendwo.example", T, "Still", "x");
    let start = Instant::now();
    let stored = deliver(&e, OUTSIDE_IP, "news@irgendwo.example", &raw).await;
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    let r = results_of(&stored);
    assert!(r.contains("spf=temperror"), "{r}");
    drop(silent);
}

async fn dns_records_name_mx_spf_dkim_and_dmarc_for_every_domain(db: Db) {
    let e = signing_env(db, Some("smtp://relay.example:25".into()), Dns::stub()).await;
    let admin = e.admin().await;
    let p = &e.platform;
    p.mail_add_domain(&admin, "goethe-gymnasium.de")
        .await
        .expect("domain");
    let t = e.user("lehrer").await;
    assert!(p.mail_dns_records(&t).await.is_err());
    let all = p.mail_dns_records(&admin).await.expect("records");
    let domains: Vec<(&str, bool)> = all
        .iter()
        .map(|d| (d.domain.as_str(), d.standard))
        .collect();
    assert_eq!(
        domains,
        [("123456.nrw.schule", true), ("goethe-gymnasium.de", false)]
    );
    let dkim = p.mail_dkim_records(&admin).await.expect("dkim");
    let check = Dns::stub();
    for (d, k) in all.iter().zip(&dkim) {
        let r: Vec<(&str, &str, &str)> = d
            .records
            .iter()
            .map(|r| (r.kind, r.name.as_str(), r.value.as_str()))
            .collect();
        let dmarc = format!("_dmarc.{}", d.domain);
        assert_eq!(
            r,
            [
                ("MX", d.domain.as_str(), "10 nrw.schule."),
                ("TXT", d.domain.as_str(), "v=spf1 mx a:relay.example -all"),
                ("TXT", k.name.as_str(), k.value.as_str()),
                (
                    "TXT",
                    dmarc.as_str(),
                    "v=DMARC1; p=quarantine; adkim=r; aspf=r"
                ),
            ]
        );
        // Each TXT record parses as what it claims to be (mail-auth's parsers).
        for (kind, name, value) in r {
            if kind == "TXT" {
                check.add_txt(name, value).expect("a valid record");
            }
        }
    }
    let by_cli = p
        .system_mail_dns_records(Some("123456"))
        .await
        .expect("one school");
    assert_eq!(by_cli.len(), 1);
    assert_eq!(by_cli[0].1[1].records, all[1].records);
    assert!(p.system_mail_dns_records(Some("999999")).await.is_err());
}

backend_tests!(
    dns_records_name_mx_spf_dkim_and_dmarc_for_every_domain,
    outgoing_mail_is_signed_and_verifies_against_the_published_key,
    mail_from_outside_gets_spf_dkim_and_dmarc_results,
    a_resolver_that_does_not_answer_does_not_hold_delivery_up,
    dmarc_quarantine_goes_to_spam_and_reject_is_refused,
    mail_signed_by_dkimpy_passes_and_a_forged_one_is_refused,
);
