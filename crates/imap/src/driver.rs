//! The I/O side of a session: feeds the socket into imap-next's server, writes what it
//! produces (in pieces, flushed before the client is to speak), runs STARTTLS and IDLE.

use std::io;
use std::time::Duration;

use imap_next::server::{Event, ResponseHandle, Server};
use imap_next::{Interrupt, Io as NextIo, State};
use imap_types::core::{Tag, Text};
use imap_types::response::{CommandContinuationRequest, Greeting};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::broadcast;

use crate::conn::{Conn, Io};
use crate::respond::Done;
use crate::session::{After, Ctx, Peer, options};
use crate::store::MailStore;

/// A client that says nothing for this long is logged out (RFC 3501: at least 30 minutes).
const AUTOLOGOUT: Duration = Duration::from_secs(31 * 60);
/// Output is sent in pieces of about this size (and whenever the client is to speak).
const FLUSH_AT: usize = 64 * 1024;
/// Commands refused as malformed before the connection is closed.
const MAX_BAD: u32 = 20;
/// A waiting connection reads into a small buffer inside its task; only a client that sends
/// more (a literal) gets a heap buffer of this size, given back after the command. Thousands
/// of idling connections hold no read buffer.
const BIG_READ: usize = 16 * 1024;
const SMALL_READ: usize = 512;

/// Serves one connection until the client logs out or goes away.
pub async fn run<S: MailStore, T: Io>(store: S, stream: T, peer: Peer) -> io::Result<()> {
    let mut d = Driver {
        ctx: Ctx::new(store, peer),
        conn: Conn::Plain(stream),
        out: Vec::new(),
        buf: Vec::new(),
    };
    let result = d.serve().await;
    let _ = d.conn.shutdown().await;
    result
}

struct Driver<S: MailStore, T: Io> {
    ctx: Ctx<S>,
    conn: Conn<T>,
    out: Vec<u8>,
    /// Empty unless the client is sending a large command.
    buf: Vec<u8>,
}

enum Flow {
    Go,
    Stop,
}

impl<S: MailStore, T: Io> Driver<S, T> {
    async fn serve(&mut self) -> io::Result<()> {
        loop {
            match self.ctx.server.next() {
                Ok(event) => {
                    if let Flow::Stop = self.event(event).await? {
                        return self.flush().await;
                    }
                }
                Err(Interrupt::Io(NextIo::Output(bytes))) => {
                    self.out.extend_from_slice(&bytes);
                    if self.out.len() >= FLUSH_AT {
                        self.flush().await?;
                    }
                }
                Err(Interrupt::Io(NextIo::NeedMoreInput)) => {
                    self.flush().await?;
                    if let Flow::Stop = self.read().await? {
                        return Ok(());
                    }
                }
                Err(Interrupt::Error(e)) => {
                    self.ctx.protocol_error(e);
                    if self.ctx.bad > MAX_BAD {
                        self.ctx.untagged_bye("Too many bad commands");
                        self.drain_output();
                        return self.flush().await;
                    }
                }
            }
        }
    }

