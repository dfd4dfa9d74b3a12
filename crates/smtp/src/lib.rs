//! SMTP for the school mail service: the MX role (mail from outside to the school's
//! addresses, no login, no relaying) and submission (mail programs of the school's people,
//! after STARTTLS and AUTH). smtp-proto parses the commands; this crate drives the
//! connection and calls the mail service through [`MailBackend`].
//!
//! Mail taken on the MX gets a `Received` header here; the service checks SPF, DKIM and
//! DMARC with the client's address and HELO name ([`backend::Client`]) and records the
//! results in an `Authentication-Results` header.

mod auth;
pub mod backend;
mod commands;
mod data;
mod io;
mod platform;
mod reply;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
pub use tokio_rustls::TlsAcceptor;

pub use backend::{AuthError, Client, DeliverError, MailBackend, RcptError};

/// Which service a listener offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Port 25: mail from other servers to local addresses.
    Mx,
    /// Port 587: mail programs of logged-in accounts.
    Submission,
}

/// Limits of a listener.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// The name the server gives itself in greetings and `Received` headers.
    pub hostname: String,
    /// The largest message taken, in bytes (announced as SIZE).
    pub max_message: usize,
    /// Recipients per message; more get 452.
    pub max_recipients: usize,
    /// The longest command line, with its CRLF (RFC 5321 asks for at least 512).
    pub max_line: usize,
    /// How long the server waits for a command, and for each piece of a message.
    pub timeout: Duration,
    /// Failed commands before the server closes the connection.
    pub max_errors: u32,
    /// Failed logins before the server closes the connection.
    pub max_auth_failures: u32,
    /// Connections served at once by this listener.
    pub max_connections: usize,
    /// Allow AUTH without TLS from the loopback address (as Dovecot does).
    pub loopback_plaintext_auth: bool,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            hostname: "localhost".into(),
            max_message: 25 * 1024 * 1024,
            max_recipients: 100,
            max_line: 4096,
            timeout: Duration::from_secs(300),
            max_errors: 20,
            max_auth_failures: 3,
            max_connections: 1000,
            loopback_plaintext_auth: true,
        }
    }
}

/// One listener's shared state: its role, the mail service, TLS and limits.
pub struct Service<B> {
    pub role: Role,
    pub backend: B,
    pub tls: Option<TlsAcceptor>,
    pub config: SmtpConfig,
    slots: Arc<Semaphore>,
}

impl<B: MailBackend> Service<B> {
    pub fn new(role: Role, backend: B, tls: Option<TlsAcceptor>, config: SmtpConfig) -> Self {
        let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
        Service {
            role,
            backend,
            tls,
            config,
            slots,
        }
    }

    /// Accepts connections until the listener fails; each runs in its own task.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (tcp, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "smtp accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let svc = self.clone();
            tokio::spawn(async move { svc.handle(tcp, peer).await });
        }
    }

    /// Serves one connection from `peer` to its end.
    pub async fn handle<S>(self: Arc<Self>, stream: S, peer: SocketAddr)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            session::refuse_busy(stream).await;
            return;
        };
        if let Err(wait) = self.backend.connection(self.role, peer.ip()).await {
            session::refuse_limited(stream, wait).await;
            return;
        }
        session::Session::new(self, stream, peer).run().await;
        drop(slot);
    }

    /// Accepts connections on implicit TLS (submission on port 465, RFC 8314): the TLS
    /// handshake comes first, then the session as after STARTTLS.
    pub async fn serve_tls(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        let Some(acceptor) = self.tls.clone() else {
            return Err(std::io::Error::other("implicit TLS needs a certificate"));
        };
        loop {
            let (tcp, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "smtp accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let svc = self.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move { svc.handle_tls(acceptor, tcp, peer).await });
        }
    }

    /// Serves one implicit-TLS connection: the handshake, the address's limit, then the
    /// session with TLS on from the start.
    pub async fn handle_tls<S>(self: Arc<Self>, acceptor: TlsAcceptor, stream: S, peer: SocketAddr)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            return;
        };
        let handshake = tokio::time::timeout(session::HANDSHAKE_TIMEOUT, acceptor.accept(stream));
        let tls = match handshake.await {
            Ok(Ok(tls)) => tls,
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "tls handshake failed");
                return;
            }
            Err(_) => return,
        };
        // After the handshake, so that the client can read why it is refused.
        if let Err(wait) = self.backend.connection(self.role, peer.ip()).await {
            session::refuse_limited(tls, wait).await;
            return;
        }
        let mut s = session::Session::new(self, tls, peer);
        s.tls = true;
        s.run().await;
        drop(slot);
    }
}
