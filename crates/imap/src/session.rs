//! The state of one IMAP session: who is logged in, which folder is selected, what changed
//! meanwhile; and the server state machine (imap-next) the commands answer through.

use std::sync::Arc;

use imap_next::server::{Error as ServerError, Options, ResponseHandle, Server};
use imap_types::core::{Tag, Text};
use imap_types::response::{Code, Data, Greeting, Status};
use tokio::sync::broadcast::{self, error::TryRecvError};
use tokio_rustls::rustls::ServerConfig;

use crate::respond::Done;
use crate::selected::Selected;
use crate::store::{MailEvent, MailStore};

/// What a session needs to know about its connection.
#[derive(Clone)]
pub struct Peer {
    pub addr: String,
    /// Loopback clients may log in without TLS (as Dovecot allows).
    pub loopback: bool,
    /// STARTTLS is offered when set.
    pub tls: Option<Arc<ServerConfig>>,
}

/// What happens once a response has gone out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum After {
    Nothing,
    StartTls(ResponseHandle),
    Logout(ResponseHandle),
}

/// The session state the commands work on.
pub struct Ctx<S: MailStore> {
    pub store: S,
    pub server: Server,
    pub peer: Peer,
    pub tls_active: bool,
    pub actor: Option<S::Actor>,
    pub selected: Option<Selected>,
    /// CONDSTORE is on: FETCH responses carry MODSEQ.
    pub condstore: bool,
    /// QRESYNC is on (implies CONDSTORE): removals are reported as VANISHED.
    pub qresync: bool,
    /// A live event said the selected folder changed.
    pub changed: bool,
    pub(crate) events: Option<broadcast::Receiver<MailEvent>>,
    /// Marks the events of this session's own STORE, APPEND and EXPUNGE (random, so no
    /// session of another node has it): they come back after the session's view took the
    /// change, and are not read again.
    pub(crate) origin: u64,
    pub(crate) after: After,
    pub(crate) idle_tag: Option<Tag<'static>>,
    pub(crate) auth_tag: Option<Tag<'static>>,
    pub(crate) bad: u32,
    /// Responses of a long answer already turned into bytes (see `long.rs`); written before
    /// anything still queued in `server`.
    pub(crate) encoded: Vec<u8>,
    /// Responses enqueued by [`Ctx::data_long`] and not yet encoded.
    pub(crate) long_queued: usize,
}

pub(crate) fn options(max_message: u64) -> Options {
    let mut o = Options::default();
    let max = u32::try_from(max_message).unwrap_or(u32::MAX - 128 * 1024);
    o.max_literal_size = max;
    o.max_command_size = max.saturating_add(64 * 1024);
    // Parsed by clients as text only; the literal's tagged BAD says why.
    let _ = o.set_literal_reject_text("Message too large".into());
    o
}

impl<S: MailStore> Ctx<S> {
    pub(crate) fn new(store: S, peer: Peer) -> Ctx<S> {
        let greeting = Greeting::ok(None, "Schulhof IMAP ready").unwrap_or_else(|_| Greeting {
            kind: imap_types::response::GreetingKind::Ok,
            code: None,
            text: Text::unvalidated("ready"),
        });
        let server = Server::new(options(store.max_message()), greeting);
        Ctx {
            store,
            server,
            peer,
            tls_active: false,
            actor: None,
            selected: None,
            condstore: false,
            qresync: false,
            changed: false,
            events: None,
            origin: schulhof_domain::mail::bus::new_origin(),
            after: After::Nothing,
            idle_tag: None,
            auth_tag: None,
            bad: 0,
            encoded: Vec::new(),
            long_queued: 0,
        }
    }

    pub fn data(&mut self, d: Data<'static>) {
        self.server.enqueue_data(d);
    }

    pub fn finish(&mut self, tag: Tag<'static>, done: Done) -> ResponseHandle {
        self.server.enqueue_status(done.into_status(tag))
    }

