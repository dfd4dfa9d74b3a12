//! What a session needs from the mail service. The platform implements it (see
//! [`crate::platform`]); tests and the fuzzer use a small fake.

use std::future::Future;
use std::net::IpAddr;

/// Who hands a message to the MX.
#[derive(Clone, Copy, Debug)]
pub struct Client<'a> {
    pub ip: IpAddr,
    /// The name the client gave in EHLO or HELO ("" if none).
    pub helo: &'a str,
    /// This server's name: the authserv-id of the results it records.
    pub hostname: &'a str,
}

/// Why a login was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// Wrong user or password (535 5.7.8).
    BadCredentials,
    /// Right password, but the account may not use mail programs (535 5.7.1).
    NotAllowed,
    /// Right password, but the account must first do something on the web: accept the
    /// terms of use or set a new password (535 5.7.1).
    WebFirst,
    /// Too many failed logins: come back later (454 4.7.0).
    Throttled,
    /// The service failed for another reason (454 4.7.0).
    Temporary,
}

/// Why a recipient was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RcptError {
    /// No such address at a domain of ours (550 5.1.1).
    Unknown,
    /// The address exists, but this sender may not write to it (550 5.7.1).
    NotAllowed,
    /// Another domain, and the sender may not relay (550 5.7.1).
    Relay,
    /// Not a mail address (501 5.1.3).
    Malformed,
    /// The service failed (451 4.3.0).
    Temporary,
    /// The recipient's mailbox has no room for the message (452 4.2.2: its owner may make
    /// room, so the sending server tries again later).
    MailboxFull,
}

/// Why a message was not taken after its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliverError {
    /// The recipients' mailboxes are full (552 5.2.2).
    QuotaExceeded,
    /// The message breaks a rule, e.g. a From header that is not the sender's (550 5.7.1).
    Refused(String),
    /// The service failed: the client should try again (451 4.3.0).
    Temporary,
    /// A content filter (spam filter, virus scanner) is configured but did not answer:
    /// the message must not pass unscanned, so the client tries again (451 4.7.1).
    FilterUnavailable,
    /// The sending login reached its outgoing limit; it may send again after this many
    /// seconds (450 4.7.1).
    RateLimited(u64),
}

/// The mail service behind a session. Every method that stores something must return only
/// after the data is durable: the session answers 250 on its return.
pub trait MailBackend: Send + Sync + 'static {
    /// A logged-in account (submission).
    type Actor: Send + Sync + 'static;
    /// A recipient accepted from outside (MX).
    type Inbound: Send + Sync + Clone + 'static;

    /// Counts a new connection from `ip` to a listener of `role`; `Err(seconds)` refuses it
    /// (too many connections from the address lately), to try again after that long.
    fn connection(
        &self,
        role: crate::Role,
        ip: IpAddr,
    ) -> impl Future<Output = Result<(), u64>> + Send {
        let _ = (role, ip);
        async { Ok(()) }
    }

    /// Checks a mail program's login; `client` is the peer's IP address (for throttling).
    fn login(
        &self,
        user: &str,
        password: &str,
        client: &str,
    ) -> impl Future<Output = Result<Self::Actor, AuthError>> + Send;

    /// Whether `mail_from` is one of the actor's own addresses.
    fn own_sender(
        &self,
        actor: &Self::Actor,
        mail_from: &str,
    ) -> impl Future<Output = Result<bool, RcptError>> + Send;

    /// Whether the actor may write to `rcpt` a message of `size` bytes (the SIZE declared
    /// with MAIL FROM, 0 if none).
    fn check_rcpt(
        &self,
        actor: &Self::Actor,
        rcpt: &str,
        size: u64,
    ) -> impl Future<Output = Result<(), RcptError>> + Send;

    /// Sends a message of the actor to `rcpts`.
    fn submit(
        &self,
        actor: &Self::Actor,
        mail_from: &str,
        rcpts: &[String],
        raw: &[u8],
    ) -> impl Future<Output = Result<(), DeliverError>> + Send;

    /// Whether mail from outside of `size` bytes (declared with MAIL FROM, 0 if none) may go
    /// to `rcpt`.
    fn inbound_rcpt(
        &self,
        rcpt: &str,
        size: u64,
    ) -> impl Future<Output = Result<Self::Inbound, RcptError>> + Send;

    /// Files mail from outside into the mailboxes of `rcpts`; `client` says who handed it
    /// over, for the SPF, DKIM and DMARC checks.
    fn deliver_inbound(
        &self,
        client: Client<'_>,
        mail_from: &str,
        rcpts: &[Self::Inbound],
        raw: &[u8],
    ) -> impl Future<Output = Result<(), DeliverError>> + Send;
}
