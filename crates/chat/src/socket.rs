//! The live session of one browser tab: authenticated on upgrade (session cookie + Origin),
//! then frames in both directions. The client resumes each room with `after=<rev>`; the
//! server pushes whatever changed after the client's cursor whenever the bus says a room
//! changed, so a lost signal costs latency, never a message, and nothing arrives twice.
//! A session follows its rooms on the node's bus, so only changes of its rooms wake it, and
//! the change is read once per node for all its sessions in the room (the domain filters it
//! per viewer).
//!
//! Protection: a bounded send queue (a client that does not read is dropped, never buffered
//! without bound), a frame size limit, a flood limit, and a malformed frame closes this
//! socket (with a reason) and no other.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use schulhof_domain::DomainError;
use schulhof_domain::chat::{ChatListener, ChatSignal, RoomId, Wake};
use schulhof_domain::conference::ConferenceSignal;
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::frame::{ClientFrame, MAX_FRAME, decode};

mod conference;
use crate::{ChatError, actor_of, cookie_of};

/// Frames waiting for a client; a client this far behind is dropped.
const QUEUE: usize = 256;
/// Frames a client may send per second on average, and in a burst.
const RATE: f64 = 10.0;
const BURST: f64 = 40.0;
/// How long one write to the client may take before it counts as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the session is checked (ended, logged out) and the client pinged.
const TICK: Duration = Duration::from_secs(30);
/// How long "not a member of that room" is believed before asking the database again.
const NOT_MINE_TTL: Duration = Duration::from_secs(30);

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !same_origin(&headers, state.trust_forwarded) {
        return ChatError::new(
            StatusCode::FORBIDDEN,
            "origin_refused",
            "Cross-origin socket refused.",
        )
        .into_response();
    }
    let actor = match actor_of(&state, &headers).await {
        Ok(a) => a,
        Err(e) => return ChatError::from(e).into_response(),
    };
    let cookie = cookie_of(&headers).unwrap_or_default();
    // The transport limit is above the decoder's, so an oversized frame is read and
    // answered with a reason instead of a bare protocol error.
    // The read buffer is zeroed up to its size on every read attempt (each wake-up of the
    // session polls the socket), and stays resident: the default 128 KiB cost 250 MB and
    // most of a core for 2,000 clients at 200 messages/s. Client frames are small.
    ws.max_message_size(MAX_FRAME * 4)
        .max_frame_size(MAX_FRAME * 4)
        .read_buffer_size(4 * 1024)
        .on_upgrade(move |socket| run(state, actor, cookie, socket))
}

/// Whether the upgrade comes from a page of this very host (browsers always send Origin on
/// WebSocket requests; the CSRF layer does not cover GET upgrades).
pub(crate) fn same_origin(h: &HeaderMap, trust_forwarded: bool) -> bool {
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let forwarded = trust_forwarded.then(|| h.get("x-forwarded-host")).flatten();
    let Some(host) = forwarded
        .or(h.get(header::HOST))
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|a| a.eq_ignore_ascii_case(host.trim()))
}

/// Why a room is delivered.
#[derive(Clone, Copy)]
enum Target {
    /// The client resumed it: answer even when nothing changed.
    Asked,
    /// A signal said it changed up to this seq.
    Seq(i64),
    /// Signals may have been lost, or the room is new to the session.
    CatchUp,
}

/// Why a session ends.
enum Stop {
    /// The client left, or its queue is full (too slow): nothing more to say.
    Gone,
    /// Close with this code and reason.
    Close(u16, String),
}

struct Session {
    state: AppState,
    actor: Actor,
    cookie: String,
    out: mpsc::Sender<Message>,
    /// The rooms this session follows on the node's bus.
    listener: ChatListener,
    /// Per room the last `rev` this client holds (exactly the rooms followed).
    cursors: HashMap<RoomId, i64>,
    not_mine: HashMap<RoomId, Instant>,
    tokens: f64,
    refilled: Instant,
    conf: conference::Conf,
}