    async fn flush(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            self.conn.write_all(&self.out).await?;
            self.out.clear();
        }
        // A large answer's buffer is not kept for the rest of the connection.
        if self.out.capacity() > 2 * FLUSH_AT {
            self.out = Vec::new();
        }
        self.conn.flush().await
    }

    /// Writes what a long answer encoded ahead (it comes before anything still queued).
    async fn take_encoded(&mut self) -> io::Result<()> {
        if self.ctx.encoded.is_empty() {
            return Ok(());
        }
        self.flush().await?;
        self.conn.write_all(&self.ctx.encoded).await?;
        self.ctx.encoded = Vec::new();
        Ok(())
    }

    /// Writes out whatever the server has queued (before closing).
    fn drain_output(&mut self) {
        while let Err(Interrupt::Io(NextIo::Output(bytes))) = self.ctx.server.next() {
            self.out.extend_from_slice(&bytes);
        }
    }

    async fn event(&mut self, event: Event) -> io::Result<Flow> {
        match event {
            Event::GreetingSent { .. } => {}
            Event::ResponseSent { handle, .. } => return self.sent(handle).await,
            Event::CommandReceived { command } => {
                self.buf = Vec::new();
                self.ctx.drain_events();
                // Boxed: the task of a waiting connection does not carry the (large) state
                // of every command's future.
                Box::pin(crate::op::command(&mut self.ctx, command)).await;
                self.take_encoded().await?;
            }
            Event::CommandAuthenticateReceived {
                command_authenticate,
            } => {
                Box::pin(crate::op::auth::authenticate(
                    &mut self.ctx,
                    command_authenticate,
                ))
                .await
            }
            Event::AuthenticateDataReceived { authenticate_data } => {
                Box::pin(crate::op::auth::authenticate_data(
                    &mut self.ctx,
                    authenticate_data,
                ))
                .await
            }
            Event::IdleCommandReceived { tag } => Box::pin(self.idle_start(tag)).await,
            Event::IdleDoneReceived => {
                if let Some(tag) = self.ctx.idle_tag.take() {
                    self.ctx.drain_events();
                    Box::pin(self.ctx.report_changes()).await;
                    self.ctx.finish(tag, Done::ok("IDLE terminated"));
                }
            }
        }
        Ok(Flow::Go)
    }

    async fn idle_start(&mut self, tag: Tag<'static>) {
        if self.ctx.actor.is_none() {
            let status = Done::bad("Log in first").into_status(tag);
            let _ = self.ctx.server.idle_reject(status);
            return;
        }
        let cont = CommandContinuationRequest::basic(None, "idling")
            .unwrap_or_else(|_| CommandContinuationRequest::base64(Vec::new()));
        if self.ctx.server.idle_accept(cont).is_ok() {
            self.ctx.idle_tag = Some(tag);
            self.ctx.drain_events();
            self.ctx.report_changes().await;
        }
    }

    async fn sent(&mut self, handle: ResponseHandle) -> io::Result<Flow> {
        match self.ctx.after {
            After::StartTls(h) if h == handle => {
                self.ctx.after = After::Nothing;
                self.flush().await?;
                let Some(config) = self.ctx.peer.tls.clone() else {
                    return Ok(Flow::Stop);
                };
                self.conn.upgrade(config).await?;
                self.ctx.tls_active = true;
                self.restart_server();
                Ok(Flow::Go)
            }
            After::Logout(h) if h == handle => Ok(Flow::Stop),
            _ => Ok(Flow::Go),
        }
    }

    /// A fresh protocol state after the TLS handshake: whatever the client sent in plain text
    /// after STARTTLS is dropped (no command injection), and no second greeting is sent.
    fn restart_server(&mut self) {
        let mut server = Server::new(
            options(self.ctx.store.max_message()),
            Greeting {
                kind: imap_types::response::GreetingKind::Ok,
                code: None,
                text: Text::unvalidated("unused"),
            },
        );
        loop {
            match server.next() {
                Ok(Event::GreetingSent { .. }) | Err(Interrupt::Io(NextIo::NeedMoreInput)) => break,
                _ => continue,
            }
        }
        self.ctx.server = server;
    }

    async fn read(&mut self) -> io::Result<Flow> {
        let mut small = [0u8; SMALL_READ];
        let big = !self.buf.is_empty();
        let into: &mut [u8] = if big { &mut self.buf } else { &mut small };
        let n = if self.ctx.idle_tag.is_some() {
            match read_idle(&mut self.ctx, &mut self.conn, into).await? {
                Idled::Read(n) => n,
                Idled::Reported => return Ok(Flow::Go),
                Idled::TimedOut => return self.autologout().await,
            }
        } else {
            match tokio::time::timeout(AUTOLOGOUT, self.conn.read(into)).await {
                Ok(r) => r?,
                Err(_) => return self.autologout().await,
            }
        };
        if n == 0 {
            return Ok(Flow::Stop);
        }
        if big {
            self.ctx.server.enqueue_input(&self.buf[..n]);
        } else {
            self.ctx.server.enqueue_input(&small[..n]);
            if n == SMALL_READ {
                // More is coming: read it in larger pieces until the command is in.
                self.buf = vec![0u8; BIG_READ];
            }
        }
        Ok(Flow::Go)
    }

    async fn autologout(&mut self) -> io::Result<Flow> {
        self.ctx.untagged_bye("Autologout; idle for too long");
        self.drain_output();
        self.flush().await?;
        Ok(Flow::Stop)
    }
}

/// What a read while idling brought.
enum Idled {
    Read(usize),
    /// A change of the folder was reported to the client.
    Reported,
    TimedOut,
}

/// Reads while idling; a live event for the folder is reported at once.
async fn read_idle<S: MailStore, T: Io>(
    ctx: &mut Ctx<S>,
    conn: &mut Conn<T>,
    buf: &mut [u8],
) -> io::Result<Idled> {
    loop {
        let Some(rx) = ctx.events.as_mut() else {
            return Ok(Idled::Read(conn.read(buf).await?));
        };
        tokio::select! {
            r = conn.read(buf) => return Ok(Idled::Read(r?)),
            e = rx.recv() => {
                let relevant = match e {
                    Ok(e) => ctx.relevant_event(&e),
                    Err(broadcast::error::RecvError::Lagged(_)) => true,
                    Err(broadcast::error::RecvError::Closed) => {
                        ctx.events = None;
                        false
                    }
                };
                if relevant {
                    ctx.changed = true;
                    Box::pin(ctx.report_changes()).await;
                    return Ok(Idled::Reported);
                }
            }
            _ = tokio::time::sleep(AUTOLOGOUT) => return Ok(Idled::TimedOut),
        }
    }
}
