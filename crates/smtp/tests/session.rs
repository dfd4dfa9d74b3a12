//! SMTP sessions against a fake mail service: the protocol, its limits and its refusals.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use schulhof_smtp::Role;
use support::*;

#[tokio::test]
async fn submission_sends_after_auth_with_dot_unstuffing() {
    let svc = service(Role::Submission);
    let mut c = Client::connect(&svc, LOOPBACK).await;
    let ehlo = c.cmd("EHLO client.example").await;
    for cap in [
        "PIPELINING",
        "SIZE 4096",
        "AUTH PLAIN LOGIN",
        "ENHANCEDSTATUSCODES",
        "CHUNKING",
        "8BITMIME",
    ] {
        assert!(ehlo.contains(cap), "{cap} in {ehlo}");
    }
    assert!(!ehlo.contains("STARTTLS"), "no TLS configured: {ehlo}");
    expect(&c.cmd("MAIL FROM:<lehrer@school.test>").await, "530 5.7.0");
    let wrong = STANDARD.encode("\0lehrer@school.test\0falsch");
    expect(&c.cmd(&format!("AUTH PLAIN {wrong}")).await, "535 5.7.8");
    let blocked = STANDARD.encode("\0gesperrt@school.test\0geheim");
    expect(&c.cmd(&format!("AUTH PLAIN {blocked}")).await, "535 5.7.1");
    expect(&c.cmd("AUTH PLAIN").await, "334 ");
    let good = STANDARD.encode("\0lehrer@school.test\0geheim");
    expect(&c.cmd(&good).await, "235 2.7.0");
    expect(&c.cmd("AUTH PLAIN x").await, "503 5.5.1");
    expect(&c.cmd("MAIL FROM:<chef@school.test>").await, "553 5.7.1");
    expect(&c.cmd("MAIL FROM:<lehrer@school.test>").await, "250 2.1.0");
    expect(&c.cmd("MAIL FROM:<lehrer@school.test>").await, "503 5.5.1");
    expect(&c.cmd("RCPT TO:<unbekannt@school.test>").await, "550 5.1.1");
    expect(&c.cmd("RCPT TO:<anna@school.test>").await, "250 2.1.5");
    expect(
        &c.cmd("RCPT TO:<jemand@draussen.example>").await,
        "250 2.1.5",
    );
    expect(&c.cmd("DATA").await, "354");
    c.send("Subject: Test\r\n\r\n..dot\r\n.\r\n").await;
    expect(&c.reply().await, "250 2.0.0");
    let taken = svc.backend.taken();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].0, "lehrer@school.test");
    assert_eq!(taken[0].1, ["anna@school.test", "jemand@draussen.example"]);
    assert_eq!(taken[0].2, b"Subject: Test\r\n\r\n.dot\r\n");
    expect(&c.cmd("QUIT").await, "221 2.0.0");
}

#[tokio::test]
async fn students_may_not_write_outside_and_full_mailboxes_refuse() {
    let svc = service(Role::Submission);
    let mut c = Client::connect(&svc, LOOPBACK).await;
    c.login("schueler@school.test").await;
    expect(&c.cmd("MAIL FROM:<schueler@school.test>").await, "250");
    expect(
        &c.cmd("RCPT TO:<jemand@draussen.example>").await,
        "550 5.7.1",
    );
    expect(&c.cmd("RCPT TO:<voll@school.test>").await, "250");
    expect(&c.cmd("DATA").await, "354");
    c.send("Subject: x\r\n\r\nx\r\n.\r\n").await;
    expect(&c.reply().await, "552 5.2.2");
    assert!(svc.backend.taken().is_empty());
    expect(&c.cmd("NOOP").await, "250");
}

/// A mailbox without room for the declared SIZE is refused at RCPT with 452 4.2.2 (the
/// sender keeps the message and may try again), on submission and on the MX; without a
/// declared SIZE or with one that fits, the recipient is taken.
#[tokio::test]
async fn a_declared_size_without_room_is_refused_at_rcpt() {
    for role in [Role::Submission, Role::Mx] {
        let svc = service(role);
        let mut c = Client::connect(&svc, LOOPBACK).await;
        let from = match role {
            Role::Submission => {
                c.login("lehrer@school.test").await;
                "lehrer@school.test"
            }
            Role::Mx => {
                expect(&c.cmd("EHLO draussen.example").await, "250");
                "jemand@draussen.example"
            }
        };
        expect(
            &c.cmd(&format!("MAIL FROM:<{from}> SIZE=3000")).await,
            "250",
        );
        expect(&c.cmd("RCPT TO:<knapp@school.test>").await, "452 4.2.2");
        expect(&c.cmd("RCPT TO:<anna@school.test>").await, "250");
        expect(&c.cmd("RSET").await, "250");
        expect(&c.cmd(&format!("MAIL FROM:<{from}> SIZE=400")).await, "250");
        expect(&c.cmd("RCPT TO:<knapp@school.test>").await, "250");
        expect(&c.cmd("RSET").await, "250");
        expect(&c.cmd(&format!("MAIL FROM:<{from}>")).await, "250");
        expect(&c.cmd("RCPT TO:<knapp@school.test>").await, "250");
        expect(&c.cmd("QUIT").await, "221");
    }
}

