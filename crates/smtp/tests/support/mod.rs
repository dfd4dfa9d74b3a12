//! A fake mail service and a client over an in-memory pipe, to drive sessions without a
//! database or sockets.

#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use schulhof_smtp::{
    AuthError, Client as MxClient, DeliverError, MailBackend, RcptError, Role, Service, SmtpConfig,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

pub const LOCAL: &str = "school.test";
/// The room left in the mailbox `knapp@` ("tight"), in bytes.
pub const KNAPP_ROOM: u64 = 500;

/// A message the fake took: envelope sender, recipients, content.
pub type Taken = (String, Vec<String>, Vec<u8>);

#[derive(Default)]
pub struct Fake {
    pub taken: Mutex<Vec<Taken>>,
    /// Who handed each message over on the MX: (address, HELO name, our host name).
    pub clients: Mutex<Vec<(IpAddr, String, String)>>,
}

impl Fake {
    pub fn taken(&self) -> Vec<Taken> {
        self.taken.lock().expect("lock").clone()
    }
}

fn domain(addr: &str) -> &str {
    addr.rsplit_once('@').map_or("", |(_, d)| d)
}

impl MailBackend for Fake {
    type Actor = String;
    type Inbound = String;

    async fn login(&self, user: &str, password: &str, _: &str) -> Result<String, AuthError> {
        match (user, password) {
            ("lehrer@school.test" | "schueler@school.test", "geheim") => Ok(user.to_owned()),
            ("gesperrt@school.test", "geheim") => Err(AuthError::NotAllowed),
            _ => Err(AuthError::BadCredentials),
        }
    }

    async fn own_sender(&self, actor: &String, from: &str) -> Result<bool, RcptError> {
        Ok(actor.eq_ignore_ascii_case(from))
    }

    async fn check_rcpt(&self, actor: &String, rcpt: &str, size: u64) -> Result<(), RcptError> {
        if rcpt.starts_with("unbekannt@") {
            return Err(RcptError::Unknown);
        }
        if rcpt.starts_with("knapp@") && size > KNAPP_ROOM {
            return Err(RcptError::MailboxFull);
        }
        if domain(rcpt) != LOCAL && actor.starts_with("schueler") {
            return Err(RcptError::NotAllowed);
        }
        Ok(())
    }

    async fn submit(
        &self,
        _: &String,
        from: &str,
        rcpts: &[String],
        raw: &[u8],
    ) -> Result<(), DeliverError> {
        if rcpts.iter().any(|r| r.starts_with("voll@")) {
            return Err(DeliverError::QuotaExceeded);
        }
        let t = (from.to_owned(), rcpts.to_vec(), raw.to_vec());
        self.taken.lock().expect("lock").push(t);
        Ok(())
    }

    async fn inbound_rcpt(&self, rcpt: &str, size: u64) -> Result<String, RcptError> {
        if domain(rcpt) != LOCAL {
            return Err(RcptError::Relay);
        }
        if rcpt.starts_with("knapp@") && size > KNAPP_ROOM {
            return Err(RcptError::MailboxFull);
        }
        match rcpt.split('@').next() {
            Some("unbekannt") => Err(RcptError::Unknown),
            Some("schueler") => Err(RcptError::NotAllowed),
            _ => Ok(rcpt.to_owned()),
        }
    }

    async fn deliver_inbound(
        &self,
        client: MxClient<'_>,
        from: &str,
        rcpts: &[String],
        raw: &[u8],
    ) -> Result<(), DeliverError> {
        let c = (
            client.ip,
            client.helo.to_owned(),
            client.hostname.to_owned(),
        );
        self.clients.lock().expect("lock").push(c);
        let t = (from.to_owned(), rcpts.to_vec(), raw.to_vec());
        self.taken.lock().expect("lock").push(t);
        Ok(())
    }
}

pub fn config() -> SmtpConfig {
    SmtpConfig {
        hostname: "mx.school.test".into(),
        max_message: 4096,
        max_recipients: 5,
        max_line: 512,
        timeout: Duration::from_secs(5),
        max_errors: 10,
        ..SmtpConfig::default()
    }
}

pub fn service(role: Role) -> Arc<Service<Fake>> {
    Arc::new(Service::new(role, Fake::default(), None, config()))
}

pub const LOOPBACK: &str = "127.0.0.1:40000";
pub const REMOTE: &str = "192.0.2.7:40000";

/// A client talking to a session served from `peer`.
pub struct Client {
    read: BufReader<ReadHalf<DuplexStream>>,
    write: WriteHalf<DuplexStream>,
    pub session: tokio::task::JoinHandle<()>,
}

impl Client {
    pub async fn connect(svc: &Arc<Service<Fake>>, peer: &str) -> Client {
        let (ours, theirs) = tokio::io::duplex(1 << 16);
        let peer: SocketAddr = peer.parse().expect("address");
        let session = tokio::spawn(svc.clone().handle(theirs, peer));
        let (read, write) = tokio::io::split(ours);
        let mut c = Client {
            read: BufReader::new(read),
            write,
            session,
        };
        let greeting = c.reply().await;
        assert!(greeting.starts_with("220 "), "{greeting}");
        c
    }

    pub async fn send(&mut self, bytes: &str) {
        self.send_bytes(bytes.as_bytes()).await;
    }

    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        self.write.write_all(bytes).await.expect("send");
    }

    /// One whole reply (all its lines); empty when the server closed.
    pub async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(10), self.read.read_line(&mut line))
                .await
                .expect("reply in time")
                .expect("read");
            if n == 0 {
                return all;
            }
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return all;
            }
        }
    }

    /// Sends a command line and returns the reply.
    pub async fn cmd(&mut self, line: &str) -> String {
        self.send(&format!("{line}\r\n")).await;
        self.reply().await
    }

    pub async fn login(&mut self, user: &str) {
        use base64::Engine;
        let plain = base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0geheim"));
        assert!(self.cmd("EHLO client.example").await.starts_with("250"));
        let r = self.cmd(&format!("AUTH PLAIN {plain}")).await;
        assert!(r.starts_with("235 2.7.0"), "{r}");
    }
}

/// Whether `reply` starts with `code` and enhanced `esc`.
#[track_caller]
pub fn expect(reply: &str, start: &str) {
    assert!(reply.starts_with(start), "expected {start}, got {reply:?}");
}
