//! Random input, cut into random pieces, into whole sessions: no panic, no hang, and the
//! session always ends when the client goes away.

mod support;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use schulhof_smtp::Role;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Pieces of real SMTP, so the fuzzer gets past the greeting into every state.
fn words() -> Vec<Vec<u8>> {
    let login = STANDARD.encode("\0lehrer@school.test\0geheim");
    let user = STANDARD.encode("lehrer@school.test");
    let pass = STANDARD.encode("geheim");
    [
        "EHLO x\r\n",
        "HELO x\r\n",
        "MAIL FROM:<lehrer@school.test>\r\n",
        "MAIL FROM:<> SIZE=99999999\r\n",
        "MAIL FROM:<a@draussen.example> BODY=8BITMIME\r\n",
        "RCPT TO:<anna@school.test>\r\n",
        "RCPT TO:<x@y.example>\r\n",
        "RCPT TO:<unbekannt@school.test>\r\n",
        "DATA\r\n",
        "BDAT 10\r\n",
        "BDAT 0 LAST\r\n",
        "BDAT 3 LAST\r\n",
        "BDAT 18446744073709551615\r\n",
        "BDAT 99999999999999999999999\r\n",
        ".\r\n",
        "\r\n.\r\n",
        "\n.\n",
        "..\r\n",
        "\r\n",
        "\r",
        "AUTH PLAIN\r\n",
        "AUTH LOGIN\r\n",
        "*\r\n",
        "=\r\n",
        "RSET\r\n",
        "NOOP\r\n",
        "STARTTLS\r\n",
        "QUIT\r\n",
        "VRFY a\r\n",
        "EXPN a\r\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .chain([
        format!("AUTH PLAIN {login}\r\n").into_bytes(),
        format!("{user}\r\n{pass}\r\n").into_bytes(),
        vec![b'A'; 700],
        vec![0xff, 0xfe, 0x00, b'\n'],
    ])
    .collect()
}

fn chunk() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        proptest::sample::select(words()),
    ]
}

async fn drive(chunks: Vec<Vec<u8>>, role: Role, peer: &str) -> bool {
    let svc = service(role);
    let (ours, theirs) = tokio::io::duplex(4096);
    let peer = peer.parse().expect("address");
    let session = tokio::spawn(svc.clone().handle(theirs, peer));
    let (mut read, mut write) = tokio::io::split(ours);
    let drain = tokio::spawn(async move {
        let mut sink = [0u8; 4096];
        while matches!(read.read(&mut sink).await, Ok(n) if n > 0) {}
    });
    for c in chunks {
        if write.write_all(&c).await.is_err() {
            break;
        }
    }
    let _ = write.shutdown().await;
    drop(write);
    let ended = tokio::time::timeout(Duration::from_secs(10), session).await;
    drain.abort();
    matches!(ended, Ok(Ok(())))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn sessions_survive_any_input(
        chunks in proptest::collection::vec(chunk(), 0..40),
        mx in any::<bool>(),
        remote in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let role = if mx { Role::Mx } else { Role::Submission };
        let peer = if remote { REMOTE } else { LOOPBACK };
        prop_assert!(rt.block_on(drive(chunks, role, peer)), "the session panicked or hung");
    }
}