async fn run(state: AppState, actor: Actor, cookie: String, socket: WebSocket) {
    let (sink, mut stream) = socket.split();
    let (out, rx) = mpsc::channel(QUEUE);
    let writer = tokio::spawn(write_loop(sink, rx));
    let listener = state.platform.chat_listen(&actor);
    let mut s = Session {
        state,
        actor,
        cookie,
        out,
        listener,
        cursors: HashMap::new(),
        not_mine: HashMap::new(),
        tokens: BURST,
        refilled: Instant::now(),
        conf: Default::default(),
    };
    // Conference changes and consent changes come over the bus: the other participants'
    // and the admin's pages may be on other nodes.
    let mut consent_rx = s.state.platform.conference_signals();
    let mut tick = tokio::time::interval(TICK);
    tick.tick().await;
    crate::conference::apply_lease();
    crate::conference::relay::serve(&s.state.platform);
    let every = (schulhof_domain::conference::presence_lease() / 3).max(Duration::from_millis(300));
    let mut lease_tick = tokio::time::interval(every);
    lease_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stop = s.hello().await.err();
    while stop.is_none() {
        let step = tokio::select! {
            frame = stream.next() => s.on_frame(frame).await,
            wake = s.listener.recv() => s.on_bus(wake).await,
            _ = tick.tick() => s.on_tick().await,
            // Only a socket that takes part holds a lease to renew.
            _ = lease_tick.tick(), if s.conf.is_joined() => s.on_lease_tick().await,
            change = consent_rx.recv() => match change {
                Ok(ConferenceSignal::Consent(c)) => s.on_consent_change(Ok(c)).await,
                Ok(ConferenceSignal::Room { instance, room }) => {
                    let sig = crate::conference::ConfSignal { instance, room };
                    s.on_conf_signal(Ok(sig)).await
                }
                Ok(_) => Ok(()),
                Err(e) => s.on_consent_change(Err(e)).await,
            },
        };
        stop = step.err();
    }
    match stop {
        Some(Stop::Close(code, reason)) => {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            if s.out.try_send(Message::Close(Some(frame))).is_ok() {
                drop(s);
                // The writer sends the close frame and ends; a stuck client is cut off.
                let _ = tokio::time::timeout(SEND_TIMEOUT, writer).await;
                return;
            }
            writer.abort();
        }
        _ => writer.abort(),
    }
}

async fn write_loop(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Message>,
) {
    while let Some(m) = rx.recv().await {
        let close = matches!(m, Message::Close(_));
        match tokio::time::timeout(SEND_TIMEOUT, sink.send(m)).await {
            Ok(Ok(())) if !close => {}
            _ => break,
        }
    }
    let _ = sink.close().await;
}

fn error_frame(e: &DomainError, reference: Option<&str>, write: bool) -> Value {
    let code = match e {
        DomainError::Forbidden | DomainError::Denied(schulhof_authz::Denied::Forbidden)
            if write =>
        {
            "chat_write_refused"
        }
        DomainError::Conflict { field, .. } if *field == schulhof_domain::chat::MUTED => {
            "chat_muted"
        }
        e => schulhof_front::error_info(e).code,
    };
    json!({ "type": "error", "ref": reference, "code": code, "message": e.to_string() })
}

impl Session {
    /// Queues a frame; a full queue means the client does not keep up: it is dropped.
    fn push(&self, v: Value) -> Result<(), Stop> {
        self.push_text(v.to_string())
    }

    fn push_text(&self, text: String) -> Result<(), Stop> {
        match self.out.try_send(Message::Text(text.into())) {
            Ok(()) => Ok(()),
            Err(_) => {
                tracing::info!(user = %self.actor.user.login, "chat client too slow, dropped");
                Err(Stop::Gone)
            }
        }
    }

    async fn hello(&mut self) -> Result<(), Stop> {
        let rooms = self
            .state
            .platform
            .chat_rooms(&self.actor)
            .await
            .map_err(|_| Stop::Gone)?;
        for r in &rooms {
            self.follow(r.id, r.last_seq);
        }
        self.push(json!({ "type": "hello", "user": self.actor.token.user(), "rooms": rooms }))
    }