#[tokio::test]
async fn login_mechanism_and_cancel() {
    let svc = service(Role::Submission);
    let mut c = Client::connect(&svc, LOOPBACK).await;
    c.cmd("EHLO c").await;
    expect(&c.cmd("AUTH LOGIN").await, "334 VXNlcm5hbWU6");
    expect(&c.cmd("*").await, "501 5.0.0");
    expect(&c.cmd("AUTH CRAM-MD5").await, "504 5.5.4");
    expect(&c.cmd("AUTH LOGIN").await, "334 VXNlcm5hbWU6");
    expect(
        &c.cmd(&STANDARD.encode("lehrer@school.test")).await,
        "334 UGFzc3dvcmQ6",
    );
    expect(&c.cmd(&STANDARD.encode("geheim")).await, "235 2.7.0");
}

#[tokio::test]
async fn no_password_in_plain_text_from_other_hosts() {
    let svc = service(Role::Submission);
    let mut c = Client::connect(&svc, REMOTE).await;
    let ehlo = c.cmd("EHLO c").await;
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    let good = STANDARD.encode("\0lehrer@school.test\0geheim");
    expect(&c.cmd(&format!("AUTH PLAIN {good}")).await, "530 5.7.0");
    expect(&c.cmd("MAIL FROM:<lehrer@school.test>").await, "530 5.7.0");
    expect(&c.cmd("STARTTLS").await, "454 4.7.0");
}

#[tokio::test]
async fn repeated_failed_logins_close_the_connection() {
    let svc = service(Role::Submission);
    let mut c = Client::connect(&svc, LOOPBACK).await;
    c.cmd("EHLO c").await;
    let wrong = STANDARD.encode("\0lehrer@school.test\0falsch");
    expect(&c.cmd(&format!("AUTH PLAIN {wrong}")).await, "535");
    expect(&c.cmd(&format!("AUTH PLAIN {wrong}")).await, "535");
    expect(&c.cmd(&format!("AUTH PLAIN {wrong}")).await, "535");
    expect(&c.reply().await, "421 4.7.0");
    assert_eq!(c.reply().await, "");
}

#[tokio::test]
async fn pipelined_commands_get_their_replies_in_order() {
    let svc = service(Role::Submission);
    let mut c = Client::connect(&svc, LOOPBACK).await;
    c.login("lehrer@school.test").await;
    c.send(concat!(
        "MAIL FROM:<lehrer@school.test>\r\n",
        "RCPT TO:<anna@school.test>\r\n",
        "RCPT TO:<unbekannt@school.test>\r\n",
        "RCPT TO:<ben@school.test>\r\n",
        "DATA\r\n"
    ))
    .await;
    for want in ["250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5", "354"] {
        expect(&c.reply().await, want);
    }
    // The message and the next transaction in one go, too.
    c.send("Subject: a\r\n\r\na\r\n.\r\nRSET\r\nNOOP\r\n").await;
    for want in ["250 2.0.0", "250 2.0.0", "250 2.0.0"] {
        expect(&c.reply().await, want);
    }
    assert_eq!(
        svc.backend.taken()[0].1,
        ["anna@school.test", "ben@school.test"]
    );
}

#[tokio::test]
async fn limits_give_clear_errors_and_the_session_goes_on() {
    let svc = service(Role::Submission);
    let mut c = Client::connect(&svc, LOOPBACK).await;
    c.login("lehrer@school.test").await;
    let long = format!("NOOP {}", "x".repeat(2000));
    expect(&c.cmd(&long).await, "500 5.5.2");
    expect(&c.cmd("NOOP").await, "250");
    expect(
        &c.cmd("MAIL FROM:<lehrer@school.test> SIZE=999999").await,
        "552 5.3.4",
    );
    expect(&c.cmd("MAIL FROM:<lehrer@school.test>").await, "250");
    for i in 0..5 {
        expect(&c.cmd(&format!("RCPT TO:<p{i}@school.test>")).await, "250");
    }
    expect(&c.cmd("RCPT TO:<p9@school.test>").await, "452 4.5.3");
    expect(&c.cmd("DATA").await, "354");
    let big = format!("Subject: big\r\n\r\n{}\r\n.\r\n", "y".repeat(5000));
    c.send(&big).await;
    expect(&c.reply().await, "552 5.3.4");
    assert!(svc.backend.taken().is_empty());
    expect(&c.cmd("NOOP").await, "250");
    expect(&c.cmd("DATA").await, "503 5.5.1");
    expect(&c.cmd("BOGUS").await, "500 5.5.1");
    expect(&c.cmd("VRFY anna").await, "252 2.5.0");
}