    pub fn untagged(&mut self, done: Done) {
        let text = Text::try_from(crate::respond::clean(&done.text))
            .unwrap_or_else(|_| Text::unvalidated("note"));
        match Status::new(None, done.kind, done.code, text) {
            Ok(s) => {
                self.server.enqueue_status(s);
            }
            Err(never) => match never {},
        }
    }

    /// Plain-text passwords are only taken over TLS or from loopback.
    pub fn login_allowed(&self) -> bool {
        self.tls_active || self.peer.loopback
    }

    pub fn starttls_offered(&self) -> bool {
        !self.tls_active && self.peer.tls.is_some()
    }

    /// After a successful login: live events of this mailbox from now on.
    pub fn logged_in(&mut self, actor: S::Actor) {
        self.events = Some(self.store.events());
        self.actor = Some(actor);
    }

    pub fn starttls_after(&mut self, h: ResponseHandle) {
        self.after = After::StartTls(h);
    }

    pub fn logout_after(&mut self, h: ResponseHandle) {
        self.after = After::Logout(h);
    }

    /// Whether an event concerns the selected folder of this mailbox.
    pub(crate) fn relevant_event(&self, e: &MailEvent) -> bool {
        match (&self.actor, &self.selected) {
            // Folder ids are unique; a delegated mailbox's events carry its owner, not the
            // actor, so the folder alone decides.
            (Some(_), Some(sel)) => sel.folder == e.folder && e.origin != self.origin,
            _ => false,
        }
    }

    /// Takes note of the live events that arrived since the last look.
    pub fn drain_events(&mut self) {
        let mut changed = false;
        let mut seen = Vec::new();
        if let Some(rx) = self.events.as_mut() {
            loop {
                match rx.try_recv() {
                    Ok(e) => seen.push(e),
                    Err(TryRecvError::Lagged(_)) => changed = true,
                    Err(_) => break,
                }
            }
        }
        changed |= seen.iter().any(|e| self.relevant_event(e));
        self.changed |= changed;
    }

    /// Tells the client what changed in the selected folder (when something did).
    pub async fn report_changes(&mut self) {
        if !self.changed {
            return;
        }
        let (Some(actor), Some(sel)) = (self.actor.as_ref(), self.selected.as_ref()) else {
            self.changed = false;
            return;
        };
        let fresh = match self.store.uids(actor, sel.folder).await {
            Ok(f) => f,
            Err(_) => return,
        };
        self.changed = false;
        let (condstore, qresync) = (self.condstore, self.qresync);
        if let Some(sel) = self.selected.as_mut() {
            for d in sel.update(fresh, condstore, qresync) {
                self.server.enqueue_data(d);
            }
        }
    }

    pub(crate) fn protocol_error(&mut self, e: ServerError) {
        self.bad += 1;
        match e {
            // imap-next has answered with a tagged BAD already.
            ServerError::LiteralTooLong { .. } => {}
            ServerError::CommandTooLong { discarded_bytes } => {
                let tag = tag_of(discarded_bytes.declassify());
                self.reject(tag, Done::bad("Command too long").code(Code::TooBig));
            }
            ServerError::MalformedMessage { discarded_bytes }
            | ServerError::ExpectedCrlfGotLf { discarded_bytes } => {
                let tag = tag_of(discarded_bytes.declassify());
                self.reject(tag, Done::bad("Malformed command"));
            }
        }
    }

    fn reject(&mut self, tag: Option<Tag<'static>>, done: Done) {
        match tag {
            Some(t) => {
                self.finish(t, done);
            }
            None => self.untagged(done),
        }
    }
}

/// The tag of a line the parser could not take, so the BAD can carry it.
fn tag_of(bytes: &[u8]) -> Option<Tag<'static>> {
    let end = bytes.iter().position(|&b| b == b' ')?;
    Tag::try_from(bytes[..end].to_vec()).ok()
}

impl<S: MailStore> Ctx<S> {
    pub fn untagged_bye(&mut self, text: &str) {
        let text = Text::try_from(text.to_owned()).unwrap_or_else(|_| Text::unvalidated("bye"));
        match Status::bye(None, text) {
            Ok(s) => {
                self.server.enqueue_status(s);
            }
            Err(never) => match never {},
        }
    }
}