    /// The flood limit: a token bucket per socket.
    fn allow(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.refilled).as_secs_f64() * RATE;
        self.tokens = (self.tokens + earned).min(BURST);
        self.refilled = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }

    async fn on_frame(&mut self, frame: Option<Result<Message, axum::Error>>) -> Result<(), Stop> {
        let text = match frame {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Err(Stop::Gone),
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Binary(_))) => {
                return Err(Stop::Close(1003, "binary frames are not accepted".into()));
            }
            Some(Ok(_)) => return Ok(()),
        };
        if !self.allow() {
            return Err(Stop::Close(1008, "flood: too many frames".into()));
        }
        match decode(&text) {
            Ok(f) => self.handle(f).await,
            Err(e) => Err(Stop::Close(e.close_code(), e.reason())),
        }
    }

    async fn handle(&mut self, f: ClientFrame) -> Result<(), Stop> {
        let p = self.state.platform.clone();
        let a = &self.actor;
        let (result, reference, write) = match f {
            ClientFrame::Send {
                room,
                text,
                reply_to,
                reference,
            } => {
                let r = p.chat_send(a, room, &text, reply_to).await;
                if let Ok(seq) = r {
                    return self.push(
                        json!({ "type": "sent", "ref": reference, "room": room, "seq": seq }),
                    );
                }
                (r.map(|_| ()), reference, true)
            }
            ClientFrame::Edit { room, seq, text } => {
                (p.chat_edit(a, room, seq, &text).await, None, true)
            }
            ClientFrame::Delete { room, seq } => (p.chat_delete(a, room, seq).await, None, true),
            ClientFrame::React {
                room,
                seq,
                emoji,
                on,
            } => (p.chat_react(a, room, seq, &emoji, on).await, None, true),
            ClientFrame::Read { room, seq } => (p.chat_read(a, room, seq).await, None, false),
            ClientFrame::Typing { room } => (p.chat_typing(a, room).await, None, true),
            ClientFrame::Resume { room, after } => {
                self.follow(room, after.max(0));
                return self.deliver(room, Target::Asked).await;
            }
            ClientFrame::Ping {} => return self.push(json!({ "type": "pong" })),
            ClientFrame::Conf { room, op } => return self.conference(room, op).await,
        };
        match result {
            Ok(()) => Ok(()),
            Err(e) => self.push(error_frame(&e, reference.as_deref(), write)),
        }
    }

    /// Follows `room` on the bus from cursor `seq` on.
    fn follow(&mut self, room: RoomId, seq: i64) {
        self.cursors.insert(room, seq);
        self.listener.follow(room);
    }

    fn unfollow(&mut self, room: RoomId) {
        self.cursors.remove(&room);
        self.listener.unfollow(room);
    }

    /// Pushes everything of `room` changed after the client's cursor, in pages.
    async fn deliver(&mut self, room: RoomId, target: Target) -> Result<(), Stop> {
        // A wake-up shares the node's read of the change; a resume or catch-up wants the
        // state of now. A shared read older than the signal is followed by a fresh one.
        let mut fresh = !matches!(target, Target::Seq(_));
        loop {
            let after = self.cursors.get(&room).copied().unwrap_or(0);
            let c = match self
                .state
                .platform
                .chat_changes_json(&self.actor, room, after, fresh)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    // Gone from the room (left the class): stop following it.
                    self.unfollow(room);
                    return if matches!(target, Target::Asked) {
                        self.push(error_frame(&e, None, false))
                    } else {
                        Ok(())
                    };
                }
            };
            let last = c.upto.max(after);
            self.cursors.insert(room, last);
            if c.count > 0 || matches!(target, Target::Asked) {
                // The messages come encoded (once per node for most viewers).
                let frame = format!(
                    r#"{{"type":"messages","room":"{}","seq":{last},"messages":{}}}"#,
                    room.0, c.messages
                );
                self.push_text(frame)?;
            }
            if c.more {
                continue;
            }
            match target {
                Target::Seq(s) if last < s && !fresh => fresh = last == after,
                _ => return Ok(()),
            }
        }
    }

    async fn on_bus(&mut self, wake: Option<Wake>) -> Result<(), Stop> {
        let sig: ChatSignal = match wake {
            Some(Wake::Signal(s)) => s,
            Some(Wake::Lagged) => {
                // Signals were lost: catch up every room from the database.
                let rooms: Vec<RoomId> = self.cursors.keys().copied().collect();
                for r in rooms {
                    self.deliver(r, Target::CatchUp).await?;
                }
                return Ok(());
            }
            None => return Err(Stop::Gone),
        };
        if sig.instance != self.actor.token.instance() {
            return Ok(());
        }
        if let Some(user) = sig.typing {
            if user != self.actor.token.user() && self.cursors.contains_key(&sig.room) {
                return self.push(json!({ "type": "typing", "room": sig.room, "user": user }));
            }
            return Ok(());
        }
        match self.cursors.get(&sig.room) {
            Some(c) if *c >= sig.seq => Ok(()),
            Some(_) => self.deliver(sig.room, Target::Seq(sig.seq)).await,
            None => self.maybe_joined(sig.room).await,
        }
    }

    /// A signal for a room this client does not follow: a new direct chat or invitation, or
    /// someone else's room (remembered for a while, so strangers' rooms cost one look).
    async fn maybe_joined(&mut self, room: RoomId) -> Result<(), Stop> {
        if self
            .not_mine
            .get(&room)
            .is_some_and(|t| t.elapsed() < NOT_MINE_TTL)
        {
            return Ok(());
        }
        if self
            .state
            .platform
            .chat_is_member(&self.actor, room)
            .await
            .unwrap_or(false)
        {
            self.not_mine.remove(&room);
            self.follow(room, 0);
            self.deliver(room, Target::CatchUp).await
        } else {
            if self.not_mine.len() > 10_000 {
                self.not_mine.clear();
            }
            self.not_mine.insert(room, Instant::now());
            Ok(())
        }
    }

    async fn on_tick(&mut self) -> Result<(), Stop> {
        match self.state.platform.session(&self.cookie).await {
            Ok(s) if s.actor.token.user() == self.actor.token.user() => self
                .out
                .try_send(Message::Ping(Vec::new().into()))
                .map_err(|_| Stop::Gone),
            _ => Err(Stop::Close(4001, "session ended".into())),
        }
    }
}