#[tokio::test]
async fn too_many_errors_end_the_session() {
    let svc = service(Role::Mx);
    let mut c = Client::connect(&svc, REMOTE).await;
    for _ in 0..10 {
        expect(&c.cmd("HELLO?").await, "500 5.5.1");
    }
    expect(&c.reply().await, "421 4.7.0");
    assert_eq!(c.reply().await, "");
}

#[tokio::test]
async fn mx_takes_local_mail_only_and_stamps_it() {
    let svc = service(Role::Mx);
    let mut c = Client::connect(&svc, REMOTE).await;
    let ehlo = c.cmd("EHLO mail.draussen.example").await;
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    expect(&c.cmd("AUTH PLAIN AGxlaHJlcgBnZWhlaW0=").await, "503 5.5.1");
    expect(&c.cmd("MAIL FROM:<>").await, "250 2.1.0");
    expect(
        &c.cmd("RCPT TO:<jemand@anderswo.example>").await,
        "550 5.7.1 Relay",
    );
    expect(&c.cmd("RCPT TO:<schueler@school.test>").await, "550 5.7.1");
    expect(&c.cmd("RCPT TO:<unbekannt@school.test>").await, "550 5.1.1");
    expect(&c.cmd("RCPT TO:<lehrer@school.test>").await, "250 2.1.5");
    expect(&c.cmd("DATA").await, "354");
    // A bare LF.LF must not end the message (SMTP smuggling).
    c.send("Subject: hi\r\n\r\nx\n.\nMAIL FROM:<evil@x.example>\r\n.\r\n")
        .await;
    expect(&c.reply().await, "250 2.0.0");
    let taken = svc.backend.taken();
    assert_eq!(taken.len(), 1);
    let text = String::from_utf8_lossy(&taken[0].2);
    assert!(
        text.starts_with("Received: from mail.draussen.example ([192.0.2.7])"),
        "{text}"
    );
    assert!(text.contains("for <lehrer@school.test>"), "{text}");
    let clients = svc.backend.clients.lock().expect("lock").clone();
    let ip: std::net::IpAddr = "192.0.2.7".parse().expect("ip");
    assert_eq!(
        clients,
        [(ip, "mail.draussen.example".into(), "mx.school.test".into())],
        "the service learns who handed the message over, for SPF"
    );
    assert!(
        text.ends_with("Subject: hi\r\n\r\nx\n.\nMAIL FROM:<evil@x.example>\r\n"),
        "{text}"
    );
}

#[tokio::test]
async fn bdat_chunks_make_one_message() {
    let svc = service(Role::Mx);
    let mut c = Client::connect(&svc, REMOTE).await;
    c.cmd("EHLO c").await;
    // Without a transaction the chunk is still read (it must not pass for commands).
    c.send("BDAT 4\r\nNOOP").await;
    expect(&c.reply().await, "503 5.5.1");
    expect(&c.cmd("NOOP").await, "250");
    c.cmd("MAIL FROM:<a@draussen.example>").await;
    c.cmd("RCPT TO:<lehrer@school.test>").await;
    c.send("BDAT 12\r\nSubject: x\r\n").await;
    expect(&c.reply().await, "250 2.0.0");
    c.send("BDAT 5 LAST\r\n\r\n.x\n").await;
    expect(&c.reply().await, "250 2.0.0 Message accepted");
    let raw = svc.backend.taken()[0].2.clone();
    assert!(String::from_utf8_lossy(&raw).ends_with("Subject: x\r\n\r\n.x\n"));
    c.cmd("MAIL FROM:<a@draussen.example>").await;
    c.cmd("RCPT TO:<lehrer@school.test>").await;
    c.send(&format!("BDAT 5000 LAST\r\n{}", "z".repeat(5000)))
        .await;
    expect(&c.reply().await, "552 5.3.4");
    expect(&c.cmd("NOOP").await, "250");
}

#[tokio::test]
async fn a_client_that_never_reads_cannot_hold_the_session() {
    let mut config = config();
    config.timeout = std::time::Duration::from_millis(500);
    let svc = std::sync::Arc::new(schulhof_smtp::Service::new(
        Role::Mx,
        Fake::default(),
        None,
        config,
    ));
    let (ours, theirs) = tokio::io::duplex(1024);
    let peer = REMOTE.parse().expect("address");
    let session = tokio::spawn(svc.handle(theirs, peer));
    let (_read, mut write) = tokio::io::split(ours);
    let flood = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let noops = "NOOP\r\n".repeat(1000);
        while write.write_all(noops.as_bytes()).await.is_ok() {}
    });
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), session).await;
    flood.abort();
    assert!(matches!(ended, Ok(Ok(()))), "the session still runs");
}
