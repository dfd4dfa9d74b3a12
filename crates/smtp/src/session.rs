//! One connection: the greeting, the command loop, and the state between commands.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use smtp_proto::Request;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::io::{End, Io, Line, Stream};
use crate::reply::{self, Reply};
use crate::{MailBackend, Role, Service};

/// How long a TLS handshake may take.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// What the command loop does after a command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Go,
    Close,
}

/// The mail being sent: envelope so far, and the chunks of BDAT.
pub(crate) struct Txn<I> {
    pub from: String,
    /// The SIZE declared with MAIL FROM (0: none), so a full mailbox is refused at RCPT.
    pub size: u64,
    pub rcpts: Vec<String>,
    pub inbound: Vec<I>,
    pub chunks: Option<Vec<u8>>,
}

pub(crate) struct Session<S, B: MailBackend> {
    pub svc: Arc<Service<B>>,
    pub io: Io<S>,
    pub peer: SocketAddr,
    pub helo: Option<String>,
    pub tls: bool,
    pub actor: Option<B::Actor>,
    pub txn: Option<Txn<B::Inbound>>,
    errors: u32,
    pub auth_failures: u32,
}

/// Tells a client that the listener is full.
pub(crate) async fn refuse_busy<S: AsyncWrite + Unpin>(mut stream: S) {
    let _ = stream
        .write_all(b"421 4.3.2 Too many connections, try again later\r\n")
        .await;
    let _ = stream.shutdown().await;
}

/// Tells a client that its address opened too many connections lately.
pub(crate) async fn refuse_limited<S: AsyncWrite + Unpin>(mut stream: S, wait: u64) {
    let line = format!(
        "421 4.7.0 Too many connections from your address, try again in {wait} seconds\r\n"
    );
    let _ = stream.write_all(line.as_bytes()).await;
    let _ = stream.shutdown().await;
}

impl<S, B> Session<S, B>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    B: MailBackend,
{
    pub fn new(svc: Arc<Service<B>>, stream: S, peer: SocketAddr) -> Self {
        let io = Io::new(stream, svc.config.timeout);
        Session {
            svc,
            io,
            peer,
            helo: None,
            tls: false,
            actor: None,
            txn: None,
            errors: 0,
            auth_failures: 0,
        }
    }

    pub fn role(&self) -> Role {
        self.svc.role
    }

    pub fn timeout(&self) -> Duration {
        self.svc.config.timeout
    }

    /// Whether a password may be sent now: under TLS, or from loopback where allowed.
    pub fn auth_allowed(&self) -> bool {
        self.tls || (self.svc.config.loopback_plaintext_auth && self.peer.ip().is_loopback())
    }

    /// Queues a reply; failures count towards the error limit.
    pub fn say(&mut self, r: Reply) -> Step {
        r.write(self.io.out());
        if r.closes() {
            return Step::Close;
        }
        if r.code >= 400 {
            self.errors += 1;
            if self.errors >= self.svc.config.max_errors {
                reply::too_many_errors().write(self.io.out());
                return Step::Close;
            }
        }
        Step::Go
    }

    pub async fn run(mut self) {
        let greeting = format!("{} ESMTP Schulhof", self.svc.config.hostname);
        Reply::new(220, "", greeting).write(self.io.out());
        loop {
            let max = self.svc.config.max_line;
            let step = match self.io.line(max, self.timeout()).await {
                Ok(Line::Text(l)) => self.command(&l).await,
                Ok(Line::TooLong) => self.say(reply::line_too_long()),
                Err(End::Timeout) => {
                    reply::timeout().write(self.io.out());
                    Step::Close
                }
                Err(End::Closed) => return,
            };
            if step == Step::Close {
                self.io.close().await;
                return;
            }
        }
    }

    async fn command(&mut self, line: &[u8]) -> Step {
        let req = match Request::parse(&mut line.iter()) {
            Ok(r) => r.into_owned(),
            Err(e) => return self.say(reply::parse_error(&e)),
        };
        match req {
            Request::Ehlo { host } => self.ehlo(host, true),
            Request::Helo { host } => self.ehlo(host, false),
            Request::StartTls => self.starttls().await,
            Request::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism, initial_response).await,
            Request::Mail { from } => {
                let r = self.mail(from).await;
                self.say(r)
            }
            Request::Rcpt { to } => {
                let r = self.rcpt(to).await;
                self.say(r)
            }
            Request::Data => self.data().await,
            Request::Bdat {
                chunk_size,
                is_last,
            } => self.bdat(chunk_size, is_last).await,
            Request::Rset => {
                self.txn = None;
                self.say(reply::ok("Reset"))
            }
            Request::Noop { .. } => self.say(reply::ok("OK")),
            Request::Quit => {
                Reply::new(221, "2.0.0", "Bye").write(self.io.out());
                Step::Close
            }
            Request::Vrfy { .. } => self.say(Reply::new(
                252,
                "2.5.0",
                "Cannot verify the user, but will take the message and try to deliver it",
            )),
            Request::Help { .. } => self.say(Reply::new(
                214,
                "2.0.0",
                "Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP VRFY QUIT",
            )),
            Request::Lhlo { .. }
            | Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => self.say(reply::not_implemented()),
        }
    }

    /// STARTTLS (RFC 3207): after the handshake the session starts over, and nothing the
    /// client sent before it in plain text is used.
    async fn starttls(&mut self) -> Step {
        let Some(acceptor) = self.svc.tls.clone() else {
            return self.say(Reply::new(454, "4.7.0", "TLS not available"));
        };
        if self.tls {
            return self.say(reply::bad_sequence("TLS already active"));
        }
        Reply::new(220, "2.0.0", "Ready to start TLS").write(self.io.out());
        if self.io.flush().await.is_err() {
            return Step::Close;
        }
        self.io.discard_input();
        let Stream::Plain(plain) = std::mem::replace(&mut self.io.stream, Stream::Gone) else {
            return Step::Close;
        };
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(plain)).await {
            Ok(Ok(tls)) => {
                self.io.stream = Stream::Tls(Box::new(tls));
                self.tls = true;
                self.helo = None;
                self.actor = None;
                self.txn = None;
                Step::Go
            }
            Ok(Err(e)) => {
                tracing::debug!(peer = %self.peer, error = %e, "tls handshake failed");
                Step::Close
            }
            Err(_) => Step::Close,
        }
    }
}
